"""Draw data/zones.geojson (the four Astana de-escalation zones) from data/zone_boundary_points.csv.

The memorandum's maps were never published, so every outline here is an approximation drawn
from a handful of towns known to lie inside, on, or just outside each zone. The recipe, per
zone, in metres (UTM zone 37N, EPSG:32637):

1. join the ``inside`` and ``on`` points in their ``order`` (the CSV lists each zone's edge
   towns round the zone) into a ring, so a concave zone keeps its shape (a convex hull would
   swallow the government-held ground in its bays: western Aleppo, Damascus, the M5);
2. buffer it by the zone's :data:`RING_BUFFER_M` so the edge is soft and edge towns are not on a
   knife edge;
3. subtract the zone's carve-outs (the government-held M5 corridor of the south zone);
4. subtract a disc of :data:`OUTSIDE_BUFFER_M` around every ``outside`` point;
5. simplify by :data:`SIMPLIFY_M`, go back to EPSG:4326 and snap to a 1e-4 degree grid.

Run ``python scripts/build_zones.py`` from the repository root to rewrite the file; the tests
run :func:`build_feature_collection` and compare it with the committed file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import LineString, MultiPoint, Point, Polygon, mapping
from shapely.ops import unary_union

ROOT = Path(__file__).resolve().parent.parent
POINTS_CSV = ROOT / "data" / "zone_boundary_points.csv"
ZONES_GEOJSON = ROOT / "data" / "zones.geojson"

METRIC_CRS = "EPSG:32637"  # UTM 37N covers all four zones (35.8-37.2 E) with little distortion
# How far the outline reaches beyond the ring of edge towns. Eastern Ghouta is a small enclave
# (about 100 km2) pressed against Damascus, so its edge is drawn tighter. The northern Homs
# towns are the pocket's outermost villages, and its fields ran on to the government cordon:
# 4 km gives a pocket about 49 km wide (NOW Lebanon: "approximately 50-kilometer wide") and
# about 975 km2, still below the army's figure of 1,200 km2.
RING_BUFFER_M: dict[str, float] = {
    "idlib": 2500.0,
    "northern-homs": 4000.0,
    "eastern-ghouta": 1000.0,
    "south": 2500.0,
}
# Must stay below the smallest inside-to-outside distance (Jobar - Qaboun, about 1.7 km), or a
# disc would swallow an inside town.
OUTSIDE_BUFFER_M = 1500.0
CORRIDOR_HALF_WIDTH_M = 1500.0
SIMPLIFY_M = 150.0
GRID_DEG = 1e-4

LAYER = "Astana de-escalation zones (2017)"
MEMORANDUM_URL = "https://tass.com/politics/944911"
# Infobox: campaign 9 Oct 2017 - 13 Feb 2018; Syria and Russia belligerents "from 22 October"
# (the 9 Oct start is an IS attack on HTS, not the government's offensive).
NW_CAMPAIGN_URL = (
    "https://en.wikipedia.org/wiki/Northwestern_Syria_campaign_(October_2017%E2%80%93February_2018)"
)

# The south zone's government-held M5 corridor, by point names in the CSV: the area spanned by
# these towns, plus the road from Khirbet Ghazaleh to Daraa city (whose north, al-Mahatta, was
# government-held), is cut out of the envelope. It opens to the north at as-Sanamayn. The road
# is cut with a flat end at the Daraa (city) point, the dividing line of the city, so the
# rebel-held Daraa al-Balad south of it stays in the zone.
SOUTH_CORRIDOR_AREA = ("as-Sanamayn", "Sheikh Maskin", "Izra", "Khirbet Ghazaleh")
SOUTH_CORRIDOR_ROAD = ("Khirbet Ghazaleh", "Daraa (city)")

ZONE_META: dict[str, dict[str, Any]] = {
    "idlib": {
        "label": "Idlib de-escalation zone",
        "valid_from": "2017-05-06",
        "valid_to": None,
        "source": "Memorandum on the creation of de-escalation areas (Astana, 4 May 2017), "
        "TASS text; boundary towns from deescalation-zones.md",
        "source_url": MEMORANDUM_URL,
        "phases": [
            {"from": "2017-05-06", "state": "in force",
             "label": "De-escalation regime takes effect",
             "source_url": "https://sputniknews.com/politics/201705061053337432-memorandum-de-escalation-safe-zones-syria-text/"},
            {"from": "2017-10-22", "state": "under offensive",
             "label": "Government and Russian offensive on the eastern edge from 22 Oct 2017 "
             "(Wikipedia: Northwestern Syria campaign (October 2017 - February 2018); "
             "Abu al-Duhur air base falls 20-21 Jan 2018)",
             "source_url": NW_CAMPAIGN_URL},
            {"from": "2018-02-14", "state": "in force",
             "label": "Eastern-edge offensive over (the campaign ends 13 Feb 2018)",
             "source_url": NW_CAMPAIGN_URL},
            {"from": "2018-09-17", "state": "in force",
             "label": "Sochi memorandum: demilitarised zone along the contact line",
             "source_url": "https://www.dailysabah.com/diplomacy/2018/09/17/erdogan-putin-agree-on-demilitarized-zone-in-syrias-idlib"},
            {"from": "2019-04-30", "state": "under offensive",
             "label": "Government and Russian offensive on the southern salient ('Dawn of Idlib')",
             "source_url": "https://www.stripes.com/news/middle-east/syrian-troops-expand-offensive-despite-calls-for-calm-1.580633"},
            {"from": "2019-08-31", "state": "in force",
             "label": "Offensive halts (ceasefire of 31 Aug 2019); southern salient lost",
             "source_url": "https://en.wikipedia.org/wiki/Northwestern_Syria_offensive_(April%E2%80%93August_2019)"},
            {"from": "2019-12-19", "state": "under offensive",
             "label": "Second government offensive along the M5 ('Dawn of Idlib 2')",
             "source_url": "https://en.wikipedia.org/wiki/Northwestern_Syria_offensive_(December_2019%E2%80%93March_2020)"},
            {"from": "2020-03-06", "state": "in force",
             "label": "Moscow protocol ceasefire; M4 security corridor",
             "source_url": "https://www.politico.eu/article/russia-turkey-agree-ceasefire-in-syrias-idlib-province-vladimir-putin-recep-tayyip-erdogan/"},
        ],
        "note_extra": "Drawn for the Sochi-memorandum line (after Jan 2018, before Apr 2019), "
        "with the western Aleppo belt (Hayyan, Anadan, al-Rashidin, Khan Tuman) and the "
        "Latamneh - Kafr Zita - Morek belt of northern Hama inside; the zone shrank in 2019-20 "
        "and this outline does not follow those changes.",
    },
    "northern-homs": {
        "label": "Northern Homs de-escalation zone",
        "valid_from": "2017-08-03",
        "valid_to": "2018-05-16",
        "source": "Malay Mail/AFP: Truce in Syria's Homs province after safe zone agreed, "
        "says Russia; boundary towns from deescalation-zones.md",
        "source_url": "http://www.themalaymailonline.com/world/article/truce-in-syrias-homs-province-after-safe-zone-agreed-says-russia1",
        "phases": [
            {"from": "2017-08-03", "state": "in force",
             "label": "Ceasefire from noon; Russian military police checkpoints",
             "source_url": "http://www.themalaymailonline.com/world/article/truce-in-syrias-homs-province-after-safe-zone-agreed-says-russia1"},
        ],
        "note_extra": "Takes in the countryside east of the M5 (Hawsh Haju - Ayn Husayn - "
        "Dallak - Qantarah - Taqsis) handed over in Apr 2018; the army's figure for the pocket "
        "was about 1,200 km2 and 65 towns. "
        "The reference records no dated offensive on this pocket, only the surrender "
        "and evacuation deal of 2 May 2018 and the end on 15-16 May 2018, so the zone keeps "
        "one phase.",
    },
    "eastern-ghouta": {
        "label": "Eastern Ghouta de-escalation zone",
        "valid_from": "2017-07-22",
        "valid_to": "2018-04-14",
        "source": "TASS: agreements on East Ghouta de-escalation zone signed in Cairo; "
        "boundary towns from deescalation-zones.md",
        "source_url": "http://tass.com/world/957354",
        "phases": [
            {"from": "2017-07-22", "state": "in force",
             "label": "Cairo agreement with Jaysh al-Islam; ceasefire from noon",
             "source_url": "http://tass.com/world/957354"},
            {"from": "2018-02-18", "state": "under offensive",
             "label": "Government offensive on Eastern Ghouta",
             "source_url": "https://en.wikipedia.org/wiki/Rif_Dimashq_offensive_(February%E2%80%93April_2018)"},
        ],
        "note_extra": "Drawn for Jul 2017 - Feb 2018, with a 1 km edge so government-held "
        "Damascus (Abbasiyin Square, Qaboun) stays outside; the Faylaq al-Rahman sector joined "
        "on 18 Aug 2017.",
    },
    "south": {
        "label": "Daraa–Quneitra de-escalation zone",
        "valid_from": "2017-07-09",
        "valid_to": "2018-07-31",
        "source": "PanARMENIAN/AFP: U.S. Russia agree on ceasefire in southwest Syria from "
        "July 9; boundary towns from deescalation-zones.md",
        "source_url": "http://www.panarmenian.net/eng/news/243738/",
        "phases": [
            {"from": "2017-07-09", "state": "in force",
             "label": "US-Russia-Jordan ceasefire from noon",
             "source_url": "http://www.panarmenian.net/eng/news/243738/"},
            {"from": "2018-06-19", "state": "under offensive",
             "label": "Offensive on eastern Daraa (Wikipedia: from the night of 18 June)",
             "source_url": "https://wikiwand.com/en/articles/Daraa_offensive_(June%E2%80%93July_2018)"},
        ],
        "note_extra": "An envelope with the government-held M5 corridor (as-Sanamayn - Sheikh "
        "Maskin - Izra - Khirbet Ghazaleh - Daraa al-Mahatta) cut out, and rebel-held Daraa "
        "al-Balad and the Nasib crossing strip inside; the Yarmouk Basin "
        "(Khalid ibn al-Walid Army, excluded from the truce) lies outside it. Other government "
        "enclaves (e.g. Baath City) are not cut out, and the Suwayda part is not drawn.",
    },
}

ZONE_ORDER = ("idlib", "northern-homs", "eastern-ghouta", "south")


def read_points(path: Path = POINTS_CSV) -> pd.DataFrame:
    """Read the boundary points, with lat/lon as floats.

    Parameters
    ----------
    path : Path
        ``zone_boundary_points.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per point, columns as in the file.
    """
    points = pd.read_csv(path, dtype={"zone_id": str, "point": str, "status": str})
    bad = set(points["status"]) - {"inside", "outside", "on"}
    if bad:
        raise ValueError(f"{path}: unknown status values {sorted(bad)}")
    return points


def _metric(points: pd.DataFrame) -> gpd.GeoSeries:
    """Project the points' lon/lat to metres, keeping the frame's index."""
    geoms = gpd.GeoSeries(
        [Point(lon, lat) for lon, lat in zip(points["lon"], points["lat"], strict=True)],
        index=points.index, crs="EPSG:4326",
    )
    return geoms.to_crs(METRIC_CRS)


def _carve_outs(zone_id: str, points: pd.DataFrame, metric: gpd.GeoSeries) -> list[Any]:
    """Areas cut out of a zone besides the discs around outside points (the south's M5 corridor)."""
    if zone_id != "south":
        return []
    by_name = dict(zip(points["point"], metric, strict=True))
    area = MultiPoint([by_name[n] for n in SOUTH_CORRIDOR_AREA]).convex_hull
    road = LineString([by_name[n] for n in SOUTH_CORRIDOR_ROAD])
    return [
        area.buffer(CORRIDOR_HALF_WIDTH_M),
        road.buffer(CORRIDOR_HALF_WIDTH_M, cap_style="flat"),
    ]


def zone_geometry(zone_id: str, points: pd.DataFrame) -> Any:
    """Draw one zone's outline in EPSG:4326 from its boundary points.

    Parameters
    ----------
    zone_id : str
        The zone to draw.
    points : pandas.DataFrame
        All boundary points (see :func:`read_points`).

    Returns
    -------
    shapely geometry
        A valid (Multi)Polygon snapped to a 1e-4 degree grid.
    """
    own = points[points["zone_id"] == zone_id].sort_values("order")
    metric = _metric(own)
    edge = metric[own["status"].isin(["inside", "on"])]
    outside = metric[own["status"] == "outside"]
    ring = shapely.make_valid(Polygon([(p.x, p.y) for p in edge]))
    shape = ring.buffer(RING_BUFFER_M[zone_id], quad_segs=8)
    cuts = [p.buffer(OUTSIDE_BUFFER_M, quad_segs=8) for p in outside]
    cuts += _carve_outs(zone_id, own, metric)
    if cuts:
        shape = shape.difference(unary_union(cuts))
    shape = shape.simplify(SIMPLIFY_M, preserve_topology=True)
    lonlat = gpd.GeoSeries([shape], crs=METRIC_CRS).to_crs("EPSG:4326").iloc[0]
    snapped = shapely.set_precision(lonlat, GRID_DEG)
    if not snapped.is_valid or snapped.is_empty:
        raise ValueError(f"zone {zone_id!r}: drawing gave an invalid or empty geometry")
    return snapped


def _rounded(coords: Any) -> Any:
    """Round nested coordinate sequences to 4 decimals (plain lists, for JSON)."""
    if isinstance(coords, (int, float)):
        return round(float(coords), 4)
    return [_rounded(c) for c in coords]


def build_feature_collection(path: Path = POINTS_CSV) -> dict[str, Any]:
    """Build the zones FeatureCollection (a plain dict, ready for ``json.dump``).

    Parameters
    ----------
    path : Path
        ``zone_boundary_points.csv``.

    Returns
    -------
    dict
        GeoJSON FeatureCollection with one feature per zone, in :data:`ZONE_ORDER`.
    """
    points = read_points(path)
    features = []
    for zone_id in ZONE_ORDER:
        meta = ZONE_META[zone_id]
        geometry = mapping(zone_geometry(zone_id, points))
        geometry = {"type": geometry["type"], "coordinates": _rounded(geometry["coordinates"])}
        n_points = int((points["zone_id"] == zone_id).sum())
        note = (
            "Approximate: the memorandum maps were never published. Generalised outline drawn "
            f"by scripts/build_zones.py from {n_points} boundary towns (inside and edge towns "
            f"joined in their listed order round the zone, buffered "
            f"{RING_BUFFER_M[zone_id] / 1000:g} km, minus {OUTSIDE_BUFFER_M / 1000:g} km discs "
            "around towns known to be outside, simplified). "
            + meta["note_extra"]
        )
        properties = {
            "area_id": zone_id,
            "layer": LAYER,
            "label": meta["label"],
            "valid_from": meta["valid_from"],
            "valid_to": meta["valid_to"],
            "approximate": True,
            "style_value": meta["phases"][0]["state"],
            "phases": meta["phases"],
            "source": meta["source"],
            "source_url": meta["source_url"],
            "note": note,
        }
        features.append({"type": "Feature", "properties": properties, "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}


def main() -> None:
    """Rewrite data/zones.geojson from data/zone_boundary_points.csv."""
    collection = build_feature_collection()
    text = json.dumps(collection, ensure_ascii=False, indent=1)
    ZONES_GEOJSON.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {ZONES_GEOJSON} ({len(collection['features'])} zones)")


if __name__ == "__main__":
    main()
