"""Share and export the current view: the link, a citation, PNG, standalone HTML, CSV, GIF.

Exports are rendered only when their button is pressed (``st.download_button`` with a
callable): a rerun of the clock never pays for them. What they draw is built in ``exports/``
from the run's view (``exports.view``); this module only lays out the buttons.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from urllib.parse import urlencode

import streamlit as st

from exports.csv import events_csv
from exports.gif import date_steps, render_gif
from exports.html import render_standalone_html
from exports.png import render_png
from exports.view import APP_TITLE, export_view, shown_datasets, standalone_map
from layers import registry
from layers.legend import legend_html
from sources.schema import FACTIONS
from view.clock import format_day
from view.map_view import MapView
from view.run import RunView, build_run_view
from view.url_state import ViewState, to_query


def view_link(view: RunView) -> str:
    """The absolute link that reopens this view."""
    base = str(st.context.url or "").split("?")[0]
    if not base.endswith("/"):
        base += "/"  # http://host:8501/?date=… rather than http://host:8501?date=…
    return f"{base}?{urlencode(to_query(view.state, registry.LAYER_KEYS))}"


def citation(view: RunView, link: str) -> str:
    """A citation of the view: what it shows, from which datasets, with which filters."""
    state = view.state
    shown = set(shown_datasets(view))  # less the stored datasets the view hides
    datasets = "; ".join(f"{name} ({n:,} events loaded)"
                         for name, n in view.catalog.dataset_counts.items() if name in shown)
    if view.state.hidden:
        datasets += f" (stored datasets hidden from this view: {', '.join(view.state.hidden)})"
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
        job = _ViewJob.of(view)  # not the view itself: see _ViewJob
        c1.download_button("Download PNG (1920 px)", data=partial(_png, job),
                           file_name=f"syria-conflict-map-{stamp}.png", mime="image/png",
                           key="export_png", on_click="ignore")
        c2.download_button(
            "Download HTML (works offline)", data=partial(_standalone_html, job),
            file_name=f"syria-conflict-map-{stamp}.html", mime="text/html",
            key="export_html", on_click="ignore")
        c3.download_button(f"Download CSV ({len(view.rows):,} events)",
                           data=partial(_csv, job),
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
            data=partial(_gif, _ViewJob.of(view), days),
            file_name=f"syria-conflict-map-{start.isoformat()}-{end.isoformat()}.gif",
            mime="image/gif", key="export_gif", on_click="ignore")


@dataclass(frozen=True)
class _ViewJob:
    """What a deferred download needs to rebuild its view when the button is pressed.

    Streamlit keeps a session's download callables after the session has gone (an expired
    session is dropped without being shut down), so a callable holding the run's view would
    keep its rows -- and, through it, a catalog the cache has since replaced -- for the life
    of the server. This holds the view state and the map's position (a few hundred bytes)
    and only a weak reference to the shared catalog.
    """

    catalog: weakref.ref
    state: ViewState
    map: MapView

    @classmethod
    def of(cls, view: RunView) -> _ViewJob:
        return cls(weakref.ref(view.catalog), view.state, view.map)

    def view(self) -> RunView:
        catalog = self.catalog()
        if catalog is None:  # new data was loaded since the page was drawn
            raise RuntimeError("The data changed since this page was drawn: reload the page "
                               "and export again.")
        return build_run_view(catalog, self.state, self.map)


def _png(job: _ViewJob) -> bytes:
    return render_png(export_view(job.view()))


def _csv(job: _ViewJob) -> bytes:
    return events_csv(export_view(job.view()).events)


def _gif(job: _ViewJob, days: list[date]) -> bytes:
    # Each frame is the view moved to its day: same window length, filters and layers.
    view = job.view()
    return render_gif([export_view(view.on_day(day), caption=format_day(day))
                       for day in days])


def _standalone_html(job: _ViewJob) -> str:
    view = job.view()
    legend = legend_html(registry.legend_items(view, exported_only=True), title="Legend")
    return render_standalone_html(standalone_map(view), title=APP_TITLE, day=view.clock.day,
                                  legend_html=legend, caption=view.caption)
