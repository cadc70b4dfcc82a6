"""Which areas are drawn on a day, and in which state (pure: no Streamlit, no folium)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import geopandas as gpd
import pandas as pd


def phase_on(phases: Iterable[Mapping] | None, day: pd.Timestamp) -> Mapping | None:
    """The last phase whose ``from`` is on or before ``day``, or None.

    Parameters
    ----------
    phases : iterable of mappings or None
        ``[{"from": "YYYY-MM-DD", "state": str, ...}, ...]`` in any order.
    day : pandas.Timestamp
    """
    # Missing phases come as None, or NaN from a file's empty property.
    if not isinstance(phases, Iterable) or isinstance(phases, str | bytes | Mapping):
        return None
    started = [
        (pd.Timestamp(phase["from"]), index)
        for index, phase in enumerate(phases)
        if pd.Timestamp(phase["from"]) <= day
    ]
    if not started:
        return None
    # Later 'from' wins; for the same 'from', the later listed phase (a correction) wins.
    return list(phases)[max(started)[1]]


def state_on(phases: Iterable[Mapping] | None, day: pd.Timestamp, default: str) -> str:
    """The state of :func:`phase_on`, or ``default`` when no phase has started by ``day``."""
    phase = phase_on(phases, day)
    return default if phase is None else str(phase["state"])


def areas_on(areas: gpd.GeoDataFrame, day: pd.Timestamp) -> gpd.GeoDataFrame:
    """The areas drawn on ``day``, with their ``state`` on that day.

    An area is drawn when ``valid_from <= day`` and (``valid_to`` is NaT or ``day <= valid_to``).

    Parameters
    ----------
    areas : geopandas.GeoDataFrame
        The canonical area table (``sources.schema.AREA_COLUMNS``).
    day : pandas.Timestamp
        The selected date (its time of day is ignored).

    Returns
    -------
    geopandas.GeoDataFrame
        The drawn rows, in their original order, with two added string columns: ``state``,
        the state of the last phase started by ``day`` (else ``style_value``), and
        ``phase_label``, that phase's ``label`` (else ``""``).
    """
    day = pd.Timestamp(day).normalize()
    valid_to = areas["valid_to"]
    drawn = (areas["valid_from"] <= day) & (valid_to.isna() | (day <= valid_to))
    result = areas.loc[drawn.to_numpy()].copy()
    phases = [phase_on(p, day) for p in result["phases"]]
    styles = ["" if pd.isna(style) else str(style) for style in result["style_value"]]
    result["state"] = pd.Series(
        [
            style if phase is None else str(phase["state"])
            for phase, style in zip(phases, styles, strict=True)
        ],
        index=result.index,
        dtype="string",
    )
    result["phase_label"] = pd.Series(
        ["" if phase is None else str(phase.get("label") or "") for phase in phases],
        index=result.index,
        dtype="string",
    )
    return result
