"""The clock's controls: date slider, previous/next, window, play — and their keyboard keys.

Right/Left step to the next/previous milestone (or scene, in a briefing), Space plays or
pauses, +/- widen or narrow the window. Buttons carry stable keys (``st-key-<key>`` classes)
so the keyboard script and the browser tests find them. State is read and changed through
``ui.state`` only.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pandas as pd
import streamlit as st

from ui import state
from view.briefing import Briefing
from view.clock import (
    WINDOW_LABELS,
    WINDOWS,
    narrower,
    next_milestone_day,
    play_tick,
    previous_milestone_day,
    wider,
)
from view.run import BrowserClock, RunView

PLAY_STEPS: dict[str, timedelta] = {
    "day": timedelta(days=1),
    "week": timedelta(days=7),
    "month": timedelta(days=30),
}
# Seconds per step. Play runs in the browser (static/app/event_clock.js), so the fastest
# speeds are real frame rates, not reruns.
PLAY_SPEEDS: dict[str, float] = {"slow": 2.0, "normal": 1.0, "fast": 0.5, "very fast": 0.1,
                                 "fastest": 0.04}


def play_interval() -> float | None:
    """Seconds between the server's play ticks (the fragment's ``run_every``), or None when
    paused or when the browser plays (the events layer is on: its clock plays by itself)."""
    if not state.playing() or browser_plays():
        return None
    return max(PLAY_SPEEDS[state.play_speed()], 0.5)  # a rerun a frame: no faster than that


def browser_plays() -> bool:
    """True when the map's own clock plays (``static/app/event_clock.js``): it needs the
    events layer, which carries it."""
    return "events" in state.view_state().layers


def browser_clock(view: RunView, slabs: tuple[str, np.ndarray] | None,
                  briefing: Briefing | None) -> RunView:
    """The view with what the map's own clock needs (None slabs: the server draws)."""
    if slabs is None:
        return view
    url, rows = slabs
    clock = BrowserClock(slabs_url=url, slab_rows=rows, playing=state.playing(),
                         play_step_days=PLAY_STEPS[state.play_step()].days,
                         play_interval_ms=round(PLAY_SPEEDS[state.play_speed()] * 1000),
                         play_hold=state.play_hold(), play_until=state.play_until(),
                         briefing=briefing is not None, detail_rows=state.detail_rows())
    return replace(view, browser_clock=clock)


def _step(direction: int, milestones: pd.DataFrame, briefing: Briefing | None,
          span: tuple[date, date]) -> None:
    state.stop_play()
    if briefing is not None:
        current = state.scene() or 0
        state.apply_scene(briefing, min(max(current + direction, 1), len(briefing.scenes)))
        return
    finder = next_milestone_day if direction > 0 else previous_milestone_day
    target = finder(milestones, state.day())
    if target is not None:
        state.set_day(target, span)


def _change_window(change) -> None:
    state.set_window(change(state.window()))


def clock_controls(milestones: pd.DataFrame, briefing: Briefing | None,
                   span: tuple[date, date]) -> None:
    """Draw the controls in one row. Changes go to the page state; the caller reads it."""
    noun = "scene" if briefing is not None else "milestone"
    cols = st.columns([1.45, 2.5, 1.45, 1.95, 0.7, 0.7, 1.4, 0.8],
                      vertical_alignment="center", gap="small")
    cols[0].button("◀ Previous", key="step_previous", shortcut="Left",
                   on_click=_step, args=(-1, milestones, briefing, span),
                   width="stretch", help=f"Previous {noun} (Left arrow)")
    cols[1].slider("Date", min_value=span[0], max_value=span[1], key=state.DAY,
                   format="D MMM YYYY", label_visibility="collapsed",
                   on_change=state.clear_range)
    cols[2].button("Next ▶", key="step_next", shortcut="Right",
                   on_click=_step, args=(+1, milestones, briefing, span),
                   width="stretch", help=f"Next {noun} (Right arrow)")
    cols[3].selectbox("Window", WINDOWS, key=state.WINDOW, on_change=state.clear_range,
                      format_func=lambda w: f"Window: {w}", label_visibility="collapsed",
                      help="The view covers this many days up to the date (+ and - keys)")
    cols[4].button("−", key="window_narrower", on_click=_change_window,
                   args=(narrower,), width="stretch", help="Narrower window (- key)")
    cols[5].button("+", key="window_wider", on_click=_change_window,
                   args=(wider,), width="stretch", help="Wider window (+ key)")
    playing = state.playing()
    cols[6].button("⏸ Pause" if playing else "▶ Play", key="play", shortcut="Space",
                   on_click=state.toggle_play, width="stretch",
                   type="primary" if playing else "secondary", help="Play / pause (Space)")
    with cols[7].popover("⚙", help="Play settings", width="stretch"):
        st.selectbox("Step", list(PLAY_STEPS), key=state.PLAY_STEP, index=1)
        st.selectbox("Speed", list(PLAY_SPEEDS), key=state.PLAY_SPEED, index=1,
                     format_func=lambda s: f"{s} ({PLAY_SPEEDS[s]:g} s per step)")
        st.checkbox("Pause at milestones", key=state.PLAY_HOLD, value=True)
        st.date_input("Play from the slider's date until", value=None, key=state.PLAY_UNTIL,
                      min_value=span[0], max_value=span[1], format="YYYY-MM-DD",
                      help="Empty: until the end of the data.")
        st.caption(f"Window now: {WINDOW_LABELS[state.window()]}.")


def advance_play(milestones: pd.DataFrame, span: tuple[date, date]) -> None:
    """One server tick of play (only when the browser does not play: the events layer off),
    by :func:`view.clock.play_tick`."""
    if not state.playing() or browser_plays() or state.take_hold():
        return
    tick = play_tick(state.day(), step_days=PLAY_STEPS[state.play_step()].days,
                     until=state.play_until(), span_end=span[1], milestones=milestones,
                     hold_at_milestones=state.play_hold())
    if tick.hold:
        state.hold_next_tick()
    state.set_day(tick.day, span)
    if tick.stop:
        state.stop_play()
