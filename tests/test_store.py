"""The parquet store: content keys, atomic idempotent writes, canonical dtypes on the way back."""

from __future__ import annotations

import hashlib
import os

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from sources import store
from sources.schema import DTYPES, FACTIONS, check_canonical, empty_events


def make_events(n: int, seed: int = 0, dataset: str = "TEST") -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2016-01-01") + pd.to_timedelta(rng.integers(0, 1000, n), unit="D")
    span = pd.to_timedelta(rng.integers(0, 5, n), unit="D")
    factions = np.array(list(FACTIONS))
    best = rng.integers(0, 50, n)
    frame = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(n)],
            "source_dataset": dataset,
            "date_start": start,
            "date_end": start + span,
            "latitude": rng.uniform(32.3, 37.3, n),
            "longitude": rng.uniform(35.7, 42.4, n),
            "place_precision": "exact",
            "date_precision": "day",
            "event_type": "state-based",
            "actor1": "A <b>&amp;</b>",
            "actor2": "",
            "faction1": factions[rng.integers(0, len(factions), n)],
            "faction2": "other",
            "fatalities_low": best,
            "fatalities_best": best,
            "fatalities_high": best + 1,
            "governorate": "Idleb",
            "place": "Saraqib",
            "notes": [f"note \u0627\u0644\u0633\u0648\u0631\u064a\u0629 {i}" for i in range(n)],
            "source": "src",
            "source_url": "",
        }
    )
    frame = frame.astype(DTYPES)
    frame.loc[0, "notes"] = pd.NA  # a missing value survives the round trip
    check_canonical(frame)
    return frame


def test_fingerprint_is_sha256_of_content(tmp_path):
    data = os.urandom(3 * (1 << 20) + 17)  # spans several read chunks
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    assert store.fingerprint(path) == hashlib.sha256(data).hexdigest()
    copy = tmp_path / "g.csv"
    copy.write_bytes(data)
    assert store.fingerprint(copy) == store.fingerprint(path)
    copy.write_bytes(data + b"x")
    assert store.fingerprint(copy) != store.fingerprint(path)


def test_save_load_round_trip_sorted_and_canonical(tmp_path):
    events = make_events(500)
    fp = hashlib.sha256(b"a").hexdigest()
    assert not store.has(fp, tmp_path)
    meta = {"source": "a.csv", "format": "ucdp", "rows": 510, "accepted": 500, "rejected": 10,
            "imported_at": "2026-01-01T00:00:00Z"}
    path = store.save(events, fp, tmp_path / "store", meta)
    assert path == tmp_path / "store" / f"{fp}.parquet"
    assert store.has(fp, tmp_path / "store")
    back = store.load(fp, tmp_path / "store")
    check_canonical(back)
    assert list(back.dtypes.astype(str)) == list(empty_events().dtypes.astype(str))
    assert back["date_start"].is_monotonic_increasing
    expected = events.sort_values("date_start", kind="stable", ignore_index=True)
    pd.testing.assert_frame_equal(back, expected, check_dtype=False)
    assert back["notes"].isna().sum() == 1
    # no temporary files are left behind
    assert sorted(p.name for p in (tmp_path / "store").iterdir()) == [f"{fp}.parquet"]


def test_save_is_idempotent(tmp_path):
    fp = hashlib.sha256(b"b").hexdigest()
    first = store.save(make_events(50), fp, tmp_path, {"source": "b.csv"})
    stamp = first.stat().st_mtime_ns
    second = store.save(make_events(80, seed=1), fp, tmp_path, {"source": "b.csv"})
    assert second == first
    assert first.stat().st_mtime_ns == stamp
    assert len(store.load(fp, tmp_path)) == 50
    assert len(store.list_imports(tmp_path)) == 1


def test_save_refuses_non_canonical_and_bad_fingerprints(tmp_path):
    with pytest.raises(ValueError):
        store.save(make_events(5).drop(columns="notes"), "ab" * 32, tmp_path, {})
    for bad in ("../escape", "", "ABC", "a/b"):
        with pytest.raises(ValueError):
            store.save(make_events(5), bad, tmp_path, {})
    assert list(tmp_path.iterdir()) == []


def test_list_imports_and_load_all(tmp_path):
    fa, fb = hashlib.sha256(b"1").hexdigest(), hashlib.sha256(b"2").hexdigest()
    a = make_events(100, seed=1, dataset="A")
    b = make_events(60, seed=2, dataset="B")
    # the second import repeats 10 events of the first: kept once
    dup = a.iloc[:10]
    store.save(a, fa, tmp_path, {"source": "a.csv", "imported_at": "2026-01-01T00:00:00"})
    store.save(pd.concat([b, dup], ignore_index=True), fb, tmp_path,
               {"source": "b.csv", "imported_at": "2026-01-02T00:00:00", "rejected": 3})
    imports = store.list_imports(tmp_path)
    assert [i["source"] for i in imports] == ["a.csv", "b.csv"]
    assert imports[1]["rejected"] == 3
    assert imports[1]["rows"] == 70
    assert imports[0]["fingerprint"] == fa
    assert imports[0]["path"] == tmp_path / f"{fa}.parquet"
    everything = store.load_all(tmp_path)
    check_canonical(everything)
    assert len(everything) == 160
    assert everything["date_start"].is_monotonic_increasing
    assert set(everything["source_dataset"]) == {"A", "B"}


def test_empty_store_and_empty_table(tmp_path):
    assert store.list_imports(tmp_path / "missing") == []
    empty = store.load_all(tmp_path / "missing")
    check_canonical(empty)
    assert empty.empty
    fp = hashlib.sha256(b"empty").hexdigest()
    store.save(empty_events(), fp, tmp_path, {})
    back = store.load(fp, tmp_path)
    check_canonical(back)
    assert back.empty
    with pytest.raises(FileNotFoundError):
        store.load(hashlib.sha256(b"nope").hexdigest(), tmp_path)


def test_take_rows_matches_take_on_chunked_columns():
    events = make_events(1_000, seed=4)
    # several chunks per string column, as parquet gives them
    for column in ("notes", "actor1", "event_id"):
        values = pa.array(events[column].astype(object).where(events[column].notna(), None)
                          .tolist(), type=pa.string())
        chunks = pa.chunked_array([values.slice(i, 137) for i in range(0, len(values), 137)])
        events[column] = pd.Series(pd.arrays.ArrowStringArray(chunks))
    assert events["notes"].array.__arrow_array__().num_chunks == 8
    rng = np.random.default_rng(0)
    for positions in (rng.permutation(1_000)[:300], np.array([999, 0, 136, 137, 137]),
                      np.array([], dtype=np.int64)):
        got = store.take_rows(events, positions)
        expected = events.take(positions).set_axis(positions)
        pd.testing.assert_frame_equal(got, expected, check_dtype=False)
        assert list(got.dtypes.astype(str)) == list(events.dtypes.astype(str))
        check_canonical(got)
