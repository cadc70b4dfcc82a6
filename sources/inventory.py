"""What the store holds, and taking a dataset out of it.

Every dataset imported into the store (events files, control files, area files) is listed with
its name, kind, rows, date range and when it was imported, under a short id (the first twelve
characters of its content fingerprint); :func:`remove` deletes one by that id. The dashboard
loads the shipped data, the events folder (``CONFLICT_MAP_EVENTS``) and **everything in the
store** (``CONFLICT_MAP_STORE``): a benchmark or an experiment that should not appear in a
dashboard uses a store of its own (``python -m bench`` makes a temporary one).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import pyarrow.parquet as pq

from sources import store
from sources.areas import AREAS_DIR, stored_area_keys
from sources.control import stored_control_files

ID_CHARS = 12


@dataclass(frozen=True)
class StoredDataset:
    id: str  # the first ID_CHARS of the fingerprint
    kind: str  # "events", "control" or "areas"
    name: str  # the file's name as it was imported
    rows: int | None  # accepted rows (events), rows of the file (control), None if unknown
    first: str  # first and last day it covers ("" if unknown)
    last: str
    imported_at: str
    files: tuple[str, ...]  # what remove() deletes


def _events(store_dir: Path) -> list[StoredDataset]:
    out = []
    for record in store.list_imports(store_dir):
        path = Path(record["path"])
        first, last = _date_range(path)
        fp = str(record["fingerprint"])
        rejected = store.rejected_path_for(fp, store_dir)
        out.append(StoredDataset(fp[:ID_CHARS], "events", str(record.get("source") or path.name),
                                 int(record.get("accepted") or 0) or None, first, last,
                                 str(record.get("imported_at", "")),
                                 tuple(str(p) for p in (path, rejected) if p.exists())))
    return out


def _date_range(path: Path) -> tuple[str, str]:
    try:
        dates = pq.read_table(path, columns=["date_start", "date_end"])
    except Exception:  # a damaged entry is still listed (with no dates), so it can be removed
        return "", ""
    if not dates.num_rows:
        return "", ""
    return (str(dates["date_start"].to_pandas().min().date()),
            str(dates["date_end"].to_pandas().max().date()))


def _control(store_dir: Path) -> list[StoredDataset]:
    out = []
    for fp, path, meta in stored_control_files(store_dir):
        try:
            rows = max(sum(1 for _ in path.open(encoding="utf-8", errors="replace")) - 1, 0)
        except OSError:
            rows = None
        out.append(StoredDataset(fp[:ID_CHARS], "control", str(meta.get("name") or path.name),
                                 rows, "", "", str(meta.get("imported_at", "")),
                                 tuple(str(p) for p in (path, path.with_suffix(".json"))
                                       if p.exists())))
    return out


def _areas(store_dir: Path) -> list[StoredDataset]:
    folder = store_dir / AREAS_DIR
    out = []
    for fp in stored_area_keys(store_dir):
        sidecar = folder / f"{fp}.json"
        try:
            meta = json.loads(sidecar.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        files = [p for p in folder.glob(f"{fp}*") if not p.name.startswith(".")]
        out.append(StoredDataset(fp[:ID_CHARS], "areas", str(meta.get("name") or fp), None,
                                 "", "", str(meta.get("added_at") or meta.get("imported_at")
                                             or ""), tuple(str(p) for p in files)))
    return out


def list_datasets(store_dir: str | Path) -> list[StoredDataset]:
    """Every dataset in the store, oldest import first."""
    store_dir = Path(store_dir)
    items = _events(store_dir) + _control(store_dir) + _areas(store_dir)
    return sorted(items, key=lambda d: (d.imported_at, d.kind, d.id))


def remove(store_dir: str | Path, dataset_id: str) -> StoredDataset:
    """Delete the dataset whose id starts with ``dataset_id`` (at least 6 characters).

    Raises
    ------
    KeyError
        When no dataset, or more than one, matches.
    """
    if len(dataset_id) < 6:
        raise KeyError(f"give at least 6 characters of the id, not {dataset_id!r}")
    matches = [d for d in list_datasets(store_dir) if d.id.startswith(dataset_id)]
    if len(matches) != 1:
        raise KeyError(f"{len(matches)} datasets in the store match {dataset_id!r}")
    for file in matches[0].files:
        Path(file).unlink(missing_ok=True)
    return matches[0]


def as_dict(dataset: StoredDataset) -> dict:
    out = asdict(dataset)
    out.pop("files")
    return out
