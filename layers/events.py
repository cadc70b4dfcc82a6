"""The events layer: single events, or grid cells when a window holds too many to draw.

One :class:`ConflictEvents` element per step, whatever the number of events: its template
emits a single ``L.conflictEvents(data, options).addTo(fg)`` call, and our own canvas layer
(``static/app/event_layer.js``) draws the markers. Never one folium object per event: that
costs about 1 KB and a millisecond of Python each (engineering notes §1.5, §2.1).

The data is compact columnar JSON. Strings that repeat (actors, places, event types, sources)
are written once in a string table and referenced by number. The JSON is produced by Jinja's
``htmlsafe_json_dumps`` (what the ``tojson`` filter calls), which writes ``<``, ``>``, ``&`` and
``'`` as ``\\u003c``-style escapes, so no dataset text can close the ``<script>`` or start
markup; the front end inserts every text with ``textContent``.

A step never sends more than :data:`PAYLOAD_BUDGET` bytes of data: single events are capped by
``max_points``, long notes are shortened further if the details still do not fit, and above
the cap the layer draws cells (at most :data:`MAX_CELLS`, coarsening the grid when needed).
"""

from __future__ import annotations

import json
import math
import re

import folium
import numpy as np
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template
from jinja2.utils import htmlsafe_json_dumps

from layers.base import LayerGroup
from layers.palette import (
    FACTION_STYLE,
    MAX_RADIUS,
    MIN_RADIUS,
    OUTLINE,
    RADIUS_PER_SQRT_DEATH,
    RING_HOLE,
    SHAPE_POINTS,
    SHAPES,
    LegendItem,
    faction_item,
    size_items,
)
from sources.schema import FACTIONS
from view.aggregate import Bounds, Cells, aggregate, in_bounds
from view.event_index import FACTION_KEYS, EventIndex
from view.run import RunView

NAME = "Events"

PAYLOAD_BUDGET = 950_000  # bytes of data JSON per step; the rest of the FG script is ~1 KB
MAX_CELLS = 6_000  # cells drawn at most; the grid coarsens until it fits
NOTES_CHARS = 600  # notes longer than this are cut, with an ellipsis
VIEW_PAD = 0.5  # fraction of the view added on each side when cutting to the view

# Detail columns sent for single events, each as indices into one string table.
_TEXT_FIELDS: dict[str, str] = {
    "id": "event_id",
    "dataset": "source_dataset",
    "type": "event_type",
    "actor1": "actor1",
    "actor2": "actor2",
    "place": "place",
    "gov": "governorate",
    "place_prec": "place_precision",
    "date_prec": "date_precision",
    "notes": "notes",
    "source": "source",
    "url": "source_url",
}


def palette_options() -> dict[str, object]:
    """The palette the front end draws with, by faction code (Python is the source of truth)."""
    return {
        "radius": {"min": MIN_RADIUS, "perSqrtDeath": RADIUS_PER_SQRT_DEATH, "max": MAX_RADIUS},
        "keys": list(FACTION_KEYS),
        "labels": [FACTIONS[k] for k in FACTION_KEYS],
        "colours": [FACTION_STYLE[k].colour for k in FACTION_KEYS],
        "shapes": [FACTION_STYLE[k].shape for k in FACTION_KEYS],
        "outline": OUTLINE,
        "shapeNames": list(SHAPES),
        "shapePoints": {name: [list(p) for p in pts] for name, pts in SHAPE_POINTS.items()},
        "ringHole": RING_HOLE,
    }


class ConflictEvents(MacroElement):
    """One ``L.conflictEvents(data, options)`` call added to its parent FeatureGroup.

    ``data`` and ``options`` are serialised with :func:`to_json` (``htmlsafe_json_dumps``,
    compact separators), so the template inserts text that is already safe in ``<script>``.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}\n"
        "L.conflictEvents({{ this.data_json }}, {{ this.options_json }})"
        ".addTo({{ this._parent.get_name() }});\n"
        "{% endmacro %}"
    )

    def __init__(self, data: dict[str, object] | str, options: dict[str, object]):
        super().__init__()
        self._name = "ConflictEvents"
        # ``data`` may come already serialised by :func:`to_json` (build measures its size).
        self.data_json = data if isinstance(data, str) else to_json(data)
        self.options_json = to_json(options)


# A brace that opens a Jinja tag ("{{", "{%", "{#"). In JSON a structural brace is always
# followed by a quote or a closing brace, so such a brace can only be inside a string.
_JINJA_OPEN = re.compile(r"\{(?=[{%#])")


def to_json(value: object) -> str:
    """Compact JSON that is safe inside ``<script>`` (``<``, ``>``, ``&``, ``'`` escaped) and
    inside a folium template (a brace that would open a Jinja tag is written ``\\u007b``:
    branca renders each element's script as a template once more, on the server)."""
    # ensure_ascii=False: Arabic text stays 2 bytes a letter in UTF-8 instead of 6 (\\uXXXX).
    text = str(htmlsafe_json_dumps(value, dumps=json.dumps, separators=(",", ":"),
                                   ensure_ascii=False))
    return _JINJA_OPEN.sub(r"\\u007b", text)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def _coords(values: np.ndarray) -> list[float]:
    return np.round(values.astype(np.float64), 4).tolist()


def _texts(rows: pd.DataFrame, notes_chars: int) -> tuple[list[str], dict[str, list[int]]]:
    """The string table and, per detail field, each event's index into it."""
    columns = []
    for column in _TEXT_FIELDS.values():
        values = rows[column].astype(object).where(rows[column].notna(), "")
        values = values.astype(str)
        if column == "notes":
            long = values.str.len() > notes_chars
            cut = values[long].str.slice(0, max(notes_chars - 1, 0)).str.rstrip() + "…"
            values = values.where(~long, cut if notes_chars else "")
        elif column == "source_url":
            # Only web links become links; anything else (javascript:, data:...) is dropped.
            lower = values.str.strip().str.lower()
            web = lower.str.startswith("http://") | lower.str.startswith("https://")
            values = values.str.strip().where(web, "")
        columns.append(values.to_numpy(dtype=object))
    flat = np.concatenate(columns) if columns else np.empty(0, dtype=object)
    codes, uniques = pd.factorize(flat)
    codes = codes.reshape(len(columns), len(rows))
    table = [str(u) for u in uniques]
    return table, {key: codes[i].tolist() for i, key in enumerate(_TEXT_FIELDS)}


def events_data(idx: EventIndex, rows: np.ndarray, *, notes_chars: int = NOTES_CHARS) -> dict:
    """Columnar data for single events ``rows``, biggest first (so small ones stay on top).

    Keys: ``kind`` ("events"); ``lat``, ``lon`` (4 decimals); ``f`` principal faction code;
    ``d`` best fatalities; ``lo``/``hi`` low/high fatalities; ``f1``/``f2`` faction codes;
    ``start``/``end`` days since 1970-01-01; ``strings`` the string table; and one list of
    string-table indices per detail field (``id``, ``type``, ``actor1``, ``notes``, ``url``...).
    Entry ``i`` of every list belongs to event ``i``.
    """
    order = np.argsort(-idx.fatalities[rows].astype(np.int64), kind="stable")
    rows = rows[order]
    frame = idx.rows(rows)
    strings, fields = _texts(frame, notes_chars)
    return {
        "kind": "events",
        "lat": _coords(idx.lat[rows]),
        "lon": _coords(idx.lon[rows]),
        "f": idx.principal[rows].tolist(),
        # null: no figure in the source (the marker takes the smallest size)
        "d": _nulls(idx.fatalities[rows], idx.no_figure[rows]),
        "lo": _figures(frame["fatalities_low"]),
        "hi": _figures(frame["fatalities_high"]),
        "f1": idx.faction1[rows].tolist(),
        "f2": idx.faction2[rows].tolist(),
        "ap": idx.approximate[rows].astype(np.int8).tolist(),  # 1: approximate place: hollow
        "start": idx.start_day[rows].tolist(),
        "end": idx.end_day[rows].tolist(),
        "strings": strings,
        **fields,
    }


def _nulls(values: np.ndarray, unknown: np.ndarray) -> list[int | None]:
    numbers = values.tolist()
    if not unknown.any():
        return numbers
    return [None if u else n for n, u in zip(numbers, unknown.tolist(), strict=True)]


def _figures(values: pd.Series) -> list[int | None]:
    """Whole numbers, ``None`` (JSON null) where the source gives no figure."""
    known = values.notna().to_numpy()
    numbers = values.fillna(0).to_numpy(dtype=np.int64).tolist()
    if known.all():
        return numbers
    return [n if k else None for n, k in zip(numbers, known.tolist(), strict=True)]


def cells_data(cells: Cells) -> dict:
    """Columnar data for grid cells: centre, count ``n``, fatalities ``d``, dominant ``f``,
    the cell edge ``cell`` in degrees and the ``zoom`` the grid was made for."""
    order = np.argsort(cells.count, kind="stable")  # biggest last: their counts on top
    return {
        "kind": "cells",
        "lat": _coords(cells.lat[order]),
        "lon": _coords(cells.lon[order]),
        "n": cells.count[order].tolist(),
        "d": cells.fatalities[order].tolist(),
        "u": cells.no_figure[order].tolist(),  # events with no figure: not in "d"
        "f": cells.dominant[order].tolist(),
        "cell": cells.cell_deg,
        # the zoom the grid was made for: cells are 32 px apart there (360 / 2**(zoom + 3))
        "zoom": round(math.log2(360.0 / cells.cell_deg)) - 3,
    }


def _drawable(idx: EventIndex, rows: np.ndarray) -> np.ndarray:
    return rows[np.isfinite(idx.lat[rows]) & np.isfinite(idx.lon[rows])]


def _single_events_json(idx: EventIndex, rows: np.ndarray) -> str | None:
    """The data JSON for single events, within the budget, or None when it cannot fit.

    Notes are cut at :data:`NOTES_CHARS`; when the details still exceed the budget, the cut
    is shortened in proportion to the excess (then by a fifth per try), down to no notes.
    """
    full = to_json(events_data(idx, rows, notes_chars=NOTES_CHARS))
    full_bytes = len(full.encode())
    if full_bytes <= PAYLOAD_BUDGET:
        return full
    bare = to_json(events_data(idx, rows, notes_chars=0))
    bare_bytes = len(bare.encode())
    if bare_bytes > PAYLOAD_BUDGET:
        return None
    chars = int(NOTES_CHARS * (PAYLOAD_BUDGET - bare_bytes) / (full_bytes - bare_bytes) * 0.95)
    while chars >= 20:
        text = to_json(events_data(idx, rows, notes_chars=chars))
        if len(text.encode()) <= PAYLOAD_BUDGET:
            return text
        chars = int(chars * 0.8)
    return bare


def coarsened_cells(idx: EventIndex, rows: np.ndarray, zoom: int, *,
                    max_cells: int = MAX_CELLS) -> Cells:
    """Cells of ``rows`` for ``zoom``, the grid coarsened until at most ``max_cells``
    (``static/app/event_clock.js`` repeats this loop exactly)."""
    zoom = int(zoom)
    cells = aggregate(idx, rows, zoom=zoom)
    while len(cells) > max_cells and zoom > 0:
        # One zoom level out at most quarters the number of cells: jump as far as that allows.
        levels = max(1, math.ceil(math.log(len(cells) / max_cells, 4)))
        zoom = max(0, zoom - levels)
        cells = aggregate(idx, rows, zoom=zoom)
    return cells


def _cells_summary(cells: Cells, where: str) -> str:
    return (f"{_plural(int(cells.count.sum()), 'event')}{where} in "
            f"{_plural(len(cells), 'cell')}; zoom in for single events")


def _visible(idx: EventIndex, indices: np.ndarray, bounds: Bounds | None,
             max_points: int) -> tuple[np.ndarray, np.ndarray, int]:
    """(drawable rows, the rows to draw, how many have no coordinates): above ``max_points``
    the rows are cut to the padded view when it is known."""
    rows = _drawable(idx, np.asarray(indices, dtype=np.int64))
    visible = rows
    if len(rows) > max_points and bounds is not None:
        visible = in_bounds(idx, rows, bounds, pad=VIEW_PAD)
    return rows, visible, len(indices) - len(rows)


def draw_summary(idx: EventIndex, indices: np.ndarray, *, zoom: int = 7,
                 bounds: Bounds | None = None,
                 max_points: int = 4000) -> tuple[str, np.ndarray | None]:
    """What :func:`draw` would draw, in words, and the rows it would draw one by one (None
    when it draws cells), without building the layer's data."""
    rows, visible, missing = _visible(idx, indices, bounds, max_points)
    where = " in view" if len(visible) < len(rows) else ""
    if len(visible) <= max_points:
        summary = _plural(len(visible), "event") if len(visible) else "No events"
        if where:
            summary += f"{where} (of {len(rows):,} in the window)"
        single = visible
    else:
        summary, single = _cells_summary(coarsened_cells(idx, visible, zoom), where), None
    if missing:
        summary += f" ({missing:,} without coordinates not drawn)"
    return summary, single


def draw(
    idx: EventIndex,
    indices: np.ndarray,
    *,
    zoom: int = 7,
    bounds: Bounds | None = None,
    max_points: int = 4000,
) -> tuple[folium.FeatureGroup, str]:
    """Build the events layer of one step.

    Parameters
    ----------
    idx
        The event index.
    indices
        Positions of the window's events (``idx.window(...)``).
    zoom
        The map's zoom; sets the cell size when events are aggregated.
    bounds
        The map's view (``(south, west, north, east)``, :class:`view.map_view.MapView` bounds).
        When the window holds more than ``max_points`` events but the view (padded by half its
        size on each side) holds at most that many, those are drawn as single events; cells
        are computed for the padded view only.
    max_points
        Most single events drawn; above it, cells.

    Returns
    -------
    (folium.FeatureGroup, str)
        The layer, with exactly one :class:`ConflictEvents` child, and a one-line summary of
        what is drawn: ``"1,234 events"`` or
        ``"41,210 events in 312 cells; zoom in for single events"``.
    """
    # Too many for single events: keep to the (padded) view when we know it.
    rows, visible, missing = _visible(idx, indices, bounds, max_points)
    where = " in view" if len(visible) < len(rows) else ""

    data_json = _single_events_json(idx, visible) if len(visible) <= max_points else None
    if data_json is not None:
        summary = _plural(len(visible), "event") if len(visible) else "No events"
        if where:
            summary += f"{where} (of {len(rows):,} in the window)"
    else:
        cells = coarsened_cells(idx, visible, zoom)
        data_json, summary = to_json(cells_data(cells)), _cells_summary(cells, where)
    if missing:
        summary += f" ({missing:,} without coordinates not drawn)"

    fg = LayerGroup(NAME, summary=summary, control=True)
    ConflictEvents(data_json, palette_options()).add_to(fg)
    return fg, summary


def build(view: RunView) -> LayerGroup:
    """The events layer of the view: its window's events, aggregated for the map's zoom and
    bounds when there are too many; ``summary`` says what is drawn. In the live app (the view
    has a browser clock) the browser draws them from its slabs (``layers.event_clock``)."""
    if view.browser_clock is not None:
        from layers import event_clock  # it builds on this module

        return event_clock.build(view)
    group, _ = draw(view.catalog.index, view.rows, zoom=view.map.effective_zoom,
                    bounds=view.map.bounds)
    return group


def factions_present(view: RunView) -> list[str]:
    """The principal factions of the window's events, most events first."""
    codes = view.catalog.index.principal[view.rows]
    counts = np.bincount(codes, minlength=len(FACTION_KEYS))
    order = np.argsort(-counts, kind="stable")
    return [FACTION_KEYS[c] for c in order if counts[c]]


def legend(view: RunView) -> list[LegendItem]:
    keys = factions_present(view) or list(FACTION_KEYS)
    items = [LegendItem("heading", "Events: principal party"),
             *(faction_item(k) for k in keys)]
    rows = view.rows
    if len(rows) and view.catalog.index.approximate[rows].any():
        first = keys[0]
        items.append(faction_item(first, label="Hollow: place approximate (near, district or "
                                               "governorate)", hollow=True))
    return [*items, LegendItem("heading", "Deaths (best estimate)"), *size_items()]
