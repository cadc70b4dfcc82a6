"""The map: a base map that never changes across reruns, and the view's layers on top.

The base (background, country and governorate outlines) is rebuilt identically each run, so
``st_folium`` keeps its component key and the browser keeps its map, pan and zoom. The date's
layers come from the layer registry (``layers.registry``) and go through
``feature_group_to_add`` (engineering notes §1.5). The map reports its zoom, bounds and centre
(debounced by streamlit-folium); ``ui.state`` cleans that report into the next run's
``MapView``.
"""

from __future__ import annotations

import folium
from streamlit_folium import st_folium

from layers import assets, registry
from layers.base import build_base_map
from layers.control import publish_record
from ui import state
from view.run import RunView


def base_map(view: RunView, tiles: str) -> folium.Map:
    """The date-independent map. The control record is named in it (the browser fetches the
    file once) whether or not its layers are on, so switching them keeps the same map."""
    boundaries = view.catalog.boundaries if view.shows("boundaries") else None
    record = publish_record(view.catalog.control, view.catalog.boundaries, assets.STATIC,
                            assets.LOCAL_PREFIX)
    return build_base_map(boundaries, tiles=tiles, extras=(record,) if record else ())


def draw_map(m: folium.Map, groups: list[folium.FeatureGroup], *, height: int) -> None:
    """Draw the map with the view's groups and keep what it reports in the page state."""
    center, zoom = state.map_command()
    out = st_folium(
        m,
        key=state.MAP,
        height=height,
        use_container_width=True,
        feature_group_to_add=groups,
        returned_objects=["zoom", "bounds", "center"],
        center=center,
        zoom=zoom,
        on_change=state.remember_map_change,
    )
    state.remember_map_report(out)


def header_summary(groups: list[folium.FeatureGroup], view: RunView) -> list[str]:
    """What the map draws, in words, for the header: the events layer's line first."""
    lines = registry.summaries(groups)
    return lines if view.shows("events") else ["Events layer off", *lines]
