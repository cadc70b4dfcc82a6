"""What the peer apps share: the events, the date slider, the window and the page layout.

The events are the dashboard's: every import in the store named by ``BENCH_PEER_STORE`` (the
benchmark imports the file into it once with the project's loader) plus the shipped key events,
read with the project's readers. The slider steps one day, like the dashboard's, and the window
is trailing and inclusive (ARCHITECTURE.md, the clock): an event is in it when its
``[date_start, date_end]`` overlaps it. The page has a sidebar and the map in the same column
as the dashboard's, so every app draws a map of the same size.

``?date=YYYY-MM-DD&window=NAME`` sets the first value of the slider and the window (the
benchmark opens each app on the same day).
"""

from __future__ import annotations

import datetime as dt
import os

import pandas as pd
import streamlit as st

WINDOW_DAYS: dict[str, int | None] = {"week": 7, "quarter": 91, "all": None}
MAP_HEIGHT = 640  # the dashboard's map height (ui/map_panel.py via app.py)
SYRIA_CENTRE = (34.9, 38.1)  # view/map_view.py
ZOOM = 7
MAX_ZOOM = 13  # view/map_view.py
STORE_ENV = "BENCH_PEER_STORE"


@st.cache_resource(show_spinner="Loading events…")
def load_events(store_dir: str) -> pd.DataFrame:
    """The store's events and the shipped key events, as one canonical table by date."""
    from sources import store
    from sources.catalog import KEY_EVENTS
    from sources.load import read_events_file

    key_events = read_events_file(KEY_EVENTS).events
    events = pd.concat([store.load_all(store_dir), key_events], ignore_index=True)
    events = events.dropna(subset=["latitude", "longitude"])
    # An end before the start counts as the start day (the clock's rule).
    events["date_end"] = events["date_end"].fillna(events["date_start"])
    events["date_end"] = events[["date_start", "date_end"]].max(axis=1)
    return events.sort_values("date_start", kind="stable", ignore_index=True)


def window_rows(events: pd.DataFrame, day: dt.date, window: str) -> pd.DataFrame:
    """Events whose ``[date_start, date_end]`` overlaps the window ending on ``day``."""
    last = pd.Timestamp(day)
    days = WINDOW_DAYS[window]
    mask = events["date_start"] <= last
    if days is not None:
        mask &= events["date_end"] >= last - pd.Timedelta(days=days - 1)
    return events[mask]


def folium_map():
    """The folium map both folium peers draw on: no tiles (nothing from the network), the
    dashboard's centre and zoom. Without a tile layer Leaflet has no ``maxZoom``, which
    Leaflet.markercluster needs; a tile layer would give it, so the map's options carry it."""
    import folium

    m = folium.Map(location=SYRIA_CENTRE, zoom_start=ZOOM, tiles=None)
    m.options.update({"max_zoom": MAX_ZOOM})
    return m


def _initial(span: tuple[dt.date, dt.date]) -> None:
    """Slider and window from the link, once per session."""
    if "day" in st.session_state:
        return
    try:
        day = dt.date.fromisoformat(st.query_params.get("date", ""))
    except ValueError:
        day = span[1]
    st.session_state["day"] = min(max(day, span[0]), span[1])
    window = st.query_params.get("window", "week")
    st.session_state["window"] = window if window in WINDOW_DAYS else "week"


def page(title: str) -> tuple[pd.DataFrame, dt.date, str, object]:
    """Lay out the page; return the events of the window, the day, the window and the map's
    column (the caller draws its map inside it)."""
    st.set_page_config(page_title=title, layout="wide", initial_sidebar_state="expanded")
    store_dir = os.environ.get(STORE_ENV)
    if not store_dir:
        st.error(f"{STORE_ENV} is not set: run this app through `python -m bench browser`.")
        st.stop()
    events = load_events(store_dir)
    span = (events["date_start"].min().date(), events["date_start"].max().date())
    _initial(span)
    with st.sidebar:
        st.title(title)
        window = st.selectbox("Window", list(WINDOW_DAYS), key="window")
    day = st.slider("Date", min_value=span[0], max_value=span[1], key="day",
                    format="D MMM YYYY")
    rows = window_rows(events, day, window)
    st.markdown(f"**{day:%-d %b %Y}**, window {window}: {len(rows):,} events")
    map_col, _side = st.columns([3, 1.25])
    return rows, day, window, map_col
