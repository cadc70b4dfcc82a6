"""Everything the dashboard loads, assembled from its configuration: pure, no Streamlit.

:func:`assemble` reads the shipped key events, the events folder (or file) named by
``CONFLICT_MAP_EVENTS``, the files imported into the store, the shipped zones and any area
files, and the boundaries; it merges the event tables, shows each event once and says how many
repeats it dropped. ``ui/catalog.py`` wraps it in a shared cache; ``view.catalog.Catalog``
indexes the result for the clock.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd

from sources import store
from sources.areas import concat_areas, load_area_folder, load_stored_areas, stored_area_keys
from sources.boundaries import Boundaries, load_boundaries
from sources.control import (
    ControlTables,
    control_format,
    is_control_file,
    load_shipped,
    merge,
    read_control_file,
    stored_control_files,
    summarise_rejected,
)
from sources.detect import SourceError
from sources.load import FileReport, load_events, read_events_file, stored_result
from sources.shipped import DATA_DIR, KEY_EVENTS_DATASET, load_milestones, load_zones

KEY_EVENTS = DATA_DIR / "key_events.csv"


@dataclass(frozen=True)
class Config:
    """Where the data comes from (environment variables, see ARCHITECTURE.md)."""

    events: str  # file or folder of events besides the shipped key events
    boundaries: str  # folder of OCHA boundaries, or "" for none
    store_dir: str  # imported files (uploads, `python -m sources import`)
    tiles: str  # "osm" or "none"
    areas: str = ""  # file or folder of area files besides the shipped zones, or ""

    @classmethod
    def from_env(cls) -> Config:
        return cls(
            events=os.environ.get("CONFLICT_MAP_EVENTS", str(DATA_DIR / "events")),
            boundaries=os.environ.get("CONFLICT_MAP_BOUNDARIES", ""),
            store_dir=os.environ.get("CONFLICT_MAP_STORE", str(DATA_DIR / "store")),
            tiles=os.environ.get("CONFLICT_MAP_TILES", "none"),
            areas=os.environ.get("CONFLICT_MAP_AREAS", ""),
        )


@dataclass
class LoadedData:
    """What :func:`assemble` read: the canonical tables and what happened to each input."""

    events: pd.DataFrame  # canonical, accepted rows, each event once, sorted by date_start
    rejected: pd.DataFrame  # file, row, reason, raw fields
    reports: list[FileReport]
    milestones: pd.DataFrame
    areas: gpd.GeoDataFrame  # shipped zones (+ user areas)
    boundaries: Boundaries | None
    control: ControlTables | None = None  # the control-of-terrain record (shipped + user's)
    problems: list[str] = field(default_factory=list)  # shown to the user, one sentence each
    # Events per source dataset, largest first, and the first and last day each covers: computed
    # once here, not on every rerun (a pass over a million strings costs ~90 ms).
    dataset_counts: dict[str, int] = field(default_factory=dict)
    dataset_spans: dict[str, tuple[date, date]] = field(default_factory=dict)
    key_dataset: str = KEY_EVENTS_DATASET


def imported_events(store_dir: str | Path) -> tuple[str, ...]:
    """Fingerprints of the events files in the store."""
    path = Path(store_dir)
    if not path.is_dir():
        return ()
    return tuple(sorted(p.stem for p in path.glob("*.parquet") if not p.name.startswith(".")))


def store_fingerprints(store_dir: str | Path) -> tuple[str, ...]:
    """The imported events files and added area files (``areas/<fp>``): the part of the
    cache key that changes when one is added."""
    folder = Path(store_dir) / "areas"
    # The sidecar's time too: adding the same file again with other field choices rewrites it.
    areas = tuple(f"areas/{fp}:{_mtime_ns(folder / f'{fp}.json')}"
                  for fp in stored_area_keys(store_dir))
    control = tuple(f"control/{fp}" for fp, _, _ in stored_control_files(store_dir))
    return imported_events(store_dir) + areas + control


def _mtime_ns(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def assemble(config: Config) -> LoadedData:
    """Load everything the configuration names. A file that fails is reported, not fatal."""
    problems: list[str] = []
    boundaries = _boundaries(config, problems)
    events, rejected, reports = _events(config, boundaries, problems)
    control, control_reports = _control(config, boundaries, problems)
    reports += control_reports
    if len(control.rejected):
        rejected = pd.concat([rejected, control.rejected], ignore_index=True)
    counts = events["source_dataset"].value_counts()
    spans = events.groupby("source_dataset", observed=True).agg(
        start=("date_start", "min"), end=("date_end", "max"))
    return LoadedData(
        events, rejected, reports, load_milestones(), _areas(config, problems), boundaries,
        control, problems,
        dataset_counts={str(k): int(v) for k, v in counts.items()},
        dataset_spans={str(name): (start.date(), end.date())
                       for name, start, end in zip(spans.index, spans["start"], spans["end"],
                                                   strict=True)},
    )


def _stored_name(fp: str, store_dir: Path) -> str:
    try:
        return str(store.read_meta(store.path_for(fp, store_dir)).get("source") or "unknown")
    except Exception:  # the entry is damaged: its name may be too
        return "name unknown"


def _boundaries(config: Config, problems: list[str]) -> Boundaries | None:
    if not config.boundaries:
        return None
    try:
        return load_boundaries(Path(config.boundaries))
    except Exception as err:  # the map still works without outlines
        problems.append(f"Boundaries not loaded: {err}")
        return None


def _events(config: Config, boundaries: Boundaries | None,
            problems: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, list[FileReport]]:
    """The shipped key events, the events folder, and the files imported into the store."""
    results = [read_events_file(KEY_EVENTS, boundaries=boundaries)]
    events_path = Path(config.events)
    store_dir = Path(config.store_dir)
    in_folder: set[str] = set()
    if events_path.exists():
        # Files in the events folder are parsed once, then read back from the store.
        try:
            results.append(load_events(events_path, store_dir=store_dir,
                                       boundaries=boundaries))
        except OSError as err:  # the folder itself (or the store) cannot be used
            problems.append(f"The events in {config.events} were not loaded: {err}")
        files = [events_path] if events_path.is_file() else sorted(events_path.iterdir())
        in_folder = {store.fingerprint(p) for p in files if p.is_file()}
    elif config.events != str(DATA_DIR / "events"):
        problems.append(f"CONFLICT_MAP_EVENTS names {config.events}, which does not exist.")
    if store_dir.is_dir():
        # Files imported by upload, download or `python -m sources import`, not already in the
        # folder: with their report and rejected rows, as kept at import.
        for fp in imported_events(store_dir):
            if fp in in_folder:
                continue
            try:
                results.append(stored_result(fp, store_dir))
            except Exception as err:  # a damaged store entry is skipped, named
                problems.append(f"Store entry {fp[:12]}… ({_stored_name(fp, store_dir)}) could "
                                f"not be read and was skipped: {type(err).__name__}: "
                                f"{str(err)[:160]}")

    events = pd.concat([r.events for r in results], ignore_index=True)
    before = len(events)
    # The same event in two files (same dataset and id) is shown once, and counted.
    events = events.drop_duplicates(["source_dataset", "event_id"], ignore_index=True)
    if len(events) < before:
        problems.append(
            f"{before - len(events):,} events appear in more than one file; each is shown once."
        )
    events = events.sort_values("date_start", kind="stable", ignore_index=True)
    rejected = pd.concat([r.rejected for r in results], ignore_index=True)
    return events, rejected, [rep for r in results for rep in r.reports]


def _control(config: Config, boundaries: Boundaries | None,
             problems: list[str]) -> tuple[ControlTables, list[FileReport]]:
    """The shipped control record, then the user's control files (the events folder, then the
    store, oldest import first): each file may refer to the places of those before it."""
    try:
        shipped = load_shipped(boundaries)
    except (SourceError, OSError) as err:
        problems.append(f"The shipped control record was not loaded: {err}")
        return merge([]), []
    if len(shipped.rejected):
        problems.append(f"{len(shipped.rejected)} row(s) of the shipped control record were "
                        "rejected (see the rejected rows).")
    tables, reports = [shipped], []
    known = shipped.places
    events_path = Path(config.events)
    files: list[tuple[Path, str]] = []
    if events_path.is_dir():
        files += [(p, p.name) for p in sorted(events_path.iterdir())
                  if p.is_file() and p.suffix.lower() == ".csv" and is_control_file(p)]
    elif events_path.is_file() and is_control_file(events_path):
        files.append((events_path, events_path.name))
    files += [(path, str(meta.get("name") or path.name))
              for _, path, meta in stored_control_files(config.store_dir)]
    for path, name in files:
        try:
            table = read_control_file(path, known_places=known, boundaries=boundaries,
                                      name=name)
        except Exception as err:  # one bad file never takes the page down
            reports.append(FileReport(name, "control", 0, 0, 0, {}, f"{name}: {err}"))
            continue
        accepted = len(table.places) + len(table.changes)
        reports.append(FileReport(name, control_format(path), accepted + len(table.rejected),
                                  accepted, len(table.rejected),
                                  summarise_rejected(table.rejected), None))
        known = pd.concat([known, table.places], ignore_index=True)
        tables.append(table)
    return merge(tables), reports


def _areas(config: Config, problems: list[str]) -> gpd.GeoDataFrame:
    """The shipped zones, the areas folder, and the area files added in the app."""
    tables = [load_zones()]
    if config.areas:
        if Path(config.areas).exists():
            folder_areas, folder_problems = load_area_folder(config.areas)
            tables.append(folder_areas)
            problems += folder_problems
        else:
            problems.append(f"CONFLICT_MAP_AREAS names {config.areas}, which does not exist.")
    stored_areas, stored_problems = load_stored_areas(Path(config.store_dir))
    tables.append(stored_areas)
    problems += stored_problems
    return concat_areas(tables)
