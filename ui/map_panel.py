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
import numpy as np
from streamlit_folium import st_folium

from layers import assets, registry
from layers.base import build_base_map
from layers.control import publish_record
from layers.event_clock import publish_slabs
from ui import state
from view.run import RunView, shown_rows


def base_map(view: RunView, tiles: str) -> folium.Map:
    """The date-independent map. The control record is named in it (the browser fetches the
    file once) whether or not its layers are on, so switching them keeps the same map."""
    boundaries = view.catalog.boundaries if view.shows("boundaries") else None
    record = publish_record(view.catalog.control, view.catalog.boundaries, assets.STATIC,
                            assets.LOCAL_PREFIX)
    return build_base_map(boundaries, tiles=tiles, extras=(record,) if record else ())


def event_slabs(view: RunView) -> tuple[str, np.ndarray] | None:
    """Publish the events as binary slabs for the map's own clock (once per catalog: files
    named by their content) and return the manifest's URL and the slabs' rows; None when the
    events layer is off (the server then draws, and plays, as before)."""
    if not view.shows("events"):
        return None
    hidden = view.state.hidden  # the hidden stored datasets' events are not sent at all
    url, slabs = publish_slabs(view.catalog.index, shown_rows(view.catalog, hidden),
                               ("hidden", *hidden), assets.STATIC, assets.LOCAL_PREFIX)
    return url, slabs.rows


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
