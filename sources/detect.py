"""Open an input file safely and read its header.

:func:`sniff` checks the things that make a file unusable as a whole -- missing, empty, over
the size limit, binary, UTF-32, NUL bytes, an encoding that is neither UTF-8 nor Windows-1256
(Arabic) -- and finds the delimiter and the header. UTF-16 (LE or BE, with or without a
byte-order mark) is decoded whole into a temporary UTF-8 copy that the readers parse, and the
report says so. The encoding is decided once for the whole file; bytes that do not decode are
never re-read in another encoding (their rows are refused by name). The header is looked for
on the first lines (a title or blank lines may come first) and may be of any length. Which
format a header is, is the readers' business (:func:`sources.readers.detect_format`). Every
file-level problem is a :class:`SourceError` whose message is one sentence naming the file.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
import re
import tempfile
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

DEFAULT_MAX_BYTES = 4 * 1024**3  # 4 GiB: the global UCDP GED CSV is ~0.5 GiB unzipped
_PROBE = 64 * 1024
_BLOCK = 8 * 1024 * 1024
# The head read for the header: grown past _PROBE until it holds the whole header line (a
# header with thousands of columns can be longer than the probe) and the line after it.
MAX_HEAD_BYTES = 16 * 1024**2
# A title or notes above the header: the header is looked for on the first lines only.
MAX_PREAMBLE_LINES = 10
_LINE_END = re.compile(rb"\r\n|\n|\r")


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
    # Where the header is: its 1-based line and the byte offset of that line in ``source``.
    # Not line 1 when blank lines or a title come first (see ``candidates``).
    header_line: int = 1
    header_offset: int = 0
    # The non-blank lines of the head that could be the header: (line, offset, fields,
    # delimiter). ``sources.readers.detect_format`` picks the first one a reader knows.
    candidates: list[tuple[int, int, list[str], str]] = field(default_factory=list)
    # What was done to read the file that the user should be told (read as UTF-16, header
    # found on line 3...): one sentence each, shown in the load report.
    notices: list[str] = field(default_factory=list)
    # The bytes actually read: the file itself, or its UTF-8 copy when it is UTF-16.
    copy: _TempCopy | None = None
    # The file's own encoding, in words ("UTF-8", "Windows-1256", "UTF-16 LE").
    text_encoding: str = "UTF-8"

    @property
    def source(self) -> Path:
        """The file the readers parse (``path``, or the UTF-8 copy of a UTF-16 file)."""
        return self.copy.path if self.copy is not None else self.path

    def use_header(self, line: int) -> None:
        """Take the candidate on ``line`` as the header (see :attr:`candidates`)."""
        for number, offset, fields, delimiter in self.candidates:
            if number == line:
                self.header_line, self.header_offset = number, offset
                self.header, self.delimiter = fields, delimiter
                self.truncated_last_row = _last_row_truncated(self.source, self.encoding,
                                                              delimiter, len(fields))
                return
        raise ValueError(f"no header candidate on line {line}")


class _TempCopy:
    """A temporary file that is deleted when the last :class:`Sniffed` using it is gone."""

    def __init__(self, path: Path) -> None:
        self.path = path
        weakref.finalize(self, _unlink, str(path))


def _unlink(name: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(name)


def _is_binary(sample: bytes) -> bool:
    # Many NULs: binary (UTF-16 text is recognised before this). A stray NUL or two in text is
    # named later, with its line.
    if sample.count(b"\x00") > max(2, len(sample) // 100):
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (0, 9, 10, 13))
    return controls > max(1, len(sample) // 100)


# UTF-16 text without a byte-order mark: mostly-ASCII text (a CSV's commas, digits, dates) has
# a NUL as every other byte -- the high byte in little-endian order, the low one in big-endian
# order -- and almost none in the other position. Binary data has NULs in both.
_UTF16_NUL_SHARE = 0.1
_UTF16_OTHER_NUL_SHARE = 0.01
_UTF16_PRINTABLE_SHARE = 0.95


def utf16_order(head: bytes) -> tuple[str, bool] | None:
    """("LE" or "BE", has a byte-order mark) when ``head`` is UTF-16 text, else None."""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return None  # UTF-32: refused by the binary test, not mistaken for UTF-16
    if head.startswith(codecs.BOM_UTF16_LE):
        return "LE", True
    if head.startswith(codecs.BOM_UTF16_BE):
        return "BE", True
    sample = head[: len(head) - len(head) % 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    share_even, share_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if share_odd >= _UTF16_NUL_SHARE and share_even <= _UTF16_OTHER_NUL_SHARE:
        order = "LE"
    elif share_even >= _UTF16_NUL_SHARE and share_odd <= _UTF16_OTHER_NUL_SHARE:
        order = "BE"
    else:
        return None
    text = sample.decode(f"utf-16-{order.lower()}", errors="replace")
    printable = sum(1 for c in text if c.isprintable() or c in "\t\r\n")
    return (order, False) if printable >= _UTF16_PRINTABLE_SHARE * len(text) else None


def _is_utf32(head: bytes) -> bool:
    """UTF-32 (with a byte-order mark, or mostly-ASCII text with three NULs in every four
    bytes)."""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return True
    sample = head[: len(head) - len(head) % 4]
    if len(sample) < 8:
        return False
    quarters = [sample[k::4].count(0) / (len(sample) // 4) for k in range(4)]
    zeros = sorted(quarters)
    return zeros[0] <= _UTF16_OTHER_NUL_SHARE and zeros[1] >= 0.9 and (
        quarters[0] == zeros[0] or quarters[3] == zeros[0])


def _utf8_copy(path: Path, order: str, bom: bool) -> _TempCopy:
    """The UTF-16 file decoded whole, as a temporary UTF-8 file (streamed, block by block).

    Bytes that do not decode (an odd last byte, a lone surrogate) become U+FFFD, and
    validation refuses the rows that hold them -- the file is never re-read in another
    encoding. The copy is at most 1.5 times the file's size (two bytes of UTF-16 are at most
    three of UTF-8).
    """
    decoder = codecs.getincrementaldecoder("utf-16" if bom else f"utf-16-{order.lower()}")(
        errors="replace")
    handle, name = tempfile.mkstemp(prefix="conflict-map-utf16-", suffix=".csv")
    copy = _TempCopy(Path(name))
    with os.fdopen(handle, "wb") as out, path.open("rb") as source:
        while block := source.read(_BLOCK):
            out.write(decoder.decode(block).encode("utf-8"))
        out.write(decoder.decode(b"", final=True).encode("utf-8"))
    return copy


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
    head, whole = _read_head(path)
    if _is_utf32(head[:_PROBE]):
        raise SourceError(f"{name} is UTF-32 text, which is not read; save it as UTF-8 and "
                          "try again.")
    notices: list[str] = []
    copy = None
    utf16 = utf16_order(head[:_PROBE])
    if utf16 is not None:
        order, bom = utf16
        copy = _utf8_copy(path, order, bom)
        notices.append(f"{name} is UTF-16 {order} text ("
                       f"{'with' if bom else 'without'} a byte-order mark); it was read as "
                       "such, whole.")
        head, whole = _read_head(copy.path)
    source = copy.path if copy is not None else path
    if _is_binary(head[:_PROBE]):
        raise SourceError(f"{name} is a binary file, not a CSV or JSON table.")
    encoding, errors = _encoding(source, name)
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    if not text.strip():
        raise SourceError(f"{name} is empty (only white space).")
    text_encoding = f"UTF-16 {utf16[0]}" if utf16 else (
        "Windows-1256" if encoding == "cp1256" else "UTF-8")
    if text.lstrip()[:1] in ("{", "[") or path.suffix.lower() == ".json":
        return Sniffed(path, size, "json", encoding, "", [], False, errors, notices=notices,
                       copy=copy, text_encoding=text_encoding)
    candidates = _header_candidates(head, encoding, whole)
    if not candidates:
        first = _LINE_END.split(head, 1)
        if len(first) == 1 and not whole:
            raise SourceError(f"{name} has no line break in its first {len(head):,} bytes: "
                              "it is not a table with a header row.")
        raise SourceError(f"{name} has no header row.")
    line, offset, header, delimiter = candidates[0]
    sniffed = Sniffed(path, size, "csv", encoding, delimiter, header, False, errors,
                      header_line=line, header_offset=offset, candidates=candidates,
                      notices=notices, copy=copy, text_encoding=text_encoding)
    sniffed.truncated_last_row = _last_row_truncated(source, encoding, delimiter, len(header))
    return sniffed


def _read_head(path: Path) -> tuple[bytes, bool]:
    """The file's first bytes -- at least the probe, and grown until they hold the header line
    and the line after it (or MAX_HEAD_BYTES) -- and whether that is the whole file."""
    with path.open("rb") as handle:
        head = handle.read(_PROBE)
        step = _PROBE
        while len(head) < MAX_HEAD_BYTES and len(
                _LINE_END.findall(head, 0, len(head) - 1)) < MAX_PREAMBLE_LINES + 2:
            more = handle.read(step)
            if not more:
                return head, True
            head += more
            step = min(2 * step, MAX_HEAD_BYTES)
        return head, not handle.read(1)


def _header_candidates(head: bytes, encoding: str,
                       whole: bool) -> list[tuple[int, int, list[str], str]]:
    """The non-blank, complete lines among the first MAX_PREAMBLE_LINES + 1 lines of ``head``:
    (1-based line, byte offset, fields, delimiter)."""
    out: list[tuple[int, int, list[str], str]] = []
    start = 0
    for number in range(1, MAX_PREAMBLE_LINES + 2):
        match = _LINE_END.search(head, start)
        if match is None and not whole:
            break  # the line goes on past the head: not complete
        end = match.start() if match else len(head)
        line = head[start:end].decode(encoding, errors="replace").lstrip("\ufeff")
        if line.strip():
            delimiter = _delimiter(line)
            try:
                fields = next(csv.reader([line], delimiter=delimiter), [])
            except csv.Error:  # a field over the csv module's limit: not a header
                fields = []
            fields = [f.strip() for f in fields]
            if any(fields):
                out.append((number, start, fields, delimiter))
        if match is None:
            break
        start = match.end()
    return out


def header_problem(sniffed: Sniffed) -> SourceError | None:
    """A header that names a column twice (any case): no value must be read from the wrong
    one."""
    seen: dict[str, str] = {}
    for column in sniffed.header:
        key = column.lower()
        if key and key in seen:
            return SourceError(
                f"{sniffed.path.name} has the column {column!r} twice (as {seen[key]!r} and "
                f"{column!r}{_on_line(sniffed)}): rename or remove one, so that no value is "
                "read from the wrong one.")
        seen[key] = column
    return None


def _on_line(sniffed: Sniffed) -> str:
    return f", in the header on line {sniffed.header_line}" if sniffed.header_line > 1 else ""


def header_notice(sniffed: Sniffed) -> str | None:
    """What the report says when the header is not on line 1 (None when it is)."""
    if sniffed.header_line <= 1:
        return None
    skipped = [c for c in sniffed.candidates if c[0] < sniffed.header_line]
    if not skipped:
        return (f"{sniffed.path.name}: the header is on line {sniffed.header_line} (blank "
                "lines before it).")
    first = sniffed.delimiter.join(skipped[0][2])
    first = first if len(first) <= 60 else first[:57] + "..."
    return (f"{sniffed.path.name}: the header is on line {sniffed.header_line}; the "
            f"{sniffed.header_line - 1} line(s) above it (from {first!r}) are not data and "
            "were skipped.")


def _last_row_truncated(path: Path, encoding: str, delimiter: str, width: int) -> bool:
    """True when the file stops inside its last row: no final newline and too few fields."""
    size = path.stat().st_size
    step = _PROBE
    with path.open("rb") as handle:
        while True:  # back far enough to hold the whole last line (a 1 MB field included)
            handle.seek(max(0, size - step))
            tail = handle.read()
            if (step >= size or step >= MAX_HEAD_BYTES
                    or _LINE_END.search(tail.rstrip(b"\r\n")) is not None):
                break
            step *= 4
    if tail.endswith((b"\n", b"\r")):
        return False
    last = tail.splitlines()[-1].decode(encoding, errors="replace") if tail.strip() else ""
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(last) + 1))  # a 1 MB field is a field, not an error
    try:
        fields = next(csv.reader([last], delimiter=delimiter), [])
    except csv.Error:
        return True
    finally:
        csv.field_size_limit(limit)
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
    problem = header_problem(sniffed)
    if problem is not None:
        raise problem
    handle = None
    if sniffed.header_offset:
        # The header is below a title or blank lines: parse from its first byte (pandas'
        # ``skiprows`` counts lines and records differently around quotes and blank lines).
        handle = sniffed.source.open("rb")
        handle.seek(sniffed.header_offset)
    try:
        result = pd.read_csv(
            handle if handle is not None else sniffed.source,
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
        if handle is not None:
            handle.close()
        raise as_source_error(sniffed, exc) from exc
    if handle is None:
        return result
    if chunksize is None:
        handle.close()
        return result
    return _ClosingReader(result, handle)


class _ClosingReader:
    """A chunked reader that also closes the file handle it reads from."""

    def __init__(self, reader, handle) -> None:
        self._reader, self._handle = reader, handle

    def __iter__(self):
        return iter(self._reader)

    def close(self) -> None:
        self._reader.close()
        self._handle.close()


def as_source_error(sniffed: Sniffed, exc: Exception) -> SourceError:
    """Turn a pandas parser error into one sentence naming the file."""
    name = sniffed.path.name
    message = str(exc)
    match = _BAD_FIELDS.search(message)
    if match:
        expected, line, saw = match.groups()
        line = str(int(line) + sniffed.header_line - 1)  # pandas counts from the header
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
    with io.open(sniffed.source, encoding=sniffed.encoding,  # noqa: UP020
                 errors=sniffed.encoding_errors) as handle:
        return handle.read()
