"""The sorted event index: overlap windows, the faction filter, the principal faction rule."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sources.schema import DTYPES, FACTIONS, check_canonical
from view.event_index import (
    FACTION_CODE,
    FACTION_KEYS,
    LONG_SPAN_DAYS,
    EventIndex,
    from_day,
    principal_faction,
    to_day,
)


def synthetic_events(n: int, seed: int = 0, *, long_share: float = 0.01) -> pd.DataFrame:
    """Random canonical events: mostly 0-5 day spans, a few very long ones, shuffled order."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 2000, n), unit="D")
    span = rng.integers(0, 6, n)
    is_long = rng.random(n) < long_share
    span[is_long] = rng.integers(LONG_SPAN_DAYS + 1, 400, is_long.sum())
    keys = np.array(FACTION_KEYS)
    f1 = keys[rng.integers(0, len(keys), n)]
    f2 = keys[rng.integers(0, len(keys), n)]
    best = rng.integers(0, 30, n)
    frame = pd.DataFrame(
        {
            "event_id": np.arange(n).astype(str),
            "source_dataset": "TEST",
            "date_start": start,
            "date_end": start + pd.to_timedelta(span, unit="D"),
            "latitude": rng.uniform(32.3, 37.3, n),
            "longitude": rng.uniform(35.7, 42.4, n),
            "place_precision": "exact",
            "date_precision": "day",
            "event_type": "t",
            "actor1": "a",
            "actor2": "b",
            "faction1": f1,
            "faction2": f2,
            "fatalities_low": best,
            "fatalities_best": best,
            "fatalities_high": best,
            "governorate": rng.choice(["Idleb", "Aleppo", ""], n),
            "place": "p",
            "notes": "",
            "source": "s",
            "source_url": "",
        }
    ).astype(DTYPES)
    check_canonical(frame)
    return frame


def brute_force(events: pd.DataFrame, start, end, factions=None) -> set[str]:
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    mask = (events["date_start"] <= e) & (events["date_end"] >= s)
    if factions is not None:
        mask &= events["faction1"].isin(factions) | events["faction2"].isin(factions)
    return set(events.loc[mask, "event_id"])


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return synthetic_events(20_000, seed=7)


@pytest.fixture(scope="module")
def index(events) -> EventIndex:
    return EventIndex.from_events(events)


def test_sorted_and_aligned(index, events):
    assert len(index) == len(events)
    assert index.frame["date_start"].is_monotonic_increasing
    assert np.all(np.diff(index.start_day) >= 0)
    row = 1234
    assert from_day(index.start_day[row]) == index.frame["date_start"].iloc[row].date()
    assert from_day(index.end_day[row]) == index.frame["date_end"].iloc[row].date()
    assert index.lat[row] == np.float32(index.frame["latitude"].iloc[row])
    assert FACTION_KEYS[index.faction2[row]] == index.frame["faction2"].iloc[row]
    assert index.fatalities[row] == index.frame["fatalities_best"].iloc[row]
    gov = index.governorate[row]
    assert (index.governorates[gov] if gov >= 0 else "") == index.frame["governorate"].iloc[row]
    assert index.start_day.dtype == np.int32 and index.lat.dtype == np.float32
    assert index.principal.dtype == np.int8 and index.governorate.dtype == np.int16


def test_window_matches_brute_force_on_random_windows(index, events):
    rng = np.random.default_rng(1)
    for _ in range(200):
        a = pd.Timestamp("2014-10-01") + pd.Timedelta(days=int(rng.integers(0, 2500)))
        length = int(rng.choice([0, 1, 6, 29, 90, 364, 3000]))
        b = a + pd.Timedelta(days=length)
        rows = index.window(a.date(), b.date())
        assert np.all(np.diff(rows) > 0)
        assert set(index.frame["event_id"].to_numpy()[rows]) == brute_force(events, a, b)


def test_window_multi_day_events_and_inclusive_ends():
    events = synthetic_events(3, seed=0, long_share=0)
    events["date_start"] = pd.to_datetime(["2017-05-01", "2017-05-03", "2017-05-10"])
    events["date_end"] = pd.to_datetime(["2017-05-04", "2017-05-03", "2017-07-10"])
    idx = EventIndex.from_events(events)

    def ids(a, b):
        return list(idx.frame["event_id"].to_numpy()[idx.window(a, b)])

    d = dt.date
    assert ids(d(2017, 5, 4), d(2017, 5, 4)) == ["0"]  # last day of a 4-day event
    assert ids(d(2017, 5, 5), d(2017, 5, 9)) == []
    assert ids(d(2017, 5, 3), d(2017, 5, 3)) == ["0", "1"]
    assert ids(d(2017, 4, 20), d(2017, 5, 1)) == ["0"]  # window ends on the first day
    assert ids(d(2017, 7, 10), d(2018, 1, 1)) == ["2"]  # a 61-day event, long tier
    assert ids(d(2017, 6, 1), d(2017, 6, 1)) == ["2"]
    assert ids(d(2017, 5, 9), d(2017, 5, 1)) == []  # reversed window


def test_faction_filter_is_involving(index, events):
    rng = np.random.default_rng(2)
    for factions in ({"is"}, {"civilians", "russia"}, set(FACTIONS)):
        a = pd.Timestamp("2016-01-01") + pd.Timedelta(days=int(rng.integers(0, 800)))
        b = a + pd.Timedelta(days=90)
        rows = index.window(a, b, factions=frozenset(factions))
        got = set(index.frame["event_id"].to_numpy()[rows])
        assert got == brute_force(events, a, b, factions)
        f1 = index.frame["faction1"].to_numpy()[rows]
        f2 = index.frame["faction2"].to_numpy()[rows]
        assert all(x in factions or y in factions for x, y in zip(f1, f2, strict=True))
    assert len(index.window("2016-01-01", "2016-12-31", factions=frozenset())) == 0
    with pytest.raises(KeyError):
        index.window("2016-01-01", "2016-12-31", factions={"martians"})


@pytest.mark.parametrize(
    ("f1", "f2", "expected"),
    [
        ("government", "civilians", "government"),
        ("civilians", "is", "is"),
        ("civilians", "civilians", "civilians"),
        ("government", "opposition", "opposition"),
        ("opposition", "government", "opposition"),
        ("russia", "jihadist", "jihadist"),
        ("is", "russia", "is"),
        ("russia", "civilians", "russia"),  # civilians rule first: the perpetrator
        ("civilians", "government", "government"),
        ("sdf", "turkey", "sdf"),
        ("turkey", "sdf", "turkey"),
        ("government", "russia", "government"),
        ("other", "civilians", "other"),
    ],
)
def test_principal_faction_rule(f1, f2, expected):
    assert principal_faction(f1, f2) == expected


def test_principal_array_matches_scalar_rule(index):
    f1 = index.frame["faction1"].to_numpy()
    f2 = index.frame["faction2"].to_numpy()
    expected = [FACTION_CODE[principal_faction(a, b)] for a, b in zip(f1, f2, strict=True)]
    assert np.array_equal(index.principal, np.array(expected, dtype=np.int8))


def test_span_weekly_counts_and_rows(index, events):
    first, last = index.span()
    assert first == events["date_start"].min().date()
    assert last == events["date_end"].max().date()
    weekly = index.weekly_counts()
    assert weekly.sum() == len(events)
    assert (weekly.index.dayofweek == 0).all()
    assert (np.diff(weekly.index.asi8) == 7 * 86_400 * 10**9).all()  # no gaps
    iso = events["date_start"].dt.isocalendar()
    by_week = events.groupby([iso["year"], iso["week"]]).size()
    monday = weekly.index[10]
    y, w, _ = monday.isocalendar()
    assert weekly.iloc[10] == by_week.get((y, w), 0)
    # a copy: mutating it does not change the index
    weekly.iloc[:] = -1
    assert index.weekly_counts().sum() == len(events)

    rows = index.rows([5, 2, 9])
    check_canonical(rows)
    assert list(rows.index) == [5, 2, 9]
    assert rows["event_id"].tolist() == index.frame["event_id"].iloc[[5, 2, 9]].tolist()


def test_index_is_read_only(index):
    with pytest.raises(ValueError):
        index.start_day[0] = 0
    with pytest.raises(ValueError):
        index.lat[0] = 0
    with pytest.raises(AttributeError):
        index.lat = None  # frozen


def test_empty_index():
    idx = EventIndex.from_events(synthetic_events(0))
    assert len(idx) == 0
    assert idx.span() is None
    assert len(idx.window("2016-01-01", "2017-01-01")) == 0
    assert idx.weekly_counts().empty


def test_day_numbers():
    assert to_day(dt.date(1970, 1, 2)) == 1
    assert to_day("2016-01-01") == to_day(pd.Timestamp("2016-01-01 13:00"))
    assert from_day(to_day(dt.date(2019, 12, 31))) == dt.date(2019, 12, 31)


def test_window_does_not_scan_everything():
    # 200k one-day events and one 400-day event: a week window checks only a few days of rows
    # (the long event sits in its own tier), so it is far faster than a full mask.
    n = 200_000
    events = synthetic_events(n, seed=3, long_share=0)
    events["date_end"] = events["date_start"]
    events.loc[0, "date_end"] = events.loc[0, "date_start"] + pd.Timedelta(days=400)
    idx = EventIndex.from_events(events)
    tiers = idx._tiers
    assert [t.max_span for t in tiers] == [0, 400]
    short = tiers[0]
    lo = np.searchsorted(short.start, to_day("2016-06-01") - short.max_span)
    hi = np.searchsorted(short.start, to_day("2016-06-07"), side="right")
    assert hi - lo < n / 100  # the rows a week window looks at
