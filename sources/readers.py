"""The readers: every input format, its sniff and its reader side by side, in one table.

:func:`detect_format` asks each reader in turn whether a sniffed header is its own; the first
that says yes names the format. Adding a format is one module with ``matches(sniffed)`` and a
draft reader, plus one :class:`Reader` entry in :data:`READERS`. (``sources.detect`` only
sniffs bytes: encoding, delimiter, header; it knows no format.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sources import acled, canonical, ucdp
from sources.detect import MAX_PREAMBLE_LINES, Sniffed, SourceError, header_problem, header_set
from sources.validate import Draft


@dataclass(frozen=True)
class Reader:
    """One input format.

    ``matches(sniffed)`` says whether a header is this format's; ``read(path, sniffed,
    date_format, country)`` returns the draft (rows before validation) and the number of rows
    left out on purpose (a global UCDP file's other countries).
    """

    name: str
    description: str
    matches: Callable[[Sniffed], bool]
    read: Callable[[Path, Sniffed, str | None, str], tuple[Draft, int]]


def _ucdp_matches(sniffed: Sniffed) -> bool:
    cols = header_set(sniffed)
    return sniffed.kind == "csv" and {"id", "side_a", "side_b"} <= cols and (
        "where_prec" in cols or "dyad_name" in cols)


def _acled_matches(sniffed: Sniffed) -> bool:
    cols = header_set(sniffed)
    return sniffed.kind == "csv" and ("event_id_cnty" in cols or {"event_date", "actor1"} <= cols)


def _canonical_matches(sniffed: Sniffed) -> bool:
    names = set(canonical.canonical_names(sniffed.header).values())
    return sniffed.kind == "csv" and {"latitude", "longitude"} <= names and bool(
        {"date_start", "event_id"} & names)


READERS: tuple[Reader, ...] = (
    Reader("ucdp-ged", "UCDP GED CSV (19.1 and 21+ layouts, or the global file)",
           _ucdp_matches,
           lambda path, s, _fmt, country: ucdp.read_ucdp_draft(path, sniffed=s,
                                                                country=country)),
    Reader("acled-json", "ACLED API JSON", lambda s: s.kind == "json",
           lambda path, s, fmt, _c: (acled.read_acled_draft(path, sniffed=s, date_format=fmt),
                                     0)),
    Reader("acled", "ACLED CSV export", _acled_matches,
           lambda path, s, fmt, _c: (acled.read_acled_draft(path, sniffed=s, date_format=fmt),
                                     0)),
    Reader("canonical", "the canonical event CSV (sources/schema.py)", _canonical_matches,
           lambda path, s, fmt, _c: (canonical.read_canonical_draft(path, sniffed=s,
                                                                   date_format=fmt), 0)),
)
FORMATS: tuple[str, ...] = tuple(r.name for r in READERS)
_BY_NAME = {r.name: r for r in READERS}


def reader(name: str) -> Reader:
    """The reader of format ``name``."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise SourceError(f"unknown format {name!r}; use one of {', '.join(FORMATS)}.") from None


def detect_format(sniffed: Sniffed) -> str:
    """Name the layout of a sniffed file: one of :data:`FORMATS`.

    The header is the first non-blank line that a reader knows, among the first
    :data:`sources.detect.MAX_PREAMBLE_LINES` + 1 lines (a title or notes may come first):
    when it is not the first of them, ``sniffed`` is moved to it (:meth:`Sniffed.use_header`)
    and the report says on which line it was found.

    Raises
    ------
    SourceError
        When no line matches any format (or the first line names a column twice).
    """
    first = (sniffed.header_line, list(sniffed.header), sniffed.delimiter)
    for line in [c[0] for c in sniffed.candidates] or [sniffed.header_line]:
        if line != sniffed.header_line:
            sniffed.use_header(line)
        for candidate in READERS:
            if candidate.matches(sniffed):
                return candidate.name
        if sniffed.kind != "csv":
            break
    if sniffed.candidates and sniffed.header_line != first[0]:
        sniffed.use_header(first[0])
    problem = header_problem(sniffed)
    if problem is not None:
        raise problem
    shown = ", ".join(first[1][:8]) + (", ..." if len(first[1]) > 8 else "")
    later = (f" (nor is any of its first {MAX_PREAMBLE_LINES + 1} lines)"
             if len(sniffed.candidates) > 1 else "")
    on_line = f"line {first[0]}: " if first[0] > 1 else ""
    raise SourceError(
        f"{sniffed.path.name} is in an unknown format: its header ({on_line}{shown}) is "
        f"neither UCDP GED, ACLED nor the canonical event layout{later}."
    )
