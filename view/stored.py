"""Stored datasets hidden from one view, without touching the shared catalog.

The store (``sources/store.py``) holds one parquet file per imported events file; the catalog
merges them, each event once, and is shared by every session. A viewer may hide stored
datasets from *their* view (the sidebar's "Show on the map", the link's ``hide=``): the
catalog stays whole, and the view drops the hidden rows from its window with a boolean mask
(:meth:`StoredRows.shown`), made once per set of hidden datasets and shared by every session
that hides the same ones. A view that hides nothing costs nothing.

An event held by a hidden file *and* by a shown file stays shown: hiding a file hides what
only it brings. Files and catalog rows are matched on ``(source_dataset, event_id)``, the key
the catalog keeps each event once by. The match is made on first use (about a second for a
million stored events), not at start-up: most views hide nothing. Pure: no Streamlit.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from sources import store
from sources.inventory import ID_CHARS

# A stored dataset's id, as `python -m sources list` and the sidebar show it.
DATASET_ID = re.compile(rf"^[0-9a-f]{{{ID_CHARS}}}$")
_MASKS_KEPT = 8  # sets of hidden datasets whose masks are kept (1 byte per event each)


@dataclass(frozen=True)
class HiddenDataset:
    """A stored dataset hidden from a view: its id, its name (untrusted text: the file's name
    as imported) and how many events of the catalog the view leaves out because of it."""

    id: str
    name: str
    events: int


@dataclass(frozen=True)
class _Entry:
    name: str
    rows: np.ndarray  # sorted positions in the catalog of the events this file holds


class StoredRows:
    """Which rows of one catalog each events file of its store holds.

    Parameters
    ----------
    events
        The catalog's canonical events (sorted, index ``0..n-1``; not modified).
    """

    def __init__(self, events: pd.DataFrame) -> None:
        self._events = events
        self._lock = threading.Lock()  # sessions run in threads and share the catalog
        self._store_dir: Path | None = None
        self._entries: dict[str, _Entry] | None = None
        self._masks: OrderedDict[frozenset[str], np.ndarray] = OrderedDict()

    # -- the store ---------------------------------------------------------------------
    def use_store(self, store_dir: str | Path) -> None:
        """Name the store the catalog was assembled from (the app's ``CONFLICT_MAP_STORE``).
        Nothing is read until a view hides a dataset."""
        path = Path(store_dir)
        with self._lock:
            if self._store_dir != path:
                self._store_dir, self._entries = path, None
                self._masks.clear()

    @property
    def store_dir(self) -> Path | None:
        return self._store_dir

    def ids(self) -> dict[str, str]:
        """Every events file of the store that the catalog holds rows of: id -> name."""
        return {key: entry.name for key, entry in self._read().items()}

    # -- a view's mask -----------------------------------------------------------------
    def shown(self, hidden: Iterable[str]) -> np.ndarray | None:
        """A read-only boolean mask over the catalog's rows: False for the events only hidden
        datasets hold. None when nothing the store holds is hidden (the view is the whole
        catalog). Ids not in the store are ignored (the link's are checked in ``ui``)."""
        wanted = frozenset(hidden)
        if not wanted or self._store_dir is None:
            return None
        entries = self._read()
        key = frozenset(wanted & entries.keys())
        if not key:
            return None
        with self._lock:
            if key in self._masks:
                self._masks.move_to_end(key)
                return self._masks[key]
        mask = np.ones(len(self._events), dtype=bool)
        for dataset_id in key:
            mask[entries[dataset_id].rows] = False
        for dataset_id, entry in entries.items():
            if dataset_id not in key:
                mask[entry.rows] = True  # also held by a shown file
        mask.flags.writeable = False  # shared by every session hiding the same datasets
        with self._lock:
            self._masks[key] = mask
            while len(self._masks) > _MASKS_KEPT:
                self._masks.popitem(last=False)
        return mask

    def hidden(self, hidden: Iterable[str]) -> list[HiddenDataset]:
        """The stored datasets ``hidden`` names, each with the events the view leaves out
        because of it, in the store's order; unknown ids are left out."""
        mask = self.shown(hidden)
        if mask is None:
            return []
        wanted = set(hidden)
        return [HiddenDataset(dataset_id, entry.name, int((~mask[entry.rows]).sum()))
                for dataset_id, entry in self._read().items() if dataset_id in wanted]

    def shown_datasets(self, hidden: Iterable[str]) -> list[str] | None:
        """The ``source_dataset`` names that still have events in the view, largest first;
        None when nothing is hidden."""
        mask = self.shown(hidden)
        if mask is None:
            return None
        counts = self._events["source_dataset"][mask].value_counts()
        return [str(name) for name, n in counts.items() if n]

    # -- matching ------------------------------------------------------------------------
    def _read(self) -> dict[str, _Entry]:
        with self._lock:
            if self._entries is None:
                self._entries = (_match(self._events, self._store_dir)
                                 if self._store_dir is not None else {})
            return self._entries


def _match(events: pd.DataFrame, store_dir: Path) -> dict[str, _Entry]:
    """id -> the file's name and its rows in ``events``, oldest import first. A file that
    cannot be read holds no rows of the catalog (the catalog skipped it too)."""
    by_dataset: dict[str, tuple[np.ndarray, pd.Index]] = {}
    codes, names = pd.factorize(events["source_dataset"])
    for code, name in enumerate(names):
        rows = np.flatnonzero(codes == code)
        ids = pd.Index(events["event_id"].array[rows])
        if not ids.is_unique:  # a catalog assembled without the dedup: keep the first
            first = ~ids.duplicated()
            rows, ids = rows[first], ids[first]
        by_dataset[str(name)] = (rows, ids)

    entries: dict[str, _Entry] = {}
    for fp in _events_files(store_dir):
        path = store.path_for(fp, store_dir)
        read = _keys_and_name(path)
        if read is None:  # a damaged entry: the catalog skipped it and names it
            continue
        keys, name_of_file = read
        found: list[np.ndarray] = []
        for name, group in keys.groupby("source_dataset", sort=False, observed=True):
            if str(name) not in by_dataset:
                continue
            rows, ids = by_dataset[str(name)]
            at = ids.get_indexer(group["event_id"].array)
            found.append(rows[at[at >= 0]])
        rows = np.unique(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)
        rows.flags.writeable = False
        entries[fp[:ID_CHARS]] = _Entry(name_of_file, rows)
    return entries


def _keys_and_name(path: Path) -> tuple[pd.DataFrame, str] | None:
    """A stored file's ``source_dataset`` and ``event_id`` columns and its name as imported;
    None when the file cannot be read."""
    try:
        table = pq.read_table(path, columns=["source_dataset", "event_id"])
        meta = store.read_meta(path)
    except Exception:  # any damage: truncated, not parquet, columns missing
        return None
    keys = table.to_pandas(types_mapper=lambda _: pd.StringDtype("pyarrow"))
    return keys, str(meta.get("source") or path.name)


def _events_files(store_dir: Path) -> list[str]:
    """The store's events files (fingerprints), oldest import first, damaged ones included."""
    if not store_dir.is_dir():
        return []
    fps = [p.stem for p in store_dir.glob("*.parquet") if not p.name.startswith(".")]

    def imported_at(fp: str) -> str:
        try:
            return str(store.read_meta(store.path_for(fp, store_dir)).get("imported_at", ""))
        except Exception:
            return ""

    return sorted(fps, key=lambda fp: (imported_at(fp), fp))
