"""Area files: GeoJSON, GeoPackage and zipped Shapefile -> the canonical area table."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Polygon

from sources.areas import read_areas
from sources.detect import SourceError
from sources.schema import AREA_COLUMNS, AREA_DTYPES

ROOT = Path(__file__).resolve().parents[1]
OCHA = ROOT.parent / "shared" / "data" / "ocha-cod-ab-syria"


def zones() -> gpd.GeoDataFrame:
    bowtie = Polygon([(36, 35), (37, 36), (37, 35), (36, 36), (36, 35)])  # self-crossing
    square = Polygon([(38, 34), (39, 34), (39, 35), (38, 35)])
    return gpd.GeoDataFrame(
        {"name": ["Idlib zone", "<b>South</b>"], "start": ["2017-05-06", "2017-07-09"],
         "end": ["2018-09-17", ""], "kind": ["a", "b"]},
        geometry=[bowtie, square], crs=4326,
    )


def check(areas):
    assert list(areas.columns) == AREA_COLUMNS
    for column, dtype in AREA_DTYPES.items():
        assert str(areas[column].dtype) == dtype, column
    assert areas.crs.to_epsg() == 4326
    assert areas.geometry.is_valid.all()


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg"])
def test_geojson_and_geopackage(tmp_path, suffix):
    path = tmp_path / f"zones{suffix}"
    zones().to_file(path)
    areas = read_areas(path, label_field="name", from_field="start", to_field="end",
                       style_field="kind")
    check(areas)
    assert areas.attrs["repaired"] == 1
    assert areas["label"].tolist() == ["Idlib zone", "<b>South</b>"]  # text kept verbatim
    assert str(areas["valid_from"].iloc[1].date()) == "2017-07-09"
    assert areas["valid_to"].isna().tolist() == [False, True]


def test_zipped_shapefile_reprojected(tmp_path):
    assert (OCHA / "syr_admin1.shp").is_file(), "shared data missing"
    governorates = gpd.read_file(OCHA / "syr_admin1.shp").head(3)[["adm1_name", "geometry"]]
    governorates = governorates.to_crs(32637)
    shp = tmp_path / "gov.shp"
    governorates.to_file(shp)
    archive = tmp_path / "gov.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("gov.*"):
            if part.suffix != ".zip":
                zf.write(part, part.name)
    areas = read_areas(archive, label_field="adm1_name")
    check(areas)
    assert 35 < areas.geometry.iloc[0].centroid.x < 43  # back in degrees
    assert areas.attrs["report"]["crs"] == "EPSG:32637 (declared)"  # honoured, and said:
    assert "gov.zip declares its coordinates in WGS 84 / UTM zone 37N (EPSG:32637)" in (
        areas.attrs["report"]["notes"][0])


def test_errors(tmp_path):
    path = tmp_path / "zones.geojson"
    zones().to_file(path)
    with pytest.raises(SourceError, match="no field 'label'"):
        read_areas(path, label_field="label")
    bad = zones()
    bad.loc[0, "start"] = "6 May 2017"
    bad_path = tmp_path / "bad.geojson"
    bad.to_file(bad_path)
    with pytest.raises(SourceError, match="not dates"):
        read_areas(bad_path, from_field="start")
    junk = tmp_path / "junk.geojson"
    junk.write_text(json.dumps({"hello": 1}))
    with pytest.raises(SourceError, match=r"junk\.geojson"):
        read_areas(junk)
