"""The map: a base map that never changes across reruns, and the date's layers on top.

The base (background, country and governorate outlines) is rebuilt identically each run, so
``st_folium`` keeps its component key and the browser keeps its map, pan and zoom. Events,
zones and milestone pins go through ``feature_group_to_add`` (engineering notes §1.5). The map
returns its zoom, bounds and centre (debounced by streamlit-folium) so that events are
aggregated for the view, and the link reproduces it.
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
import numpy as np
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from layers import events as events_layer
from layers import milestones as milestones_layer
from layers import zones as zones_layer
from layers.base import DEFAULT_ZOOM, SYRIA_CENTRE, build_base_map
from ui.catalog import Catalog
from view.areas import areas_on
from view.clock import Clock, milestones_in_view


@dataclass
class MapLayers:
    """The date's layers, built before drawing so exports can reuse them."""

    groups: list[folium.FeatureGroup]
    summary: str  # what the events layer draws, in words
    zones: pd.DataFrame  # areas in force, with their state


def build_layers(catalog: Catalog, clock: Clock, rows: np.ndarray, layers: list[str],
                 zoom: int, bounds) -> MapLayers:
    groups: list[folium.FeatureGroup] = []
    summary = "Events layer off"
    zones = areas_on(catalog.areas, pd.Timestamp(clock.day))
    if "zones" in layers:
        groups.append(zones_layer.build(zones))
    if "events" in layers:
        group, summary = events_layer.build(catalog.index, rows, zoom=zoom, bounds=bounds)
        groups.append(group)
    if "milestones" in layers:
        groups.append(milestones_layer.build(milestones_in_view(catalog.milestones, clock)))
    return MapLayers(groups, summary, zones)


def base_map(catalog: Catalog, layers: list[str], tiles: str) -> folium.Map:
    boundaries = catalog.boundaries if "boundaries" in layers else None
    return build_base_map(boundaries, tiles=tiles)


def draw_map(m: folium.Map, built: MapLayers, *, height: int) -> None:
    """Draw the map and keep what it reports (zoom, bounds, centre) in session state."""
    ss = st.session_state
    command = ss.get("map_command") or (None, None)
    out = st_folium(
        m,
        key="map",
        height=height,
        use_container_width=True,
        feature_group_to_add=built.groups,
        returned_objects=["zoom", "bounds", "center"],
        center=command[0],
        zoom=command[1],
        on_change=_view_changed,
    )
    _remember_view(out or {})


def _view_changed() -> None:
    # Runs before the rerun that the map's report starts (streamlit-folium has already put the
    # report in session state), so that rerun builds the events for the *new* zoom and bounds.
    _remember_view(st.session_state.get("map") or {})


def _remember_view(out: dict) -> None:
    """Keep the map's reported view (for the link and for aggregating events by zoom)."""
    ss = st.session_state
    zoom, center, bounds = out.get("zoom"), out.get("center"), out.get("bounds")
    if not (isinstance(zoom, int | float) and isinstance(center, dict)
            and center.get("lat") is not None):
        return  # no report yet (or AppTest, which has no browser)
    view = ((round(center["lat"], 4), round(center["lng"], 4)), int(zoom))
    # The opening view, within a hundredth of a degree: the centre a map reports depends on
    # its pixel size (it rounds to whole pixels), so it is never exactly SYRIA_CENTRE.
    at_opening = view[1] == DEFAULT_ZOOM and all(
        abs(a - b) < 0.01 for a, b in zip(view[0], SYRIA_CENTRE, strict=True))
    if at_opening:
        if ss.get("map_command"):
            return  # the map's first report, sent before it moved to the view asked for
        ss["map_view"] = (None, None)  # the default view: kept out of the link
    else:
        ss["map_view"] = view
    ss["map_zoom"] = int(zoom)
    if isinstance(bounds, dict) and (bounds.get("_southWest") or {}).get("lat") is not None:
        ss["map_bounds"] = bounds


def current_zoom() -> int:
    ss = st.session_state
    command = ss.get("map_command") or (None, None)
    return int(ss.get("map_zoom") or command[1] or DEFAULT_ZOOM)


def standalone_map(catalog: Catalog, clock: Clock, rows: np.ndarray, layers: list[str],
                   zoom: int, bounds) -> folium.Map:
    """A fresh map with the date's layers on it, for the standalone HTML export (no tiles:
    the file must work offline)."""
    m = base_map(catalog, layers, "none")
    for group in build_layers(catalog, clock, rows, layers, zoom, bounds).groups:
        group.add_to(m)
    return m
