"""The sorted event index: a million events, any date window, without scanning them all.

:class:`EventIndex` sorts the canonical event table by ``date_start`` once and keeps compact
NumPy arrays beside it (days since 1970-01-01, float32 coordinates, int8 faction codes...).
A window query is two binary searches plus a mask over the few rows that could overlap; the
index is never mutated after construction (its arrays are read-only), so one instance can be
shared by every Streamlit session through ``st.cache_resource``.

Window semantics (ARCHITECTURE.md, "The clock"): an event is in the window ``[start, end]``
(both inclusive) when its ``[date_start, date_end]`` overlaps it, i.e.
``date_start <= end and date_end >= start``.

Why the overlap query never scans everything: rows are sorted by ``date_start``, so the rows
with ``date_start <= end`` are a prefix. Among them, a row can still reach ``start`` only if it
began at most ``max_span`` days before ``start``. So only rows with ``date_start`` in
``[start - max_span, end]`` need their ``date_end`` checked. A handful of very long events
(month- or year-precision records) would make ``max_span`` large for everyone, so rows longer
than :data:`LONG_SPAN_DAYS` live in a second, separately sorted tier with its own max span.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sources.schema import FACTIONS, check_canonical
from sources.store import take_rows

# Faction codes: position in the schema's taxonomy. int8 fits (11 factions).
FACTION_KEYS: tuple[str, ...] = tuple(FACTIONS)
FACTION_CODE: dict[str, int] = {key: code for code, key in enumerate(FACTION_KEYS)}
_CIVILIANS = FACTION_CODE["civilians"]
_STATE = (FACTION_CODE["government"], FACTION_CODE["russia"])

# Events longer than this (in days, end - start) go to the "long" tier of the window query.
LONG_SPAN_DAYS = 31

_DAY_NS = 86_400 * 10**9


def principal_faction(faction1: str, faction2: str) -> str:
    """Return the faction an event is drawn as (ARCHITECTURE.md, "Factions of an event").

    When one side is civilians, the other side (the perpetrator); otherwise, when one side is
    the government or Russia, the other side (whom the state was fighting); otherwise side 1.
    """
    code = principal_codes(
        np.array([FACTION_CODE[faction1]], dtype=np.int8),
        np.array([FACTION_CODE[faction2]], dtype=np.int8),
    )[0]
    return FACTION_KEYS[code]


def principal_codes(faction1: np.ndarray, faction2: np.ndarray) -> np.ndarray:
    """Vectorised :func:`principal_faction` on int8 faction codes (see :data:`FACTION_CODE`)."""
    f1 = np.asarray(faction1, dtype=np.int8)
    f2 = np.asarray(faction2, dtype=np.int8)
    civ1, civ2 = f1 == _CIVILIANS, f2 == _CIVILIANS
    state1, state2 = np.isin(f1, _STATE), np.isin(f2, _STATE)
    # Side 2 is principal when side 1 is civilians (and side 2 is not), or, with no civilians
    # involved, when side 1 is the state and side 2 is not. Every other case is side 1:
    # side 2 civilians or state means side 1 is "the other side" anyway.
    take2 = (civ1 & ~civ2) | (~civ1 & ~civ2 & state1 & ~state2)
    return np.where(take2, f2, f1).astype(np.int8)


def to_day(value: dt.date | pd.Timestamp | np.datetime64 | str) -> int:
    """Return a date as days since 1970-01-01 (the index's day numbers)."""
    return int(pd.Timestamp(value).normalize().value // _DAY_NS)


def from_day(day: int) -> dt.date:
    """Return the date of a day number (inverse of :func:`to_day`)."""
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(day))


def _days(values: pd.Series) -> np.ndarray:
    ns = values.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    return np.floor_divide(ns, _DAY_NS).astype(np.int32)


def _readonly(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


@dataclass(frozen=True)
class _Tier:
    """Rows of one span class, as positions into the index, sorted by start day."""

    rows: np.ndarray  # int64 positions into the index
    start: np.ndarray  # int32 start days of those rows (sorted)
    end: np.ndarray  # int32 end days
    max_span: int

    def overlapping(self, first: int, last: int) -> np.ndarray:
        lo = int(np.searchsorted(self.start, first - self.max_span, side="left"))
        hi = int(np.searchsorted(self.start, last, side="right"))
        ends = self.end[lo:hi]
        if self.max_span == 0:
            # Every row in [lo, hi) starts (and ends) inside the window.
            return self.rows[lo:hi]
        return self.rows[lo:hi][ends >= first]


@dataclass(frozen=True, eq=False)
class EventIndex:
    """Canonical events sorted by ``date_start``, with compact arrays for fast queries.

    Build with :meth:`from_events`. Attributes are read-only NumPy arrays aligned with
    :attr:`frame` (row ``i`` of every array is row ``i`` of the sorted frame).

    Attributes
    ----------
    frame
        The canonical table, sorted by ``date_start`` (stable), index ``0..n-1``. Treat it
        as read-only: it is shared between sessions.
    start_day, end_day
        int32 days since 1970-01-01 of ``date_start`` / ``date_end``.
    lat, lon
        float32 coordinates.
    principal, faction1, faction2
        int8 faction codes (:data:`FACTION_KEYS` order); ``principal`` follows
        :func:`principal_faction`.
    fatalities
        int32 ``fatalities_best``, 0 where the source gives no figure (for sizes and sums;
        never shown as a figure: see ``no_figure``).
    no_figure
        bool: the source gives no death figure for the event.
    approximate
        bool: the event's place is approximate (``place_precision`` other than ``exact``:
        near, district, governorate, country); drawn hollow, and a filter can hide them.
    governorate
        int16 codes into :attr:`governorates` (-1 where the governorate is empty).
    governorates
        The governorate names, in code order.
    """

    frame: pd.DataFrame
    start_day: np.ndarray
    end_day: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    principal: np.ndarray
    faction1: np.ndarray
    faction2: np.ndarray
    fatalities: np.ndarray
    no_figure: np.ndarray
    approximate: np.ndarray
    governorate: np.ndarray
    governorates: tuple[str, ...]
    _tiers: tuple[_Tier, ...] = field(repr=False)
    _weekly: pd.Series = field(repr=False)

    # -- construction -------------------------------------------------------------------
    @classmethod
    def from_events(cls, events: pd.DataFrame) -> EventIndex:
        """Sort a canonical event table by ``date_start`` and build the index.

        Parameters
        ----------
        events
            A canonical event table (:func:`sources.schema.check_canonical`). Not modified.
        """
        check_canonical(events)
        if events["date_start"].is_monotonic_increasing:
            frame = events.reset_index(drop=True)
        else:
            frame = events.sort_values("date_start", kind="stable", ignore_index=True)

        start = _days(frame["date_start"])
        end_values = frame["date_end"].fillna(frame["date_start"])
        end = np.maximum(_days(end_values), start)  # a reversed range counts as one day
        f1 = frame["faction1"].map(FACTION_CODE).fillna(FACTION_CODE["other"]).to_numpy(np.int8)
        f2 = frame["faction2"].map(FACTION_CODE).fillna(FACTION_CODE["other"]).to_numpy(np.int8)
        no_figure = frame["fatalities_best"].isna().to_numpy(dtype=bool)
        best = frame["fatalities_best"].fillna(0).to_numpy(np.int64)
        best = np.clip(best, 0, np.iinfo(np.int32).max).astype(np.int32)
        gov_codes, gov_names = pd.factorize(frame["governorate"].fillna("").replace("", pd.NA))

        span = end - start
        long_rows = np.flatnonzero(span > LONG_SPAN_DAYS)
        short_rows = np.flatnonzero(span <= LONG_SPAN_DAYS)
        tiers = tuple(
            _Tier(
                rows=_readonly(rows.astype(np.int64)),
                start=_readonly(start[rows]),
                end=_readonly(end[rows]),
                max_span=int(span[rows].max()) if len(rows) else 0,
            )
            for rows in (short_rows, long_rows)
            if len(rows)
        )

        return cls(
            frame=frame,
            start_day=_readonly(start),
            end_day=_readonly(end),
            lat=_readonly(frame["latitude"].to_numpy(np.float32)),
            lon=_readonly(frame["longitude"].to_numpy(np.float32)),
            principal=_readonly(principal_codes(f1, f2)),
            faction1=_readonly(f1),
            faction2=_readonly(f2),
            fatalities=_readonly(best),
            no_figure=_readonly(no_figure),
            # Compared as the column's own (Arrow) strings: astype(str) costs ~0.3 s a million.
            approximate=_readonly((frame["place_precision"] != "exact").fillna(True)
                                  .to_numpy(dtype=bool)),
            governorate=_readonly(gov_codes.astype(np.int16)),
            governorates=tuple(str(name) for name in gov_names),
            _tiers=tiers,
            _weekly=_weekly_counts(start),
        )

    # -- queries ---------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.start_day)

    def window(
        self,
        start: dt.date | pd.Timestamp | str,
        end: dt.date | pd.Timestamp | str,
        *,
        factions: Iterable[str] | None = None,
        exact_only: bool = False,
    ) -> np.ndarray:
        """Return the sorted row positions of events overlapping ``[start, end]`` (inclusive).

        Parameters
        ----------
        start, end
            First and last day of the window.
        factions
            When given, keep only events *involving* one of these factions (either actor);
            ``None`` keeps all. Unknown faction keys raise ``KeyError``.
        exact_only
            Leave out the events whose place is approximate (:attr:`approximate`).

        Returns
        -------
        numpy.ndarray
            int64 positions into :attr:`frame` and the arrays, ascending.
        """
        first, last = to_day(start), to_day(end)
        if last < first or not self._tiers:
            return np.empty(0, dtype=np.int64)
        parts = [tier.overlapping(first, last) for tier in self._tiers]
        rows = parts[0] if len(parts) == 1 else np.sort(np.concatenate(parts))
        if factions is not None:
            wanted = np.zeros(len(FACTION_KEYS), dtype=bool)
            wanted[[FACTION_CODE[f] for f in factions]] = True
            rows = rows[wanted[self.faction1[rows]] | wanted[self.faction2[rows]]]
        if exact_only:
            rows = rows[~self.approximate[rows]]
        return rows

    def span(self) -> tuple[dt.date, dt.date] | None:
        """Return (first day, last day) covered by the events, or None when there are none."""
        if not len(self):
            return None
        return from_day(int(self.start_day[0])), from_day(int(self.end_day.max()))

    def weekly_counts(self, shown: np.ndarray | None = None) -> pd.Series:
        """Return events per ISO week (by ``date_start``) over the whole span.

        The index holds the Monday of each week, with every week from the first to the last
        (zero where there were none). ``shown`` (a mask over the index) counts only those
        events (a view that hides stored datasets). A copy: callers may modify it.
        """
        if shown is not None:
            return _weekly_counts(self.start_day[shown])
        return self._weekly.copy()

    def rows(self, indices: np.ndarray | Iterable[int]) -> pd.DataFrame:
        """Return the canonical rows at these positions (a copy; index = positions)."""
        return take_rows(self.frame, np.asarray(indices, dtype=np.int64))


def _weekly_counts(start: np.ndarray) -> pd.Series:
    if not len(start):
        return pd.Series([], index=pd.DatetimeIndex([], name="week"), dtype=np.int64,
                         name="events")
    # Day 0 (1970-01-01) was a Thursday: (day + 3) % 7 is the number of days since Monday.
    monday = start.astype(np.int64) - (start.astype(np.int64) + 3) % 7
    first = int(monday[0]) if len(monday) else 0
    counts = np.bincount((monday - first) // 7)
    weeks = pd.to_datetime(first + 7 * np.arange(len(counts)), unit="D")
    return pd.Series(counts.astype(np.int64), index=pd.DatetimeIndex(weeks, name="week"),
                     name="events")
