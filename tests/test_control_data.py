"""The shipped control record (data/control): the rules every row keeps.

Read straight from the CSV files (not through the loader), so a rule broken in the data fails
here with the row that breaks it.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from sources.control import CONTROL_DATE_PRECISIONS, CONTROLLERS, KINDS, load_shipped
from sources.schema import FACTIONS

ROOT = Path(__file__).resolve().parent.parent
CONTROL = ROOT / "data" / "control"
OCHA = ROOT.parent / "shared" / "data" / "ocha-cod-ab-syria"
METRIC = "EPSG:32637"


@pytest.fixture(scope="module")
def places() -> pd.DataFrame:
    return pd.read_csv(CONTROL / "places.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def changes() -> pd.DataFrame:
    return pd.read_csv(CONTROL / "changes.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def subdistricts() -> gpd.GeoDataFrame:
    if not (OCHA / "syr_admin3.shp").is_file():
        pytest.skip("OCHA boundaries not beside the checkout")
    return gpd.read_file(OCHA / "syr_admin3.shp")[["adm3_pcode", "geometry"]]


def test_the_record_is_large_enough_to_brief_from(places, changes) -> None:
    assert len(places) >= 250 and len(changes) >= 600
    assert places["place_id"].is_unique
    assert set(changes["place_id"]) <= set(places["place_id"])
    assert set(places["place_id"]) <= set(changes["place_id"]), "every place has a change"


def test_vocabularies(places, changes) -> None:
    assert set(places["kind"]) <= set(KINDS)
    assert set(changes["controller"]) <= set(CONTROLLERS)
    assert set(changes["besieged_by"]) - {""} <= set(FACTIONS)
    assert set(changes["date_precision"]) <= set(CONTROL_DATE_PRECISIONS)
    checked = changes["source_checked"].str.split(":").str[0].str.strip()
    assert set(checked) <= {"yes", "partly"}, "every change was looked up"
    partly = changes[checked == "partly"]
    assert (partly["source_checked"].str.len() > len("partly: ")).all(), "partly says what"


def test_every_change_has_a_source_and_a_date_in_the_war(changes) -> None:
    assert (changes["source_title"].str.strip() != "").all()
    assert changes["source_url"].str.match(r"https?://\S+$").all()
    days = pd.to_datetime(changes["date"], format="%Y-%m-%d")
    assert days.between("2011-01-01", "2024-12-31").all()


def test_no_place_has_two_controllers_on_one_day(changes) -> None:
    twice = changes[changes.duplicated(["place_id", "date"], keep=False)]
    assert twice.empty, twice[["place_id", "date", "controller"]].to_dict("records")


def test_every_place_lies_in_syria_and_in_its_stated_sub_district(places, subdistricts) -> None:
    points = gpd.GeoDataFrame(places, crs=4326, geometry=gpd.points_from_xy(
        places["longitude"].astype(float), places["latitude"].astype(float)))
    stated = subdistricts.set_index("adm3_pcode").loc[places["admin3_pcode"]]
    # Within the stated sub-district, or (a town on the border line) within 3 km of it.
    distance = gpd.GeoSeries(stated.geometry.to_numpy(), crs=4326).to_crs(METRIC).distance(
        points.geometry.to_crs(METRIC).reset_index(drop=True))
    far = places.loc[(distance > 3000).to_numpy(), ["place_id", "admin3_pcode"]]
    assert far.empty, far.to_dict("records")


def test_the_loader_accepts_every_shipped_row() -> None:
    shipped = load_shipped()
    assert shipped.rejected.empty, shipped.rejected[["table", "row", "reason"]].head()


def test_every_governorate_capital_and_district_seat_is_tracked(places) -> None:
    if not (OCHA / "syr_admincapitals.shp").is_file():
        pytest.skip("OCHA boundaries not beside the checkout")
    seats = gpd.read_file(OCHA / "syr_admincapitals.shp")
    seats = seats[seats["adm_p_lvl"].astype(int) <= 2]
    points = gpd.GeoDataFrame(places, crs=4326, geometry=gpd.points_from_xy(
        places["longitude"].astype(float), places["latitude"].astype(float))).to_crs(METRIC)
    joined = gpd.sjoin_nearest(seats.to_crs(METRIC), points, max_distance=5000,
                               distance_col="d")
    missing = sorted(set(seats["name"]) - set(joined["name"]))
    assert missing == [], "seats without a tracked place within 5 km"


def test_each_place_is_held_took_and_lost_with_dates(changes) -> None:
    """Every place IS held between 2013 and 2019 has the day it was taken and the change that
    ended it (to another side, or to contested where the sources disagree)."""
    changes = changes.sort_values(["place_id", "date"])
    open_ended = []
    for place_id, rows in changes.groupby("place_id"):
        held = rows.reset_index(drop=True)
        for i, row in held.iterrows():
            if row["controller"] != "is":
                continue
            later = held.iloc[i + 1:]
            if later.empty or later.iloc[0]["date"] > "2019-12-31":
                open_ended.append(place_id)
    assert open_ended == []


def test_the_story_of_the_central_claim_is_in_the_record(changes) -> None:
    def controller(place: str, day: str) -> str:
        rows = changes[(changes["place_id"] == place) & (changes["date"] <= day)]
        return rows.sort_values("date")["controller"].iloc[-1]

    assert controller("ar-raqqa", "2017-06-01") == "is"
    assert controller("ar-raqqa", "2017-10-20") == "sdf"
    assert controller("hajin", "2017-12-06") == "is"
    assert controller("hajin", "2018-12-15") == "sdf"
    assert controller("baghuz-fawqani", "2019-03-23") == "sdf"
