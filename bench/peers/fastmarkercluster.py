"""Peer 2, folium's ``FastMarkerCluster``: the window's points clustered in the browser by
Leaflet.markercluster, a new map every run, shown with ``st_folium``.

The plugin's default callback draws ``L.AwesomeMarkers`` icons, which need awesome-markers,
Font Awesome and Bootstrap from CDNs; this one draws a small circle marker (as the plain folium
peer does) for each point left unclustered. The clustering, which is what is measured, is the
plugin's own.
"""

from __future__ import annotations

import streamlit as st
from folium.plugins import FastMarkerCluster
from streamlit_folium import st_folium

from bench.peers import common, markercluster_assets
from layers import assets

CALLBACK = """function (row) {
    return L.circleMarker(new L.LatLng(row[0], row[1]),
        {radius: 4, color: "#b2182b", weight: 1, fillOpacity: 0.6});
}"""

assets.install()
rows, day, window, map_col = common.page("Peer: FastMarkerCluster")
if problem := markercluster_assets.problem():
    st.error(problem)
    st.stop()
with map_col:
    m = common.folium_map()
    FastMarkerCluster(rows[["latitude", "longitude"]].to_numpy().tolist(),
                      callback=CALLBACK).add_to(m)
    st_folium(m, key="map", height=common.MAP_HEIGHT, use_container_width=True)
