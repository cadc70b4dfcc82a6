"""The imported-data store: canonical event tables kept as parquet, keyed by content.

Each import is one file ``<store_dir>/<fingerprint>.parquet`` where the fingerprint is the
SHA-256 of the *source* file's bytes, so importing the same file twice adds nothing. Rows are
sorted by ``date_start`` (the order the event index needs, and the order that lets parquet row
group statistics skip whole groups for a date filter). What was imported (file name, format,
row counts, time) travels inside the parquet file as key-value metadata, so a file and its
description can never drift apart. The import's rejected rows (``file``, ``row``, ``reason``
and the raw fields, all text) are kept in ``<store_dir>/rejected/<fingerprint>.parquet``, so
the app can offer them for download whether a file was parsed now or long ago; they live in a
subfolder so that ``*.parquet`` in the store still means "one file per import".

Loaded tables have exactly the canonical dtypes of :data:`sources.schema.DTYPES`. String
columns use pandas' ``StringDtype("pyarrow")`` storage: its ``str(dtype)`` is ``"string"``
like the default storage, but a million rows of notes take a fraction of the memory of one
Python object per cell, and converting from parquet is nearly free.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sources.schema import COLUMNS, DTYPES, check_canonical, empty_events

# Key of our key-value metadata in the parquet footer.
META_KEY = b"conflict_map.import"
# Row groups of this many rows: small enough for date filters to skip groups, large enough to
# keep the footer and per-group overhead negligible at a million rows.
ROW_GROUP_SIZE = 131_072
_SUFFIX = ".parquet"
REJECTED_DIR = "rejected"  # subfolder of the store holding each import's rejected rows
_CHUNK = 1 << 20  # bytes read at a time while hashing


def fingerprint(path: str | os.PathLike[str]) -> str:
    """Return the SHA-256 hex digest of a file's content, read in 1 MiB chunks.

    Parameters
    ----------
    path
        The source file (CSV, XLSX, ...) as the user gave it.

    Returns
    -------
    str
        64 lowercase hex digits; the store key of that file's events.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _check_fp(fp: str) -> str:
    # The fingerprint becomes a file name: refuse anything that is not a plain hex digest so a
    # caller can never write outside the store directory.
    if not fp or len(fp) > 128 or any(c not in "0123456789abcdef" for c in fp):
        raise ValueError(f"not a fingerprint (lowercase hex digest expected): {fp!r}")
    return fp


def path_for(fp: str, store_dir: str | os.PathLike[str]) -> Path:
    """Return the parquet path that holds the import with fingerprint ``fp``."""
    return Path(store_dir) / f"{_check_fp(fp)}{_SUFFIX}"


def rejected_path_for(fp: str, store_dir: str | os.PathLike[str]) -> Path:
    """Return the parquet path that holds the rejected rows of the import ``fp``."""
    return Path(store_dir) / REJECTED_DIR / f"{_check_fp(fp)}{_SUFFIX}"


def write_atomic(target: Path, write: Callable[[str], None]) -> None:
    """Create ``target`` whole or not at all: ``write(tmp_name)`` fills a temporary file in the
    same folder, which then replaces ``target`` in one step (``os.replace``). A reader never
    sees half a file, and a failed write leaves nothing behind."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                        dir=target.parent)
    os.close(handle)
    try:
        write(tmp_name)
        os.chmod(tmp_name, 0o644)  # mkstemp makes it owner-only; the store is shared data
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def _write_parquet(table: pa.Table, target: Path) -> None:
    write_atomic(target, lambda tmp: pq.write_table(table, tmp, row_group_size=ROW_GROUP_SIZE,
                                                    compression="zstd"))


def save_rejected(rejected: pd.DataFrame, fp: str, store_dir: str | os.PathLike[str]) -> Path:
    """Write an import's rejected rows beside it (atomically), every column as text.

    Parameters
    ----------
    rejected : pandas.DataFrame
        ``file``, ``row``, ``reason`` and the raw source fields (as from
        :func:`sources.load.read_events_file`). Raw fields are kept as strings: a source's
        values are whatever it wrote, and parquet needs one type per column.
    fp, store_dir
        As for :func:`save`.

    Returns
    -------
    pathlib.Path
        ``<store_dir>/rejected/<fp>.parquet``.
    """
    frame = pd.DataFrame(rejected).reset_index(drop=True).copy()
    frame.columns = [str(c) for c in frame.columns]
    for name in frame.columns:
        if name != "row":
            frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
            frame[name] = frame[name].map(lambda v: v if v is None else str(v))
    if "row" in frame.columns:
        frame["row"] = pd.to_numeric(frame["row"], errors="coerce").astype("Int64")
    target = rejected_path_for(fp, store_dir)
    _write_parquet(pa.Table.from_pandas(frame, preserve_index=False), target)
    return target


def load_rejected(fp: str, store_dir: str | os.PathLike[str]) -> pd.DataFrame:
    """Return the rejected rows kept for import ``fp`` (no rows when none were kept).

    Columns as saved (``file``, ``row``, ``reason``, raw fields); ``row`` is int64.
    """
    path = rejected_path_for(fp, store_dir)
    if not path.is_file():
        return pd.DataFrame({"file": pd.Series(dtype=str), "row": pd.Series(dtype="int64"),
                             "reason": pd.Series(dtype=str)})
    frame = pq.read_table(path).to_pandas()
    if "row" in frame.columns:
        frame["row"] = frame["row"].fillna(-1).astype("int64")
    return frame


def has(fp: str, store_dir: str | os.PathLike[str]) -> bool:
    """Return True when the store already holds the import with fingerprint ``fp``."""
    return path_for(fp, store_dir).is_file()


def save(
    events: pd.DataFrame,
    fp: str,
    store_dir: str | os.PathLike[str],
    meta: Mapping[str, object],
    rejected: pd.DataFrame | None = None,
) -> Path:
    """Write a canonical event table into the store, sorted by ``date_start``.

    The file is written to a temporary name in the store directory and moved into place with
    ``os.replace``, so a reader never sees half a file. Saving a fingerprint that is already
    stored does nothing and returns the existing path (idempotent).

    Parameters
    ----------
    events
        A canonical event table (checked with :func:`sources.schema.check_canonical`).
    fp
        The source file's fingerprint (:func:`fingerprint`).
    store_dir
        The store folder; created if missing.
    meta
        What was imported, JSON-serialisable: e.g. ``source`` (file name), ``format``,
        ``rows``, ``accepted``, ``rejected``, ``imported_at``. ``fingerprint`` and ``rows``
        (the stored row count) are filled in when absent.
    rejected : pandas.DataFrame, optional
        The file's rejected rows; written first (:func:`save_rejected`) so that whenever the
        events are in the store, so are their rejected rows.

    Returns
    -------
    pathlib.Path
        The parquet file.
    """
    check_canonical(events)
    target = path_for(fp, store_dir)
    if target.is_file():
        return target
    if rejected is not None and len(rejected):
        save_rejected(rejected, fp, store_dir)

    ordered = events.sort_values("date_start", kind="stable", ignore_index=True)
    record = {"fingerprint": fp, "rows": len(ordered), **dict(meta)}
    table = pa.Table.from_pandas(ordered, preserve_index=False)
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), META_KEY: json.dumps(record, default=str).encode()}
    )

    _write_parquet(table, target)
    return target


def _string_mapper(arrow_type: pa.DataType) -> pd.api.extensions.ExtensionDtype | None:
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return pd.StringDtype("pyarrow")
    return None


def _to_canonical(table: pa.Table) -> pd.DataFrame:
    # Columns stay in the chunks parquet gives (one per 128k rows); combining them would
    # copy every string once more at load time. :func:`take_rows` is the fast lookup.
    frame = table.to_pandas(types_mapper=_string_mapper, ignore_metadata=True)
    frame = frame[COLUMNS]
    for name, dtype in DTYPES.items():
        if dtype == "string":
            if not isinstance(frame[name].dtype, pd.StringDtype):
                frame[name] = frame[name].astype(pd.StringDtype("pyarrow"))
        elif str(frame[name].dtype) != dtype:
            frame[name] = frame[name].astype(dtype)
    return frame


def load(fp: str, store_dir: str | os.PathLike[str]) -> pd.DataFrame:
    """Read one import back as a canonical event table, sorted by ``date_start``.

    Raises ``FileNotFoundError`` when the store does not hold ``fp``.
    """
    frame = _to_canonical(pq.read_table(path_for(fp, store_dir), columns=COLUMNS))
    check_canonical(frame)
    return frame


def _take_chunked(chunked: pa.ChunkedArray, positions: np.ndarray) -> pa.Array:
    """``chunked.take(positions)`` without concatenating the chunks first.

    pyarrow's take on a many-chunk string column concatenates the whole column before
    picking (about 55 ms for 1,500 rows of a million); taking from each chunk its own rows
    costs only what is taken. The loop is over chunks (a handful), not rows.
    """
    if not len(positions):
        return pa.array([], type=chunked.type)
    lengths = np.array([len(c) for c in chunked.chunks], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    which = np.searchsorted(starts, positions, side="right") - 1
    order = np.argsort(which, kind="stable")
    pieces = [
        chunked.chunk(int(k)).take(pa.array(positions[which == k] - starts[k]))
        for k in np.unique(which)
    ]
    combined = pa.concat_arrays(pieces)  # rows in chunk order: positions[order]
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    return combined.take(pa.array(inverse))


def take_rows(frame: pd.DataFrame, positions: np.ndarray) -> pd.DataFrame:
    """Return ``frame.take(positions)`` (index = positions), fast for loaded store tables.

    Arrow-backed string columns with several chunks are taken chunk by chunk (see
    :func:`_take_chunked`); other columns use ``Series.take``. Dtypes are kept.
    """
    positions = np.asarray(positions, dtype=np.int64)
    columns = {}
    for name in frame.columns:
        values = frame[name]
        array = values.array
        if isinstance(array, pd.arrays.ArrowStringArray):
            chunked = array.__arrow_array__()
            if isinstance(chunked, pa.ChunkedArray) and chunked.num_chunks > 1:
                taken = pd.arrays.ArrowStringArray(_take_chunked(chunked, positions))
                columns[name] = pd.Series(taken, index=positions, name=name)
                continue
        columns[name] = pd.Series(values.take(positions).array, index=positions, name=name)
    return pd.DataFrame(columns, index=positions)


def _stored_paths(store_dir: str | os.PathLike[str]) -> list[Path]:
    folder = Path(store_dir)
    if not folder.is_dir():
        return []
    # Temporary files start with a dot and end in .tmp, so they never match.
    return sorted(p for p in folder.glob(f"*{_SUFFIX}") if not p.name.startswith("."))


def load_all(store_dir: str | os.PathLike[str]) -> pd.DataFrame:
    """Read every import in the store as one canonical table, sorted by ``date_start``.

    When two imports carry the same event (same ``source_dataset`` and ``event_id``, e.g. an
    edited copy of a file already imported), it is kept once: from the earliest import.
    An empty or missing store gives an empty canonical table.
    """
    imports = list_imports(store_dir)
    if not imports:
        return empty_events()
    tables = [pq.read_table(item["path"], columns=COLUMNS) for item in imports]
    frame = _to_canonical(pa.concat_tables(tables, promote_options="default"))
    if len(imports) > 1:
        frame = frame.drop_duplicates(["source_dataset", "event_id"], keep="first")
    if not frame["date_start"].is_monotonic_increasing:  # one import is sorted already
        frame = frame.sort_values("date_start", kind="stable", ignore_index=True)
    else:
        frame = frame.reset_index(drop=True)
    check_canonical(frame)
    return frame


def read_meta(path: str | os.PathLike[str]) -> dict[str, object]:
    """Return the import record stored in one parquet file of the store (``{}`` if none)."""
    metadata = pq.read_schema(path).metadata or {}
    raw = metadata.get(META_KEY)
    return json.loads(raw) if raw else {}


def list_imports(store_dir: str | os.PathLike[str]) -> list[dict[str, object]]:
    """Describe the imports in the store, oldest first.

    Returns
    -------
    list of dict
        One dict per stored file: the ``meta`` given to :func:`save` (``source``, ``format``,
        ``rows``, ``accepted``, ``rejected``, ``imported_at``...) plus ``fingerprint`` and
        ``path`` (a :class:`pathlib.Path`).
    """
    records = []
    for path in _stored_paths(store_dir):
        try:
            record = read_meta(path)
        except (OSError, ValueError) as exc:  # a damaged file: listed (so it can be removed)
            record = {"source": "", "damaged": f"{type(exc).__name__}: {exc}"}
        record["fingerprint"] = path.name[: -len(_SUFFIX)]
        record["path"] = path
        records.append(record)
    records.sort(key=lambda r: (str(r.get("imported_at", "")), str(r["fingerprint"])))
    return records
