"""Share and export the current view: the link, a citation, PNG, standalone HTML, CSV, GIF.

Exports are rendered only when their button is pressed (``st.download_button`` with a
callable): a rerun of the clock never pays for them. What they draw is built in ``exports/``
from the run's view (``exports.view``); this module only lays out the buttons.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import partial
from urllib.parse import urlencode

import streamlit as st

from exports.csv import events_csv
from exports.gif import date_steps, render_gif
from exports.html import render_standalone_html
from exports.png import render_png
from exports.view import APP_TITLE, export_view, standalone_map
from layers import registry
from layers.legend import legend_html
from sources.schema import FACTIONS
from view.clock import format_day
from view.run import RunView
from view.url_state import to_query


def view_link(view: RunView) -> str:
    """The absolute link that reopens this view."""
    base = str(st.context.url or "").split("?")[0]
    if not base.endswith("/"):
        base += "/"  # http://host:8501/?date=… rather than http://host:8501?date=…
    return f"{base}?{urlencode(to_query(view.state, registry.LAYER_KEYS))}"


def citation(view: RunView, link: str) -> str:
    """A citation of the view: what it shows, from which datasets, with which filters."""
    state = view.state
    datasets = "; ".join(f"{name} ({n:,} events loaded)"
                         for name, n in view.catalog.dataset_counts.items())
    factions = ("events involving " + " or ".join(FACTIONS.get(f, f) for f in state.factions)
                if state.factions else "all factions")
    today = datetime.now(UTC).date().isoformat()
    return (
        f"{APP_TITLE}, view of {view.clock.describe()}; filters: {factions}; layers: "
        f"{', '.join(state.layers)}. Event data: {datasets}. Milestones and de-escalation "
        f"zones (approximate outlines): conflict-map project, data/SOURCES.md. Boundaries: "
        f"OCHA COD-AB. Retrieved {today}. {link}"
    )


def share_and_export(view: RunView) -> None:
    """The "Share and export" panel under the map."""
    link = view_link(view)
    with st.expander("Share and export this view", expanded=False):
        st.markdown("**Link to this view** (copy with the icon on the right)")
        st.code(link, language=None, wrap_lines=True)
        st.markdown("**Cite this view**")
        st.code(citation(view, link), language=None, wrap_lines=True)

        # Built only when a button is pressed: a window can hold a million events.
        stamp = view.clock.day.isoformat()
        c1, c2, c3 = st.columns(3)
        c1.download_button("Download PNG (1920 px)", data=partial(_png, view),
                           file_name=f"syria-conflict-map-{stamp}.png", mime="image/png",
                           key="export_png", on_click="ignore")
        c2.download_button(
            "Download HTML (works offline)", data=partial(_standalone_html, view),
            file_name=f"syria-conflict-map-{stamp}.html", mime="text/html",
            key="export_html", on_click="ignore")
        c3.download_button(f"Download CSV ({len(view.rows):,} events)",
                           data=partial(_csv, view),
                           file_name=f"syria-conflict-events-{stamp}.csv", mime="text/csv",
                           key="export_csv", on_click="ignore")
        _gif_controls(view)


def _gif_controls(view: RunView) -> None:
    span, clock = view.catalog.span, view.clock
    st.markdown("**Animated GIF of a date range** (for slides)")
    g1, g2, g3 = st.columns(3)
    start = g1.date_input("From", value=max(span[0], clock.start), min_value=span[0],
                          max_value=span[1], key="gif_from", format="YYYY-MM-DD")
    end = g2.date_input("To", value=clock.day, min_value=span[0], max_value=span[1],
                        key="gif_to", format="YYYY-MM-DD")
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
            data=partial(_gif, view, days),
            file_name=f"syria-conflict-map-{start.isoformat()}-{end.isoformat()}.gif",
            mime="image/gif", key="export_gif", on_click="ignore")


def _png(view: RunView) -> bytes:
    return render_png(export_view(view))


def _csv(view: RunView) -> bytes:
    return events_csv(export_view(view).events)


def _gif(view: RunView, days: list[date]) -> bytes:
    # Each frame is the view moved to its day: same window length, filters and layers.
    return render_gif([export_view(view.on_day(day), caption=format_day(day))
                       for day in days])


def _standalone_html(view: RunView) -> str:
    legend = legend_html(registry.legend_items(view, exported_only=True), title="Legend")
    return render_standalone_html(standalone_map(view), title=APP_TITLE, day=view.clock.day,
                                  legend_html=legend, caption=view.caption)
