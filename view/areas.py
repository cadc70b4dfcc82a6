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


OPEN_END = 2**31 - 1  # the last day of a segment that has no end (days since 1970)


def area_segments(areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Every area cut where its state changes: one row per (area, stretch of days with one
    state), with :func:`areas_on`'s ``state`` and ``phase_label`` and the stretch's
    ``first_day`` and ``last_day`` (days since 1970-01-01, inclusive; :data:`OPEN_END` while
    the area has not ended). On any day, the rows whose stretch holds it are exactly
    :func:`areas_on` of that day: the live map sends them all once a rerun and the browser
    shows those of its clock's day (``L.cmClockGroup``).
    """
    rows, firsts, lasts = [], [], []
    for position in range(len(areas)):
        area = areas.iloc[[position]]
        start = pd.Timestamp(area["valid_from"].iloc[0]).normalize()
        end = area["valid_to"].iloc[0]
        end = None if pd.isna(end) else pd.Timestamp(end).normalize()
        phases = area["phases"].iloc[0]
        starts = {start}
        if isinstance(phases, Iterable) and not isinstance(phases, str | bytes | Mapping):
            for phase in phases:
                day = pd.Timestamp(phase["from"]).normalize()
                if day > start and (end is None or day <= end):
                    starts.add(day)
        ordered = sorted(starts)
        for i, first in enumerate(ordered):
            last = ordered[i + 1] - pd.Timedelta(days=1) if i + 1 < len(ordered) else end
            rows.append(areas_on(area, first))
            firsts.append(_day_number(first))
            lasts.append(OPEN_END if last is None else _day_number(last))
    if not rows:
        empty = areas_on(areas, pd.Timestamp("1900-01-01"))
        return empty.assign(first_day=pd.Series(dtype="int64"), last_day=pd.Series(dtype="int64"))
    result = pd.concat(rows)
    result["first_day"] = firsts
    result["last_day"] = lasts
    return gpd.GeoDataFrame(result, geometry="geometry", crs=areas.crs)


def _day_number(day: pd.Timestamp) -> int:
    return int((pd.Timestamp(day).normalize() - pd.Timestamp("1970-01-01")).days)
