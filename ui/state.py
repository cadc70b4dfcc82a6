"""The page state: the one owner of ``st.session_state``.

Every session key is named here, and read or written only through the functions below; no
other module touches ``st.session_state`` (``tests/test_state_ownership.py`` fails if one
does). Widgets elsewhere are created with the key constants of this module (``key=state.DAY``),
so Streamlit keeps their values under names this module owns.

The view a link reproduces is read from the URL once per session (:func:`init_state`) and
written back every run (:func:`sync_url`). Two rules keep the page's reruns sound; both are
enforced here:

- **The double-rerun rule.** A callback inside the dashboard fragment that changes state owned
  by the sidebar (filters, layers) or by the fragment's timer (play, speed) must be followed by
  a full run, or the sidebar sends its old values back and undoes the change (and play would
  not start or stop ticking): :func:`mark_app_run` records that state after the sidebar is
  drawn, and :func:`rerun_app_if_needed`, at the top of the fragment, reruns the app when it
  differs.
- Widget state is changed only in callbacks (before the widgets are drawn again), never after a
  widget has been drawn in the same run.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import streamlit as st

from layers.registry import LAYER_KEYS
from view.briefing import Briefing
from view.clock import clamp
from view.map_view import DEFAULT_ZOOM, SYRIA_CENTRE, MapView
from view.url_state import ViewState, from_query, to_query

DEFAULT_DAY = date(2017, 12, 6)  # the central milestone: the 6 Dec 2017 claim

# -- widget keys (the widgets' values are the state) -----------------------------------------
DAY = "day"
WINDOW = "window"
FACTIONS = "factions"
LAYERS = "layers"
PRESENT = "present"
BRIEFING = "briefing"
TILES_OSM = "tiles_osm"
EXACT_ONLY = "exact_only"  # hide events whose place is approximate
PLAY_STEP = "play_step"
PLAY_SPEED = "play_speed"
PLAY_HOLD = "play_hold"
PLAY_UNTIL = "play_until"
MILESTONE_JUMP = "milestone_jump"
MAP = "map"  # st_folium's component key: its last report

# -- state no widget holds --------------------------------------------------------------------
_SCENE = "scene"  # 1-based scene of the briefing, or None
_RANGE_START = "range_start"  # overrides the window: view = range_start .. day
_PLAYING = "playing"
_HOLD = "_hold"  # play holds one tick on a milestone it landed on
# Centre and zoom to move the map to, set only by links and briefing scenes so that a user's
# own pan is never fought.
_MAP_COMMAND = "map_command"
_CLOCK_REPORT = "_clock_report"  # the id of the map clock's last report acted on
_DETAIL_ROWS = "_detail_rows"  # browser rows whose popup text the map asked for (latest last)
_SPAN = "_span"  # the slider's span, for the map clock's reports
_MAP_VIEW = "map_view"  # (centre, zoom) the map reported, for the link; (None, None): default
_MAP_ZOOM = "map_zoom"
_MAP_BOUNDS = "map_bounds"  # (south, west, north, east)
_INITIALISED = "_initialised"
_SCENE_OPENED = "_scene_opened"
_LINK_PROBLEMS = "_link_problems"
_APP_STATE_SHOWN = "_app_state_shown"
_OUTCOME = "_outcome_"  # + "events_upload" / "areas_upload" / "ucdp_download"
_HIDDEN = "hidden_datasets"  # ids of the stored datasets hidden from this view (sorted)
_HIDDEN_CHECKED = "_hidden_checked"  # the link's hidden ids were checked against the store
SHOW_DATASET = "show_dataset_"  # + a stored dataset's id: its "Show on the map" toggle


def _ss():
    return st.session_state


# -- opening a link ---------------------------------------------------------------------------
def init_state(span: tuple[date, date]) -> None:
    """Once per session: seed the widgets from the URL; the link's problems are kept for the
    page to say once (:func:`pop_link_problems`)."""
    ss = _ss()
    ss[_SPAN] = span  # for the map's own clock, whose reports come before the script runs
    if ss.get(_INITIALISED):
        return
    default_day = clamp(DEFAULT_DAY, *span)
    parsed = from_query({k: st.query_params.get_all(k) for k in st.query_params}, default_day,
                        LAYER_KEYS)
    s = parsed.state
    problems = list(parsed.problems)
    day = clamp(s.day, *span)
    if day != s.day:
        problems.append(
            f"The link's date {s.day.isoformat()} is outside the data "
            f"({span[0].isoformat()} to {span[1].isoformat()}); showing {day.isoformat()}."
        )
    ss[DAY] = day
    ss[WINDOW] = s.window
    ss[_RANGE_START] = s.range_start
    ss[FACTIONS] = list(s.factions)
    ss[LAYERS] = list(s.layers)
    ss[PRESENT] = s.present
    ss[EXACT_ONLY] = s.exact_only
    ss[_HIDDEN] = list(s.hidden)
    ss[BRIEFING] = s.briefing or ""
    ss[_SCENE] = s.scene
    ss[_MAP_COMMAND] = (s.center, s.zoom) if s.center or s.zoom else None
    ss[_MAP_VIEW] = (s.center, s.zoom)
    ss[_PLAYING] = False
    ss[_INITIALISED] = True
    ss[_LINK_PROBLEMS] = problems


def open_linked_scene(briefings: Mapping[str, Briefing]) -> None:
    """Once per session: a link naming a briefing and scene opens that scene.

    The scene sets the date, window, filters, layers and map view; any of these the link also
    gives explicitly wins, so a link taken after moving away from the scene reopens exactly
    what was shown.
    """
    ss = _ss()
    if ss.get(_SCENE_OPENED):
        return
    ss[_SCENE_OPENED] = True
    briefing = briefings.get(ss.get(BRIEFING) or "")
    if briefing is None:
        if ss.get(BRIEFING):
            ss[_LINK_PROBLEMS].append(f"The link names an unknown briefing {ss[BRIEFING]!r}.")
            ss[BRIEFING] = ""
        return
    number = ss.get(_SCENE) or 1
    if not 1 <= number <= len(briefing.scenes):
        ss[_LINK_PROBLEMS].append(
            f"The briefing has {len(briefing.scenes)} scenes; the link asked for scene {number}.")
        number = 1
    explicit = {k: ss[k] for k, param in ((DAY, "date"), (WINDOW, "window"),
                                          (FACTIONS, "factions"), (LAYERS, "layers"))
                if param in st.query_params}
    command = ss.get(_MAP_COMMAND) if "center" in st.query_params else None
    apply_scene(briefing, number)
    ss.update(explicit)
    if command:
        ss[_MAP_COMMAND] = command


def pop_link_problems() -> list[str]:
    """The link's problems, once: the room would otherwise see them all along."""
    return list(_ss().pop(_LINK_PROBLEMS, []))


# -- readers ----------------------------------------------------------------------------------
def day() -> date:
    return _ss()[DAY]


def window() -> str:
    return _ss()[WINDOW]


def present() -> bool:
    return bool(_ss().get(PRESENT))


def briefing_id() -> str:
    return _ss().get(BRIEFING) or ""


def scene() -> int | None:
    """The scene shown, when a briefing is open."""
    return _ss().get(_SCENE) if briefing_id() else None


def playing() -> bool:
    return bool(_ss().get(_PLAYING))


def play_speed() -> str:
    return _ss().get(PLAY_SPEED, "normal")


def play_step() -> str:
    return _ss().get(PLAY_STEP, "week")


def play_hold() -> bool:
    return bool(_ss().get(PLAY_HOLD, True))


def play_until() -> date | None:
    return _ss().get(PLAY_UNTIL)


def map_command() -> tuple[tuple[float, float] | None, int | None]:
    """Where a link or scene asked the map to go (None, None: nowhere)."""
    return _ss().get(_MAP_COMMAND) or (None, None)


def view_state() -> ViewState:
    """The view a link reproduces."""
    ss = _ss()
    center, zoom = ss.get(_MAP_VIEW) or (None, None)
    return ViewState(
        day=ss[DAY],
        window=ss[WINDOW],
        range_start=ss.get(_RANGE_START),
        factions=tuple(ss.get(FACTIONS) or ()),
        # In the registry's order, however they were picked: one view, one link.
        layers=tuple(k for k in LAYER_KEYS.keys if k in set(ss.get(LAYERS) or ())),
        center=center,
        zoom=zoom,
        briefing=briefing_id() or None,
        scene=scene(),
        present=present(),
        exact_only=bool(ss.get(EXACT_ONLY)),
        hidden=hidden_datasets(),
    )


def map_view() -> MapView:
    """Where the map looks: what it last reported, else what a link or scene asked for."""
    ss = _ss()
    center, _ = ss.get(_MAP_VIEW) or (None, None)
    command_center, command_zoom = map_command()
    return MapView(center=center or command_center,
                   zoom=ss.get(_MAP_ZOOM) or command_zoom or DEFAULT_ZOOM,
                   bounds=ss.get(_MAP_BOUNDS))


# -- setters (callbacks) ----------------------------------------------------------------------
def set_day(day: date, span: tuple[date, date]) -> None:
    """Move the clock to ``day`` (clamped to the span), back to the trailing window."""
    ss = _ss()
    ss[DAY] = clamp(day, *span)
    ss[_RANGE_START] = None


def clear_range() -> None:
    _ss()[_RANGE_START] = None


def set_window(window: str) -> None:
    ss = _ss()
    ss[WINDOW] = window
    ss[_RANGE_START] = None


def toggle_play() -> None:
    _ss()[_PLAYING] = not playing()


def stop_play() -> None:
    _ss()[_PLAYING] = False


def take_hold() -> bool:
    """True (once) when play landed on a milestone on its last tick and holds there."""
    return bool(_ss().pop(_HOLD, False))


def hold_next_tick() -> None:
    _ss()[_HOLD] = True


def exit_present() -> None:
    _ss()[PRESENT] = False


def apply_scene(briefing: Briefing, number: int) -> None:
    """Move every control to scene ``number`` (1-based) of ``briefing``. Used as a callback."""
    scene_ = briefing.scenes[number - 1]
    ss = _ss()
    ss[_SCENE] = number
    ss[DAY] = scene_.date
    ss[WINDOW] = scene_.window
    ss[_RANGE_START] = None
    ss[FACTIONS] = list(scene_.factions or ())
    ss[LAYERS] = list(scene_.layers)
    if scene_.center or scene_.zoom:
        ss[_MAP_COMMAND] = (scene_.center, scene_.zoom)


def open_briefing(briefings: Mapping[str, Briefing]) -> None:
    """Callback of the briefing picker: its first scene, or no scene."""
    chosen = briefing_id()
    if chosen in briefings:
        apply_scene(briefings[chosen], 1)
    else:
        _ss()[_SCENE] = None


def show_range(factions: list[str], first: date, last: date) -> None:
    """Show the events of ``factions`` from ``first`` to ``last`` (a claim's "show them")."""
    ss = _ss()
    ss[FACTIONS] = list(factions)
    ss[_RANGE_START] = first
    ss[DAY] = last
    ss[_PLAYING] = False


def show_places(center: tuple[float, float], zoom: int) -> None:
    """Callback: switch the control layer on and move the map to ``center`` and ``zoom``."""
    ss = _ss()
    shown = {*(ss.get(LAYERS) or []), "control"}
    ss[LAYERS] = [key for key in LAYER_KEYS.keys if key in shown]  # the registry's order
    ss[_MAP_COMMAND] = (center, zoom)
    ss[_PLAYING] = False


def jump_to_milestone(span: tuple[date, date]) -> None:
    """Callback of the milestone picker."""
    chosen = _ss().get(MILESTONE_JUMP)
    if chosen is not None:
        set_day(chosen, span)
        stop_play()


# -- the map's reports ------------------------------------------------------------------------
def remember_map_report(report: object) -> None:
    """Keep the view the map reported (for the link and for aggregating events by zoom).

    ``report`` is streamlit-folium's return value (or None). It is cleaned here: nothing
    below ``ui/`` sees it, only the :class:`MapView` of :func:`map_view`.
    """
    ss = _ss()
    report = report if isinstance(report, Mapping) else {}
    zoom, center, bounds = report.get("zoom"), report.get("center"), report.get("bounds")
    if not (isinstance(zoom, int | float) and isinstance(center, Mapping)
            and center.get("lat") is not None):
        return  # no report yet (or AppTest, which has no browser)
    view = ((round(center["lat"], 4), round(center["lng"], 4)), int(zoom))
    # The opening view, within a hundredth of a degree: the centre a map reports depends on
    # its pixel size (it rounds to whole pixels), so it is never exactly SYRIA_CENTRE.
    at_opening = view[1] == DEFAULT_ZOOM and all(
        abs(a - b) < 0.01 for a, b in zip(view[0], SYRIA_CENTRE, strict=True))
    if at_opening:
        if ss.get(_MAP_COMMAND):
            return  # the map's first report, sent before it moved to the view asked for
        ss[_MAP_VIEW] = (None, None)  # the default view: kept out of the link
    else:
        ss[_MAP_VIEW] = view
    ss[_MAP_ZOOM] = int(zoom)
    box = _clean_bounds(bounds)
    if box is not None:
        ss[_MAP_BOUNDS] = box


def remember_map_change() -> None:
    """``on_change`` of the map: runs before the rerun that the map's report starts
    (streamlit-folium has already put the report in session state), so that rerun builds the
    events for the *new* zoom and bounds, and shows the day the map's own clock stopped on."""
    report = _ss().get(MAP)
    take_clock_report(report)
    remember_map_report(report)


MAX_DETAILS = 20  # popups' texts kept asked for at once


def detail_rows() -> tuple[int, ...]:
    """The browser rows whose popup text the map asked for (:func:`take_clock_report`)."""
    return tuple(_ss().get(_DETAIL_ROWS, ()))


def take_clock_report(report: object) -> None:
    """Follow the day the map's own clock stopped on (play ended or paused in the browser:
    ``static/app/event_clock.js`` reports ``{"clock": {"day", "id"}}`` beside the map's view),
    so the slider, the panels and the link show it. Each report is acted on once."""
    ss = _ss()
    clock = report.get("clock") if isinstance(report, Mapping) else None
    if not isinstance(clock, Mapping):
        return
    ident = clock.get("id")
    if not isinstance(ident, str) or ident == ss.get(_CLOCK_REPORT):
        return
    ss[_CLOCK_REPORT] = ident
    row = clock.get("details")
    if isinstance(row, int) and not isinstance(row, bool) and row >= 0:
        # A popup asks for its text: kept for the next runs (a few, so one still open stays).
        ss[_DETAIL_ROWS] = [r for r in ss.get(_DETAIL_ROWS, []) if r != row][-(MAX_DETAILS - 1):]
        ss[_DETAIL_ROWS].append(row)
        return
    try:
        day = date.fromisoformat(str(clock.get("day")))
    except ValueError:
        return  # not a day: the page keeps its own
    span = ss.get(_SPAN)
    if span is not None:
        set_day(day, span)
    stop_play()


def _clean_bounds(bounds: object) -> tuple[float, float, float, float] | None:
    if not isinstance(bounds, Mapping):
        return None
    sw, ne = bounds.get("_southWest") or {}, bounds.get("_northEast") or {}
    try:
        return (float(sw["lat"]), float(sw["lng"]), float(ne["lat"]), float(ne["lng"]))
    except (KeyError, TypeError, ValueError):
        return None


# -- the link ---------------------------------------------------------------------------------
def sync_url(view: ViewState) -> None:
    """Make the address bar reproduce the view (only when it changed, to avoid churn)."""
    wanted = to_query(view, LAYER_KEYS)
    have = {k: st.query_params.get(k) for k in st.query_params}
    if have != wanted:
        st.query_params.from_dict(wanted)


# -- stored datasets hidden from this view (in the link as ?hide=) --------------------------
def hidden_datasets() -> tuple[str, ...]:
    """The ids of the stored datasets this view hides, sorted (the store keeps them)."""
    return tuple(sorted(_ss().get(_HIDDEN) or ()))


def show_dataset_key(dataset_id: str) -> str:
    """The widget key of a stored dataset's "Show on the map" toggle."""
    return SHOW_DATASET + dataset_id


def seed_dataset_toggle(dataset_id: str) -> None:
    """Before its toggle is drawn: the toggle starts from the hidden set (a link's, or one
    kept while the toggle was not drawn), not from a default."""
    key = show_dataset_key(dataset_id)
    if key not in _ss():
        _ss()[key] = dataset_id not in hidden_datasets()


def set_dataset_shown(dataset_id: str) -> None:
    """``on_change`` of a stored dataset's toggle: hide it from this view, or show it."""
    hidden = set(hidden_datasets())
    if _ss().get(show_dataset_key(dataset_id), True):
        hidden.discard(dataset_id)
    else:
        hidden.add(dataset_id)
    _ss()[_HIDDEN] = sorted(hidden)


def keep_known_hidden(known: Mapping[str, str]) -> None:
    """Every full run, with the store's events datasets (id -> name): forget hidden ids the
    store no longer holds (removed), so the link never carries them. The first time in a
    session, an id the link named that the store does not hold is one of the link's problems
    (said on the page, like any other)."""
    ss = _ss()
    hidden = hidden_datasets()
    unknown = [k for k in hidden if k not in known]
    if not ss.get(_HIDDEN_CHECKED):
        ss[_HIDDEN_CHECKED] = True
        if unknown:
            ss.setdefault(_LINK_PROBLEMS, []).append(
                f"Ignored part of ?hide={','.join(hidden)} in the link: this dashboard's "
                f"store holds no dataset {', '.join(unknown)} (removed, or another "
                "dashboard's), so nothing is hidden for it.")
    if unknown:
        ss[_HIDDEN] = [k for k in hidden if k in known]


# -- what happened to an upload or download, kept across the rerun that reloads the data ----
def outcome(name: str) -> dict | None:
    return _ss().get(_OUTCOME + name)


def set_outcome(name: str, value: dict) -> None:
    _ss()[_OUTCOME + name] = value


def clear_outcome(name: str) -> None:
    _ss().pop(_OUTCOME + name, None)


# -- the double-rerun rule --------------------------------------------------------------------
def _applied_by_app_run() -> tuple:
    """State that only a run of the whole app applies: the sidebar's filters and layers (its
    widgets are outside the dashboard fragment), and play (the fragment's timer, ``run_every``,
    is set when the app runs)."""
    ss = _ss()
    return (playing(), ss.get(PLAY_SPEED), tuple(ss.get(FACTIONS) or ()),
            tuple(ss.get(LAYERS) or ()), bool(ss.get(EXACT_ONLY)))


def mark_app_run() -> None:
    """Call once per app run, after the sidebar: this state is now on screen."""
    _ss()[_APP_STATE_SHOWN] = _applied_by_app_run()


def rerun_app_if_needed() -> None:
    """At the top of the dashboard fragment: when a control inside it (a briefing scene, the
    claim's "show the events", Play, Space) changed state that only an app run applies, rerun
    the whole app (see the module docstring)."""
    if _applied_by_app_run() != _ss().get(_APP_STATE_SHOWN):
        st.rerun(scope="app")
