"""The view state in ``st.session_state``: read from the link once, written back every run.

Widget keys are the state: ``day``, ``window``, ``factions``, ``layers``, ``present``,
``briefing``; plus ``range_start``, ``scene`` and ``map_command`` (centre and zoom to move the
map to, set only by links and briefing scenes so that a user's own pan is never fought).
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from ui.controls import apply_scene
from view.clock import Clock, clamp
from view.url_state import ViewState, from_query, to_query

DEFAULT_DAY = date(2017, 12, 6)  # the central milestone: the 6 Dec 2017 claim


def init_state(span: tuple[date, date]) -> None:
    """Once per session: seed the widgets from the URL; the link's problems are kept in
    ``_link_problems`` for the page to say once."""
    ss = st.session_state
    if ss.get("_initialised"):
        return
    default_day = clamp(DEFAULT_DAY, *span)
    parsed = from_query({k: st.query_params.get_all(k) for k in st.query_params}, default_day)
    s = parsed.state
    problems = list(parsed.problems)
    day = clamp(s.day, *span)
    if day != s.day:
        problems.append(
            f"The link's date {s.day.isoformat()} is outside the data "
            f"({span[0].isoformat()} to {span[1].isoformat()}); showing {day.isoformat()}."
        )
    ss["day"] = day
    ss["window"] = s.window
    ss["range_start"] = s.range_start
    ss["factions"] = list(s.factions)
    ss["layers"] = list(s.layers)
    ss["present"] = s.present
    ss["briefing"] = s.briefing or ""
    ss["scene"] = s.scene
    ss["map_command"] = (s.center, s.zoom) if s.center or s.zoom else None
    ss["map_view"] = (s.center, s.zoom)
    ss["playing"] = False
    ss["_initialised"] = True
    ss["_link_problems"] = problems


def current_state() -> ViewState:
    ss = st.session_state
    center, zoom = ss.get("map_view") or (None, None)
    return ViewState(
        day=ss["day"],
        window=ss["window"],
        range_start=ss.get("range_start"),
        factions=tuple(ss.get("factions") or ()),
        layers=tuple(ss.get("layers") or ()),
        center=center,
        zoom=zoom,
        briefing=ss.get("briefing") or None,
        scene=ss.get("scene") if ss.get("briefing") else None,
        present=bool(ss.get("present")),
    )


def current_clock(span: tuple[date, date]) -> Clock:
    ss = st.session_state
    return Clock(ss["day"], ss["window"], span[0], span[1], ss.get("range_start"))


def sync_url(state: ViewState) -> None:
    """Make the address bar reproduce the view (only when it changed, to avoid churn)."""
    wanted = to_query(state)
    have = {k: st.query_params.get(k) for k in st.query_params}
    if have != wanted:
        st.query_params.from_dict(wanted)


def open_linked_scene(briefings: dict) -> None:
    """Once per session: a link naming a briefing and scene opens that scene.

    The scene sets the date, window, filters, layers and map view; any of these the link also
    gives explicitly wins, so a link taken after moving away from the scene reopens exactly
    what was shown.
    """
    ss = st.session_state
    if ss.get("_scene_opened"):
        return
    ss["_scene_opened"] = True
    briefing = briefings.get(ss.get("briefing") or "")
    if briefing is None:
        if ss.get("briefing"):
            ss["_link_problems"].append(f"The link names an unknown briefing {ss['briefing']!r}.")
            ss["briefing"] = ""
        return
    number = ss.get("scene") or 1
    if not 1 <= number <= len(briefing.scenes):
        ss["_link_problems"].append(
            f"The briefing has {len(briefing.scenes)} scenes; the link asked for scene {number}.")
        number = 1
    explicit = {k: ss[k] for k, param in (("day", "date"), ("window", "window"),
                                          ("factions", "factions"), ("layers", "layers"))
                if param in st.query_params}
    command = ss.get("map_command") if "center" in st.query_params else None
    apply_scene(briefing, number)
    ss.update(explicit)
    if command:
        ss["map_command"] = command


def _applied_by_app_run() -> tuple:
    """State that only a run of the whole app applies: the sidebar's filters and layers (its
    widgets are outside the dashboard fragment), and play (the fragment's timer, ``run_every``,
    is set when the app runs)."""
    ss = st.session_state
    return (bool(ss.get("playing")), ss.get("play_speed"), tuple(ss.get("factions") or ()),
            tuple(ss.get("layers") or ()))


def mark_app_run() -> None:
    """Call once per app run, after the sidebar: this state is now on screen."""
    st.session_state["_app_state_shown"] = _applied_by_app_run()


def rerun_app_if_needed() -> None:
    """At the top of the dashboard fragment: when a control inside it (a briefing scene, the
    claim's "show the events", Play, Space) changed state that only an app run applies, rerun
    the whole app. Otherwise the sidebar would keep its old values, send them back on the next
    run and undo the change, and play would not start or stop ticking."""
    if _applied_by_app_run() != st.session_state.get("_app_state_shown"):
        st.rerun(scope="app")
