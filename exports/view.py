"""The export of a run's view: what the PNG, GIF, CSV and standalone HTML draw.

Built from the :class:`view.run.RunView` of the run (the same object the map and the panels
read) and the layer registry, so an export shows exactly the layers that are switched on,
with the legend the page shows. Pure: no Streamlit.
"""

from __future__ import annotations

import folium
import numpy as np
import pandas as pd

from exports.model import ExportView, bbox_around
from layers import registry
from layers.base import build_base_map
from layers.control import inline_record
from view.event_index import FACTION_KEYS
from view.run import RunView, state_shows_control

APP_TITLE = "Syria conflict map"


def export_view(view: RunView, *, title: str = APP_TITLE, caption: str | None = None
                ) -> ExportView:
    """The view as the exports draw it: the events of the window, the areas in force and the
    milestones in the window, each only when its layer is on; the view's legend."""
    catalog = view.catalog
    rows = view.rows if view.shows("events") else view.rows[:0]
    events = catalog.index.rows(rows)
    principal = pd.Series(np.asarray(FACTION_KEYS, dtype=object)[catalog.index.principal[rows]],
                          index=events.index)
    center, zoom = view.state.center, view.state.zoom
    export = ExportView(
        title=title,
        day=view.clock.day,
        window_label=view.clock.describe(),
        events=events,
        principal_faction=principal,
        zones=view.areas if view.shows("zones") else view.areas.iloc[0:0],
        milestones=view.milestones if view.shows("milestones") else view.milestones.iloc[0:0],
        caption=view.caption if caption is None else caption,
        source_line="Events: " + "; ".join(shown_datasets(view))
        + " · Boundaries: OCHA COD-AB · Zones: approximate",
        boundaries=catalog.boundaries if view.shows("boundaries") else None,
        legend=registry.legend_items(view, exported_only=True),
    )
    if view.shows("control") and len(view.control_state):
        export.control_places = view.control_state
    subdistricts = getattr(catalog.boundaries, "subdistricts", None)
    if view.shows("control_areas") and subdistricts is not None:
        shaded = subdistricts[["adm3_pcode", "geometry"]].merge(
            view.control_shading, left_on="adm3_pcode", right_on="admin3_pcode")
        export.control_areas = shaded
    if center and zoom:
        export.bbox = bbox_around(center, zoom)
    return export


def shown_datasets(view: RunView) -> list[str]:
    """The source datasets the view draws events of: all loaded, less those whose every
    event is in a stored file the view hides (the link's ``hide=``)."""
    shown = view.catalog.stored.shown_datasets(view.state.hidden) if view.state.hidden else None
    return view.catalog.datasets if shown is None else sorted(shown)


def standalone_map(view: RunView) -> folium.Map:
    """A fresh map with the view's exported layers on it, for the standalone HTML export (no
    tiles: the file must work offline)."""
    boundaries = view.catalog.boundaries if view.shows("boundaries") else None
    # The record inside the file itself (the export must work opened from disk), and only when
    # a control layer is drawn: it is most of the file's size.
    record = (inline_record(view.catalog.control, view.catalog.boundaries)
              if state_shows_control(view.state) else None)
    m = build_base_map(boundaries, tiles="none", extras=(record,) if record else ())
    for group in registry.build_groups(view, exported_only=True):
        group.add_to(m)
    return m
