"""Control of terrain: each tracked place on the selected day, in its controller's colour and
shape, sized by kind; a popup with the place's whole history, each period with its source.

The record (places, history, sources, sub-district outlines) is date-independent, so the
browser fetches it once, as a JSON file the app serves itself (:func:`publish_record`, under
``static/generated/``, named by its content); the base map only names that file, and a step
sends only the state of the day, computed by :meth:`view.control.ControlRecord.on` (a few
kilobytes for three hundred places). The standalone HTML export carries the record inline
instead (:func:`inline_record`), so that it works from disk. Drawn by
``static/app/control_layer.js``. Record text is untrusted: serialised with
``layers.events.to_json`` and inserted by the JS with ``textContent``.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template

from layers.base import LayerGroup
from layers.events import to_json
from layers.palette import (
    BESIEGED_RING_PX,
    CONTESTED_DASH,
    KIND_LABELS,
    KIND_RADIUS,
    NO_RECORD_COLOUR,
    OUTLINE,
    PLACE_HALO,
    RING_HOLE,
    SHAPE_POINTS,
    LegendItem,
    controller_label,
    controller_style,
)
from sources.control import CONTROLLERS, KINDS
from sources.store import write_atomic
from view.clock import format_day
from view.control import NO_RECORD, ControlRecord
from view.event_index import to_day
from view.run import RunView

NAME = "Control of places"
NOTE_CHARS = 280  # a note longer than this is cut in the popup (the CSV keeps it whole)
AREA_DECIMALS = 3  # ~100 m: sub-district outlines at the zooms the map is used at
GENERATED = "generated"  # under static/: files the app writes for the browser (git-ignored)


@functools.cache
def places_options_json() -> str:
    """The places' drawing options as JSON: the same every step, so made once."""
    return to_json({**controller_options(), "showNoRecord": True})


def controller_options() -> dict[str, object]:
    """The palette the JS draws places with, by controller code (Python is the source)."""
    return {
        "keys": list(CONTROLLERS),
        "labels": [controller_label(k) for k in CONTROLLERS],
        "colours": [controller_style(k).colour for k in CONTROLLERS],
        "shapes": [controller_style(k).shape for k in CONTROLLERS],
        "shapePoints": {name: [list(p) for p in pts] for name, pts in SHAPE_POINTS.items()},
        "ringHole": RING_HOLE,
        "outline": OUTLINE,
        "halo": PLACE_HALO,
        "contestedDash": CONTESTED_DASH,
        "besiegedRing": BESIEGED_RING_PX,
        "noRecordColour": NO_RECORD_COLOUR,
        "kindRadius": [KIND_RADIUS[k] for k in KINDS],
        "kindLabels": [KIND_LABELS[k] for k in KINDS],
    }


_CODE = {key: i for i, key in enumerate(CONTROLLERS)}
_KIND = {key: i for i, key in enumerate(KINDS)}


def _code(value: object) -> int:
    return _CODE.get(str(value), -1) if isinstance(value, str) and value else -1


def record_data(record: ControlRecord, subdistricts=None) -> dict:
    """The date-independent record for the browser: places, each place's history with its
    sources, and (with the boundaries) the sub-district outlines the areas view shades."""
    places = record.places
    history: list[list[list]] = [[] for _ in range(len(places))]
    position = {pid: i for i, pid in enumerate(places["place_id"].astype(str))}
    for row in record.changes.itertuples(index=False):
        note = str(row.note or "")
        if len(note) > NOTE_CHARS:
            note = note[: NOTE_CHARS - 1].rstrip() + "…"
        checked = str(row.source_checked or "").split(":")[0].strip()
        history[position[str(row.place_id)]].append([
            to_day(row.date), str(row.date_precision), _code(row.controller),
            _code(row.besieged_by), str(row.source_title or ""), str(row.source_url or ""),
            checked, note])
    data = {
        "places": {
            "id": places["place_id"].astype(str).tolist(),
            "name": places["name_en"].astype(str).tolist(),
            "ar": places["name_ar"].fillna("").astype(str).tolist(),
            "lat": np.round(places["latitude"].to_numpy(float), 5).tolist(),
            "lon": np.round(places["longitude"].to_numpy(float), 5).tolist(),
            "kind": [_KIND.get(str(k), _KIND["town"]) for k in places["kind"]],
            "pcode": places["admin3_pcode"].fillna("").astype(str).tolist(),
        },
        "history": history,
        "areas": _areas_geojson(subdistricts),
    }
    return data


def _areas_geojson(subdistricts) -> dict | None:
    if subdistricts is None:
        return None
    features = []
    for pcode, name, geom in zip(subdistricts["adm3_pcode"], subdistricts["adm3_name"],
                                 subdistricts["display_geometry"], strict=True):
        rounded = shapely.transform(geom, lambda xy: np.round(xy, AREA_DECIMALS))
        features.append({"type": "Feature", "properties": {"pcode": str(pcode),
                                                           "name": str(name)},
                         "geometry": json.loads(shapely.to_geojson(rounded))})
    return {"type": "FeatureCollection", "features": features}


class ControlRecordSource(MacroElement):
    """``L.cmControlRecord(data)`` (inline) or ``L.cmControlRecordUrl(url)`` (fetched once,
    from this app) in the base map."""

    _template = Template(
        "{% macro script(this, kwargs) %}\n"
        "{% if this.url %}L.cmControlRecordUrl({{ this.url_json }});"
        "{% else %}L.cmControlRecord({{ this.data_json }});{% endif %}\n"
        "{% endmacro %}"
    )

    def __init__(self, *, url: str = "", data_json: str = ""):
        super().__init__()
        self._name = "ControlRecordSource"
        self.url = url
        self.url_json = to_json(url)
        self.data_json = data_json


def record_json(record: ControlRecord, boundaries) -> str:
    """The record for the browser as JSON text, built once per record (it is shared)."""
    cached = getattr(record, "_browser_json", None)
    if cached is None:
        cached = to_json(record_data(record, getattr(boundaries, "subdistricts", None)))
        record._browser_json = cached  # the record is read-only: the JSON never goes stale
    return cached


def publish_record(record: ControlRecord, boundaries, static_dir: Path,
                   prefix: str) -> ControlRecordSource | None:
    """Write the record where the app serves static files (once: the name is its content's
    hash) and return the base-map element that fetches it; None without a record."""
    if not len(record):
        return None
    url = getattr(record, "_published_url", None)
    if url is None:  # once per record (the catalog is shared): no hashing on every rerun
        text = record_json(record, boundaries)
        digest = hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]
        target = static_dir / GENERATED / f"control-{digest}.json"
        if not target.is_file():
            write_atomic(target, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
        url = record._published_url = f"{prefix}{GENERATED}/{target.name}"
    return ControlRecordSource(url=url)


def inline_record(record: ControlRecord, boundaries) -> ControlRecordSource | None:
    """The record inside the page itself (the standalone HTML export)."""
    if not len(record):
        return None
    return ControlRecordSource(data_json=record_json(record, boundaries))


class ControlPlaces(MacroElement):
    """One ``L.controlPlaces(state, options)`` call added to its parent FeatureGroup."""

    _template = Template(
        "{% macro script(this, kwargs) %}\n"
        "L.controlPlaces({{ this.state_json }}, {{ this.options_json }})"
        ".addTo({{ this._parent.get_name() }});\n"
        "{% endmacro %}"
    )

    def __init__(self, state: dict, options_json: str):
        super().__init__()
        self._name = "ControlPlaces"
        self.state_json = to_json(state)
        self.options_json = options_json


def state_data(state: pd.DataFrame) -> dict:
    """The day's state of every place, in the record's order: controller code ``c`` (-1: no
    record), besieger code ``b`` (-1: none), ``s`` the day the state began (days since
    1970-01-01; 0 with no record)."""
    since = state["since"].to_numpy(dtype="datetime64[D]")
    days = np.where(np.isnat(since), 0, since.astype(np.int64))
    return {
        "c": [_CODE.get(v, -1) for v in state["controller"].tolist()],
        "b": [_CODE.get(v, -1) for v in state["besieged_by"].tolist()],
        "s": days.tolist(),
    }


def summary(state: pd.DataFrame) -> str:
    known = int((state["controller"] != NO_RECORD).sum())
    return f"{known:,} of {len(state):,} tracked places with a record on this day"


def build(view: RunView) -> LayerGroup:
    """The tracked places on the view's day (none when the catalog has no record)."""
    state = view.control_state
    group = LayerGroup(NAME, summary=summary(state) if len(state) else None)
    if len(state):
        # dayNumber: the browser's clock (event_clock.js) redraws the places for another day
        # from the record itself, and keeps this state for the server's own day.
        data = {**state_data(state), "day": format_day(view.clock.day),
                "dayNumber": to_day(view.clock.day)}
        ControlPlaces(data, places_options_json()).add_to(group)
    return group


def legend(view: RunView) -> list[LegendItem]:
    state = view.control_state
    if not len(state):
        return []
    present = [c for c in CONTROLLERS if (state["controller"] == c).any()]
    items = [LegendItem("heading", "Places: who held them on this day")]
    for key in present:
        style = controller_style(key)
        items.append(LegendItem("marker", controller_label(key), shape=style.shape,
                                colour=style.colour, dashed=key == "contested", halo=True))
    if (state["besieged_by"].fillna("") != "").any():
        items.append(LegendItem("ring", "Besieged (ring in the besieger's colour)",
                                colour="#444444"))
    if (state["controller"] == NO_RECORD).any():
        items.append(LegendItem("marker", "No record yet (nothing is guessed)",
                                colour=NO_RECORD_COLOUR, hollow=True))
    items.append(LegendItem("note", "Places have a white halo (events have none); size by "
                                    "kind: city, town, village or site. Control record: "
                                    "data/control/, each change with its source."))
    return items
