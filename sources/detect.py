"""Open an input file safely and read its header.

:func:`sniff` checks the things that make a file unusable as a whole -- missing, empty, over
the size limit, binary, an encoding that is neither UTF-8 nor Windows-1256 (Arabic) -- and
finds the delimiter and the header. Which format a header is, is the readers' business
(:func:`sources.readers.detect_format`). Every file-level problem is a :class:`SourceError`
whose message is one sentence naming the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

DEFAULT_MAX_BYTES = 4 * 1024**3  # 4 GiB: the global UCDP GED CSV is ~0.5 GiB unzipped
_PROBE = 64 * 1024
_BLOCK = 8 * 1024 * 1024


class SourceError(ValueError):
    """A file that cannot be used at all; the message is one sentence naming the file."""


@dataclass
class Sniffed:
    """What :func:`sniff` found out about a file."""

    path: Path
    size: int
    kind: str  # "csv" or "json"
    encoding: str  # a Python codec name: "utf-8-sig" or "cp1256"
    delimiter: str
    header: list[str]
    truncated_last_row: bool  # the file ends inside its last row (no newline, fields missing)
    # "strict", or "replace" for a UTF-8 file with a few stray bytes: they read as U+FFFD and
    # validation refuses the rows that hold them (never a re-decode in another encoding).
    encoding_errors: str = "strict"


def _is_binary(sample: bytes) -> bool:
    # Many NULs: binary (or UTF-16). A stray NUL or two in text is named later, with its line.
    if sample.count(b"\x00") > max(2, len(sample) // 100):
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (0, 9, 10, 13))
    return controls > max(1, len(sample) // 100)


# A UTF-8 file may hold a few bytes that do not decode (a stray byte from an editor): up to
# this share of its non-ASCII characters, it is read as UTF-8 and the rows holding them refused.
STRAY_SHARE = 0.01
STRAY_MIN = 5


def _encoding(path: Path, name: str) -> tuple[str, str]:
    """(encoding, errors): UTF-8 (with or without BOM); UTF-8 with a few stray bytes; else
    Windows-1256 if the odd bytes read as Arabic."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    bad = other = lines = 0
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            if b"\x00" in block:
                # The CSV reader would cut a field at a NUL byte and drop what follows: say so.
                line = lines + block[: block.index(b"\x00")].count(b"\n") + 1
                raise SourceError(
                    f"{name} holds NUL bytes (the first on line {line:,}); text after them "
                    "would be lost. Remove them (or save the file again as UTF-8 text).")
            lines += block.count(b"\n")
            text = decoder.decode(block)
            stray = text.count("\ufffd")
            bad += stray
            other += sum(1 for c in text if ord(c) > 127) - stray
        text = decoder.decode(b"", final=True)
        bad += text.count("\ufffd")
    if bad == 0:
        return "utf-8-sig", "strict"
    if other > 0 and bad <= max(STRAY_MIN, STRAY_SHARE * other):
        return "utf-8-sig", "replace"  # UTF-8 text with a few stray bytes
    with path.open("rb") as handle:
        sample = handle.read(_BLOCK)
    text = sample.decode("cp1256", errors="replace")
    # Letters only: punctuation such as the em dash exists in every Windows code page.
    letters = [c for c in text if ord(c) > 127 and c.isalpha()]
    arabic = sum(1 for c in letters if "\u0600" <= c <= "\u06ff")
    if letters and arabic >= 0.6 * len(letters):
        return "cp1256", "strict"
    if bad <= STRAY_MIN:  # plain ASCII text with a stray byte or two
        return "utf-8-sig", "replace"
    raise SourceError(
        f"{name} is not UTF-8 text (nor Windows-1256 Arabic); save it as UTF-8 and try again."
    )


def _delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def sniff(path: str | Path, *, max_bytes: int | None = DEFAULT_MAX_BYTES) -> Sniffed:
    """Check that ``path`` is a readable text table and read its header.

    Parameters
    ----------
    path : str or pathlib.Path
    max_bytes : int, optional
        Files larger than this are refused (``None``: no limit).

    Raises
    ------
    SourceError
        Missing, empty, too large, binary, undecodable, or without a header.
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise SourceError(f"{path} does not exist or is not a file.")
    size = path.stat().st_size
    if size == 0:
        raise SourceError(f"{name} is empty.")
    if max_bytes is not None and size > max_bytes:
        raise SourceError(
            f"{name} is {size:,} bytes, over the limit of {max_bytes:,} bytes."
        )
    with path.open("rb") as handle:
        head = handle.read(_PROBE)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise SourceError(f"{name} is UTF-16 text; save it as UTF-8 and try again.")
    if _is_binary(head):
        raise SourceError(f"{name} is a binary file, not a CSV or JSON table.")
    encoding, errors = _encoding(path, name)
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    if not text.strip():
        raise SourceError(f"{name} is empty (only white space).")
    if text.lstrip()[:1] in ("{", "["):
        return Sniffed(path, size, "json", encoding, "", [], False, errors)
    first_line = text.splitlines()[0] if text.splitlines() else ""
    delimiter = _delimiter(first_line)
    header = next(csv.reader([first_line], delimiter=delimiter), [])
    header = [h.strip() for h in header]
    if not any(header):
        raise SourceError(f"{name} has no header row.")
    seen: dict[str, str] = {}
    for column in header:
        key = column.lower()
        if key and key in seen:
            raise SourceError(f"{name} has the column {column!r} twice (as {seen[key]!r} and "
                              f"{column!r}): rename or remove one, so that no value is read "
                              "from the wrong one.")
        seen[key] = column
    return Sniffed(path, size, "csv", encoding, delimiter, header,
                   _last_row_truncated(path, encoding, delimiter, len(header)), errors)


def _last_row_truncated(path: Path, encoding: str, delimiter: str, width: int) -> bool:
    """True when the file stops inside its last row: no final newline and too few fields."""
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - _PROBE))
        tail = handle.read()
    if tail.endswith((b"\n", b"\r")):
        return False
    last = tail.splitlines()[-1].decode(encoding, errors="replace") if tail.strip() else ""
    try:
        fields = next(csv.reader([last], delimiter=delimiter), [])
    except csv.Error:
        return True
    return len(fields) < width


def header_set(sniffed: Sniffed) -> set[str]:
    """The header names, stripped and lower-cased."""
    return {h.strip().lower() for h in sniffed.header}


_BAD_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def read_raw(
    sniffed: Sniffed, *, usecols=None, chunksize: int | None = None
) -> pd.DataFrame | pd.io.parsers.TextFileReader:
    """Read a sniffed CSV as strings (empty fields are ``""``, nothing becomes NaN).

    Raises
    ------
    SourceError
        When the CSV cannot be parsed (a row with too many fields, a quote never closed).
    """
    try:
        return pd.read_csv(
            sniffed.path,
            sep=sniffed.delimiter,
            encoding=sniffed.encoding,
            encoding_errors=sniffed.encoding_errors,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skipinitialspace=False,
            usecols=usecols,
            chunksize=chunksize,
            engine="c",
        )
    except (pd.errors.ParserError, csv.Error, UnicodeDecodeError, ValueError) as exc:
        raise as_source_error(sniffed, exc) from exc


def as_source_error(sniffed: Sniffed, exc: Exception) -> SourceError:
    """Turn a pandas parser error into one sentence naming the file."""
    name = sniffed.path.name
    message = str(exc)
    match = _BAD_FIELDS.search(message)
    if match:
        expected, line, saw = match.groups()
        return SourceError(
            f"{name} cannot be read: line {line} has {saw} fields where the header has "
            f"{expected}."
        )
    if "EOF inside string" in message or "EOF" in message:
        return SourceError(
            f"{name} cannot be read: it ends inside a quoted field (truncated file?)."
        )
    if "Usecols do not match" in message:
        return SourceError(f"{name} cannot be read: {message.splitlines()[0]}.")
    return SourceError(f"{name} cannot be read as CSV: {message.splitlines()[0]}.")


def decode_text(sniffed: Sniffed) -> str:
    """The whole file as text (for JSON)."""
    with io.open(sniffed.path, encoding=sniffed.encoding,  # noqa: UP020
                 errors=sniffed.encoding_errors) as handle:
        return handle.read()
