"""The one pipeline the app, the events folder and the command line share.

:func:`read_events_file` reads one file (format detected from its header unless given),
validates every row and reports; :func:`load_events` does that for a file or a folder and,
with a store, keeps each file's accepted rows as parquet keyed by the file's content, so a
file already imported is loaded from the store instead of being parsed again.

A file that cannot be used at all (empty, binary, unknown format, a required column missing,
ambiguous dates...) gives a :class:`FileReport` whose ``error`` is one sentence naming the
file and the problem; it contributes no rows, and the other files still load.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from sources.control import is_control_file
from sources.detect import DEFAULT_MAX_BYTES, SourceError, header_notice, sniff
from sources.governorates import assign_governorates
from sources.readers import detect_format, reader
from sources.schema import COLUMNS, empty_events
from sources.validate import MERGED, REASONS, reason_rank, summarise, validate_rows

EXAMPLE_ROWS = 5  # rows named per reason in a report (all of them are in the rejected table)

EVENT_SUFFIXES = (".csv", ".json")


@dataclass
class FileReport:
    """What happened to one input file.

    Attributes
    ----------
    path, format : str
        The file, and its detected (or declared) format ("" when unknown).
    rows : int
        Data rows read (for UCDP: rows of the chosen country; see ``filtered``).
    accepted, rejected : int
        ``accepted + rejected + duplicates == rows``.
    reasons : dict of str to int
        Rejection reason -> count.
    error : str or None
        One sentence naming the file and the problem when the file is unusable.
    filtered : int
        Rows left out on purpose, not rejected: other countries of a global UCDP file.
    stored : bool
        True when the rows came from the store (the file had been imported before).
    duplicates : int
        Rows that repeat an accepted row exactly (same dataset, id and values), merged
        into it: neither accepted again nor rejected.
    notices : list of str
        What was done to read the file that the user should know (read as UTF-16, the
        header found on line 3), one sentence each.
    examples : dict of str to list of int
        The first data rows (1 = the first row after the header) of each rejection reason,
        and of ``"merged duplicate"``.

    Every data row of the file is in exactly one count: ``total == accepted + rejected +
    duplicates + filtered``.
    """

    path: str
    format: str
    rows: int
    accepted: int
    rejected: int
    reasons: dict[str, int]
    error: str | None
    filtered: int = 0
    stored: bool = False
    duplicates: int = 0
    notices: list[str] = field(default_factory=list)
    examples: dict[str, list[int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Every data row of the file: ``accepted + rejected + duplicates + filtered``."""
        return self.rows + self.filtered

    def to_dict(self) -> dict[str, object]:
        """A JSON-serialisable dict."""
        return asdict(self)


@dataclass
class LoadResult:
    """Accepted events of all files, their rejected rows, and one report per file."""

    events: pd.DataFrame
    rejected: pd.DataFrame
    reports: list[FileReport] = field(default_factory=list)
    # Rows merged into an identical earlier row: file, row, duplicate_of.
    duplicates: pd.DataFrame = field(default_factory=lambda: _empty_duplicates())

    @property
    def ok(self) -> bool:
        """True when every file was usable."""
        return all(r.error is None for r in self.reports)


def _empty_rejected() -> pd.DataFrame:
    return pd.DataFrame({"file": pd.Series(dtype=str), "row": pd.Series(dtype="int64"),
                         "reason": pd.Series(dtype=str)})


def _empty_duplicates() -> pd.DataFrame:
    return pd.DataFrame({"file": pd.Series(dtype=str), "row": pd.Series(dtype="int64"),
                         "duplicate_of": pd.Series(dtype="int64")})


def _failed(path: Path, fmt: str, error: str, notices: list[str] | None = None) -> LoadResult:
    return LoadResult(empty_events(), _empty_rejected(),
                      [FileReport(str(path), fmt, 0, 0, 0, {}, error, notices=notices or [])])


def _examples(rejected: pd.DataFrame, duplicates: pd.DataFrame) -> dict[str, list[int]]:
    out = {str(reason): [int(r) for r in group["row"].head(EXAMPLE_ROWS)]
           for reason, group in rejected.groupby("reason", sort=False)}
    out = {r: out[r] for r in sorted(out, key=reason_rank)}
    if len(duplicates):
        out[MERGED] = [int(r) for r in duplicates["row"].head(EXAMPLE_ROWS)]
    return out


def _draft(path: Path, sniffed, fmt: str, *, date_format, country):
    return reader(fmt).read(path, sniffed, date_format, country)


def read_events_file(
    path: str | Path,
    *,
    format: str | None = None,
    boundaries=None,
    date_format: str | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    country: str | None = "Syria",
) -> LoadResult:
    """Read, map and validate one events file.

    Parameters
    ----------
    path : str or pathlib.Path
    format : str, optional
        One of :data:`sources.readers.FORMATS`; detected from the header when omitted.
    boundaries : sources.boundaries.Boundaries or geopandas.GeoDataFrame, optional
        Country outline for the "inside the country" test; with a ``Boundaries``, empty
        governorates are also filled by point-in-polygon.
    date_format : str, optional
        strptime format of the dates of a canonical CSV whose dates are not ISO
        (e.g. ``"%d/%m/%Y"``).
    max_bytes : int, optional
        Refuse files larger than this.
    country : str, optional
        For a global UCDP file: the country kept.

    Returns
    -------
    LoadResult
        Never raises for a bad file: the report's ``error`` says what is wrong.
    """
    path = Path(path)
    fmt = format or ""
    notices: list[str] = []
    try:
        sniffed = sniff(path, max_bytes=max_bytes)
        notices = sniffed.notices
        fmt = format or detect_format(sniffed)
        notices = [*sniffed.notices, *filter(None, [header_notice(sniffed)])]
        draft, filtered = _draft(path, sniffed, fmt, date_format=date_format, country=country)
        draft.text_encoding = sniffed.text_encoding
        checked = validate_rows(draft, boundaries=boundaries)
        accepted, rejected, duplicates = checked.accepted, checked.rejected, checked.duplicates
    except SourceError as exc:
        return _failed(path, fmt, str(exc), notices)
    except (OSError, MemoryError) as exc:
        return _failed(path, fmt, f"{path.name} cannot be read: {exc}.")
    except RecursionError:
        return _failed(path, fmt, f"{path.name} is nested too deeply to read (a JSON file "
                                  "with thousands of levels?); nothing was loaded from it.")
    except Exception as exc:  # one bad file must never take the page down
        return _failed(path, fmt, f"{path.name} could not be read ({type(exc).__name__}: "
                                  f"{str(exc)[:200]}); nothing was loaded from it.")
    governorates = getattr(boundaries, "governorates", None)
    if governorates is not None:
        accepted = assign_governorates(accepted, governorates)
    accepted = accepted.sort_values("date_start", kind="stable", ignore_index=True)
    rejected.insert(0, "file", str(path))
    duplicates.insert(0, "file", str(path))
    reasons = summarise(rejected)
    rows = len(accepted) + len(rejected) + len(duplicates)
    error = None
    if rows == 0 and filtered:
        error = f"{path.name} has no events in {country} ({filtered:,} rows of other countries)."
    elif rows == 0:
        error = f"{path.name} has a header but no data rows."
    elif not len(accepted) and reasons.get("latitude and longitude swapped?"):
        error = (f"{path.name}: latitude and longitude look swapped (nearly all points fall "
                 f"outside Syria but inside it when swapped); fix the column names.")
    elif not len(accepted):
        top = next(iter(reasons))
        error = f"{path.name} has no usable rows ({rows:,} rejected, mostly {top!r})."
    report = FileReport(str(path), fmt, rows, len(accepted), len(rejected), reasons, error,
                        filtered=filtered, duplicates=len(duplicates), notices=notices,
                        examples=_examples(rejected, duplicates))
    return LoadResult(accepted, rejected, [report], duplicates)


def event_files(paths_or_folder) -> list[Path]:
    """The event files named: a file, a folder (its ``*.csv`` and ``*.json``), or a list."""
    items = [paths_or_folder] if isinstance(paths_or_folder, (str, Path)) else paths_or_folder
    files: list[Path] = []
    for item in items:
        item = Path(item)
        if item.is_dir():
            files += sorted(p for p in item.iterdir()
                            if p.is_file() and p.suffix.lower() in EVENT_SUFFIXES)
        else:
            files.append(item)
    return files


def load_events(
    paths_or_folder,
    *,
    store_dir: Path | None = None,
    boundaries=None,
    date_format: str | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> LoadResult:
    """Load every events file of a file, a folder or a list, through the store if given.

    Parameters
    ----------
    paths_or_folder : str, pathlib.Path or list of them
    store_dir : pathlib.Path, optional
        With a store, each file is fingerprinted; a stored file is loaded from parquet (its
        report has ``stored=True`` and the counts saved at import), other files are read,
        validated and saved.
    boundaries, date_format, max_bytes
        As for :func:`read_events_file`.

    Returns
    -------
    LoadResult
        Events of all usable files sorted by ``date_start``; rejected rows of all files.
    """
    frames: list[pd.DataFrame] = []
    rejected: list[pd.DataFrame] = []
    duplicates: list[pd.DataFrame] = []
    reports: list[FileReport] = []
    for path in event_files(paths_or_folder):
        if is_control_file(path):
            continue  # a control-of-terrain table: read by sources.catalog with the record
        result = _load_one(path, store_dir=store_dir, boundaries=boundaries,
                           date_format=date_format, max_bytes=max_bytes)
        reports += result.reports
        if len(result.events):
            frames.append(result.events)
        if len(result.rejected):
            rejected.append(result.rejected)
        if len(result.duplicates):
            duplicates.append(result.duplicates)
    events = pd.concat(frames, ignore_index=True) if frames else empty_events()
    if len(frames) > 1:
        events = events.sort_values("date_start", kind="stable", ignore_index=True)
    events = events[COLUMNS]
    rejected_all = pd.concat(rejected, ignore_index=True) if rejected else _empty_rejected()
    merged = pd.concat(duplicates, ignore_index=True) if duplicates else _empty_duplicates()
    return LoadResult(events, rejected_all, reports, merged)


def _load_one(path: Path, *, store_dir, boundaries, date_format, max_bytes) -> LoadResult:
    if store_dir is None:
        return read_events_file(path, boundaries=boundaries, date_format=date_format,
                                max_bytes=max_bytes)
    return import_events_file(path, store_dir, boundaries=boundaries, date_format=date_format,
                              max_bytes=max_bytes)


def stored_result(fp: str, store_dir, *, name: str | None = None) -> LoadResult:
    """The events, rejected rows and report of an import already in the store.

    Parameters
    ----------
    fp : str
        The import's fingerprint (:func:`sources.store.fingerprint`).
    store_dir : path
    name : str, optional
        What the report and the rejected rows' ``file`` column call the file (default: the
        path saved at import).

    Raises
    ------
    FileNotFoundError
        When the store does not hold ``fp``.
    """
    from sources import store

    events = store.load(fp, store_dir)
    meta = _stored_meta(fp, store_dir)
    shown = name or str(meta.get("path") or meta.get("source") or meta.get("source_file") or fp)
    report = FileReport(
        shown, str(meta.get("format", "")), int(meta.get("rows", len(events))),
        len(events), int(meta.get("rejected", 0)), dict(meta.get("reasons", {})), None,
        filtered=int(meta.get("filtered", 0)), stored=True,
        duplicates=int(meta.get("duplicates", 0)), notices=list(meta.get("notices", [])),
        examples=dict(meta.get("examples", {})),
    )
    rejected = store.load_rejected(fp, store_dir)
    if len(rejected) and "file" in rejected.columns:
        rejected["file"] = shown
    return LoadResult(events, rejected, [report])


def import_events_file(
    path: str | Path,
    store_dir,
    *,
    name: str | None = None,
    boundaries=None,
    date_format: str | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> LoadResult:
    """Read one events file through the store: from parquet when already imported, else
    parsed, validated and saved (events and rejected rows).

    Parameters
    ----------
    path : str or pathlib.Path
    store_dir : path
    name : str, optional
        The file's name as the user knows it (an upload is read from a temporary copy); used
        in the report, the error sentence's place of the path, and the rejected rows.
    boundaries, date_format, max_bytes
        As for :func:`read_events_file`.

    Returns
    -------
    LoadResult
        ``reports[0].stored`` tells whether the file came from the store. Never raises for a
        bad file.
    """
    from sources import store

    path = Path(path)
    try:
        fp = store.fingerprint(path)
    except OSError as exc:
        return _failed(path, "", f"{name or path.name} cannot be read: {exc}.")
    if store.has(fp, store_dir):
        return stored_result(fp, store_dir, name=name or str(path))
    result = read_events_file(path, boundaries=boundaries, date_format=date_format,
                              max_bytes=max_bytes)
    report = result.reports[0]
    if name:
        if report.error:
            report.error = report.error.replace(path.name, name, 1)
        report.path = name
        report.notices = [n.replace(path.name, name, 1) for n in report.notices]
        if len(result.rejected):
            result.rejected["file"] = name
        if len(result.duplicates):
            result.duplicates["file"] = name
    if report.error is None:
        store.save(result.events, fp, store_dir, store_meta(report), rejected=result.rejected)
    return result


def already_stored(events: pd.DataFrame, store_dir, *, exclude: str = "") -> int:
    """How many of ``events`` (by dataset and id) another import in the store already holds:
    the store shows each such event once (from the earliest import), so they are merged."""
    import pyarrow.parquet as pq

    from sources import store

    if not len(events):
        return 0
    keys = set(zip(events["source_dataset"].astype(str), events["event_id"].astype(str),
                   strict=True))
    held: set[tuple[str, str]] = set()
    for item in store.list_imports(store_dir):
        if item["fingerprint"] == exclude:
            continue
        table = pq.read_table(item["path"], columns=["source_dataset", "event_id"])
        held |= set(zip(table.column(0).to_pylist(), table.column(1).to_pylist(),
                        strict=True)) & keys
    return len(held)


def store_meta(report: FileReport) -> dict[str, object]:
    """The metadata saved with an import (what ``load_events`` reports for a stored file)."""
    return {
        "source": Path(report.path).name,
        "path": report.path,
        "format": report.format,
        "rows": report.rows,
        "accepted": report.accepted,
        "rejected": report.rejected,
        "reasons": report.reasons,
        "filtered": report.filtered,
        "duplicates": report.duplicates,
        "notices": report.notices,
        "examples": report.examples,
        "imported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def _stored_meta(fp: str, store_dir) -> dict[str, object]:
    from sources import store

    try:
        return dict(store.read_meta(store.path_for(fp, store_dir)))
    except Exception:
        return {}


__all__ = ["REASONS", "FileReport", "LoadResult", "already_stored", "event_files",
           "import_events_file",
           "load_events", "read_events_file", "store_meta", "stored_result"]
