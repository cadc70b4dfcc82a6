"""Briefings: an ordered list of scenes (a date, a window, a filter, a map view, a caption and
speaker notes) that a briefer steps through on a shared screen.

A briefing is a YAML (or JSON) file under ``data/briefings/``; ``data/briefings/README.md``
describes the format. Loading is strict: a briefer finds a typo before the meeting, not during
it, so every error names the file, the scene (1-based, as the briefer counts them) and the field.

Pure: no Streamlit, no network.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sources.schema import FACTIONS
from view.clock import WINDOWS
from view.map_view import MAX_ZOOM, MIN_ZOOM
from view.url_state import LayerKeys

BRIEFINGS_DIR = Path(__file__).resolve().parent.parent / "data" / "briefings"
BRIEFING_SUFFIXES: tuple[str, ...] = (".yaml", ".yml", ".json")

_BRIEFING_KEYS = {"id", "title", "description", "sources", "scenes"}
_SCENE_KEYS = {
    "date", "window", "caption", "notes", "factions", "layers", "center", "zoom", "title",
}


class BriefingError(ValueError):
    """A briefing file that cannot be used; the message names file, scene and field."""


@dataclass(frozen=True)
class Scene:
    """One step of a briefing.

    ``factions`` is None for "all factions"; ``center`` is ``(lat, lon)`` and, with ``zoom``,
    None for "keep the current map view".
    """

    date: dt.date
    window: str
    caption: str
    notes: str
    factions: tuple[str, ...] | None
    layers: tuple[str, ...]
    center: tuple[float, float] | None
    zoom: int | None
    title: str


@dataclass(frozen=True)
class Briefing:
    """A titled, ordered list of scenes with the sources it draws on."""

    briefing_id: str
    title: str
    description: str
    scenes: list[Scene]
    sources: list[str]


def _fail(path: Path, where: str, message: str) -> BriefingError:
    return BriefingError(f"{path}: {where}: {message}")


def _text(value: Any, path: Path, where: str, *, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _fail(path, where, f"expected text, got {type(value).__name__} {value!r}")
    text = value.strip()
    if required and not text:
        raise _fail(path, where, "must not be empty")
    return text


def _date(value: Any, path: Path, where: str) -> dt.date:
    # YAML parses an unquoted 2017-10-17 into a date already; JSON gives a string.
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _fail(path, where, f"not a date (expected YYYY-MM-DD): {value!r}")


def _keys(values: Any, allowed: tuple[str, ...], path: Path, where: str, what: str) -> tuple:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise _fail(path, where, f"expected a list of {what} keys, got {values!r}")
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise _fail(
            path, where, f"unknown {what} {unknown!r}; known: {', '.join(allowed)}"
        )
    # Keep the author's order, drop repeats.
    return tuple(dict.fromkeys(values))


def _center(value: Any, path: Path, where: str) -> tuple[float, float]:
    ok = (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    )
    if not ok:
        raise _fail(path, where, f"expected [lat, lon] in decimal degrees, got {value!r}")
    lat, lon = float(value[0]), float(value[1])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise _fail(path, where, f"[lat, lon] out of range: {value!r}")
    return lat, lon


def _zoom(value: Any, path: Path, where: str) -> int:
    low, high = MIN_ZOOM, MAX_ZOOM
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _fail(path, where, f"zoom must be a whole number from {low} to {high}, got {value!r}")
    return value


def _scene(raw: Any, path: Path, number: int, layer_keys: LayerKeys) -> Scene:
    where = f"scene {number}"
    if not isinstance(raw, dict):
        raise _fail(path, where, f"expected a mapping of fields, got {type(raw).__name__}")
    unknown = sorted(set(map(str, raw)) - _SCENE_KEYS)
    if unknown:
        raise _fail(path, where, f"unknown field(s) {unknown}; known: {sorted(_SCENE_KEYS)}")
    if "date" not in raw:
        raise _fail(path, f"{where}: field 'date'", "missing")
    day = _date(raw["date"], path, f"{where}: field 'date'")
    window = raw.get("window", "week")
    if window not in WINDOWS:
        known = ", ".join(WINDOWS)
        raise _fail(path, f"{where}: field 'window'", f"unknown window {window!r}; known: {known}")
    caption = _text(raw.get("caption"), path, f"{where}: field 'caption'", required=True)
    if "\n" in caption:
        raise _fail(path, f"{where}: field 'caption'", "must be one line (it is shown on screen)")
    factions = raw.get("factions")
    if factions is not None:
        factions = _keys(factions, tuple(FACTIONS), path, f"{where}: field 'factions'", "faction")
        if not factions:
            raise _fail(path, f"{where}: field 'factions'", "empty list; omit it for all factions")
    layers = raw.get("layers", list(layer_keys.defaults))
    layers = _keys(layers, layer_keys.keys, path, f"{where}: field 'layers'", "layer")
    center = raw.get("center")
    zoom = raw.get("zoom")
    if (center is None) != (zoom is None):
        raise _fail(path, f"{where}: fields 'center'/'zoom'", "give both or neither")
    return Scene(
        date=day,
        window=window,
        caption=caption,
        notes=_text(raw.get("notes"), path, f"{where}: field 'notes'", required=False),
        factions=factions,
        layers=layers,
        center=None if center is None else _center(center, path, f"{where}: field 'center'"),
        zoom=None if zoom is None else _zoom(zoom, path, f"{where}: field 'zoom'"),
        title=_text(raw.get("title"), path, f"{where}: field 'title'", required=False) or caption,
    )


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BriefingError(f"{path}: cannot read: {exc}") from exc
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise BriefingError(f"{path}: not valid {path.suffix.lstrip('.').upper()}: {exc}") from exc


def load_briefing(path: str | Path, layer_keys: LayerKeys) -> Briefing:
    """Read and check one briefing file.

    Parameters
    ----------
    path
        A ``.yaml``/``.yml`` or ``.json`` file in the format of ``data/briefings/README.md``.
    layer_keys
        The map's layer keys (``layers.registry.LAYER_KEYS``): what a scene's ``layers`` may
        name, and what a scene without ``layers`` shows.

    Returns
    -------
    Briefing

    Raises
    ------
    BriefingError
        (a ``ValueError``) naming the file, the scene number (1-based) and the field.
    """
    path = Path(path)
    raw = _read(path)
    if not isinstance(raw, dict):
        raise BriefingError(f"{path}: expected a mapping with 'title' and 'scenes' at the top")
    unknown = sorted(set(map(str, raw)) - _BRIEFING_KEYS)
    if unknown:
        raise BriefingError(f"{path}: unknown top-level field(s) {unknown}")
    title = _text(raw.get("title"), path, "field 'title'", required=True)
    briefing_id = _text(raw.get("id"), path, "field 'id'", required=False) or path.stem
    sources = raw.get("sources") or []
    if not isinstance(sources, list) or not all(isinstance(s, str) and s.strip() for s in sources):
        raise BriefingError(f"{path}: field 'sources': expected a list of non-empty text lines")
    scenes_raw = raw.get("scenes")
    if not isinstance(scenes_raw, list) or not scenes_raw:
        raise BriefingError(f"{path}: field 'scenes': expected a non-empty list of scenes")
    scenes = [_scene(item, path, number, layer_keys)
              for number, item in enumerate(scenes_raw, start=1)]
    return Briefing(
        briefing_id=briefing_id,
        title=title,
        description=_text(raw.get("description"), path, "field 'description'", required=False),
        scenes=scenes,
        sources=[s.strip() for s in sources],
    )


def list_briefings(layer_keys: LayerKeys,
                   folder: str | Path = BRIEFINGS_DIR) -> tuple[list[Briefing], list[str]]:
    """Load every briefing file in ``folder``, sorted by file name.

    A broken file is not skipped silently: its error message (naming file, scene and field) is
    returned in ``errors`` for the UI to show, and the other briefings still load. Two files
    with the same briefing id are an error for the second one.

    Returns
    -------
    (briefings, errors)
    """
    folder = Path(folder)
    briefings: list[Briefing] = []
    errors: list[str] = []
    if not folder.is_dir():
        return briefings, [f"{folder}: briefings folder not found"]
    seen: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.suffix.lower() not in BRIEFING_SUFFIXES:
            continue
        try:
            briefing = load_briefing(path, layer_keys)
        except BriefingError as exc:
            errors.append(str(exc))
            continue
        if briefing.briefing_id in seen:
            first = seen[briefing.briefing_id]
            errors.append(f"{path}: briefing id {briefing.briefing_id!r} already used by {first}")
            continue
        seen[briefing.briefing_id] = path
        briefings.append(briefing)
    return briefings, errors
