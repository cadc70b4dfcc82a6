"""Test-only Streamlit app: the events layer (our canvas layer) under st_folium.

Mode "singles" draws a handful of single events at known places: three big ones far apart
(a circle, a square and a ring, for pixel checks of the shapes), one carrying a hostile
payload in every text field with a ``javascript:`` link, and one with a real https link.
Mode "cells" draws many events as grid cells (``max_points`` set low).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from layers import assets
from layers import events as events_layer
from layers.base import build_base_map
from sources.schema import DTYPES
from view.event_index import EventIndex

EVIL = "</script><img src=x onerror=alert(1)>${alert(2)}`);alert(3);// \\`"
# (event_id, lat, lon, faction1, faction2, deaths, text, url)
SINGLES = [
    ("circle", 35.0, 37.0, "government", "government", 100, "Government shelling", ""),
    ("square", 35.0, 39.0, "opposition", "government", 100, "Opposition attack", ""),
    ("ring", 33.6, 38.0, "civilians", "civilians", 100, "Civilians", ""),
    ("evil", 36.6, 40.6, "is", "sdf", 0, EVIL, "javascript:alert(4)"),
    ("linked", 33.0, 36.3, "sdf", "is", 3, "Linked event", "https://example.org/report?id=1"),
]

assets.install()
st.set_page_config(page_title="Events demo", layout="wide")


def _frame(rows: list[dict]) -> pd.DataFrame:
    base = {"source_dataset": "DEMO", "place_precision": "exact", "date_precision": "day",
            "governorate": "Idleb", "source": "demo", "notes": ""}
    frame = pd.DataFrame([{**base, **r} for r in rows])
    for column in ("date_start", "date_end"):
        frame[column] = pd.to_datetime(frame[column])
    return frame[list(DTYPES)].astype(DTYPES)


@st.cache_resource
def singles_index() -> EventIndex:
    rows = [
        {"event_id": eid, "date_start": "2017-06-01", "date_end": "2017-06-01",
         "latitude": lat, "longitude": lon, "faction1": f1, "faction2": f2,
         "fatalities_low": deaths, "fatalities_best": deaths, "fatalities_high": deaths,
         "event_type": text, "actor1": text, "actor2": text, "place": text, "notes": text,
         "source": text, "source_url": url}
        for eid, lat, lon, f1, f2, deaths, text, url in SINGLES
    ]
    return EventIndex.from_events(_frame(rows))


@st.cache_resource
def cells_index() -> EventIndex:
    rng = np.random.default_rng(0)
    n = 3000
    rows = [
        {"event_id": f"c{i}", "date_start": "2017-06-01", "date_end": "2017-06-01",
         "latitude": float(lat), "longitude": float(lon), "faction1": "opposition",
         "faction2": "government", "fatalities_low": 1, "fatalities_best": 1,
         "fatalities_high": 1, "event_type": "t", "actor1": "a", "actor2": "b", "place": "p",
         "source_url": ""}
        for i, (lat, lon) in enumerate(zip(rng.normal(35.0, 0.3, n), rng.normal(37.5, 0.4, n),
                                           strict=True))
    ]
    return EventIndex.from_events(_frame(rows))


mode = st.radio("Mode", ("singles", "cells"), key="mode", horizontal=True)
idx = singles_index() if mode == "singles" else cells_index()
rows = idx.window("2017-06-01", "2017-06-01")
fg, summary = events_layer.draw(idx, rows, zoom=7, max_points=100)
st.write(summary)
st_folium(
    build_base_map(None),
    key="events_map",
    center=(34.8, 38.5),
    zoom=7,
    feature_group_to_add=[fg],
    returned_objects=[],
    height=760,
    use_container_width=True,
)
