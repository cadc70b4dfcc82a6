"""UCDP GED reader on the real files in ../shared/data, checked against the raw CSV."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from sources.boundaries import load_boundaries
from sources.canonical import read_canonical, write_canonical
from sources.governorates import governorate_name
from sources.load import read_events_file
from sources.schema import COLUMNS, check_canonical
from sources.ucdp import read_ucdp

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
GED191 = DATA / "ucdp-ged-syria-2016-2019" / "ged_syria_652.1601.1911.csv"
GED231 = DATA / "ucdp-ged231-sample" / "ucdpged_sample_syria_rows.csv"
OCHA = DATA / "ocha-cod-ab-syria"


def raw_rows(path: Path) -> list[dict[str, str]]:
    assert path.is_file(), f"shared data missing: {path}"
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def ged191():
    return read_events_file(GED191)


@pytest.fixture(scope="module")
def ged231():
    return read_events_file(GED231)


def test_row_counts_and_canonical(ged191, ged231):
    for result, expected, dataset in ((ged191, 16_566, "UCDP GED 19.1"),
                                      (ged231, 265, "UCDP GED 21+")):
        report = result.reports[0]
        assert report.error is None
        assert report.format == "ucdp-ged"
        assert report.rows == expected == len(raw_rows(Path(report.path)))
        assert report.accepted == expected and report.rejected == 0
        check_canonical(result.events)
        assert set(result.events["source_dataset"]) == {dataset}
        assert result.events["date_start"].is_monotonic_increasing


@pytest.mark.parametrize("path", [GED191, GED231])
def test_spot_check_against_raw_csv(path):
    events = read_events_file(path).events.set_index("event_id")
    raw = raw_rows(path)
    place = {"1": "exact", "2": "near", "3": "district", "4": "governorate", "5": "country",
             "6": "country", "7": "country"}
    date = {"1": "day", "2": "days", "3": "week", "4": "month", "5": "year"}
    kind = {"1": "state-based", "2": "non-state", "3": "one-sided violence"}
    for record in raw[:: max(1, len(raw) // 25)]:
        row = events.loc[record["id"]]
        assert row["date_start"] == pd.Timestamp(record["date_start"][:10])
        assert row["date_end"] == pd.Timestamp(record["date_end"][:10])
        assert row["latitude"] == float(record["latitude"])
        assert row["longitude"] == float(record["longitude"])
        assert row["place_precision"] == place[record["where_prec"]]
        assert row["date_precision"] == date[record["date_prec"]]
        assert row["event_type"] == kind[record["type_of_violence"]]
        assert row["actor1"] == record["side_a"] and row["actor2"] == record["side_b"]
        for name in ("low", "best", "high"):
            assert row[f"fatalities_{name}"] == int(record[name])
        assert row["governorate"] == governorate_name(record["adm_1"])
        assert row["place"] == record["where_coordinates"]
        assert row["notes"].startswith(record["source_headline"].strip())
        assert row["source"] == (record["source_office"] or record["source_article"])


def test_ged231_dates_with_time_of_day(tmp_path):
    # UCDP's own CSV writes "YYYY-MM-DD 00:00:00.000"; the sample was written without it.
    text = GED231.read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines()))
    header = rows[0]
    i, j = header.index("date_start"), header.index("date_end")
    for row in rows[1:]:
        row[i] += " 00:00:00.000"
        row[j] += " 00:00:00.000"
    out = tmp_path / "ged231_time.csv"
    with out.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    a = read_events_file(GED231).events
    b = read_events_file(out).events
    assert len(b) == 265
    pd.testing.assert_series_equal(a["date_start"], b["date_start"])


def is_events_from_raw(start: str, end: str) -> int:
    lo, hi = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    return sum(
        1 for r in raw_rows(GED191)
        if "IS" in (r["side_a"], r["side_b"])
        and lo <= dt.date.fromisoformat(r["date_start"]) <= hi
    )


@pytest.mark.parametrize("start,end", [("2017-09-07", "2017-12-05"),
                                       ("2017-12-07", "2018-03-06")])
def test_is_events_match_raw_file(ged191, start, end):
    events = ged191.events
    involved = (events["faction1"] == "is") | (events["faction2"] == "is")
    in_window = (events["date_start"] >= start) & (events["date_start"] <= end)
    ours = int((involved & in_window).sum())
    expected = is_events_from_raw(start, end)
    assert ours == expected
    assert ours > 100  # the windows are the months around the IS collapse in the east


def test_global_file_is_filtered_by_country_in_chunks(tmp_path):
    # A "global" file: the 23.1 sample's rows, half relabelled as another country.
    rows = list(csv.reader(GED231.read_text(encoding="utf-8").splitlines()))
    header = rows[0]
    c = header.index("country")
    for k, row in enumerate(rows[1:]):
        if k % 2:
            row[c] = "Iraq"
    out = tmp_path / "ged_global.csv"
    with out.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    syria = (265 + 1) // 2
    from sources.ucdp import read_ucdp_draft

    draft, filtered = read_ucdp_draft(out, chunksize=40)  # many chunks
    assert (len(draft.events), filtered) == (syria, 265 - syria)
    assert list(draft.rows[:3]) == [1, 3, 5]  # row numbers are positions in the whole file
    assert len(read_ucdp(out)) == syria
    result = read_events_file(out)
    assert result.reports[0].filtered == 265 - syria
    assert len(read_ucdp(out, country="Iraq")) == 265 - syria


def test_boundaries_fill_empty_governorates(ged191):
    boundaries = load_boundaries(OCHA)
    result = read_events_file(GED191, boundaries=boundaries)
    before = (ged191.events["governorate"] == "").sum()
    after = (result.events["governorate"] == "").sum()
    assert before == 339
    assert after < before
    # rows that had a governorate keep it
    merged = ged191.events.merge(result.events[["event_id", "governorate"]], on="event_id")
    had = merged["governorate_x"] != ""
    assert (merged.loc[had, "governorate_x"] == merged.loc[had, "governorate_y"]).all()
    # the country test with a real outline keeps every point (all are in Syria)
    assert result.reports[0].rejected == 0


def test_canonical_round_trip(tmp_path, ged231):
    out = write_canonical(ged231.events, tmp_path / "events.csv")
    with out.open(encoding="utf-8") as handle:
        assert handle.readline().strip() == ",".join(COLUMNS)
    back = read_canonical(out)
    check_canonical(back)
    pd.testing.assert_frame_equal(back, ged231.events.reset_index(drop=True))
