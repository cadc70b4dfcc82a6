"""Bring your own data: rejected rows kept in the store, user area files on the clock, and the
catalog that puts them beside the shipped data."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Polygon

from sources import store
from sources.areas import (
    add_area_file,
    guess_fields,
    load_area_folder,
    load_stored_areas,
    stored_area_keys,
)
from sources.canonical import write_canonical
from sources.detect import SourceError
from sources.load import import_events_file, load_events, read_events_file
from sources.schema import AREA_COLUMNS, AREA_DTYPES
from view.areas import areas_on

ROOT = Path(__file__).resolve().parents[1]
GED231 = ROOT.parent / "shared" / "data" / "ucdp-ged231-sample" / "ucdpged_sample_syria_rows.csv"


@pytest.fixture(scope="module")
def csv_with_bad_rows(tmp_path_factory) -> Path:
    """20 real events as canonical CSV, plus two rows that must be rejected."""
    assert GED231.is_file(), f"shared data missing: {GED231}"
    events = read_events_file(GED231).events.head(20)
    path = write_canonical(events, tmp_path_factory.mktemp("csv") / "mine.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    bad_date = dict(zip(header, rows[1], strict=True)) | {"event_id": "bad-1",
                                                         "date_start": "2017-02-30"}
    bad_place = dict(zip(header, rows[2], strict=True)) | {"event_id": "bad-2",
                                                          "latitude": "95.5"}
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writerow(bad_date)
        writer.writerow(bad_place)
    return path


def test_rejected_rows_survive_the_store(tmp_path, csv_with_bad_rows):
    store_dir = tmp_path / "store"
    first = load_events(csv_with_bad_rows, store_dir=store_dir)
    assert not first.reports[0].stored
    assert (first.reports[0].accepted, first.reports[0].rejected) == (20, 2)
    # One parquet per import at the top of the store; the rejected rows in their subfolder.
    assert len(list(store_dir.glob("*.parquet"))) == 1
    assert len(list((store_dir / store.REJECTED_DIR).glob("*.parquet"))) == 1
    assert not [p for p in store_dir.rglob("*") if p.name.endswith(".tmp")]

    second = load_events(csv_with_bad_rows, store_dir=store_dir)
    assert second.reports[0].stored
    assert second.reports[0].rejected == 2
    assert len(second.rejected) == 2
    assert sorted(second.rejected["event_id"]) == ["bad-1", "bad-2"]
    assert second.rejected["reason"].tolist() == first.rejected["reason"].tolist()
    assert second.rejected["row"].tolist() == first.rejected["row"].tolist()
    assert set(second.rejected["file"]) == {str(csv_with_bad_rows)}
    assert "reason" in second.rejected.to_csv(index=False).splitlines()[0]


def test_import_events_file_names_the_upload(tmp_path, csv_with_bad_rows):
    store_dir = tmp_path / "store"
    result = import_events_file(csv_with_bad_rows, store_dir, name="from the user.csv")
    assert result.reports[0].path == "from the user.csv"
    assert set(result.rejected["file"]) == {"from the user.csv"}
    fp = store.fingerprint(csv_with_bad_rows)
    kept = store.load_rejected(fp, store_dir)
    assert len(kept) == 2 and set(kept["file"]) == {"from the user.csv"}
    again = import_events_file(csv_with_bad_rows, store_dir, name="again.csv")
    assert again.reports[0].stored and len(again.rejected) == 2
    assert set(again.rejected["file"]) == {"again.csv"}

    empty = tmp_path / "tmp123.csv"
    empty.write_bytes(b"")
    failed = import_events_file(empty, store_dir, name="my empty.csv")
    assert failed.reports[0].error and "my empty.csv" in failed.reports[0].error
    assert len(list(store_dir.glob("*.parquet"))) == 1  # nothing stored for it


def test_store_without_rejected_rows_gives_an_empty_table(tmp_path):
    rejected = store.load_rejected("ab" * 32, tmp_path)
    assert list(rejected.columns) == ["file", "row", "reason"] and rejected.empty


def _area_file(path: Path, **columns) -> Path:
    square = Polygon([(38, 34), (39, 34), (39, 35), (38, 35)])
    other = Polygon([(36, 33), (37, 33), (37, 34), (36, 34)])
    gpd.GeoDataFrame(columns, geometry=[square, other], crs=4326).to_file(path)
    return path


def test_guess_fields_by_common_names():
    assert guess_fields(["NAME", "Valid_From", "valid_to", "Status", "x"]) == {
        "label": "NAME", "from": "Valid_From", "to": "valid_to", "style": "Status"}
    assert guess_fields(["id", "when"]) == {"label": None, "from": None, "to": None,
                                           "style": None}


def test_added_area_file_round_trip_and_clock(tmp_path):
    source = _area_file(tmp_path / "upload.geojson", title=["Pocket", "Belt"],
                        start=["2018-02-01", "2018-03-01"], end=["2018-04-30", ""],
                        control=["besieged", "contested"])
    choices = {"label": "title", "from": "start", "to": "end", "style": "control"}
    store_dir = tmp_path / "store"
    added = add_area_file(source, store_dir, name="My areas.geojson", choices=choices)
    assert len(added) == 2
    assert stored_area_keys(store_dir) == (store.fingerprint(source),)
    areas, problems = load_stored_areas(store_dir)
    assert problems == []
    assert list(areas.columns) == AREA_COLUMNS
    for column, dtype in AREA_DTYPES.items():
        assert str(areas[column].dtype) == dtype, column
    assert areas["layer"].tolist() == ["My areas", "My areas"]
    assert areas["area_id"].tolist() == ["My areas-1", "My areas-2"]
    inside = areas_on(areas, pd.Timestamp("2018-04-15"))
    assert inside["label"].tolist() == ["Pocket", "Belt"]
    assert inside["state"].tolist() == ["besieged", "contested"]  # styled by the picked field
    assert areas_on(areas, pd.Timestamp("2018-05-01"))["label"].tolist() == ["Belt"]
    assert areas_on(areas, pd.Timestamp("2018-01-31")).empty


def test_bad_area_file_is_refused_and_nothing_kept(tmp_path):
    source = _area_file(tmp_path / "bad.geojson", name=["A", "B"],
                        start=["2018-02-01", "1 March 2018"])
    store_dir = tmp_path / "store"
    with pytest.raises(SourceError, match=r"bad\.geojson.*not dates"):
        add_area_file(source, store_dir, name="bad.geojson",
                      choices={"label": "name", "from": "start", "to": None, "style": None})
    assert stored_area_keys(store_dir) == ()
    junk = tmp_path / "junk.geojson"
    junk.write_bytes(b"\x00\x01 not json")
    with pytest.raises(SourceError, match=r"junk\.geojson"):
        add_area_file(junk, store_dir, name="junk.geojson", choices={"from": "start"})
    assert stored_area_keys(store_dir) == ()


def test_area_folder_detects_fields_and_reports_a_file_without_dates(tmp_path):
    folder = tmp_path / "areas"
    folder.mkdir()
    _area_file(folder / "dated.geojson", name=["A", "B"], valid_from=["2017-01-01", "2017-06-01"],
               valid_to=["2017-12-31", "2018-12-31"], status=["x", "y"])
    _area_file(folder / "undated.geojson", name=["C", "D"], kind=["p", "q"])
    (folder / "broken.geojson").write_text("{", encoding="utf-8")
    (folder / "readme.txt").write_text("not an area file", encoding="utf-8")
    areas, problems = load_area_folder(folder)
    assert areas["label"].tolist() == ["A", "B"]
    assert areas["style_value"].tolist() == ["x", "y"]
    assert len(problems) == 2
    assert any(p.startswith("undated.geojson: no start-date field") for p in problems)
    assert any("broken.geojson" in p for p in problems)


def test_catalog_holds_uploads_rejected_rows_and_user_areas(tmp_path, csv_with_bad_rows):
    # Assembly is pure (no Streamlit): ui/catalog.py only caches it.
    from sources.catalog import Config, assemble, store_fingerprints

    events_dir = tmp_path / "events"
    events_dir.mkdir()
    store_dir = tmp_path / "store"
    areas_dir = tmp_path / "area-folder"
    areas_dir.mkdir()
    _area_file(areas_dir / "folder.geojson", label=["F1", "F2"], start=["2016-01-01"] * 2)
    _area_file(areas_dir / "undated.geojson", label=["U1", "U2"])
    config = Config(events=str(events_dir), boundaries="", store_dir=str(store_dir),
                    tiles="none", areas=str(areas_dir))
    before = store_fingerprints(str(store_dir))
    import_events_file(csv_with_bad_rows, store_dir, name="mine.csv")
    after_events = store_fingerprints(str(store_dir))
    source = _area_file(tmp_path / "z.geojson", name=["P", "Q"],
                        start=["2018-02-01", "2018-03-01"], state=["a", "b"])
    add_area_file(source, store_dir, name="z.geojson",
                  choices={"label": "name", "from": "start", "to": None, "style": "state"})
    after_areas = store_fingerprints(str(store_dir))
    assert len({before, after_events, after_areas}) == 3  # each addition changes the cache key

    catalog = assemble(config)
    assert "mine.csv" in [r.path for r in catalog.reports]
    assert len(catalog.rejected) == 2 and "reason" in catalog.rejected.columns
    assert set(catalog.areas["layer"]) >= {"z"}
    assert {"P", "Q"} <= set(catalog.areas["label"])
    assert {"F1", "F2"} <= set(catalog.areas["label"])
    assert not {"U1", "U2"} & set(catalog.areas["label"])
    assert [p for p in catalog.problems if p.startswith("undated.geojson: no start-date")]
    assert len(catalog.areas) == len(set(catalog.areas["area_id"]))
    assert json.loads((store_dir / "areas" / f"{store.fingerprint(source)}.json").read_text(
        encoding="utf-8"))["style"] == "state"


def test_failed_ucdp_download_says_so_and_leaves_nothing(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    events_dir, store_dir = tmp_path / "events", tmp_path / "store"
    events_dir.mkdir()
    monkeypatch.setenv("CONFLICT_MAP_EVENTS", str(events_dir))
    monkeypatch.setenv("CONFLICT_MAP_STORE", str(store_dir))
    # Port 9 (discard) on this machine: nothing listens, the connection is refused at once.
    monkeypatch.setenv("CONFLICT_MAP_UCDP_URL", "http://127.0.0.1:9/ged-csv.zip")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    before = app.sidebar.expander[0].label
    app.button(key="ucdp_download").click().run()
    # Shown as plain text: Markdown's special characters are backslash-escaped in the source.
    # (and links are broken by an invisible word joiner, so that Markdown does not autolink)
    errors = [re.sub(r"\\(.)", r"\1", e.value).replace("\u2060", "") for e in app.error]
    assert any(e.startswith("UCDP GED was not downloaded: cannot download http://127.0.0.1:9/")
               and e.endswith("The data already shown is unchanged.") for e in errors), errors
    assert [p for p in store_dir.rglob("*") if p.is_file()] == []
    assert app.sidebar.expander[0].label == before
