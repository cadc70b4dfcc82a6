"""The datasets shipped in data/: milestones, de-escalation zones, key events, and their loaders."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from sources import schema
from sources.shipped import (
    DATA_DIR,
    KEY_EVENT_TYPES,
    KEY_EVENTS_DATASET,
    MILESTONE_CATEGORIES,
    MILESTONE_COLUMNS,
    ZONE_STATES,
    load_milestones,
    load_zones,
)

ROOT = Path(__file__).resolve().parent.parent
METRIC_CRS = "EPSG:32637"  # UTM 37N, metres, covers Syria well enough for km-scale checks
OCHA_GOVERNORATES = {
    "Aleppo", "Idleb", "Hama", "Homs", "Lattakia", "Tartous", "Damascus", "Rural Damascus",
    "Dar'a", "As-Sweida", "Quneitra", "Deir-ez-Zor", "Ar-Raqqa", "Al-Hasakeh",
}


# -- milestones ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def milestones() -> pd.DataFrame:
    return load_milestones()


def test_milestones_layout_and_dtypes(milestones: pd.DataFrame) -> None:
    assert tuple(milestones.columns) == MILESTONE_COLUMNS
    assert str(milestones["date"].dtype) == "datetime64[ns]"
    assert str(milestones["lat"].dtype) == "float64"
    assert str(milestones["lon"].dtype) == "float64"
    for name in ("milestone_id", "title", "category", "source_url", "claim_faction", "note"):
        assert str(milestones[name].dtype) == "string", name
    keys = list(zip(milestones["date"], milestones["milestone_id"], strict=True))
    assert keys == sorted(keys)


def test_milestones_content(milestones: pd.DataFrame) -> None:
    assert len(milestones) >= 40
    assert milestones["milestone_id"].is_unique
    assert set(milestones["category"]) <= set(MILESTONE_CATEGORIES)
    assert milestones["source_url"].str.match(r"https?://\S+$").all()
    assert milestones["milestone_id"].str.match(r"\d{4}-\d{2}-\d{2}-[a-z0-9-]+$").all()
    # Each id starts with its own date, so ids stay stable and readable.
    assert (milestones["milestone_id"].str[:10] == milestones["date"].dt.strftime("%Y-%m-%d")).all()
    assert milestones["date"].between("2011-01-01", "2024-12-31").all()


def test_russian_claim_of_6_december_2017(milestones: pd.DataFrame) -> None:
    row = milestones[milestones["milestone_id"] == "2017-12-06-russia-declares-is-defeat"]
    assert len(row) == 1
    row = row.iloc[0]
    assert row["date"] == pd.Timestamp("2017-12-06")
    assert row["category"] == "claim"
    assert row["claim_faction"] == "is"
    assert "Islamic State" in row["claim_statement"]


def test_claim_rows_name_a_faction_and_statement(milestones: pd.DataFrame) -> None:
    claims = milestones[milestones["category"] == "claim"]
    assert len(claims) >= 2
    assert claims["claim_faction"].isin(list(schema.FACTIONS)).all()
    assert (claims["claim_statement"].str.len() > 10).all()
    douma = claims[claims["date"] == pd.Timestamp("2018-04-12")]
    assert list(douma["claim_faction"]) == ["opposition"]
    others = milestones[milestones["category"] != "claim"]
    assert (others["claim_faction"] == "").all() and (others["claim_statement"] == "").all()


def _write_milestones(tmp_path: Path, **changes: str) -> Path:
    """A copy of the shipped milestones with the first row's fields changed."""
    frame = pd.read_csv(DATA_DIR / "milestones.csv", dtype=str, keep_default_na=False)
    for name, value in changes.items():
        frame.loc[0, name] = value
    path = tmp_path / "milestones.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"category": "rumour"}, "unknown category"),
        ({"date": "2017-13-40"}, "bad date"),
        ({"source_url": ""}, "source_url"),
        ({"source_url": "ftp://example.org/x"}, "source_url"),
        ({"lat": "north"}, "bad coordinates"),
    ],
)
def test_load_milestones_rejects_bad_rows(tmp_path: Path, changes: dict, message: str) -> None:
    path = _write_milestones(tmp_path, **changes)
    with pytest.raises(ValueError, match=message) as caught:
        load_milestones(path)
    assert str(path) in str(caught.value) and "row 1" in str(caught.value)


def test_load_milestones_rejects_duplicate_ids(tmp_path: Path) -> None:
    frame = pd.read_csv(DATA_DIR / "milestones.csv", dtype=str, keep_default_na=False)
    frame.loc[1, "milestone_id"] = frame.loc[0, "milestone_id"]
    path = tmp_path / "milestones.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(ValueError, match="duplicate milestone_id"):
        load_milestones(path)


# -- zones ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def zones() -> gpd.GeoDataFrame:
    return load_zones()


@pytest.fixture(scope="module")
def boundary_points() -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / "zone_boundary_points.csv")


def test_zones_layout(zones: gpd.GeoDataFrame) -> None:
    assert list(zones.columns) == schema.AREA_COLUMNS
    for name, dtype in schema.AREA_DTYPES.items():
        assert str(zones[name].dtype) == dtype, name
    assert zones.crs is not None and zones.crs.to_epsg() == 4326
    assert sorted(zones["area_id"]) == ["eastern-ghouta", "idlib", "northern-homs", "south"]
    assert zones.geometry.is_valid.all()
    assert not zones.geometry.is_empty.any()
    assert zones["approximate"].all()
    assert (zones["layer"] == "Astana de-escalation zones (2017)").all()
    assert zones["source_url"].str.match(r"https?://").all()


def test_zone_dates(zones: gpd.GeoDataFrame) -> None:
    by_id = zones.set_index("area_id")
    expected = {
        "idlib": ("2017-05-06", None),
        "eastern-ghouta": ("2017-07-22", "2018-04-14"),
        "south": ("2017-07-09", "2018-07-31"),
        "northern-homs": ("2017-08-03", "2018-05-16"),
    }
    for zone_id, (start, end) in expected.items():
        assert by_id.loc[zone_id, "valid_from"] == pd.Timestamp(start)
        if end is None:
            assert pd.isna(by_id.loc[zone_id, "valid_to"])  # Idlib never formally ended
        else:
            assert by_id.loc[zone_id, "valid_to"] == pd.Timestamp(end)


def test_zone_phases(zones: gpd.GeoDataFrame) -> None:
    by_id = zones.set_index("area_id")
    for zone_id, row in by_id.iterrows():
        phases = row["phases"]
        assert isinstance(phases, list) and phases, zone_id
        assert phases[0]["from"] == row["valid_from"].strftime("%Y-%m-%d")
        assert row["style_value"] == phases[0]["state"] == "in force"
        starts = [p["from"] for p in phases]
        assert starts == sorted(starts)
        for phase in phases:
            assert phase["state"] in ZONE_STATES
            assert phase["label"]
            assert phase["source_url"].startswith(("http://", "https://"))
            if not pd.isna(row["valid_to"]):
                assert pd.Timestamp(phase["from"]) <= row["valid_to"]
    states = {z: {p["from"]: p["state"] for p in by_id.loc[z, "phases"]} for z in by_id.index}
    assert states["eastern-ghouta"]["2018-02-18"] == "under offensive"
    assert states["south"]["2018-06-19"] == "under offensive"
    assert states["idlib"]["2019-04-30"] == "under offensive"
    assert states["idlib"]["2020-03-06"] == "in force"


def test_zone_notes_say_approximate() -> None:
    collection = json.loads((DATA_DIR / "zones.geojson").read_text(encoding="utf-8"))
    for feature in collection["features"]:
        assert "approximate" in feature["properties"]["note"].lower()


def test_boundary_points_file(boundary_points: pd.DataFrame) -> None:
    assert list(boundary_points.columns) == [
        "zone_id", "order", "point", "lat", "lon", "status", "note", "source",
    ]
    assert set(boundary_points["status"]) == {"inside", "outside", "on"}
    assert set(boundary_points["zone_id"]) == {"idlib", "northern-homs", "eastern-ghouta", "south"}
    assert not boundary_points.duplicated(["zone_id", "order"]).any()
    assert boundary_points["source"].str.len().gt(0).all()


def test_every_inside_point_is_inside_and_every_outside_point_outside(
    zones: gpd.GeoDataFrame, boundary_points: pd.DataFrame
) -> None:
    """The honesty test of the drawing: it agrees with every town whose side is known."""
    outline = zones.set_index("area_id").geometry
    wrong = []
    for row in boundary_points.itertuples(index=False):
        inside = outline[row.zone_id].contains(Point(row.lon, row.lat))
        if row.status == "inside" and not inside:
            wrong.append(f"{row.zone_id}: {row.point} should be inside")
        if row.status == "outside" and inside:
            wrong.append(f"{row.zone_id}: {row.point} should be outside")
    assert not wrong, wrong


def test_edge_points_lie_near_the_outline(
    zones: gpd.GeoDataFrame, boundary_points: pd.DataFrame
) -> None:
    outline = zones.set_index("area_id").to_crs(METRIC_CRS).geometry
    edge = boundary_points[boundary_points["status"] == "on"]
    assert len(edge) >= 3
    points = gpd.GeoSeries(gpd.points_from_xy(edge["lon"], edge["lat"]), crs=4326).to_crs(
        METRIC_CRS
    )
    for zone_id, point in zip(edge["zone_id"], points, strict=True):
        assert outline[zone_id].boundary.distance(point) < 5_000, zone_id


def test_build_zones_reproduces_the_shipped_file() -> None:
    script = ROOT / "scripts" / "build_zones.py"
    spec = importlib.util.spec_from_file_location("build_zones", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = module.build_feature_collection(DATA_DIR / "zone_boundary_points.csv")
    shipped = json.loads((DATA_DIR / "zones.geojson").read_text(encoding="utf-8"))
    assert built == shipped


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p.update(valid_to="2016-01-01"), "valid_to is before valid_from"),
        (lambda p: p.update(valid_from="6 May 2017"), "bad valid_from"),
        (lambda p: p["phases"][0].update(state="frozen"), "unknown state"),
        (lambda p: p.update(source_url=""), "source_url"),
    ],
)
def test_load_zones_rejects_bad_features(tmp_path: Path, change, message: str) -> None:
    collection = json.loads((DATA_DIR / "zones.geojson").read_text(encoding="utf-8"))
    change(collection["features"][1]["properties"])
    path = tmp_path / "zones.geojson"
    path.write_text(json.dumps(collection), encoding="utf-8")
    with pytest.raises(ValueError, match=message) as caught:
        load_zones(path)
    assert "feature 1" in str(caught.value)


# -- key events ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def key_events() -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / "key_events.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def syria_buffered(boundaries_folder: Path):
    country = gpd.read_file(boundaries_folder / "syr_admin0.shp").to_crs(METRIC_CRS)
    return country.geometry.simplify(200).buffer(10_000).union_all()


def test_key_events_header_and_ids(key_events: pd.DataFrame) -> None:
    header = (DATA_DIR / "key_events.csv").read_text(encoding="utf-8").splitlines()[0]
    # The canonical layout, then how each row's source was checked (the loader ignores those).
    assert header.split(",") == [*schema.COLUMNS, "source_checked", "checked_against"]
    assert len(key_events) >= 150
    assert key_events["event_id"].is_unique
    assert key_events["event_id"].str.match(r"KE-\d{4}$").all()
    assert (key_events["source_dataset"] == KEY_EVENTS_DATASET).all()


def test_key_events_vocabularies(key_events: pd.DataFrame) -> None:
    assert set(key_events["place_precision"]) <= set(schema.PLACE_PRECISIONS)
    assert set(key_events["date_precision"]) <= set(schema.DATE_PRECISIONS)
    assert set(key_events["faction1"]) <= set(schema.FACTIONS)
    assert set(key_events["faction2"]) <= set(schema.FACTIONS)
    assert set(key_events["event_type"]) <= set(KEY_EVENT_TYPES)
    assert set(key_events["governorate"]) <= OCHA_GOVERNORATES
    for column in ("actor1", "actor2", "place", "notes", "source"):
        assert (key_events[column].str.len() > 0).all(), column


def test_key_events_dates(key_events: pd.DataFrame) -> None:
    start = pd.to_datetime(key_events["date_start"], format="%Y-%m-%d")
    end = pd.to_datetime(key_events["date_end"], format="%Y-%m-%d")
    assert (end >= start).all()
    assert start.between("2011-01-01", "2024-12-31").all()
    assert end.between("2011-01-01", "2024-12-31").all()
    one_day = start == end
    assert (key_events.loc[one_day, "date_precision"] == "day").all()
    assert (key_events.loc[~one_day, "date_precision"] != "day").all()
    assert set(start.dt.year) == set(range(2011, 2025))


def test_key_events_sources_and_fatalities(key_events: pd.DataFrame) -> None:
    assert key_events["source_url"].str.match(r"https?://\S+$").all()
    columns = ["fatalities_low", "fatalities_best", "fatalities_high"]
    fatalities = key_events[columns].replace("", None).astype("Float64")
    # Unknown is not zero: no figure in the source is an empty cell, in all three columns.
    unknown = fatalities.isna()
    assert (unknown.all(axis=1) | ~unknown.any(axis=1)).all()
    known = fatalities[~unknown.any(axis=1)]
    assert (known >= 0).all().all()
    assert (known["fatalities_low"] <= known["fatalities_best"]).all()
    assert (known["fatalities_best"] <= known["fatalities_high"]).all()
    zero = key_events.loc[known.index[(known == 0).all(axis=1)], "notes"]
    assert not zero.str.contains("no figure").any(), "a zero standing for an unknown"


def test_key_events_lie_in_syria(key_events: pd.DataFrame, syria_buffered) -> None:
    points = gpd.GeoSeries(
        gpd.points_from_xy(
            key_events["longitude"].astype(float), key_events["latitude"].astype(float)
        ),
        crs=4326,
    ).to_crs(METRIC_CRS)
    outside = key_events.loc[~points.within(syria_buffered).to_numpy(), "event_id"]
    assert outside.empty, list(outside)


def test_key_events_governorate_matches_the_map(
    key_events: pd.DataFrame, boundaries_folder: Path
) -> None:
    governorates = gpd.read_file(boundaries_folder / "syr_admin1.shp")[["adm1_name", "geometry"]]
    points = gpd.GeoDataFrame(
        key_events[["event_id", "governorate"]],
        geometry=gpd.points_from_xy(
            key_events["longitude"].astype(float), key_events["latitude"].astype(float)
        ),
        crs=4326,
    )
    joined = gpd.sjoin(points, governorates.to_crs(4326), how="inner", predicate="within")
    mismatched = joined[joined["governorate"] != joined["adm1_name"]]
    assert mismatched.empty, mismatched[["event_id", "governorate", "adm1_name"]].to_dict("records")
    # Points on the border (just outside the polygon) are allowed, but only a few.
    assert len(joined) >= len(key_events) - 5


def test_key_events_tell_the_is_story_of_2017_2019(key_events: pd.DataFrame) -> None:
    start = pd.to_datetime(key_events["date_start"])
    end = pd.to_datetime(key_events["date_end"])
    overlap = (start <= "2019-03-31") & (end >= "2017-10-01")
    is_events = key_events[
        overlap & ((key_events["faction1"] == "is") | (key_events["faction2"] == "is"))
    ]
    places = " ".join(is_events["place"])
    for place in ("Raqqa", "Deir-ez-Zor", "Abu Kamal", "Hajin", "Baghuz"):
        assert place in places, place
    assert len(is_events) >= 10
