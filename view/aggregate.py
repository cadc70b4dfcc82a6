"""Server-side aggregation for the events map: points into grid cells sized by zoom.

At a million events the browser cannot draw every point, and the websocket should not carry
them: the map gets one circle per grid cell instead, sized by how many events it holds. The
cell edge halves with every zoom level (``360 / 2**(zoom + 3)`` degrees: about 8 cells across a
256-pixel tile, so circles do not overlap much). Every event lands in exactly one cell, so the
counts and fatalities of the cells add up to those of the events.

Pure NumPy: a dense bincount over the window's grid when it is small (the usual case for one
country), ``np.unique`` otherwise. No Python loop over points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from view.event_index import FACTION_KEYS, EventIndex

# Above this many grid slots the dense bincount would allocate too much: use np.unique.
_DENSE_LIMIT = 4_000_000

# ``(south, west, north, east)``, or ``((south, west), (north, east))``. The browser's own report
# is cleaned into the first form by ``ui/map_panel.py`` (``view.map_view.MapView.bounds``).
Bounds = tuple[float, float, float, float] | tuple[tuple[float, float], tuple[float, float]]


def cell_degrees(zoom: int) -> float:
    """Return the grid cell edge in degrees at a Leaflet zoom level."""
    return 360.0 / 2 ** (int(zoom) + 3)


@dataclass(frozen=True)
class Cells:
    """Grid cells of a set of events, one entry per non-empty cell.

    Attributes
    ----------
    lat, lon
        Centre of each cell: the mean position of its events (float64).
    count
        Events per cell (int64).
    fatalities
        Sum of ``fatalities_best`` per cell (int64), over the events that have a figure.
    no_figure
        Events per cell whose source gives no death figure (int64).
    dominant
        int8 code (:data:`view.event_index.FACTION_KEYS`) of the principal faction with the
        most events in the cell; ties go to the lower code.
    by_faction
        int64 array ``(cells, factions)``: events per principal faction.
    cell_deg
        The cell edge in degrees.
    """

    lat: np.ndarray
    lon: np.ndarray
    count: np.ndarray
    fatalities: np.ndarray
    no_figure: np.ndarray
    dominant: np.ndarray
    by_faction: np.ndarray
    cell_deg: float

    def __len__(self) -> int:
        return len(self.count)


def normalise_bounds(bounds: Bounds | None) -> tuple[float, float, float, float] | None:
    """Return ``(south, west, north, east)`` from either bounds shape, or None."""
    if bounds is None:
        return None
    if len(bounds) == 4:
        south, west, north, east = bounds
    else:
        (south, west), (north, east) = bounds
    return float(south), float(west), float(north), float(east)


def in_bounds(
    idx: EventIndex, indices: np.ndarray, bounds: Bounds | None, *, pad: float = 0.0
) -> np.ndarray:
    """Return the positions among ``indices`` whose point lies inside ``bounds``.

    ``pad`` widens the box by that fraction of its size on every side (so a small pan does not
    show empty edges). ``None`` bounds keep everything.
    """
    box = normalise_bounds(bounds)
    indices = np.asarray(indices, dtype=np.int64)
    if box is None:
        return indices
    south, west, north, east = box
    dy, dx = (north - south) * pad, (east - west) * pad
    lat, lon = idx.lat[indices], idx.lon[indices]
    inside = (lat >= south - dy) & (lat <= north + dy) & (lon >= west - dx) & (lon <= east + dx)
    return indices[inside]


def aggregate(
    idx: EventIndex,
    indices: np.ndarray | Sequence[int],
    *,
    zoom: int,
    bounds: Bounds | None = None,
) -> Cells:
    """Group events into grid cells for the map.

    Parameters
    ----------
    idx
        The event index.
    indices
        Positions of the events to group (e.g. ``idx.window(...)``).
    zoom
        Leaflet zoom level; the cell edge is :func:`cell_degrees` of it.
    bounds
        When given, only events inside these bounds are grouped (see :func:`in_bounds`).

    Returns
    -------
    Cells
        Non-empty cells, ordered by cell row (south to north) then column.
    """
    rows = in_bounds(idx, np.asarray(indices, dtype=np.int64), bounds)
    size = cell_degrees(zoom)
    n_factions = len(FACTION_KEYS)
    if not len(rows):
        empty_f = np.empty(0, dtype=np.float64)
        empty_i = np.empty(0, dtype=np.int64)
        return Cells(empty_f, empty_f, empty_i, empty_i, empty_i, np.empty(0, dtype=np.int8),
                     np.empty((0, n_factions), dtype=np.int64), size)

    lat = idx.lat[rows].astype(np.float64)
    lon = idx.lon[rows].astype(np.float64)
    gy = np.floor(lat / size).astype(np.int64)
    gx = np.floor(lon / size).astype(np.int64)
    gy -= gy.min()
    gx -= gx.min()
    width = int(gx.max()) + 1
    key = gy * width + gx
    slots = int(key.max()) + 1
    if slots <= _DENSE_LIMIT:
        dense = np.bincount(key, minlength=slots)
        occupied = np.flatnonzero(dense)
        # Map each slot to its rank among occupied slots: the compact cell number.
        rank = np.full(slots, -1, dtype=np.int64)
        rank[occupied] = np.arange(len(occupied))
        cell = rank[key]
        count = dense[occupied].astype(np.int64)
    else:
        _, cell, count = np.unique(key, return_inverse=True, return_counts=True)
        count = count.astype(np.int64)
    n_cells = len(count)

    lat_mean = np.bincount(cell, weights=lat, minlength=n_cells) / count
    lon_mean = np.bincount(cell, weights=lon, minlength=n_cells) / count
    # Integer sums: bincount's float weights are exact below 2**53, far above any real total.
    fatalities = np.rint(
        np.bincount(cell, weights=idx.fatalities[rows], minlength=n_cells)
    ).astype(np.int64)
    no_figure = np.bincount(cell, weights=idx.no_figure[rows], minlength=n_cells).astype(np.int64)
    by_faction = np.bincount(
        cell * n_factions + idx.principal[rows], minlength=n_cells * n_factions
    ).reshape(n_cells, n_factions).astype(np.int64)
    dominant = by_faction.argmax(axis=1).astype(np.int8)
    return Cells(lat_mean, lon_mean, count, fatalities, no_figure, dominant, by_faction, size)
