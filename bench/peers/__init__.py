"""Three small Streamlit apps a user could write instead of the dashboard (``python -m bench
browser`` drives them beside ours): plain folium markers, folium's FastMarkerCluster, and
Streamlit's own ``st.pydeck_chart``. They share :mod:`bench.peers.common`: the same events, the
same date slider and the same windows as the dashboard.
"""
