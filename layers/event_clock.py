"""The events layer of the live map: the browser moves it with the clock by itself.

The events go to the browser once, as binary slabs (:mod:`view.event_slabs`, 12 bytes an
event, static files under ``static/generated/``, fetched once and cached by the browser).
``static/app/event_clock.js`` answers the date slider, the previous/next buttons and Play from
them: the window query, the faction and place filters, the cells (the same arithmetic as
:func:`view.aggregate.aggregate`) and the drawing happen in the browser, in the frame after the
key press. A step's rerun then sends only the clock's settings (window, filters, play), and the
text of a popup (actors, notes, source) comes with the rerun its click asks for: a step sends
no event at all.

The exports (standalone HTML, PNG, GIF) keep the server-drawn layer of ``layers.events``: a
file opened from a USB stick has no server to fetch slabs from.
"""

from __future__ import annotations

import json
import weakref
from pathlib import Path

import numpy as np
from branca.element import MacroElement
from jinja2 import Template

from layers.base import LayerGroup
from layers.events import (
    MAX_CELLS,
    NAME,
    VIEW_PAD,
    draw_summary,
    events_data,
    palette_options,
    to_json,
)
from sources.store import write_atomic
from view.aggregate import Bounds
from view.clock import WINDOW_DAYS
from view.event_index import FACTION_CODE, EventIndex, to_day
from view.event_slabs import SlabSet, encode_slabs
from view.run import RunView

GENERATED = "generated"  # under static/ (git-ignored), as the control record
MAX_POINTS = 4000  # single events at most; above it, cells (as layers.events.draw)

# The slabs published for each index (shared by every session) and set of rows: key -> (url,
# slabs). Weak: a catalog dropped from Streamlit's cache takes its slabs' bookkeeping with it.
_PUBLISHED: weakref.WeakKeyDictionary[EventIndex, dict[tuple, tuple[str, SlabSet]]] = (
    weakref.WeakKeyDictionary())


def publish_slabs(idx: EventIndex, shown: np.ndarray | None, key: tuple, static_dir: Path,
                  prefix: str) -> tuple[str, SlabSet]:
    """Write the slabs of the events ``shown`` (a mask over the index; None: every event)
    where the app serves static files, once per index and ``key`` (what makes ``shown``, e.g.
    the hidden datasets), and return the manifest's URL and the slabs. File names are their
    content's hash, so every session and every restart shares them."""
    known = _PUBLISHED.setdefault(idx, {})
    if key in known:
        return known[key]
    slabs = encode_slabs(idx, None if shown is None else np.flatnonzero(shown))
    folder = static_dir / GENERATED
    entries = []
    for slab in slabs.slabs:
        target = folder / f"events-{slab.digest}.bin"
        if not target.is_file():
            write_atomic(target, lambda tmp, data=slab.data: Path(tmp).write_bytes(data))
        entries.append({**slab.manifest(), "url": f"{prefix}{GENERATED}/{target.name}"})
    manifest = json.dumps({"version": 1, "count": len(slabs.rows), "pairs": slabs.pairs,
                           "slabs": entries}, separators=(",", ":"))
    target = folder / f"events-{slabs.digest}.json"
    if not target.is_file():
        write_atomic(target, lambda tmp: Path(tmp).write_text(manifest, encoding="utf-8"))
    known[key] = (f"{prefix}{GENERATED}/{target.name}", slabs)
    return known[key]


class EventClock(MacroElement):
    """One ``L.conflictClock(state, options)`` call added to its parent FeatureGroup."""

    _template = Template(
        "{% macro script(this, kwargs) %}\n"
        "L.conflictClock({{ this.state_json }}, {{ this.options_json }})"
        ".addTo({{ this._parent.get_name() }});\n"
        "{% endmacro %}"
    )

    def __init__(self, state: dict, options: dict):
        super().__init__()
        self._name = "EventClock"
        self.state_json = to_json(state)
        self.options_json = to_json(options)


# The zones and milestone pins a rerun sends reach this many days beyond the view on each side,
# so the browser's clock can step (or be dragged) that far before the server answers; while
# playing, they reach to where play ends (play reruns nothing until it stops).
MARGIN_DAYS = 92


def reach(view: RunView) -> tuple[int, int]:
    """The days (since 1970) the live map's zones and pins must cover for this run."""
    first, last = to_day(view.clock.start), to_day(view.clock.end)
    browser = view.browser_clock
    if browser is not None and browser.playing:
        end = browser.play_until if browser.play_until and browser.play_until > view.clock.day \
            else view.clock.span_end
        return first - MARGIN_DAYS, to_day(end)
    return first - MARGIN_DAYS, last + MARGIN_DAYS


class ClockGroup(MacroElement):
    """``L.cmClockGroup(group, spans, mode, window)``: of the layers in ``group`` (in the
    order they were added), the live map shows those whose span ``[first, last]`` (days since
    1970) meets its clock: its day (``mode`` "day": the zones' stretches of one state) or its
    window (``mode`` "window": the milestones' pins). ``window`` is the server's ``[first,
    last]``, shown until the browser's clock draws. So a step shows them before the server
    answers; the server still sends them all each rerun (they are few)."""

    _template = Template(
        "{% macro script(this, kwargs) %}\n"
        "L.cmClockGroup({{ this._parent.get_name() }}, {{ this.spans_json }}, "
        "{{ this.mode_json }}, {{ this.window_json }});\n"
        "{% endmacro %}"
    )

    def __init__(self, spans: list[tuple[int, int]], mode: str, window: tuple[int, int]):
        super().__init__()
        if mode not in ("day", "window"):
            raise ValueError(f"mode must be 'day' or 'window', not {mode!r}")
        self._name = "ClockGroup"
        self.spans_json = to_json([list(s) for s in spans])
        self.mode_json = to_json(mode)
        self.window_json = to_json(list(window))


def clock_state(view: RunView) -> dict:
    """The settings the browser's clock needs for this run (all JSON; days since 1970)."""
    clock = view.clock
    browser = view.browser_clock
    assert browser is not None
    wanted = view.state.factions
    return {
        "slabs": browser.slabs_url,
        "day": to_day(clock.day),
        "spanStart": to_day(clock.span_start),
        "spanEnd": to_day(clock.span_end),
        "window": clock.window,
        "windowDays": WINDOW_DAYS[clock.window],  # null: from the span's start ("all")
        # A custom range (until the day moves): the view is range .. day, whatever the window.
        "rangeStart": to_day(clock.start) if clock.range_start is not None else None,
        "factions": sorted(FACTION_CODE[f] for f in wanted) if wanted else None,
        "exactOnly": bool(view.state.exact_only),
        "maxPoints": MAX_POINTS,
        "maxCells": MAX_CELLS,
        "pad": VIEW_PAD,
        "briefing": browser.briefing,
        "play": {
            "playing": browser.playing,
            "stepDays": browser.play_step_days,
            "intervalMs": browser.play_interval_ms,
            "hold": browser.play_hold,
            "until": to_day(browser.play_until) if browser.play_until else None,
        },
        "milestones": sorted({to_day(d) for d in view.catalog.milestones["date"]}),
    }


def details_data(idx: EventIndex, slab_rows: np.ndarray,
                 ranks: tuple[int, ...] | list[int]) -> dict | None:
    """The popups' text of the events at browser rows ``ranks`` (those the map asked for when
    they were clicked), in the events layer's columnar form plus ``r``, their browser rows;
    None when there are none. Rows outside the slabs are ignored (a stale request)."""
    wanted = [r for r in dict.fromkeys(ranks) if 0 <= r < len(slab_rows)]
    if not wanted:
        return None
    rows = slab_rows[np.asarray(wanted, dtype=np.int64)]
    # events_data orders by fatalities: keep the browser rows in that same order.
    order = np.argsort(-idx.fatalities[rows].astype(np.int64), kind="stable")
    data = events_data(idx, rows)
    for key in ("lat", "lon", "f", "d", "ap"):  # the slabs have them
        data.pop(key)
    data["r"] = [wanted[i] for i in order.tolist()]
    return data


def draw(idx: EventIndex, rows: np.ndarray, slab_rows: np.ndarray, settings: dict, *,
         zoom: int, bounds: Bounds | None,
         detail_rows: tuple[int, ...] = ()) -> tuple[LayerGroup, str]:
    """One step of the live layer: the clock's ``settings`` (:func:`clock_state`) and the text
    of the popups the map asked for; returns the layer and its summary (the same words as
    :func:`layers.events.draw`, computed without building the events' or cells' data).

    A step sends no event at all: the browser draws from its slabs, and a popup's text (actors,
    notes, source) comes on the rerun its click asks for.
    """
    summary, _ = draw_summary(idx, rows, zoom=zoom, bounds=bounds, max_points=MAX_POINTS)
    details = details_data(idx, slab_rows, detail_rows)
    group = LayerGroup(NAME, summary=summary, control=True)
    EventClock({**settings, "details": details}, palette_options()).add_to(group)
    return group, summary


def build(view: RunView) -> LayerGroup:
    """The live events layer: the clock's settings and the popups' text; the browser draws."""
    assert view.browser_clock is not None
    group, _ = draw(view.catalog.index, view.rows, view.browser_clock.slab_rows,
                    clock_state(view), zoom=view.map.effective_zoom, bounds=view.map.bounds,
                    detail_rows=view.browser_clock.detail_rows)
    return group
