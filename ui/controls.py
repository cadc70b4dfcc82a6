"""The clock's controls: date slider, previous/next, window, play — and their keyboard keys.

Right/Left step to the next/previous milestone (or scene, in a briefing), Space plays or
pauses, +/- widen or narrow the window. Buttons carry stable keys (``st-key-<key>`` classes)
so the keyboard script and the browser tests find them.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from view.briefing import Briefing
from view.clock import (
    WINDOW_LABELS,
    WINDOWS,
    clamp,
    narrower,
    next_milestone_day,
    previous_milestone_day,
    wider,
)

PLAY_STEPS: dict[str, timedelta] = {
    "day": timedelta(days=1),
    "week": timedelta(days=7),
    "month": timedelta(days=30),
}
PLAY_SPEEDS: dict[str, float] = {"slow": 2.0, "normal": 1.0, "fast": 0.5}  # seconds per step


def apply_scene(briefing: Briefing, number: int) -> None:
    """Move every control to scene ``number`` (1-based) of ``briefing``. Used as a callback."""
    scene = briefing.scenes[number - 1]
    ss = st.session_state
    ss["scene"] = number
    ss["day"] = scene.date
    ss["window"] = scene.window
    ss["range_start"] = None
    ss["factions"] = list(scene.factions or ())
    ss["layers"] = list(scene.layers)
    if scene.center or scene.zoom:
        ss["map_command"] = (scene.center, scene.zoom)


def _step(direction: int, milestones: pd.DataFrame, briefing: Briefing | None,
          span: tuple[date, date]) -> None:
    ss = st.session_state
    ss["playing"] = False
    if briefing is not None:
        current = ss.get("scene") or 0
        target = min(max(current + direction, 1), len(briefing.scenes))
        apply_scene(briefing, target)
        return
    finder = next_milestone_day if direction > 0 else previous_milestone_day
    target = finder(milestones, ss["day"])
    if target is not None:
        ss["day"] = clamp(target, *span)
        ss["range_start"] = None


def _change_window(change) -> None:
    ss = st.session_state
    ss["window"] = change(ss["window"])
    ss["range_start"] = None


def _toggle_play() -> None:
    st.session_state["playing"] = not st.session_state.get("playing", False)


def _clear_range() -> None:
    st.session_state["range_start"] = None


def clock_controls(milestones: pd.DataFrame, briefing: Briefing | None,
                   span: tuple[date, date]) -> None:
    """Draw the controls in one row. Changes go to session state; the caller reads it."""
    noun = "scene" if briefing is not None else "milestone"
    cols = st.columns([1.45, 2.5, 1.45, 1.95, 0.7, 0.7, 1.4, 0.8],
                      vertical_alignment="center", gap="small")
    cols[0].button("◀ Previous", key="step_previous", shortcut="Left",
                   on_click=_step, args=(-1, milestones, briefing, span),
                   width="stretch", help=f"Previous {noun} (Left arrow)")
    cols[1].slider("Date", min_value=span[0], max_value=span[1], key="day",
                   format="D MMM YYYY", label_visibility="collapsed",
                   on_change=_clear_range)
    cols[2].button("Next ▶", key="step_next", shortcut="Right",
                   on_click=_step, args=(+1, milestones, briefing, span),
                   width="stretch", help=f"Next {noun} (Right arrow)")
    cols[3].selectbox("Window", WINDOWS, key="window", on_change=_clear_range,
                      format_func=lambda w: f"Window: {w}", label_visibility="collapsed",
                      help="The view covers this many days up to the date (+ and - keys)")
    cols[4].button("−", key="window_narrower", on_click=_change_window,
                   args=(narrower,), width="stretch", help="Narrower window (- key)")
    cols[5].button("+", key="window_wider", on_click=_change_window,
                   args=(wider,), width="stretch", help="Wider window (+ key)")
    playing = st.session_state.get("playing", False)
    cols[6].button("⏸ Pause" if playing else "▶ Play", key="play", shortcut="Space",
                   on_click=_toggle_play, width="stretch",
                   type="primary" if playing else "secondary", help="Play / pause (Space)")
    with cols[7].popover("⚙", help="Play settings", width="stretch"):
        st.selectbox("Step", list(PLAY_STEPS), key="play_step", index=1)
        st.selectbox("Speed", list(PLAY_SPEEDS), key="play_speed", index=1,
                     format_func=lambda s: f"{s} ({PLAY_SPEEDS[s]:g} s per step)")
        st.checkbox("Pause at milestones", key="play_hold", value=True)
        st.date_input("Play from the slider's date until", value=None, key="play_until",
                      min_value=span[0], max_value=span[1], format="YYYY-MM-DD",
                      help="Empty: until the end of the data.")
        st.caption(f"Window now: {WINDOW_LABELS[st.session_state['window']]}.")


def advance_play(milestones: pd.DataFrame, span: tuple[date, date]) -> None:
    """One tick of play: move the day on by the step; stop at the "until" date or the end.

    With "pause at milestones", a tick that would pass a milestone lands on it instead, and the
    next tick holds there once so the room can read the caption.
    """
    ss = st.session_state
    if not ss.get("playing"):
        return
    if ss.pop("_hold", False):
        return
    day = ss["day"]
    until = ss.get("play_until") or span[1]
    if until <= day:  # already there (or past it): play runs to the end of the data instead
        until = span[1]
    target = min(day + PLAY_STEPS[ss.get("play_step", "week")], until)
    if ss.get("play_hold", True):
        upcoming = next_milestone_day(milestones, day)
        if upcoming is not None and upcoming <= target:
            target = upcoming
            ss["_hold"] = True
    ss["day"] = target
    ss["range_start"] = None
    if target >= until:
        ss["playing"] = False
