"""The loaded data, indexed for the clock: one copy shared by every viewer session."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd
import pandas as pd

from sources.boundaries import Boundaries
from sources.catalog import LoadedData
from sources.load import FileReport
from view.clock import slider_span
from view.control import ControlRecord
from view.event_index import EventIndex
from view.stored import StoredRows


@dataclass
class Catalog:
    """Everything the dashboard shows; built once by :meth:`from_loaded`."""

    events: pd.DataFrame  # canonical, sorted: the table ``index`` points into (one copy)
    index: EventIndex
    rejected: pd.DataFrame
    reports: list[FileReport]
    milestones: pd.DataFrame
    areas: gpd.GeoDataFrame
    boundaries: Boundaries | None
    span: tuple[date, date]  # what the slider covers: events and milestones
    control: ControlRecord = field(default_factory=ControlRecord)
    problems: list[str] = field(default_factory=list)
    dataset_counts: dict[str, int] = field(default_factory=dict)
    dataset_spans: dict[str, tuple[date, date]] = field(default_factory=dict)
    key_dataset: str = ""
    # Which rows each stored events file holds, for the views that hide some (view/stored.py):
    # found on first use, shared like the rest, never a copy of the events.
    stored: StoredRows = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.stored = StoredRows(self.events)

    @classmethod
    def from_loaded(cls, loaded: LoadedData) -> Catalog:
        index = EventIndex.from_events(loaded.events)
        first, last = index.span() if len(index) else (None, None)
        span = slider_span([first, last, *loaded.milestones["date"].dt.date.tolist()])
        return cls(
            index.frame, index, loaded.rejected, loaded.reports, loaded.milestones,
            loaded.areas, loaded.boundaries, span, ControlRecord(loaded.control),
            loaded.problems + (loaded.control.problems if loaded.control else []),
            dataset_counts=loaded.dataset_counts, dataset_spans=loaded.dataset_spans,
            key_dataset=loaded.key_dataset,
        )

    @property
    def datasets(self) -> list[str]:
        return sorted(self.dataset_counts)
