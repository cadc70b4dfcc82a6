"""Data checks for data/key_events.csv, read directly with pandas.

These tests do not go through the app's loader (which is being changed to accept
empty fatalities); they check the shipped file itself: vocabularies, geography,
fatalities, links, the source-check columns and the specific corrections made
after the review of the key events.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
CSV = REPO / "data" / "key_events.csv"
ADMIN1 = REPO.parent / "shared" / "data" / "ocha-cod-ab-syria" / "syr_admin1.shp"
SHARED = REPO.parent / "shared" / "data"

BASE_COLUMNS = [
    "event_id", "source_dataset", "date_start", "date_end", "latitude", "longitude",
    "place_precision", "date_precision", "event_type", "actor1", "actor2", "faction1",
    "faction2", "fatalities_low", "fatalities_best", "fatalities_high", "governorate",
    "place", "notes", "source", "source_url",
]
PLACE_PRECISION = {"exact", "near", "district", "governorate", "country"}
DATE_PRECISION = {"day", "days", "week", "month", "year"}
FACTIONS = {
    "government", "opposition", "jihadist", "is", "sdf", "turkey", "coalition",
    "russia", "israel", "civilians", "other",
}
GOVERNORATES = {
    "Aleppo", "Idleb", "Hama", "Homs", "Lattakia", "Tartous", "Damascus",
    "Rural Damascus", "Dar'a", "As-Sweida", "Quneitra", "Deir-ez-Zor", "Ar-Raqqa",
    "Al-Hasakeh",
}
FAT = ["fatalities_low", "fatalities_best", "fatalities_high"]

# Rows that share a source_url although the notes do not repeat a word of the
# article title. Each entry needs a reason.
SHARED_URL_ALLOWED = {
    frozenset({"KE-0093", "KE-0156"}): (
        "Both rows are attacks on Ltamenah in March 2017 covered by the same article on "
        "the OPCW IIT's first report (title in Arabic)."
    ),
}

# HTS / al-Nusra named in an actor but coded otherwise, with the reason.
HTS_FACTION_ALLOWED = {
    "KE-0040": "ISIL ousted a mixed rebel coalition in which al-Nusra was one party.",
}

NO_FIGURE_PHRASES = ("no figure", "not recorded", "so 0", "unknown toll")
STOPWORDS = {
    "wikipedia", "mirror", "with", "from", "that", "this", "into", "after", "says",
    "news", "syria", "syrian", "world", "2011", "2012", "2013", "2014", "2015", "2016",
    "2017", "2018", "2019", "2020", "2021", "2022", "2023", "2024",
}


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return pd.read_csv(CSV, dtype=str, keep_default_na=False, encoding="utf-8")


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = math.radians
    a = (
        math.sin(r(lat2 - lat1) / 2) ** 2
        + math.cos(r(lat1)) * math.cos(r(lat2)) * math.sin(r(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def row(df: pd.DataFrame, event_id: str) -> pd.Series:
    hit = df[df.event_id == event_id]
    assert len(hit) == 1, event_id
    return hit.iloc[0]


# --- structure and vocabularies ----------------------------------------------------


def test_columns(df):
    assert list(df.columns) == [*BASE_COLUMNS, "source_checked", "checked_against"]


def test_ids_unique_and_file_sorted_by_date(df):
    assert df.event_id.is_unique
    assert df.event_id.str.fullmatch(r"KE-\d{4}").all()
    assert list(df.date_start) == sorted(df.date_start)


def test_vocabularies(df):
    assert set(df.place_precision) <= PLACE_PRECISION, set(df.place_precision) - PLACE_PRECISION
    assert set(df.date_precision) <= DATE_PRECISION, set(df.date_precision) - DATE_PRECISION
    assert set(df.faction1) | set(df.faction2) <= FACTIONS
    assert set(df.governorate) <= GOVERNORATES, set(df.governorate) - GOVERNORATES


def test_dates(df):
    start = pd.to_datetime(df.date_start, format="%Y-%m-%d")
    end = pd.to_datetime(df.date_end, format="%Y-%m-%d")
    assert (start <= end).all(), df.event_id[start > end].tolist()


# --- geography ---------------------------------------------------------------------


def test_points_in_syria_bbox(df):
    lat = df.latitude.astype(float)
    lon = df.longitude.astype(float)
    assert lat.between(32.3, 37.4).all() and lon.between(35.6, 42.4).all()


def test_points_inside_stated_governorate(df):
    if not ADMIN1.exists():
        pytest.skip(f"OCHA admin1 boundaries not found at {ADMIN1}")
    gpd = pytest.importorskip("geopandas")
    shapely_geometry = pytest.importorskip("shapely.geometry")
    admin1 = gpd.read_file(ADMIN1).to_crs("EPSG:4326")
    points = gpd.GeoDataFrame(
        df[["event_id", "governorate"]],
        geometry=[
            shapely_geometry.Point(float(lon), float(lat))
            for lat, lon in zip(df.latitude, df.longitude, strict=True)
        ],
        crs="EPSG:4326",
    )
    joined = gpd.sjoin(points, admin1[["adm1_name", "geometry"]], how="left", predicate="within")
    outside = joined[joined.adm1_name.isna()]
    assert outside.empty, f"outside Syria: {outside.event_id.tolist()}"
    wrong = joined[joined.adm1_name != joined.governorate]
    assert wrong.empty, wrong[["event_id", "governorate", "adm1_name"]].to_dict("records")


def _places() -> list[tuple[float, float]]:
    """Named places with known coordinates: OCHA's admin seats and UCDP GED's exact places
    (both in ../shared/data, beside every checkout and in CI)."""
    out: list[tuple[float, float]] = []
    seats = SHARED / "ocha-cod-ab-syria" / "syr_admincapitals.shp"
    if seats.exists():
        import geopandas as gpd

        t = gpd.read_file(seats)
        out += list(zip(t.geometry.y.astype(float), t.geometry.x.astype(float), strict=True))
    ucdp = SHARED / "ucdp-ged-syria-2016-2019" / "ged_syria_652.1601.1911.csv"
    if ucdp.exists():
        t = pd.read_csv(ucdp, usecols=["where_prec", "latitude", "longitude"])
        t = t[t["where_prec"] == 1].drop_duplicates(["latitude", "longitude"])
        out += list(zip(t["latitude"].astype(float), t["longitude"].astype(float), strict=True))
    return out


def test_exact_pins_are_on_a_known_place(df):
    """An exact pin is within 3 km of an OCHA seat or UCDP exact place, or its
    coordinates come from the stored page (checked_against says so)."""
    places = _places()
    if not places:
        pytest.skip("../shared/data (OCHA seats, UCDP GED) is not beside the checkout")
    bad = []
    for _, r in df[df.place_precision == "exact"].iterrows():
        lat, lon = float(r.latitude), float(r.longitude)
        nearest = min(km(lat, lon, a, b) for a, b in places)
        if nearest > 3.0 and "stored Wikipedia page" not in r.checked_against:
            bad.append((r.event_id, round(nearest, 1)))
    assert not bad, bad


# --- fatalities --------------------------------------------------------------------


def test_fatalities_all_empty_or_ordered(df):
    for _, r in df.iterrows():
        vals = [r[c] for c in FAT]
        if all(v == "" for v in vals):
            continue
        assert all(re.fullmatch(r"\d+", v) for v in vals), (r.event_id, vals)
        low, best, high = (int(v) for v in vals)
        assert low <= best <= high, (r.event_id, vals)


def test_no_zero_when_notes_say_no_figure(df):
    for _, r in df.iterrows():
        notes = r.notes.lower()
        if any(p in notes for p in NO_FIGURE_PHRASES):
            assert all(r[c] != "0" for c in FAT), r.event_id


def test_no_leftover_so_zero_phrase(df):
    assert not df.notes.str.contains("so 0", regex=False).any()
    assert not df.notes.str.contains("fatalities not recorded here", regex=False).any()


def test_zero_only_with_a_source_saying_nobody_died(df):
    zero = df[(df.fatalities_best == "0")]
    for _, r in zero.iterrows():
        assert re.search(r"no (one|deaths|casualties)|nobody", r.notes, re.I), r.event_id


def test_known_mass_casualty_figures_not_empty(df):
    # Events whose tolls were looked up (see notes) must carry them.
    expected_min = {
        "KE-0022": 300, "KE-0032": 248, "KE-0044": 700, "KE-0056": 223, "KE-0067": 60,
        "KE-0070": 68, "KE-0073": 184, "KE-0076": 44, "KE-0089": 40, "KE-0096": 43,
        "KE-0122": 156,
    }
    for eid, low in expected_min.items():
        r = row(df, eid)
        assert r.fatalities_low != "" and int(r.fatalities_low) >= low, eid


# --- links -------------------------------------------------------------------------


def test_source_url_well_formed(df):
    assert df.source_url.str.fullmatch(r"https?://[^\s/]+\.[^\s/]+/\S*").all(), df.event_id[
        ~df.source_url.str.fullmatch(r"https?://[^\s/]+\.[^\s/]+/\S*")
    ].tolist()
    assert (df.source.str.len() > 0).all()


def _title_words(source: str) -> set[str]:
    title = source.split(":", 1)[1] if ":" in source else source
    words = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z\-']{3,}", title)}
    return {w for w in words if w not in STOPWORDS}


def test_shared_urls_only_for_rows_about_the_article(df):
    groups = defaultdict(list)
    for _, r in df.iterrows():
        groups[r.source_url].append(r)
    for url, rows in groups.items():
        if len(rows) < 2:
            continue
        ids = frozenset(r.event_id for r in rows)
        if ids in SHARED_URL_ALLOWED:
            assert SHARED_URL_ALLOWED[ids]
            continue
        assert len({r.source for r in rows}) == 1, url
        words = _title_words(rows[0].source)
        for r in rows:
            text = (r.notes + " " + r.place).lower()
            assert any(w in text for w in words), (url, r.event_id, sorted(words))


def test_urls_flagged_by_the_review_are_gone(df):
    gone = [
        "/wiki/2017_Damascus_bombings", "/wiki/2017_Rashidin_bus_bombing",
        "/wiki/2018_Syria_Il-20_shootdown", "/wiki/Al-Shaitat_massacre",
        "/wiki/July_2012_Damascus_bombing",
    ]
    for frag in gone:
        assert not df.source_url.str.contains(frag, regex=False).any(), frag


# --- source-check columns ----------------------------------------------------------


def test_source_checked_vocabulary(df):
    ok = df.source_checked.str.fullmatch(r"yes|partly: .+|no: .+")
    assert ok.all(), df.event_id[~ok].tolist()


def test_checked_against_filled(df):
    assert (df.checked_against.str.strip().str.len() > 0).all()
    assert df.checked_against.str.contains("coords:", regex=False).all()
    assert df.checked_against.str.contains(r"https?://", regex=True).all()


# --- coding rules ------------------------------------------------------------------

HTS_NAMES = re.compile(
    r"tahrir al-sham|\bhts\b|nusra|fatah al-sham|military operations command", re.I
)


def test_hts_and_predecessors_are_jihadist(df):
    for _, r in df.iterrows():
        for actor, faction in (("actor1", "faction1"), ("actor2", "faction2")):
            if HTS_NAMES.search(r[actor]) and r.event_id not in HTS_FACTION_ALLOWED:
                assert r[faction] == "jihadist", (r.event_id, r[actor], r[faction])


def test_ypg_not_called_sdf_before_october_2015(df):
    early = df[(df.date_start < "2015-10-10") & ((df.faction1 == "sdf") | (df.faction2 == "sdf"))]
    assert not early.empty
    for _, r in early.iterrows():
        text = r.actor1 + " " + r.actor2
        assert "SDF" not in text and "Syrian Democratic Forces" not in text, r.event_id


def test_iraqi_militias_for_the_government(df):
    r = row(df, "KE-0138")
    assert r.faction2 == "government"
    assert "Kata'ib Hezbollah" in r.actor2


def test_campaign_rows_not_pinned_exact(df):
    for eid in ["KE-0033", "KE-0080", "KE-0101", "KE-0104", "KE-0121", "KE-0125"]:
        assert row(df, eid).place_precision in {"district", "governorate"}, eid


# --- specific fixes ----------------------------------------------------------------


def test_ltamenah_attribution_and_30_march_row(df):
    r = row(df, "KE-0093")
    assert r.faction1 == "government"
    assert "Air Force" in r.actor1
    march30 = df[(df.date_start == "2017-03-30") & df.place.str.contains("Ltamenah")]
    assert len(march30) == 1
    m = march30.iloc[0]
    assert m.event_type == "chemical attack" and m.faction1 == "government"
    assert m.event_id == "KE-0156"


def test_aleppo_2016_split(df):
    castello = row(df, "KE-0075")
    assert castello.date_start == "2016-06-25" and castello.date_end == "2016-07-30"
    assert "July%E2%80%93August" not in castello.source_url
    ramouseh_url = "Aleppo_offensive_(July%E2%80%93August_2016)"
    ramouseh = df[df.source_url.str.contains(ramouseh_url, regex=False)]
    assert len(ramouseh) == 1
    r = ramouseh.iloc[0]
    assert (r.date_start, r.date_end) == ("2016-07-31", "2016-08-06")
    assert r.faction2 == "government"


def test_latakia_offensive_start_and_labels(df):
    r = row(df, "KE-0062")
    assert r.date_start == "2015-10-15"
    assert r.place_precision != "exact"
    su24 = row(df, "KE-0065")
    assert su24.place.startswith("Yamadi") and "Salma" not in su24.place
    rabia = (35.784571, 36.036542)
    assert km(float(su24.latitude), float(su24.longitude), *rabia) < 3


def test_pins_moved_to_their_places(df):
    targets = {
        "KE-0066": (36.380825, 38.178574),  # Tishrin Dam
        "KE-0090": (36.117443, 36.802054),  # al-Jinah
        "KE-0081": (36.151583, 36.967750),  # Urum al-Kubra
    }
    atarib = (36.1379, 36.8284)
    for eid, (lat, lon) in targets.items():
        r = row(df, eid)
        assert km(float(r.latitude), float(r.longitude), lat, lon) < 3, eid
        assert km(float(r.latitude), float(r.longitude), *atarib) > 3, eid


def test_kuweires_is_not_a_siege_by_the_army(df):
    r = row(df, "KE-0064")
    assert r.event_type != "siege"
    assert r.faction1 == "government" and r.faction2 == "is"


def test_shaitat_link(df):
    r = row(df, "KE-0044")
    assert "Al-Shaitat_massacre" not in r.source_url
    assert r.fatalities_low == "700"


def test_kobani_siege_end(df):
    r = row(df, "KE-0046")
    assert r.date_end == "2015-01-27"
    assert "villages" in r.notes


def test_northwest_campaign_2017(df):
    r = row(df, "KE-0104")
    assert r.date_start.startswith("2017-10")
    assert r.date_precision == "month"
    assert r.source_checked.startswith("partly")


def test_damascus_december_2024_coded_like_the_other_hts_rows(df):
    week = df[(df.date_start >= "2024-11-27") & (df.date_start <= "2024-12-08")]
    hts = week[week.actor1.str.contains("Tahrir al-Sham")]
    assert len(hts) >= 4
    assert (hts.faction1 == "jihadist").all()
