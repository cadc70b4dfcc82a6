"""Share and export the current view: the link, a citation, PNG, standalone HTML, CSV, GIF.

Exports are rendered only when their button is pressed (``st.download_button`` with a
callable): a rerun of the clock never pays for them. The callables close over plain data,
because Streamlit calls them outside the script run.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from functools import partial
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import streamlit as st

from exports.csv import events_csv
from exports.gif import date_steps, render_gif
from exports.html import render_standalone_html
from exports.model import ExportView, bbox_around
from exports.png import render_png
from layers.legend import legend_html
from sources.schema import FACTIONS
from ui.catalog import Catalog
from view.areas import areas_on
from view.clock import Clock, format_day, milestones_in_view
from view.event_index import FACTION_KEYS
from view.url_state import ViewState, to_query

APP_TITLE = "Syria conflict map"


def view_link(state: ViewState) -> str:
    """The absolute link that reopens this view."""
    base = str(st.context.url or "").split("?")[0]
    if not base.endswith("/"):
        base += "/"  # http://host:8501/?date=… rather than http://host:8501?date=…
    return f"{base}?{urlencode(to_query(state))}"


def citation(catalog: Catalog, clock: Clock, state: ViewState, link: str) -> str:
    """A citation of the view: what it shows, from which datasets, with which filters."""
    datasets = "; ".join(f"{name} ({n:,} events loaded)"
                         for name, n in catalog.dataset_counts.items())
    factions = ("events involving " + " or ".join(FACTIONS.get(f, f) for f in state.factions)
                if state.factions else "all factions")
    today = datetime.now(UTC).date().isoformat()
    return (
        f"{APP_TITLE}, view of {clock.describe()}; filters: {factions}; layers: "
        f"{', '.join(state.layers)}. Event data: {datasets}. Milestones and de-escalation "
        f"zones (approximate outlines): conflict-map project, data/SOURCES.md. Boundaries: "
        f"OCHA COD-AB. Retrieved {today}. {link}"
    )


def _export_view(catalog: Catalog, clock: Clock, rows: np.ndarray, state: ViewState,
                 caption: str) -> ExportView:
    """The view as the exports draw it: the events of ``rows`` and, for the clock's day, the
    areas in force and the milestones in the window, each only when its layer is on."""
    layers = set(state.layers)
    events = catalog.index.rows(rows if "events" in layers else rows[:0])
    principal = catalog.index.principal[rows if "events" in layers else rows[:0]]
    zones = areas_on(catalog.areas, pd.Timestamp(clock.day))
    milestones = milestones_in_view(catalog.milestones, clock)
    center, zoom = state.center, state.zoom
    view = ExportView(
        title=APP_TITLE,
        day=clock.day,
        window_label=clock.describe(),
        events=events,
        principal_faction=_principal_series(events.index, principal),
        zones=zones if "zones" in layers else zones.iloc[0:0],
        milestones=milestones if "milestones" in layers else milestones.iloc[0:0],
        caption=caption,
        source_line="Events: " + "; ".join(catalog.datasets)
        + " · Boundaries: OCHA COD-AB · Zones: approximate",
        boundaries=catalog.boundaries if "boundaries" in layers else None,
    )
    return replace(view, bbox=bbox_around(center, zoom)) if center and zoom else view


def _principal_series(index, codes) -> pd.Series:
    return pd.Series(np.asarray(FACTION_KEYS, dtype=object)[codes], index=index)


def share_and_export(catalog: Catalog, clock: Clock, rows: np.ndarray, caption: str,
                     state: ViewState, make_map) -> None:
    """The "Share and export" panel under the map."""
    link = view_link(state)
    with st.expander("Share and export this view", expanded=False):
        st.markdown("**Link to this view** (copy with the icon on the right)")
        st.code(link, language=None, wrap_lines=True)
        st.markdown("**Cite this view**")
        st.code(citation(catalog, clock, state, link), language=None, wrap_lines=True)

        # Built only when a button is pressed: a window can hold a million events.
        make_view = partial(_export_view, catalog, clock, rows, state, caption)
        stamp = clock.day.isoformat()
        c1, c2, c3 = st.columns(3)
        c1.download_button("Download PNG (1920 px)", data=partial(_png, make_view),
                           file_name=f"syria-conflict-map-{stamp}.png", mime="image/png",
                           key="export_png", on_click="ignore")
        present = np.unique(catalog.index.principal[rows])
        legend = legend_html([FACTION_KEYS[c] for c in present] or list(FACTION_KEYS))
        c2.download_button(
            "Download HTML (works offline)",
            data=partial(_standalone_html, make_map, clock.day, legend, caption),
            file_name=f"syria-conflict-map-{stamp}.html", mime="text/html",
            key="export_html", on_click="ignore")
        c3.download_button(f"Download CSV ({len(rows):,} events)",
                           data=partial(_csv, make_view),
                           file_name=f"syria-conflict-events-{stamp}.csv", mime="text/csv",
                           key="export_csv", on_click="ignore")

        st.markdown("**Animated GIF of a date range** (for slides)")
        g1, g2, g3 = st.columns(3)
        start = g1.date_input("From", value=max(catalog.span[0], clock.start),
                              min_value=catalog.span[0], max_value=catalog.span[1],
                              key="gif_from", format="YYYY-MM-DD")
        end = g2.date_input("To", value=clock.day, min_value=catalog.span[0],
                            max_value=catalog.span[1], key="gif_to", format="YYYY-MM-DD")
        step = g3.selectbox("Step", ["day", "week", "month"], index=1, key="gif_step")
        days = date_steps(start, end, step) if start <= end else []
        if not days:
            st.warning("Pick a 'From' date on or before the 'To' date.")
        elif len(days) > 120:
            st.warning(f"{len(days)} frames is too many for a slide; pick a longer step or a "
                       "shorter range (at most 120 frames).")
        else:
            st.download_button(
                f"Download GIF ({len(days)} frames, {step} steps)",
                data=partial(_gif, catalog, clock, days, state),
                file_name=f"syria-conflict-map-{start.isoformat()}-{end.isoformat()}.gif",
                mime="image/gif", key="export_gif", on_click="ignore")


def _png(make_view) -> bytes:
    return render_png(make_view())


def _csv(make_view) -> bytes:
    return events_csv(make_view().events)


def _gif(catalog: Catalog, clock: Clock, days: list[date], state: ViewState) -> bytes:
    return render_gif([_frame(catalog, clock, day, state) for day in days])


def _frame(catalog: Catalog, clock: Clock, day: date, state: ViewState) -> ExportView:
    """The view moved to ``day``: same window length, filters and layers; that day's events,
    areas in force and milestones."""
    moved = Clock(day, clock.window, clock.span_start, clock.span_end)
    rows = catalog.index.window(moved.start, moved.end, factions=state.factions or None)
    return _export_view(catalog, moved, rows, state, caption=format_day(day))


def _standalone_html(make_map, day: date, legend: str, caption: str) -> str:
    return render_standalone_html(make_map(), title=APP_TITLE, day=day, legend_html=legend,
                                  caption=caption)
