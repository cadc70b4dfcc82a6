"""Test-only Streamlit app: the base map, zones and milestones with st_folium.

It carries a hostile payload in a zone label and a milestone title, so the browser test can
check that they show as text. ``CONFLICT_MAP_BOUNDARIES`` gives the outlines.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from shapely.geometry import Polygon
from streamlit_folium import st_folium

from layers import assets, legend, milestones, zones
from layers.base import build_base_map
from layers.palette import faction_item
from sources.boundaries import boundaries_from_env
from sources.schema import AREA_COLUMNS, AREA_DTYPES, FACTIONS
from view.areas import areas_on

EVIL = "</script><img src=x onerror=alert(1)>${alert(2)}`);alert(3);// \\`"
DAYS = ("2017-06-01", "2018-03-01")

assets.install()
st.set_page_config(page_title="Layers demo", layout="wide")


@st.cache_resource
def _boundaries():
    return boundaries_from_env()


def _areas() -> pd.DataFrame:
    import geopandas as gpd

    rows = [
        {"area_id": "idlib", "label": "Idlib de-escalation zone", "valid_from": "2017-05-06",
         "valid_to": None, "approximate": True, "style_value": "in force",
         "phases": [{"from": "2017-05-06", "state": "in force", "label": "memorandum"},
                    {"from": "2018-01-01", "state": "under offensive", "label": "offensive"}],
         "geometry": Polygon([(36.3, 35.4), (37.0, 35.4), (37.0, 36.2), (36.3, 36.2)])},
        {"area_id": "evil", "label": EVIL, "valid_from": "2017-05-06", "valid_to": None,
         "approximate": False, "style_value": EVIL, "phases": None,
         "geometry": Polygon([(38.6, 33.4), (39.6, 33.4), (39.6, 34.1), (38.6, 34.1)])},
    ]
    frame = pd.DataFrame(
        [{"layer": "demo", "source": EVIL, "source_url": "javascript:alert(4)", **r} for r in rows]
    )
    for column in ("valid_from", "valid_to"):
        frame[column] = pd.to_datetime(frame[column])
    frame = frame.astype({k: v for k, v in AREA_DTYPES.items() if k != "phases"})
    return gpd.GeoDataFrame(frame[AREA_COLUMNS], geometry="geometry", crs=4326)


def _milestones() -> pd.DataFrame:
    base = {"place": "", "source_title": "TASS", "source_url": "https://tass.com/x",
            "claim_faction": "", "claim_statement": "", "note": ""}
    return pd.DataFrame([
        {**base, "milestone_id": "evil", "date": "2017-05-06", "title": EVIL,
         "category": "military", "place": EVIL, "lat": 34.9, "lon": 40.9, "note": EVIL,
         "source_url": "javascript:alert(5)"},
        {**base, "milestone_id": "douma", "date": "2018-04-12", "title": "Russia claims Douma",
         "category": "claim", "place": "Douma", "lat": 33.5717, "lon": 36.4027,
         "claim_faction": "russia", "claim_statement": "Flag raised over Douma"},
        {**base, "milestone_id": "moscow", "date": "2017-12-06", "title": "Moscow briefing",
         "category": "claim", "lat": 55.752, "lon": 37.6178},
    ])


day = pd.Timestamp(st.radio("Day", DAYS, key="day", horizontal=True))
map_column, legend_column = st.columns([4, 1])
with map_column:
    layers = [zones.draw(areas_on(_areas(), day)), milestones.draw(_milestones())]
    st_folium(
        build_base_map(_boundaries()),
        key="demo_map",
        feature_group_to_add=layers,
        returned_objects=[],
        height=760,
        use_container_width=True,
    )
with legend_column:
    st.markdown(legend.legend_html([faction_item(k) for k in FACTIONS]), unsafe_allow_html=True)
