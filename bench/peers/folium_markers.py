"""Peer 1, plain folium: one ``folium.CircleMarker`` with a ``folium.Popup`` per event of the
window, a new map every run, shown with ``st_folium`` (as the streamlit-folium README does).

Above :data:`MAX_MARKERS` it draws nothing and says so: the benchmark reports such a window as
"did not finish" rather than waiting minutes for a page that would not load.
"""

from __future__ import annotations

import folium
import streamlit as st
from streamlit_folium import st_folium

from bench.peers import common
from layers import assets
from layers.escape import html_text

MAX_MARKERS = 20_000

assets.install()  # Leaflet and jQuery from static/vendor/, never from a CDN
rows, day, window, map_col = common.page("Peer: folium markers")
with map_col:
    if len(rows) > MAX_MARKERS:
        st.error(f"did not finish: {len(rows):,} markers (this peer stops at "
                 f"{MAX_MARKERS:,})")
        st.stop()
    m = common.folium_map()
    for event in rows[["latitude", "longitude", "date_start", "actor1", "actor2",
                       "fatalities_best", "place"]].itertuples(index=False):
        text = (f"{event.date_start:%Y-%m-%d} {html_text(event.place)}: "
                f"{html_text(event.actor1)} – {html_text(event.actor2)}, "
                f"{html_text(event.fatalities_best)} deaths")
        folium.CircleMarker(
            (event.latitude, event.longitude), radius=4, color="#b2182b", weight=1,
            fill=True, fill_opacity=0.6, popup=folium.Popup(text, max_width=300),
        ).add_to(m)
    st_folium(m, key="map", height=common.MAP_HEIGHT, use_container_width=True)
