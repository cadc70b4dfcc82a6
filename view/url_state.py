"""The exact view in a link: the view state and its URL query parameters.

Every parameter is optional; one that is missing or invalid falls back to its default and the
problem is reported (never silently), so a hand-edited or stale link still opens. Pure: no
Streamlit — the app reads ``st.query_params`` into a plain mapping and writes
:func:`to_query` back. The layer keys are the map's layer registry's (``layers.registry``),
passed in as :class:`LayerKeys`, so this module names no layer itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from sources.schema import FACTIONS
from view.clock import WINDOWS
from view.map_view import MAX_ZOOM, MIN_ZOOM
from view.stored import DATASET_ID

DEFAULT_WINDOW = "month"


@dataclass(frozen=True)
class LayerKeys:
    """The map's layers as links and briefing files name them: every key, in the registry's
    order, and those switched on by default."""

    keys: tuple[str, ...]
    defaults: tuple[str, ...]


@dataclass(frozen=True)
class ViewState:
    """Everything a link reproduces."""

    day: date
    window: str = DEFAULT_WINDOW
    range_start: date | None = None  # overrides the window: view = range_start .. day
    factions: tuple[str, ...] = ()  # empty = all factions
    layers: tuple[str, ...] = ()  # registry keys switched on
    center: tuple[float, float] | None = None  # lat, lon; None = the map's default
    zoom: int | None = None
    briefing: str | None = None
    scene: int | None = None  # 1-based scene number within the briefing
    present: bool = False
    exact_only: bool = False  # hide events whose place is approximate
    # Stored datasets hidden from this view (their ids, sorted): the receiver of a link sees
    # the events the sender saw. Which ids the store holds is checked in ``ui`` (the store is
    # not known here); one that is not there is reported and dropped.
    hidden: tuple[str, ...] = ()

    def with_(self, **changes) -> ViewState:
        return replace(self, **changes)


@dataclass
class ParsedState:
    state: ViewState
    problems: list[str] = field(default_factory=list)  # one sentence per ignored parameter


def _one(params: Mapping[str, object], key: str) -> str | None:
    value = params.get(key)
    if isinstance(value, list | tuple):
        value = value[-1] if value else None
    return None if value is None or value == "" else str(value)


def _parse_day(raw: str) -> date:
    # Only ISO dates: a link must never be read with day and month swapped.
    return date.fromisoformat(raw)


def from_query(params: Mapping[str, object], default_day: date,
               layer_keys: LayerKeys) -> ParsedState:
    """Read a view state from query parameters (values as strings or lists of strings)."""
    problems: list[str] = []
    state = ViewState(day=default_day, layers=layer_keys.defaults)

    def bad(key: str, raw: str, why: str) -> None:
        problems.append(f"Ignored ?{key}={raw!r} in the link: {why}.")

    if (raw := _one(params, "date")) is not None:
        try:
            state = state.with_(day=_parse_day(raw))
        except ValueError:
            bad("date", raw, "expected a date as YYYY-MM-DD")
    if (raw := _one(params, "window")) is not None:
        if raw in WINDOWS:
            state = state.with_(window=raw)
        else:
            bad("window", raw, f"expected one of {', '.join(WINDOWS)}")
    if (raw := _one(params, "from")) is not None:
        try:
            state = state.with_(range_start=_parse_day(raw))
        except ValueError:
            bad("from", raw, "expected a date as YYYY-MM-DD")
    def known(key: str, raw: str, allowed, what: str) -> tuple[str, ...]:
        """The comma-separated keys that are known, in ``allowed``'s order; unknown ones are
        reported."""
        keys = [k for k in raw.split(",") if k]
        unknown = [k for k in keys if k not in allowed]
        if unknown:
            bad(key, raw, f"unknown {what} {', '.join(unknown)}")
        return tuple(k for k in allowed if k in keys)

    if (raw := _one(params, "factions")) is not None:
        state = state.with_(factions=known("factions", raw, tuple(FACTIONS), "faction"))
    if (raw := _one(params, "layers")) is not None:
        state = state.with_(layers=known("layers", raw, layer_keys.keys, "layer"))
    if (raw := _one(params, "center")) is not None:
        try:
            lat, lon = (float(x) for x in raw.split(","))
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError
            state = state.with_(center=(lat, lon))
        except ValueError:
            bad("center", raw, "expected latitude,longitude")
    if (raw := _one(params, "zoom")) is not None:
        try:
            zoom = int(raw)
            if not MIN_ZOOM <= zoom <= MAX_ZOOM:
                raise ValueError
            state = state.with_(zoom=zoom)
        except ValueError:
            bad("zoom", raw, f"expected a whole number from {MIN_ZOOM} to {MAX_ZOOM}")
    if (raw := _one(params, "briefing")) is not None:
        state = state.with_(briefing=raw)
    if (raw := _one(params, "scene")) is not None:
        try:
            scene = int(raw)
            if scene < 1:
                raise ValueError
            state = state.with_(scene=scene)
        except ValueError:
            bad("scene", raw, "expected a scene number from 1")
    if (raw := _one(params, "present")) is not None:
        state = state.with_(present=raw in {"1", "true", "yes"})
    if (raw := _one(params, "places")) is not None:
        if raw in {"exact", "all"}:
            state = state.with_(exact_only=raw == "exact")
        else:
            bad("places", raw, "expected exact or all")
    if (raw := _one(params, "hide")) is not None:
        ids = [k.strip().lower() for k in raw.split(",") if k.strip()]
        malformed = [k for k in ids if not DATASET_ID.match(k)]
        if malformed:
            bad("hide", raw, "a stored dataset's id is 12 hex digits, as the sidebar and "
                             f"python -m sources list show; not {', '.join(malformed)}")
        state = state.with_(hidden=tuple(sorted({k for k in ids if DATASET_ID.match(k)})))
    return ParsedState(state, problems)


def to_query(state: ViewState, layer_keys: LayerKeys) -> dict[str, str]:
    """Query parameters for a state; parameters at their default are left out."""
    out: dict[str, str] = {"date": state.day.isoformat()}
    if state.window != DEFAULT_WINDOW:
        out["window"] = state.window
    if state.range_start is not None:
        out["from"] = state.range_start.isoformat()
    if state.factions:
        out["factions"] = ",".join(state.factions)
    if tuple(state.layers) != layer_keys.defaults:
        out["layers"] = ",".join(state.layers)
    if state.center is not None:
        out["center"] = f"{state.center[0]:.4f},{state.center[1]:.4f}"
    if state.zoom is not None:
        out["zoom"] = str(state.zoom)
    if state.briefing:
        out["briefing"] = state.briefing
    if state.scene is not None:
        out["scene"] = str(state.scene)
    if state.present:
        out["present"] = "1"
    if state.exact_only:
        out["places"] = "exact"
    if state.hidden:
        out["hide"] = ",".join(sorted(state.hidden))
    return out
