"""The shared pipeline: files and folders, the store, validation reasons, unusable files."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sources.boundaries import load_boundaries
from sources.canonical import write_canonical
from sources.load import load_events, read_events_file
from sources.schema import check_canonical
from sources.validate import REASONS

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
GED191 = DATA / "ucdp-ged-syria-2016-2019" / "ged_syria_652.1601.1911.csv"
GED231 = DATA / "ucdp-ged231-sample" / "ucdpged_sample_syria_rows.csv"
YEARLY = DATA / "ucdp-ged-syria-yearly-csf" / "ged_syria_2011_2019_yearonly.csv"


@pytest.fixture(scope="module")
def sample_events():
    assert GED231.is_file(), f"shared data missing: {GED231}"
    return read_events_file(GED231).events


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def canonical_rows(events: pd.DataFrame, tmp_path: Path) -> list[list[str]]:
    path = write_canonical(events, tmp_path / "base.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_folder_with_a_bad_file_still_loads_the_others(tmp_path):
    folder = tmp_path / "events"
    folder.mkdir()
    (folder / "a.csv").write_bytes(GED231.read_bytes())
    (folder / "empty.csv").write_bytes(b"")
    (folder / "yearly.csv").write_bytes(YEARLY.read_bytes()[:20000])
    (folder / "notes.txt").write_text("not an events file")
    result = load_events(folder)
    by_name = {Path(r.path).name: r for r in result.reports}
    assert set(by_name) == {"a.csv", "empty.csv", "yearly.csv"}
    assert by_name["a.csv"].error is None and by_name["a.csv"].accepted == 265
    assert "empty.csv" in by_name["empty.csv"].error
    assert "date_start" in by_name["yearly.csv"].error  # year-only extract: no day dates
    assert "yearly.csv" in by_name["yearly.csv"].error
    assert len(result.events) == 265
    check_canonical(result.events)
    assert not result.ok


def test_store_is_used_the_second_time(tmp_path):
    store_dir = tmp_path / "store"
    first = load_events(GED191, store_dir=store_dir)
    assert not first.reports[0].stored
    assert len(list(store_dir.glob("*.parquet"))) == 1
    started = time.perf_counter()
    second = load_events(GED191, store_dir=store_dir)
    elapsed = time.perf_counter() - started
    report = second.reports[0]
    assert report.stored and report.error is None
    assert (report.rows, report.accepted, report.format) == (16_566, 16_566, "ucdp-ged")
    assert len(list(store_dir.glob("*.parquet"))) == 1
    pd.testing.assert_frame_equal(
        first.events.reset_index(drop=True), second.events.reset_index(drop=True),
        check_dtype=False,
    )
    check_canonical(second.events)
    assert elapsed < 5


def test_several_files_are_merged_and_sorted(tmp_path):
    result = load_events([GED231, GED191])
    assert len(result.events) == 265 + 16_566
    assert result.events["date_start"].is_monotonic_increasing
    assert [r.accepted for r in result.reports] == [265, 16_566]


def test_row_reasons(tmp_path, sample_events):
    rows = canonical_rows(sample_events.head(20), tmp_path)
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    edits = {
        0: ("latitude", ""),                 # missing coordinates
        1: ("longitude", "east"),            # not numeric
        2: ("latitude", "48.85"),            # Paris latitude: outside
        3: ("date_start", "2017-02-30"),     # no such day
        4: ("date_start", "1980-01-01"),     # before 1989
        5: ("date_end", "2001-01-01"),       # end before start
        6: ("fatalities_best", "-3"),        # negative: out of range
        7: ("fatalities_high", "2.5"),       # not whole
        8: ("event_id", ""),                 # missing id
        9: ("date_start", ""),               # missing date
        10: ("place_precision", "street"),   # outside the vocabulary
        11: ("faction1", "aliens"),          # outside the vocabulary
        12: ("date_start", "2099-01-01"),    # in the future
    }
    for index, (name, value) in edits.items():
        body[index][col[name]] = value
    body.append(list(body[15]))              # a duplicate of row 16
    result = read_events_file(write_rows(tmp_path / "bad.csv", [header, *body]))
    rejected = result.rejected.set_index("row")["reason"].to_dict()
    assert rejected == {
        1: "missing coordinates", 2: "coordinates not numeric", 3: "outside the country",
        4: "invalid date", 5: "date out of range", 6: "end before start",
        7: "fatalities out of range", 8: "invalid fatalities", 9: "missing event id",
        10: "missing date", 11: "invalid precision", 12: "invalid faction",
        13: "date out of range",
    }
    assert set(rejected.values()) <= set(REASONS)
    report = result.reports[0]
    # row 21 repeats row 16 exactly: merged into it, counted apart
    assert (report.rows, report.accepted, report.rejected, report.duplicates) == (21, 7, 13, 1)
    assert result.duplicates[["row", "duplicate_of"]].values.tolist() == [[21, 16]]
    assert report.reasons["invalid fatalities"] == 1
    # the rejected table carries the raw fields of the row as strings
    row3 = result.rejected[result.rejected["row"] == 3].iloc[0]
    assert row3["latitude"] == "48.85" and row3["file"].endswith("bad.csv")


def test_country_outline_and_border_buffer(tmp_path, sample_events):
    boundaries = load_boundaries(DATA / "ocha-cod-ab-syria")
    rows = canonical_rows(sample_events.head(4), tmp_path)
    header, body = rows[0], rows[1:]
    lat, lon = header.index("latitude"), header.index("longitude")
    body[0][lat], body[0][lon] = "33.85", "35.9"   # Zahle, Lebanon: in the box, ~14 km out
    body[1][lat], body[1][lon] = "36.72", "37.12"  # Kilis, Turkey, ~6 km out: kept (buffer)
    body[2][lat], body[2][lon] = "33.51", "36.29"  # Damascus
    body[2][header.index("governorate")] = ""      # filled by point-in-polygon
    path = write_rows(tmp_path / "border.csv", [header, *body])
    with_outline = read_events_file(path, boundaries=boundaries)
    assert with_outline.rejected["reason"].tolist() == ["outside the country"]
    assert with_outline.rejected["row"].tolist() == [1]
    damascus = with_outline.events[np.isclose(with_outline.events["latitude"], 33.51)]
    assert damascus["governorate"].iloc[0] in ("Damascus", "Rural Damascus")
    box_only = read_events_file(path)
    assert box_only.reports[0].accepted == 4  # the bounding box cannot tell Lebanon apart
