"""What an export draws: one view of the dashboard, frozen into plain data.

The app (or a briefing scene) fills an :class:`ExportView` from the current clock, filters and
map view; the PNG and GIF renderers only read it. Nothing here imports Streamlit or touches the
network.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from layers.palette import LegendItem
from view.event_index import FACTION_CODE, FACTION_KEYS, principal_codes

if TYPE_CHECKING:
    import geopandas as gpd

    from sources.boundaries import Boundaries

# (min_lon, min_lat, max_lon, max_lat): Syria's OCHA admin-0 extent, rounded outwards.
SYRIA_BBOX: tuple[float, float, float, float] = (35.55, 32.25, 42.45, 37.40)

# Web-Mercator tiles are 256 px; Leaflet's zoom z shows 256 * 2**z px around the world.
_TILE_PX = 256


@dataclass
class ExportView:
    """One view of the map, ready to render.

    Attributes
    ----------
    title
        The heading burned into the export (e.g. the briefing or the app title).
    day
        The selected date.
    window_label
        The window in words, e.g. ``Clock.describe()``: '30 Nov – 6 Dec 2017 (7 days to the date)'.
    events
        Canonical event rows of the view (``sources/schema.py``), already filtered.
    principal_faction
        Per-event faction key aligned with ``events``' index; None to compute it with
        :func:`principal_faction`.
    zones
        Areas in force on ``day`` (``schema.AREA_COLUMNS``) with a ``state`` column.
    milestones
        Milestones to pin (``milestone_id, date, title, lat, lon, ...``).
    caption
        One line of text under the title (untrusted: drawn as text, never as markup).
    source_line
        Datasets the view shows, e.g. 'Events: UCDP GED 19.1 · Boundaries: OCHA COD-AB'.
    boundaries
        Country and governorate outlines, or None for a plain background.
    bbox
        ``(min_lon, min_lat, max_lon, max_lat)`` to show; the renderer widens it to fit the frame.
    legend
        What the legend lists (the layers' own items, as the page shows them); empty: the
        renderer lists the factions of ``events``.
    control_places
        The tracked places with their state on ``day`` (``view.control.ControlRecord.on``),
        when the control layer is on.
    control_areas
        The sub-districts shaded by control (``admin3_pcode``, ``controller`` — a controller
        key or "mixed" — and ``geometry``), when that layer is on.
    """

    title: str
    day: date
    window_label: str
    events: pd.DataFrame
    principal_faction: pd.Series | None = None
    zones: gpd.GeoDataFrame | None = None
    milestones: pd.DataFrame | None = None
    caption: str = ""
    source_line: str = ""
    boundaries: Boundaries | None = None
    bbox: tuple[float, float, float, float] = field(default=SYRIA_BBOX)
    legend: list[LegendItem] = field(default_factory=list)
    control_places: pd.DataFrame | None = None  # view.control state of the day, or None
    control_areas: gpd.GeoDataFrame | None = None  # shaded sub-districts with geometry

    def factions(self) -> pd.Series:
        """The principal faction of each event (given, or computed by the one rule)."""
        if self.principal_faction is not None:
            return self.principal_faction.reindex(self.events.index)
        return principal_faction(self.events["faction1"], self.events["faction2"])


def principal_faction(faction1: pd.Series, faction2: pd.Series) -> pd.Series:
    """The faction each event is drawn as, for whole columns at once.

    The rule lives in one place, :func:`view.event_index.principal_codes`; this only maps the
    faction keys of the canonical table to its codes and back.

    Parameters
    ----------
    faction1, faction2
        Faction keys (``schema.FACTIONS``) of side 1 and side 2, aligned on the same index.
        Missing values count as ``other``.

    Returns
    -------
    pandas.Series
        Faction keys, same index, dtype ``string``.
    """
    codes1 = _codes(faction1)
    codes2 = _codes(faction2)
    keys = np.asarray(FACTION_KEYS, dtype=object)[principal_codes(codes1, codes2)]
    return pd.Series(keys, index=faction1.index, dtype="string")


def _codes(factions: pd.Series) -> np.ndarray:
    mapped = factions.astype("string").fillna("other").map(FACTION_CODE)
    if mapped.isna().any():
        bad = sorted(set(factions[mapped.isna()].astype(str)))
        raise ValueError(f"faction keys outside schema.FACTIONS: {bad}")
    return mapped.to_numpy(dtype=np.int8)


def bbox_around(
    center: tuple[float, float], zoom: int, *, width_px: int = 1280, height_px: int = 720
) -> tuple[float, float, float, float]:
    """The area a Leaflet map of ``width_px`` × ``height_px`` shows at ``center`` and ``zoom``.

    Lets a briefing scene (``center=(lat, lon)``, ``zoom``) become an export ``bbox``.

    Returns
    -------
    (min_lon, min_lat, max_lon, max_lat)
    """
    lat, lon = center
    world_px = _TILE_PX * 2**zoom
    x, y = mercator(lon, lat)  # in units of the world width (0..1)
    half_w, half_h = width_px / 2 / world_px, height_px / 2 / world_px
    min_lon, max_lat = inverse_mercator(x - half_w, y - half_h)
    max_lon, min_lat = inverse_mercator(x + half_w, y + half_h)
    return (min_lon, min_lat, max_lon, max_lat)


def mercator(lon: float, lat: float) -> tuple[float, float]:
    """Web-Mercator position as a fraction of the world (x right, y down), like Leaflet's pixels."""
    lat = max(min(lat, 85.0511), -85.0511)
    x = (lon + 180.0) / 360.0
    y = 0.5 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / (2 * math.pi)
    return x, y


def inverse_mercator(x: float, y: float) -> tuple[float, float]:
    """(lon, lat) of a Web-Mercator world fraction; the inverse of :func:`mercator`."""
    lon = x * 360.0 - 180.0
    lat = math.degrees(2 * math.atan(math.exp((0.5 - y) * 2 * math.pi)) - math.pi / 2)
    return lon, lat
