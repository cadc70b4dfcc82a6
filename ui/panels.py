"""Beside and below the map: the legend, counts by faction and governorate, the timeline."""

from __future__ import annotations

from datetime import date

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from layers.events import SIZE_KEY
from layers.legend import legend_html
from sources.schema import FACTIONS
from view.clock import Clock, clamp, format_day
from view.event_index import EventIndex
from view.stats import by_governorate


def legend(faction_table: pd.DataFrame, summary: str, areas: pd.DataFrame) -> None:
    """The legend for what is on the map now: the factions present (largest first), the
    states of the areas drawn today, and what cells are when events are grouped."""
    keys = faction_table["faction"].tolist() or list(FACTIONS)
    states = list(dict.fromkeys(areas["state"].astype(str))) if len(areas) else []
    approximate = bool(len(areas)) and bool(areas["approximate"].astype(bool).any())
    st.markdown(legend_html(keys, sizes=SIZE_KEY, title="Events: principal party",
                            zones_states=states, approximate_note=approximate),
                unsafe_allow_html=True)
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
    total_deaths = int(index.fatalities[rows].sum()) if len(rows) else 0
    c1, c2 = st.columns(2)
    c1.metric("Events", f"{len(rows):,}", help="Events in the window")
    c2.metric("Deaths (best est.)", f"{total_deaths:,}",
              help="Best estimates as the sources give them. The project's key events record "
                   "deaths only where their source gives a figure (0 otherwise).")
    st.markdown("**By principal faction**")
    st.dataframe(
        faction_table.drop(columns="faction").rename(
            columns={"label": "Faction", "events": "Events", "fatalities": "Deaths"}),
        hide_index=True, width="stretch", key="stats_faction",
    )
    st.markdown("**By governorate**")
    st.dataframe(
        by_governorate(index, rows).rename(
            columns={"governorate": "Governorate", "events": "Events", "fatalities": "Deaths"}),
        hide_index=True, width="stretch", key="stats_governorate",
    )


def timeline(index: EventIndex, milestones: pd.DataFrame, clock: Clock) -> None:
    """Events per week over the whole span, milestones marked, the current view shaded.

    Blue ticks along the top: milestones; dashed orange lines: claims; the shaded band and the
    black line: the view and its date.
    """
    weekly = index.weekly_counts().rename("events").reset_index()
    if weekly.empty:
        st.info("No events loaded: the timeline is empty.")
        return
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
    view = pd.DataFrame({"start": [pd.Timestamp(clock.start)], "end": [pd.Timestamp(clock.end)]})
    window = alt.Chart(view).mark_rect(color="#E69F00", opacity=0.25).encode(
        x="start:T", x2="end:T")
    today = alt.Chart(view).mark_rule(color="#000000", strokeWidth=2.5).encode(x="end:T")
    chart = (bars + window + ticks + rules + today).properties(height=170)
    st.altair_chart(chart, width="stretch", key="timeline")
    st.caption("Events per week, all loaded data. Blue ticks: milestones · dashed orange: "
               "claims · shaded band and black line: the view and its date.")


def _jump_to_milestone(span: tuple[date, date]) -> None:
    chosen = st.session_state.get("milestone_jump")
    if chosen is not None:
        st.session_state["day"] = clamp(chosen, *span)
        st.session_state["range_start"] = None
        st.session_state["playing"] = False


def milestone_picker(milestones: pd.DataFrame, span: tuple[date, date]) -> None:
    """Every milestone in a list; picking one moves the clock to its date."""
    options = list(dict.fromkeys(pd.to_datetime(milestones["date"]).dt.date))
    titles: dict[date, list[str]] = {}
    for row in milestones.itertuples(index=False):
        titles.setdefault(pd.Timestamp(row.date).date(), []).append(str(row.title))
    st.selectbox(
        "Jump to a milestone", options, index=None, key="milestone_jump",
        placeholder=f"{len(milestones)} milestones",
        format_func=lambda d: f"{format_day(d)} — {' / '.join(titles[d])}",
        on_change=_jump_to_milestone, args=(span,),
    )
