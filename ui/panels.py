"""Beside and below the map: the legend, counts by faction and governorate, the timeline."""

from __future__ import annotations

import weakref
from datetime import date

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from layers import registry
from layers.legend import legend_html
from layers.palette import controller_label, controller_style
from sources.control import CONTROLLERS
from ui import state
from view.clock import Clock, format_day
from view.control import ControlRecord
from view.event_index import EventIndex
from view.run import RunView
from view.stats import by_governorate, totals


def legend(view: RunView, summary: str) -> None:
    """The legend for what is on the map now: each switched-on layer's items (the factions
    present, largest first; the states of the areas drawn today...), and what cells are when
    events are grouped."""
    st.markdown(legend_html(registry.legend_items(view)), unsafe_allow_html=True)
    if "cells" in summary:
        st.markdown("**Circles with white rings:** cells of many events, coloured by the most "
                    "frequent party, sized by their number; click one (or zoom in) for single "
                    "events.")
    st.caption(
        "Colour and shape: the side other than the government or Russia, or the perpetrator "
        "of an attack on civilians. Zone outlines are approximate."
    )


def statistics(index: EventIndex, rows: np.ndarray, faction_table: pd.DataFrame) -> None:
    """Counts and best-estimate fatalities for the window, by faction and by governorate."""
    events, total_deaths, no_figure = totals(index, rows)
    c1, c2 = st.columns(2)
    c1.metric("Events", f"{events:,}", help="Events in the window")
    c2.metric("Deaths (best est.)", f"{total_deaths:,}",
              help="Best estimates as the sources give them, summed over the events that have "
                   "a figure. An event whose source gives no figure counts as unknown, never "
                   "as 0.")
    if no_figure:
        st.caption(f"{no_figure:,} event(s) have no death figure in the source; the total "
                   "leaves them out.")
    st.markdown("**By principal faction**")
    st.dataframe(
        faction_table.drop(columns="faction").rename(
            columns={"label": "Faction", "events": "Events", "fatalities": "Deaths",
                     "no_figure": "No figure"}),
        hide_index=True, width="stretch", key="stats_faction",
    )
    st.markdown("**By governorate**")
    st.dataframe(
        by_governorate(index, rows).rename(
            columns={"governorate": "Governorate", "events": "Events", "fatalities": "Deaths",
                     "no_figure": "No figure"}),
        hide_index=True, width="stretch", key="stats_governorate",
    )


def timeline(index: EventIndex, milestones: pd.DataFrame, clock: Clock,
             shown: np.ndarray | None = None) -> None:
    """Events per week over the whole span, milestones marked, the current view shaded.

    Blue ticks along the top: milestones; dashed orange lines: claims; the shaded band and the
    black line: the view and its date. ``shown``: only those events (hidden datasets left out).
    """
    key = ("timeline", id(index), id(milestones), None if shown is None else shown.tobytes())
    spec = _cached_spec(key, (index, milestones), lambda: _timeline_spec(index, milestones, shown))
    if spec is None:
        st.info("No events loaded: the timeline is empty.")
        return
    band = [{"start": pd.Timestamp(clock.start).isoformat(),
             "end": pd.Timestamp(clock.end).isoformat()}]
    st.vega_lite_chart(spec=_with_clock(spec, band), width="stretch", key="timeline")
    st.caption("Events per week, all loaded data. Blue ticks: milestones · dashed orange: "
               "claims · shaded band and black line: the view and its date.")


# Specs of the timelines, built (and validated by Altair) once per data: a rerun only sets the
# clock's values in them. Building them with Altair each rerun cost ~150 ms of a step.
_SPECS: dict[tuple, tuple[tuple, dict | None]] = {}


def _cached_spec(key: tuple, owners: tuple, build) -> dict | None:
    known = _SPECS.get(key)
    if known is not None and all(ref() is owner for ref, owner in zip(known[0], owners,
                                                                      strict=True)):
        return known[1]
    for stale in [k for k, (refs, _) in _SPECS.items() if any(r() is None for r in refs)]:
        del _SPECS[stale]
    spec = build()
    _SPECS[key] = (tuple(weakref.ref(o) for o in owners), spec)
    return spec


def _with_clock(spec: dict, values: list[dict]) -> dict:
    """The spec with the clock's layer data (the dataset named "clock")."""
    return {**spec, "datasets": {**spec.get("datasets", {}), "clock": values}}


def _timeline_spec(index: EventIndex, milestones: pd.DataFrame,
                   shown: np.ndarray | None) -> dict | None:
    weekly = index.weekly_counts(shown).rename("events").reset_index()
    if weekly.empty:
        return None
    bars = alt.Chart(weekly).mark_area(color="#5b6770", opacity=0.75).encode(
        x=alt.X("week:T", title=None, axis=alt.Axis(format="%Y", labelFontSize=14)),
        y=alt.Y("events:Q", title="Events per week",
                axis=alt.Axis(labelFontSize=13, titleFontSize=14)),
        tooltip=[alt.Tooltip("week:T", title="Week of", format="%d %b %Y"),
                 alt.Tooltip("events:Q", title="Events")],
    )
    # Milestones as short ticks along the top (dozens of full-height lines would hide the
    # data); claims as full-height dashed lines, since the page is about holding them to it.
    marks = milestones[["date", "title", "category"]]
    ticks = alt.Chart(marks[marks["category"] != "claim"]).mark_rule(
        color="#0072B2", strokeWidth=2).encode(
        x="date:T", y=alt.value(0), y2=alt.value(12),
        tooltip=[alt.Tooltip("date:T", format="%d %b %Y"), "title:N"],
    )
    rules = alt.Chart(marks[marks["category"] == "claim"]).mark_rule(
        color="#D55E00", strokeWidth=1.5, strokeDash=[5, 3]).encode(
        x="date:T", tooltip=[alt.Tooltip("date:T", format="%d %b %Y"), "title:N"],
    )
    clock_data = alt.Data(name="clock")  # the view's band and date: set each rerun
    window = alt.Chart(clock_data).mark_rect(color="#E69F00", opacity=0.25).encode(
        x="start:T", x2="end:T")
    today = alt.Chart(clock_data).mark_rule(color="#000000", strokeWidth=2.5).encode(x="end:T")
    return (bars + window + ticks + rules + today).properties(height=170).to_dict()


def milestone_picker(milestones: pd.DataFrame, span: tuple[date, date]) -> None:
    """Every milestone in a list; picking one moves the clock to its date."""
    options = list(dict.fromkeys(pd.to_datetime(milestones["date"]).dt.date))
    titles: dict[date, list[str]] = {}
    for row in milestones.itertuples(index=False):
        titles.setdefault(pd.Timestamp(row.date).date(), []).append(str(row.title))
    st.selectbox(
        "Jump to a milestone", options, index=None, key=state.MILESTONE_JUMP,
        placeholder=f"{len(milestones)} milestones",
        format_func=lambda d: f"{format_day(d)} — {' / '.join(titles[d])}",
        on_change=state.jump_to_milestone, args=(span,),
    )


def control_timeline(record: ControlRecord, milestones: pd.DataFrame, clock: Clock) -> None:
    """Tracked places held per side, month by month, milestones marked, the date ruled: the
    control record over the whole span, following the clock like the events timeline."""
    key = ("control_timeline", id(record), id(milestones))
    spec = _cached_spec(key, (record, milestones),
                        lambda: _control_timeline_spec(record, milestones))
    if spec is None:
        return
    today = [{"day": pd.Timestamp(clock.day).isoformat()}]
    st.vega_lite_chart(spec=_with_clock(spec, today), width="stretch", key="control_timeline")
    st.caption("Tracked places held by each side on the first of each month (control record, "
               "data/control). Tracked places only: not the area each side held. Black line: "
               "the date; dashed orange: claims.")


def _control_timeline_spec(record: ControlRecord, milestones: pd.DataFrame) -> dict | None:
    held = record.held_over_time()
    if held.empty:
        return None
    keys = [k for k in CONTROLLERS if k in set(held["controller"])]
    held = held.assign(side=held["controller"].map(controller_label))
    colours = alt.Scale(domain=[controller_label(k) for k in keys],
                        range=[controller_style(k).colour for k in keys])
    area = alt.Chart(held).mark_area(opacity=0.85).encode(
        x=alt.X("day:T", title=None, axis=alt.Axis(format="%Y", labelFontSize=14)),
        y=alt.Y("places:Q", stack="zero", title="Tracked places held",
                axis=alt.Axis(labelFontSize=13, titleFontSize=14)),
        color=alt.Color("side:N", scale=colours, title=None,
                        legend=alt.Legend(orient="bottom", labelFontSize=13, columns=4)),
        order=alt.Order("controller:N"),
        tooltip=[alt.Tooltip("day:T", title="Month of", format="%b %Y"), "side:N",
                 alt.Tooltip("places:Q", title="Places")],
    )
    marks = milestones[["date", "title", "category"]]
    claims = alt.Chart(marks[marks["category"] == "claim"]).mark_rule(
        color="#D55E00", strokeWidth=1.5, strokeDash=[5, 3]).encode(
        x="date:T", tooltip=[alt.Tooltip("date:T", format="%d %b %Y"), "title:N"])
    ticks = alt.Chart(marks[marks["category"] != "claim"]).mark_rule(
        color="#0072B2", strokeWidth=2).encode(
        x="date:T", y=alt.value(0), y2=alt.value(10),
        tooltip=[alt.Tooltip("date:T", format="%d %b %Y"), "title:N"])
    today = alt.Chart(alt.Data(name="clock")).mark_rule(
        color="#000000", strokeWidth=2.5).encode(x="day:T")
    return (area + ticks + claims + today).properties(height=190).to_dict()
