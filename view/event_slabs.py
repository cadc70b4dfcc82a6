"""The events as compact binary columns, for the clock in the browser (12 bytes an event).

A step of the slider must redraw the map without waiting for the server, so the browser holds
the events itself: sent once, as *slabs* of binary columns, and queried and aggregated there
(``static/app/event_clock.js``, which mirrors :meth:`view.event_index.EventIndex.window` and
:func:`view.aggregate.aggregate`). This module is the one definition of the format; the
browser's decoder reads exactly what :func:`encode_slab` writes and :func:`decode_slab` reads it
back in Python (the round-trip test).

Events keep the index's order (by start day), so the browser's row ``i`` of slab ``k`` is the
event at position ``offset_k + i`` of :attr:`SlabSet.rows`, and a window is a binary search
on the start column plus the few long events that began before it.

One slab, little-endian, columns one after the other (``n`` events, ``m`` long, ``b`` big)::

    lat     float32[n]   the index's own float32 coordinates (NaN: no coordinates)
    lon     float32[n]
    start   uint16[n]    start day - the slab's base day
    code    uint8[n]     2 * pair + approximate; ``pair`` indexes SlabSet.pairs (f1, f2, principal)
    deaths  uint8[n]     best fatalities 0..253; 254: in the big table; 255: no figure
    (pad to 4 bytes)
    long_row  uint32[m]  rows whose end day is after their start day, ascending
    long_end  uint16[m]  their end day - base day
    (pad to 4 bytes)
    big_row   uint32[b]  rows with 254 or more deaths, ascending
    big_deaths uint32[b]

The exact figures, the place precision as text, the actors and the notes are not here: the
server sends them for the events a step draws one by one (``layers.event_clock``), so a popup
shows the same text as before.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from view.event_index import FACTION_KEYS, EventIndex, principal_codes

BYTES_PER_EVENT = 12  # lat 4, lon 4, start 2, code 1, deaths 1 (the budget)
SLAB_EVENTS = 1 << 18  # 262,144 events (3 MB) a slab: the real UCDP file is one slab
DEATHS_BIG = 254  # this code and above: not the figure itself
DEATHS_NONE = 255
_MAX_OFFSET = np.iinfo(np.uint16).max


@dataclass(frozen=True)
class Slab:
    """One slab's bytes and what the browser needs to know before fetching it."""

    offset: int  # position of its first event in SlabSet.rows
    count: int
    base_day: int  # days since 1970-01-01 that "start" counts from
    first_start: int
    last_start: int
    max_end: int  # latest end day in the slab: a window after it needs none of its events
    max_span: int  # longest end - start of its long events (0: none)
    long_count: int
    big_count: int
    data: bytes = field(repr=False)

    @property
    def digest(self) -> str:
        return hashlib.sha1(self.data, usedforsecurity=False).hexdigest()[:16]

    def manifest(self) -> dict[str, int | str]:
        return {"offset": self.offset, "n": self.count, "base": self.base_day,
                "first": self.first_start, "last": self.last_start, "maxEnd": self.max_end,
                "maxSpan": self.max_span, "long": self.long_count, "big": self.big_count,
                "bytes": len(self.data)}


@dataclass(frozen=True)
class SlabSet:
    """The slabs of a set of events (``rows``: ascending positions in the index)."""

    rows: np.ndarray
    pairs: list[tuple[int, int, int]]  # (faction1, faction2, principal) codes, by pair number
    slabs: list[Slab]

    @property
    def digest(self) -> str:
        text = "|".join(s.digest for s in self.slabs) + repr(self.pairs)
        return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]

    def ranks(self, rows: np.ndarray) -> np.ndarray:
        """The browser's row numbers (positions in :attr:`rows`) of index positions ``rows``,
        which must all be in the set."""
        return np.searchsorted(self.rows, np.asarray(rows, dtype=np.int64))


def _pad4(parts: list[bytes]) -> None:
    size = sum(len(p) for p in parts)
    if size % 4:
        parts.append(b"\0" * (4 - size % 4))


def encode_slabs(idx: EventIndex, rows: np.ndarray | None = None, *,
                 slab_events: int = SLAB_EVENTS) -> SlabSet:
    """Encode the events at ``rows`` (ascending index positions; ``None``: all) as slabs."""
    rows = (np.arange(len(idx), dtype=np.int64) if rows is None
            else np.asarray(rows, dtype=np.int64))
    f1, f2 = idx.faction1[rows].astype(np.int64), idx.faction2[rows].astype(np.int64)
    n_factions = len(FACTION_KEYS)
    pair_key = f1 * n_factions + f2
    keys, pair_of_row = np.unique(pair_key, return_inverse=True)
    first, second = np.divmod(keys, n_factions)
    principal = principal_codes(first, second)
    pairs = [(int(a), int(b), int(p)) for a, b, p in zip(first, second, principal, strict=True)]
    codes = (pair_of_row.astype(np.int64) * 2 + idx.approximate[rows]).astype(np.uint8)
    slabs = []
    begin = 0
    while begin < len(rows):
        end = min(begin + slab_events, len(rows))
        starts = idx.start_day[rows[begin:end]].astype(np.int64)
        # Keep every offset within uint16: a slab never spans more than 179 years of starts.
        too_far = np.flatnonzero(starts - starts[0] > _MAX_OFFSET)
        if len(too_far):
            end = begin + int(too_far[0])
        slabs.append(_encode_one(idx, rows, codes, begin, end))
        begin = end
    return SlabSet(rows=rows, pairs=pairs, slabs=slabs)


def _encode_one(idx: EventIndex, rows: np.ndarray, codes: np.ndarray, begin: int,
                end: int) -> Slab:
    part = rows[begin:end]
    start = idx.start_day[part].astype(np.int64)
    finish = idx.end_day[part].astype(np.int64)
    base = int(start[0])
    deaths = idx.fatalities[part].astype(np.int64)
    none = idx.no_figure[part]
    big = (deaths >= DEATHS_BIG) & ~none
    small = np.where(none, DEATHS_NONE, np.where(big, DEATHS_BIG, deaths)).astype(np.uint8)
    long_rows = np.flatnonzero(finish > start)
    if np.any(finish[long_rows] - base > _MAX_OFFSET):
        raise ValueError("an event ends more than 65,535 days after its slab's first start")
    parts = [
        idx.lat[part].astype("<f4").tobytes(),
        idx.lon[part].astype("<f4").tobytes(),
        (start - base).astype("<u2").tobytes(),
        codes[begin:end].tobytes(),
        small.tobytes(),
    ]
    _pad4(parts)
    parts += [long_rows.astype("<u4").tobytes(), (finish[long_rows] - base).astype("<u2").tobytes()]
    _pad4(parts)
    big_rows = np.flatnonzero(big)
    parts += [big_rows.astype("<u4").tobytes(), deaths[big_rows].astype("<u4").tobytes()]
    spans = finish[long_rows] - start[long_rows]
    return Slab(offset=begin, count=len(part), base_day=base, first_start=int(start[0]),
                last_start=int(start[-1]), max_end=int(finish.max()),
                max_span=int(spans.max()) if len(spans) else 0, long_count=len(long_rows),
                big_count=len(big_rows), data=b"".join(parts))


@dataclass(frozen=True)
class DecodedSlab:
    """A slab read back (what the browser reconstructs), one array per quantity."""

    lat: np.ndarray
    lon: np.ndarray
    start_day: np.ndarray
    end_day: np.ndarray
    code: np.ndarray
    fatalities: np.ndarray  # 0 where there is no figure (as in EventIndex)
    no_figure: np.ndarray


def decode_slab(slab: Slab) -> DecodedSlab:
    """Read a slab's bytes back: the inverse of :func:`encode_slabs` for that slab."""
    n, m, b = slab.count, slab.long_count, slab.big_count
    buf = memoryview(slab.data)
    pos = 0

    def take(dtype: str, count: int) -> np.ndarray:
        nonlocal pos
        array = np.frombuffer(buf, dtype=dtype, count=count, offset=pos)
        pos += array.nbytes
        return array

    def align() -> None:
        nonlocal pos
        pos += (-pos) % 4

    lat, lon = take("<f4", n), take("<f4", n)
    start = take("<u2", n).astype(np.int64) + slab.base_day
    code, small = take("u1", n), take("u1", n)
    align()
    long_rows, long_end = take("<u4", m), take("<u2", m)
    align()
    big_rows, big_deaths = take("<u4", b), take("<u4", b)
    end = start.copy()
    end[long_rows] = long_end.astype(np.int64) + slab.base_day
    deaths = small.astype(np.int64)
    deaths[small >= DEATHS_BIG] = 0
    deaths[big_rows] = big_deaths
    return DecodedSlab(lat, lon, start, end, code, deaths, small == DEATHS_NONE)
