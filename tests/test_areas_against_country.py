"""Area files checked against the country (issue 11): a CRS declared or not, swapped axes,
features outside Syria, repaired and missing geometries -- each counted and said, never silent.
Every hostile file is made here, from squares in Syria or the OCHA governorates."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon, mapping

from sources.__main__ import safe_main
from sources.area_checks import NO_GEOMETRY, OUTSIDE, UNREPAIRABLE, geojson_feature_lines
from sources.areas import (
    add_area_file,
    check_area_file,
    is_area_file,
    load_area_folder,
    load_stored_areas,
    read_areas,
)
from sources.detect import SourceError

ROOT = Path(__file__).resolve().parents[1]
OCHA = ROOT.parent / "shared" / "data" / "ocha-cod-ab-syria"


def square(lon: float, lat: float, size: float = 0.5) -> Polygon:
    return Polygon([(lon, lat), (lon + size, lat), (lon + size, lat + size), (lon, lat + size)])


def frame(geometries, crs=4326, **fields) -> gpd.GeoDataFrame:
    n = len(geometries)
    columns = {"name": [f"Zone {i + 1}" for i in range(n)], "start": ["2017-05-06"] * n}
    return gpd.GeoDataFrame(columns | fields, geometry=list(geometries), crs=crs)


def in_syria() -> list[Polygon]:
    return [square(38.0, 34.0), square(40.0, 35.5), square(36.5, 32.7)]  # Palmyra, Deir, Sweida


def write_without_crs(table: gpd.GeoDataFrame, path: Path) -> Path:
    """A GeoJSON of ``table``'s coordinates as they are, with no "crs" member."""
    collection = json.loads(table.to_json(drop_id=True))
    collection.pop("crs", None)
    path.write_text(json.dumps(collection, indent=1), encoding="utf-8")
    return path


def zipped_shapefile(table: gpd.GeoDataFrame, folder: Path, stem: str, *,
                     prj: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    table.to_file(folder / f"{stem}.shp")
    archive = folder / f"{stem}.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in folder.glob(f"{stem}.*"):
            if part.suffix != ".zip" and (prj or part.suffix != ".prj"):
                zf.write(part, part.name)
    return archive


@pytest.fixture(scope="module")
def governorates() -> gpd.GeoDataFrame:
    assert (OCHA / "syr_admin1.shp").is_file(), "shared data missing"
    table = gpd.read_file(OCHA / "syr_admin1.shp")[["adm1_name", "geometry"]].to_crs(4326)
    table["start"] = "2012-01-01"
    return table


def centres(areas: gpd.GeoDataFrame) -> np.ndarray:
    return np.array([[g.centroid.x, g.centroid.y] for g in areas.geometry])


# -- CRS ---------------------------------------------------------------------------------


def test_utm_coordinates_without_crs_are_read_as_utm_37n(tmp_path, governorates):
    path = write_without_crs(governorates.to_crs(32637), tmp_path / "gov_utm.geojson")
    areas = read_areas(path, label_field="adm1_name", from_field="start")
    report = areas.attrs["report"]
    assert report["crs"] == "EPSG:32637 (assumed)"
    assert report["features"] == report["loaded"] == len(governorates)
    [note] = [n for n in report["notes"] if "CRS" in n]
    assert note.startswith("gov_utm.geojson had no CRS")
    assert "UTM zone 37N (EPSG:32637)" in note and "reprojected" in note
    np.testing.assert_allclose(centres(areas), centres(governorates), atol=1e-6)


def test_shapefile_without_prj_in_web_mercator_is_read_as_web_mercator(tmp_path,
                                                                        governorates):
    mercator = governorates.head(5).to_crs(3857)
    archive = zipped_shapefile(mercator, tmp_path / "shp", "merc", prj=False)
    areas = read_areas(archive, label_field="adm1_name", from_field="start")
    report = areas.attrs["report"]
    assert report["crs"] == "EPSG:3857 (assumed)"
    assert any("had no CRS" in n and "Web Mercator (EPSG:3857)" in n for n in report["notes"])
    np.testing.assert_allclose(centres(areas), centres(governorates.head(5)), atol=1e-6)


def test_utm_coordinates_that_fit_two_zones_are_refused(tmp_path):
    # One square near Damascus: in UTM 37N; the same numbers as 38N land at Syria's east edge.
    small = frame([square(36.2, 33.4, 0.3)]).to_crs(32637)
    path = write_without_crs(small, tmp_path / "small.geojson")
    with pytest.raises(SourceError, match=r"small\.geojson had no CRS.*not degrees.*fit both "
                                          r"UTM zone 37N \(EPSG:32637\) and UTM zone 38N"):
        read_areas(path, from_field="start")


def test_metres_that_no_guess_puts_in_syria_are_refused(tmp_path):
    # Metres of a UTM zone far north (Europe): no guess lands in Syria.
    europe = gpd.GeoDataFrame({"start": ["2017-01-01"]},
                              geometry=[square(500_000, 5_500_000, 10_000)], crs=None)
    path = tmp_path / "europe.gpkg"
    europe.to_file(path)
    with pytest.raises(SourceError, match=r"europe\.gpkg had no CRS.*none of UTM zone 36N.*"
                                          r"Web Mercator \(EPSG:3857\) puts them in Syria"):
        read_areas(path, from_field="start")


def test_declared_web_mercator_is_reprojected_and_said(tmp_path):
    path = tmp_path / "mercator.geojson"
    frame(in_syria()).to_crs(3857).to_file(path)
    assert '"crs"' in path.read_text(encoding="utf-8")  # declared in the file
    areas = read_areas(path, label_field="name", from_field="start")
    report = areas.attrs["report"]
    assert report["crs"] == "EPSG:3857 (declared)"
    assert report["notes"] == [
        "mercator.geojson declares its coordinates in WGS 84 / Pseudo-Mercator (EPSG:3857); "
        "they were reprojected to longitude/latitude (EPSG:4326)."]
    np.testing.assert_allclose(centres(areas), centres(frame(in_syria())), atol=1e-6)


def test_a_wrong_declared_crs_is_refused_and_named(tmp_path):
    # Degrees written under a UTM declaration: reprojected they land near the equator.
    wrong = frame(in_syria()).set_crs(32637, allow_override=True)
    path = tmp_path / "wrong.gpkg"
    wrong.to_file(path)
    with pytest.raises(SourceError, match=r"wrong\.gpkg: none of its 3 features lies in Syria.*"
                                          r"read as EPSG:32637 \(declared\).*declared CRS is "
                                          r"wrong"):
        read_areas(path, from_field="start")


def test_degrees_without_crs_are_read_as_longitude_latitude_and_said(tmp_path):
    table = frame(in_syria()).set_crs(None, allow_override=True)
    path = tmp_path / "bare.gpkg"
    table.to_file(path)
    areas = read_areas(path, from_field="start")
    assert areas.attrs["report"]["notes"] == [
        "bare.gpkg had no CRS; its coordinates are degrees and were read as longitude/latitude "
        "(EPSG:4326)."]
    assert len(areas) == 3


# -- swapped axes ------------------------------------------------------------------------


def test_swapped_latitude_and_longitude_are_swapped_back_and_counted(tmp_path):
    good = frame(in_syria())
    swapped = good.copy()
    swapped.geometry = shapely.transform(good.geometry.to_numpy(), lambda xy: xy[:, ::-1])
    path = tmp_path / "swapped.gpkg"
    swapped.to_file(path)
    areas = read_areas(path, label_field="name", from_field="start")
    report = areas.attrs["report"]
    assert report["swapped"] is True
    assert report["notes"] == [
        "swapped.gpkg gives latitude before longitude (x and y swapped): 3 of 3 features lie "
        "in Syria only that way round, so x and y were swapped for all 3."]
    assert all(a.equals(b) for a, b in zip(areas.geometry, good.geometry, strict=True))


def test_north_west_features_alone_do_not_count_as_swapped(tmp_path):
    # Idlib and Aleppo lie in the box both ways round: nothing tells, nothing is swapped.
    path = tmp_path / "north_west.geojson"
    frame([square(36.4, 35.6), square(36.9, 36.0)]).to_file(path)
    report = read_areas(path, from_field="start").attrs["report"]
    assert (report["swapped"], report["notes"]) == (False, [])


# -- outside Syria -----------------------------------------------------------------------


def test_features_outside_syria_are_counted_named_and_left_out(tmp_path):
    geometries = [square(38.0, 34.0), square(31.0, 30.0), square(40.0, 35.5), square(44, 33)]
    path = tmp_path / "mixed.geojson"
    frame(geometries, name=["Palmyra", "Cairo", "Deir ez-Zor", "Baghdad"]).to_file(path)
    areas = read_areas(path, label_field="name", from_field="start")
    report = areas.attrs["report"]
    assert (report["features"], report["loaded"], report["skipped"]) == (4, 2, {OUTSIDE: 2})
    [note] = report["notes"]
    assert note.startswith("mixed.geojson: 2 of 4 features lie outside Syria")
    assert "feature 2 ('Cairo'" in note and "feature 4 ('Baghdad'" in note
    assert areas["label"].tolist() == ["Palmyra", "Deir ez-Zor"]
    assert areas["area_id"].tolist() == ["mixed-1", "mixed-3"]  # numbered as in the file


def test_a_zone_across_the_border_is_kept(tmp_path):
    path = tmp_path / "border.geojson"
    frame([Polygon([(36.0, 36.5), (37.5, 36.5), (37.5, 37.8), (36.0, 37.8)])]).to_file(path)
    assert read_areas(path, from_field="start").attrs["report"]["skipped"] == {}


def test_a_file_wholly_outside_syria_is_refused_with_its_extent(tmp_path):
    path = tmp_path / "cairo.geojson"
    frame([square(31.0, 30.0), square(31.5, 30.2)]).to_file(path)
    with pytest.raises(SourceError, match=r"cairo\.geojson: none of its 2 features lies in "
                                          r"Syria: they span lon 31\.00 to 32\.00, lat 30\.00"):
        read_areas(path, from_field="start")


# -- repairs -----------------------------------------------------------------------------


def test_a_bow_tie_is_repaired_and_its_changed_area_said(tmp_path):
    bowtie = Polygon([(38, 34), (39, 35), (39, 34), (38, 35), (38, 34)])
    path = tmp_path / "bowtie.geojson"
    frame([bowtie, square(40.0, 35.5)], name=["Tie", "Fine"]).to_file(path)
    areas = read_areas(path, label_field="name", from_field="start")
    report = areas.attrs["report"]
    assert (report["repaired"], report["loaded"]) == (1, 2)
    assert areas.geometry.is_valid.all()
    assert areas.geometry.iloc[0].area == pytest.approx(0.5)  # both loops kept
    [note] = report["notes"]
    assert note.startswith("bowtie.geojson: 1 of 2 features had invalid geometry and were "
                           "repaired (feature 1 ('Tie', line")
    assert re.search(r"changed the area of 1 of them by more than 10% \(feature 1 from 0 to "
                     r"[\d,]+ km²\).*bow-tie", note)


def test_a_small_repair_keeps_the_area_and_says_so(tmp_path):
    # A zero-width spike on a square's top edge: invalid, and the repair only drops the spike.
    spiked = Polygon([(38, 34), (39, 34), (39, 35), (38.5, 35), (38.5, 35.3), (38.5, 35),
                      (38, 35)])
    assert not spiked.is_valid
    path = tmp_path / "spike.gpkg"
    frame([spiked]).to_file(path)
    areas = read_areas(path, from_field="start")
    repaired = areas.geometry.iloc[0]
    assert repaired.geom_type == "Polygon" and repaired.area == pytest.approx(1.0)
    [note] = areas.attrs["report"]["notes"]
    assert "1 of 1 features had invalid geometry and were repaired (feature 1 ('Zone 1'))" in note
    assert "no area changed by more than 10% in the repair" in note


def test_an_outline_that_repairs_to_nothing_is_left_out_and_named(tmp_path):
    flat = Polygon([(38, 34), (39, 34), (38.5, 34), (38, 34)])  # no area at all
    path = tmp_path / "flat.gpkg"
    frame([flat, square(40.0, 35.5)]).to_file(path)
    areas = read_areas(path, from_field="start")
    report = areas.attrs["report"]
    assert report["skipped"] == {UNREPAIRABLE: 1} and report["loaded"] == 1
    assert any("could not be repaired" in n and "feature 1 ('Zone 1')" in n
               for n in report["notes"])


# -- missing geometry --------------------------------------------------------------------


def geojson_with_gaps(path: Path) -> Path:
    features = [
        {"type": "Feature", "id": "a-1", "properties": {"name": "Palmyra", "start": "2017-01-01"},
         "geometry": mapping(square(38.0, 34.0))},
        {"type": "Feature", "properties": {"id": "b-2", "name": "Nowhere", "start": "2017-01-01"},
         "geometry": None},
        {"type": "Feature", "properties": {"name": "Deir", "start": "2017-01-01"},
         "geometry": mapping(square(40.0, 35.5))},
        {"type": "Feature", "properties": {"name": "Hollow", "start": "2017-01-01"},
         "geometry": {"type": "Polygon", "coordinates": []}},
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, indent=2),
                    encoding="utf-8")
    return path


def test_null_and_empty_geometries_are_named_and_skipped_the_rest_loads(tmp_path):
    path = geojson_with_gaps(tmp_path / "gaps.geojson")
    text = path.read_text(encoding="utf-8").splitlines()
    starts = [i + 1 for i, line in enumerate(text) if line.strip() == '"type": "Feature",']
    starts = [s - 1 for s in starts]  # the feature's "{" is the line before its "type"
    areas = read_areas(path, label_field="name", from_field="start")
    report = areas.attrs["report"]
    assert (report["features"], report["loaded"], report["skipped"]) == (4, 2, {NO_GEOMETRY: 2})
    assert areas["label"].tolist() == ["Palmyra", "Deir"]
    [note] = report["notes"]
    assert note == (f"gaps.geojson: 2 of 4 features have no geometry and were skipped "
                    f"(feature 2 (id 'b-2', 'Nowhere', line {starts[1]}), "
                    f"feature 4 ('Hollow', line {starts[3]})); the rest load.")


def test_feature_lines_need_a_one_to_one_match(tmp_path):
    path = geojson_with_gaps(tmp_path / "gaps.geojson")
    lines = geojson_feature_lines(path, 4)
    assert lines is not None and len(lines) == 4 and lines == sorted(lines)
    assert geojson_feature_lines(path, 3) is None  # read another count: no guessing
    one_line = tmp_path / "one.geojson"
    one_line.write_text(json.dumps(json.loads(path.read_text(encoding="utf-8"))))
    assert geojson_feature_lines(one_line, 4) is None  # every feature on line 1 tells nothing


def test_a_file_with_no_geometry_at_all_is_refused_naming_them(tmp_path):
    path = tmp_path / "empty.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "X", "start": "2017-01-01"},
         "geometry": None}]}), encoding="utf-8")
    with pytest.raises(SourceError, match=r"empty\.geojson: none of its 1 features has a "
                                          r"geometry \(feature 1 \('X', line 1\)\)"):
        read_areas(path, from_field="start")


# -- every file kind, the store, the folder, the catalog and the command line -------------


def test_zipped_shapefile_with_every_problem(tmp_path):
    geometries = [Polygon([(38, 34), (39, 35), (39, 34), (38, 35), (38, 34)]), None,
                  square(31.0, 30.0), square(40.0, 35.5)]
    table = frame(geometries).to_crs(32637)
    archive = zipped_shapefile(table, tmp_path / "shp", "every")
    areas = read_areas(archive, label_field="name", from_field="start")
    report = areas.attrs["report"]
    assert report["crs"] == "EPSG:32637 (declared)"
    assert (report["features"], report["loaded"], report["repaired"]) == (4, 2, 1)
    assert report["skipped"] == {NO_GEOMETRY: 1, OUTSIDE: 1}
    assert len(report["notes"]) == 4  # reprojected, no geometry, outside, repaired
    assert areas["area_id"].tolist() == ["every-1", "every-4"]


def test_stored_and_folder_areas_pass_the_notes_on_as_problems(tmp_path):
    source = geojson_with_gaps(tmp_path / "gaps.geojson")
    store_dir = tmp_path / "store"
    added = add_area_file(source, store_dir, name="My gaps.geojson",
                          choices={"label": "name", "from": "start", "to": None, "style": None})
    assert len(added) == 2
    areas, problems = load_stored_areas(store_dir)
    assert len(areas) == 2
    assert problems == [n.replace("gaps.geojson", "My gaps.geojson", 1)
                        for n in read_areas(source, label_field="name",
                                            from_field="start").attrs["report"]["notes"]]
    folder = tmp_path / "folder"
    folder.mkdir()
    geojson_with_gaps(folder / "gaps.geojson")
    areas, problems = load_area_folder(folder)
    assert len(areas) == 2
    assert [p for p in problems if p.startswith("gaps.geojson: 2 of 4 features have no geom")]


def test_catalog_loads_the_good_file_and_names_the_bad_one(tmp_path):
    from sources.catalog import Config, assemble

    folder = tmp_path / "areas"
    folder.mkdir()
    geojson_with_gaps(folder / "good.geojson")
    frame([square(31.0, 30.0)], name=["Cairo"]).to_file(folder / "bad.geojson")
    events = tmp_path / "events"
    events.mkdir()
    config = Config(events=str(events), boundaries="", store_dir=str(tmp_path / "store"),
                    tiles="none", areas=str(folder))
    loaded = assemble(config)
    user = loaded.areas[loaded.areas["layer"] == "good"]
    assert user["label"].tolist() == ["Palmyra", "Deir"]
    assert not (loaded.areas["layer"] == "bad").any()
    assert [p for p in loaded.problems
            if p.startswith("bad.geojson: none of its 1 features lies in Syria")]
    assert [p for p in loaded.problems
            if p.startswith("good.geojson: 2 of 4 features have no geometry")]


def test_is_area_file_tells_area_files_from_events_files(tmp_path):
    assert is_area_file(geojson_with_gaps(tmp_path / "a.json"))
    events = tmp_path / "acled.json"
    events.write_text(json.dumps({"data": [{"event_id_cnty": "SYR1"}]}), encoding="utf-8")
    assert not is_area_file(events)
    csv_zip = tmp_path / "ged.zip"
    with zipfile.ZipFile(csv_zip, "w") as zf:
        zf.writestr("ged.csv", "id,year\n1,2017\n")
    assert not is_area_file(csv_zip)
    assert is_area_file(zipped_shapefile(frame(in_syria()), tmp_path / "shp", "zones"))


def last_json(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_command_line_counts_everything(tmp_path, capsys):
    path = geojson_with_gaps(tmp_path / "gaps.geojson")
    assert safe_main(["check", str(path), "--json"]) == 0
    line = last_json(capsys)
    assert line["format"] == "areas" and line["error"] is None
    assert (line["features"], line["loaded"], line["repaired"]) == (4, 2, 0)
    assert line["skipped"] == {NO_GEOMETRY: 2}
    assert (line["total"], line["rows"], line["accepted"], line["rejected"]) == (4, 4, 2, 2)
    assert line["fields"]["from"] == "start"
    assert line["notes"] == check_area_file(path)["notes"]

    store_dir = tmp_path / "store"
    assert safe_main(["import", str(path), "--store", str(store_dir)]) == 0
    out = capsys.readouterr().out
    assert "gaps.geojson: area file, 4 features, 2 loaded, 0 repaired, skipped: 2 no geometry" \
        in out
    assert len(list((store_dir / "areas").glob("*.json"))) == 1


def test_command_line_refuses_a_file_it_cannot_place(tmp_path, capsys):
    small = write_without_crs(frame([square(36.2, 33.4, 0.3)]).to_crs(32637),
                              tmp_path / "small.geojson")
    assert safe_main(["check", str(small), "--json"]) == 1
    line = last_json(capsys)
    assert "fit both UTM zone 37N" in line["error"]
    assert (line["features"], line["loaded"], line["accepted"], line["rejected"]) == (1, 0, 0, 1)
    undated = tmp_path / "undated.geojson"
    gpd.GeoDataFrame({"name": ["A"]}, geometry=[square(38, 34)], crs=4326).to_file(undated)
    assert safe_main(["check", str(undated), "--json"]) == 1
    line = last_json(capsys)
    assert line["error"].startswith("undated.geojson: no start-date field found")
    assert line["loaded"] == 1 and line["accepted"] == 0
