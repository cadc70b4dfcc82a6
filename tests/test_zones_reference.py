"""The de-escalation zone outlines against towns whose side of the line is known.

Each zone has an explicit list of towns that lay inside it and towns that lay outside it, with
their coordinates, so the check does not depend on data/zone_boundary_points.csv (from which
the outlines are drawn). Sources, by tag:

- [REF] ../shared/reference/deescalation-zones.md (its GeoNames cities500 or Wikipedia value);
- [WP]  a Wikipedia infobox, at the address given beside the town;
- [UCDP] UCDP GED Syria file (../shared/data/ucdp-ged-syria-2016-2019), the event location
  (``where_coordinates``, GeoNames-based) of that name;
- [OCHA] OCHA COD-AB admin capitals (../shared/data/ocha-cod-ab-syria/syr_admincapitals).

Control (which side a town was on) is from the reference or from the page named in the comment.
The outlines are approximate (the memorandum maps were never published); these towns are the
ones a reader would check first.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

ROOT = Path(__file__).resolve().parents[1]
ZONES = ROOT / "data" / "zones.geojson"
METRIC_CRS = "EPSG:32637"  # UTM 37N, metres

# zone -> (inside towns, outside towns); each town is (name, lat, lon).
TOWNS: dict[str, tuple[list[tuple[str, float, float]], list[tuple[str, float, float]]]] = {
    "idlib": (
        [
            ("Salqin", 36.1387, 36.4524),  # [REF] reb, NW edge
            ("Harem", 36.2118, 36.5208),  # [REF] reb, N edge
            ("Darat Izza", 36.2825, 36.8522),  # [REF] reb, NE corner
            # [OCHA] Idlib city, the zone's centre (rebel-held 2015-2024)
            ("Idlib", 35.929008, 36.635276),
            # [WP] https://fra.wiki/wiki/Khan_Shaykhun; rebel-held until Aug 2019 (Dutch WP)
            ("Khan Shaykhun", 35.441944, 36.650833),
            # Western Aleppo belt: "the line ran along Aleppo's western outskirts (Anadan,
            # al-Rashidin, Khan Tuman)" [REF].
            # [WP] https://cloudflare-ipfs.com/ipfs/QmXoypizjW3WknFiJnKLwHCnL72vedxjQkDDP1mXWo6uco/wiki/Anadan.html
            ("Anadan", 36.29361, 37.04444),
            # [UCDP] "Hayyan town"; rebel-held until Feb 2020 (Hawar News / SOHR,
            # https://www.hawarnews.com/en/haber/regime-expanding-control-at-an-accelerated-pace-north-and-west-aleppo-h14586.html)
            ("Hayyan", 36.3242, 37.0589),
            # [UCDP] "Kafr Hamrah village"; still rebel-held in Feb 2020 (same Hawar News page)
            ("Kafr Hamra", 36.2526, 37.0791),
            # [UCDP] "Khan Tuman town"; army took it on 20 Jan 2020
            # (https://southfront.org/syrian-army-captures-large-town-in-southwest-aleppo/)
            ("Khan Tuman", 36.1170, 37.0510),
            ("al-Eis", 35.9964, 37.0006),  # [REF] reb, Turkish post, E edge
            ("al-Tamanaah", 35.4585, 36.7482),  # [REF] reb until Aug 2019
            ("Morek", 35.3762, 36.6897),  # [REF] reb until Aug 2019, S tip
            # [WP] https://defzone.net/wiki/fr/Latamné (35°19′15″N 36°37′21″E); taken in the
            # Apr-Aug 2019 offensive (https://enwikipedia.net/wiki/Northwestern_Syria_offensive_(April%E2%80%93August_2019))
            ("al-Lataminah", 35.3208, 36.6225),
            ("Kafr Zita", 35.3743, 36.6033),  # [REF] reb until Aug 2019
            ("Qalaat al-Madiq", 35.4147, 36.3909),  # [REF] reb until May 2019
            ("Kabani", 35.7183, 36.2336),  # [REF] reb/HTS, W edge in Latakia
        ],
        [
            ("Aleppo (city centre)", 36.2012, 37.1612),  # [REF] gov
            ("al-Hadir", 35.9902, 37.0509),  # [REF] gov, just E of al-Eis
            ("Sinjar", 35.5901, 37.0047),  # [REF] gov from Jan 2018
            ("Kurnaz", 35.3897, 36.4877),  # [REF] gov, S edge
            ("Kinsabba", 35.7441, 36.1640),  # [REF] gov, just W of Kabani
            # [UCDP]; government-held since the siege was lifted on 3 Feb 2016
            # (https://en.wikipedia.org/wiki/Siege_of_Nubl_and_al-Zahraa)
            ("Nubl", 36.3756, 36.9942),
            ("al-Zahraa", 36.3586, 37.0107),
            ("Hama", 35.133742, 36.761291),  # [OCHA] gov throughout
        ],
    ),
    "northern-homs": (
        [
            ("al-Dar al-Kabirah", 34.7863, 36.6827),  # [REF] reb, S tip
            ("al-Ghantu", 34.8220, 36.6961),  # [REF] reb
            ("Talbiseh", 34.8407, 36.7309),  # [REF] reb, on the M5
            ("ar-Rastan", 34.9265, 36.7324),  # [REF] reb, NE (Orontes dam)
            ("Harbinafsah", 34.9375, 36.6224),  # [REF] reb, southern Hama
            ("Kafr Laha", 34.8947, 36.4958),  # [REF] reb, Houla
            ("Taldou", 34.8763, 36.5240),  # [REF] reb, Houla
            # East of the M5, handed over by the rebels in Apr 2018 (Al-Masdar via
            # https://m.viettimes.vn/quan-doi-syria-quet-sach-phe-thanh-chien-tai-hon-230-km2-tinh-homs-post79424.amp);
            # coordinates [UCDP]
            ("Dayr Ful", 34.9242, 36.8411),
            ("Zafaraniya", 34.8950, 36.7767),
            ("Ayn Husayn", 34.8659, 36.8758),
            ("Dallak", 34.9670, 36.9410),
        ],
        [
            ("Homs (city centre)", 34.7241, 36.7256),  # [REF] gov
            ("al-Qabu", 34.8432, 36.4549),  # [REF] gov, just W of Houla
            ("Hama", 35.133742, 36.761291),  # [OCHA] gov
            ("As-Salamiyeh", 35.011319, 37.051036),  # [OCHA] gov
        ],
    ),
    "eastern-ghouta": (
        [
            ("Douma", 33.5717, 36.4027),  # [REF] reb, N sector
            ("Kafr Batna", 33.5117, 36.3727),  # [REF] reb
            ("Jobar", 33.5310, 36.3371),  # [REF] reb, W front with Damascus
            ("Irbin", 33.5372, 36.3664),  # [REF] reb
            ("Hamouriyah", 33.5273, 36.3835),  # [UCDP]; [REF] lists it in the W/central sector
            ("Zamalka", 33.5284, 36.3524),  # [UCDP]; [REF] W/central sector
        ],
        [
            ("Dahiyat al-Assad", 33.5811, 36.3600),  # [REF] gov, NW
            ("Dayr al-Asafir", 33.4659, 36.4204),  # [REF] gov, SE
            ("al-Mulayhah", 33.4852, 36.3756),  # [REF] gov, S
            ("Jaramana", 33.4862, 36.3461),  # [REF] gov, SW
            # [WP] https://en.wikipedia.org/wiki/Abbasiyyin_Stadium?oldid=680616803 (the
            # stadium on Abbasiyin Square), government-held Damascus
            ("Abbasiyin Square", 33.5228, 36.3202),
            # [WP] http://70.231.62.181/index.php/Qaboun; army control from May 2017
            # (https://www.wikizero.com/en/Qaboun_offensive_(2017): 18 Feb - 29 May 2017)
            ("Qaboun", 33.54611, 36.33778),
            # [WP] https://en.wikipedia.org/wiki/Umayyad_Square, central Damascus
            ("Umayyad Square", 33.51389, 36.27639),
        ],
    ),
    "south": (
        [
            ("Jaba", 33.1628, 35.9259),  # [REF] reb, N Quneitra
            ("Kafr Shams", 33.1181, 36.1063),  # [REF] reb
            ("Inkhil", 33.0181, 36.1283),  # [REF] reb
            ("Nawa", 32.8865, 36.0391),  # [REF] reb
            ("Busra al-Harir", 32.8425, 36.3400),  # [REF] reb, Lajat edge
            ("Busra al-Sham", 32.5174, 36.4816),  # [REF] reb, SE corner
            ("Ghasam", 32.5458, 36.3754),  # [REF] reb, near the Jordanian border
            # [WP] al-Omari Mosque in Daraa al-Balad,
            # https://de.zxc.wiki/wiki/Al-Omari-Moschee_(Dar%CA%BF%C4%81) (32°36′44″N 36°6′3″E);
            # [REF]: "reb in Daraa al-Balad (south)"
            ("Daraa al-Balad", 32.6122, 36.1008),
            # [UCDP] "Nasib border crossing" / "Nasib town"; rebels took the crossing in
            # Apr 2015 (https://eng-archive.aawsat.com/theaawsat/business/jordans-overland-trade-paralyzed-by-iraq-syria-border-woes/attachment/jordanian-syrian-border-point-closed),
            # the army retook it in Jul 2018 (https://agi.it/estero/news/2018-10-15/m_o_valico_giordania-siria-4488053/amp)
            ("Nasib border crossing", 32.5287, 36.2008),
            ("Nasib", 32.5518, 36.1859),
        ],
        [
            ("Khan Arnabah", 33.1838, 35.8916),  # [REF] gov
            ("as-Sanamayn", 33.0719, 36.1832),  # [REF] gov, M5
            ("Izra", 32.8671, 36.2507),  # [REF] gov, M5 corridor
            ("Sheikh Maskin", 32.8267, 36.1605),  # [REF] gov, M5 corridor
            ("ash-Shajarah", 32.7741, 35.8820),  # [REF] IS-affiliated, Yarmouk Basin
            # [OCHA]; [REF] extent text: part of the government-held M5 corridor
            ("Khirbet Ghazaleh", 32.7345, 36.2033),
        ],
    ),
}

CASES = [
    (zone_id, name, lat, lon, side)
    for zone_id, (inside, outside) in TOWNS.items()
    for side, towns in (("inside", inside), ("outside", outside))
    for name, lat, lon in towns
]


@pytest.fixture(scope="module")
def outlines() -> gpd.GeoSeries:
    zones = gpd.read_file(ZONES)
    return zones.set_index("area_id").geometry


def test_every_zone_has_towns_on_both_sides() -> None:
    for zone_id, (inside, outside) in TOWNS.items():
        assert len(inside) >= 5 and len(outside) >= 3, zone_id


@pytest.mark.parametrize(("zone_id", "name", "lat", "lon", "side"), CASES,
                         ids=[f"{c[0]}-{c[4]}-{c[1]}" for c in CASES])
def test_town_is_on_its_side_of_the_outline(
    outlines: gpd.GeoSeries, zone_id: str, name: str, lat: float, lon: float, side: str
) -> None:
    inside = outlines[zone_id].contains(Point(lon, lat))
    assert inside == (side == "inside"), f"{name} should be {side} the {zone_id} zone"


def test_northern_homs_area_is_near_the_armys_figure(outlines: gpd.GeoSeries) -> None:
    # The army's General Command: about 1,200 km2 and 65 towns in northern Homs and southern
    # Hama (Syria Times / SANA, http://syriatimes.sy/index.php/news/local/36458-army-s-general-command-announces-liberating-new-areas-in-homs-and-hama-countryside).
    area_km2 = gpd.GeoSeries([outlines["northern-homs"]], crs=4326).to_crs(METRIC_CRS).area
    assert 900 <= float(area_km2.iloc[0]) / 1e6 <= 1600


def test_eastern_ghouta_area_is_near_the_un_figure(outlines: gpd.GeoSeries) -> None:
    # [REF]: "about 100 km2" (UN).
    area_km2 = gpd.GeoSeries([outlines["eastern-ghouta"]], crs=4326).to_crs(METRIC_CRS).area
    assert 60 <= float(area_km2.iloc[0]) / 1e6 <= 150


def test_outlines_are_labelled_approximate() -> None:
    zones = gpd.read_file(ZONES)
    assert zones["approximate"].all()
    assert zones["note"].str.lower().str.contains("approximate").all()


def test_idlib_offensive_phase_starts_on_the_sourced_date() -> None:
    # Wikipedia, "Northwestern Syria campaign (October 2017 - February 2018)": Syria and Russia
    # join "from 22 October" 2017; the campaign ends 13 Feb 2018.
    zones = gpd.read_file(ZONES).set_index("area_id")
    phases = zones.loc["idlib", "phases"]
    if isinstance(phases, str):
        import json

        phases = json.loads(phases)
    states = {p["from"]: p["state"] for p in phases}
    assert states["2017-10-22"] == "under offensive"
    assert states["2018-02-14"] == "in force"
    assert "2017-12-01" not in states
