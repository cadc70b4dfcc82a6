"""Peer 3, Streamlit's built-in ``st.pydeck_chart`` with one deck.gl ``ScatterplotLayer`` of
the window's events. No basemap, so nothing is fetched from the network: ``map_style=None`` would
not do that (Streamlit then picks a CARTO basemap from its CDN for the theme);
``map_provider=None`` with pydeck's default ``map_style`` (the ``"__MAP_STYLE__"`` placeholder,
which Streamlit drops) draws none. deck.gl itself is part of Streamlit's front end.
"""

from __future__ import annotations

import pydeck as pdk
import streamlit as st

from bench.peers import common

rows, day, window, map_col = common.page("Peer: pydeck ScatterplotLayer")
with map_col:
    layer = pdk.Layer(
        "ScatterplotLayer",
        data=rows[["longitude", "latitude"]],
        get_position="[longitude, latitude]",
        get_fill_color=[178, 24, 43, 160],
        get_radius=2500,
        radius_min_pixels=2,
        pickable=True,
    )
    view = pdk.ViewState(latitude=common.SYRIA_CENTRE[0], longitude=common.SYRIA_CENTRE[1],
                         zoom=common.ZOOM - 1)
    st.pydeck_chart(pdk.Deck(layers=[layer], initial_view_state=view, map_provider=None),
                    height=common.MAP_HEIGHT)
