"""Statistics for the view: counts and fatalities by faction and by governorate.

Pure: no Streamlit. Computed on the event index's compact arrays with ``np.bincount``, so a
window of a million events costs milliseconds. Events are grouped by their *principal* faction
(ARCHITECTURE.md), so each event is counted once and the rows add up to the window's total.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sources.schema import FACTIONS
from view.event_index import FACTION_KEYS, EventIndex

UNKNOWN_GOVERNORATE = "(unknown)"


def _table(names: list[str], counts: np.ndarray, fatalities: np.ndarray, no_figure: np.ndarray,
           key: str) -> pd.DataFrame:
    table = pd.DataFrame({key: names, "events": counts.astype(np.int64),
                          "fatalities": fatalities.astype(np.int64),
                          "no_figure": no_figure.astype(np.int64)})
    table = table[table["events"] > 0]
    return table.sort_values(["events", key], ascending=[False, True], ignore_index=True)


def by_faction(index: EventIndex, rows: np.ndarray) -> pd.DataFrame:
    """Events and best-estimate fatalities per principal faction, largest first.

    Columns: faction (key), label, events, fatalities (of the events with a figure),
    no_figure (events whose source gives no death figure). Factions with no event are left out.
    """
    codes = index.principal[rows]
    n = len(FACTION_KEYS)
    counts = np.bincount(codes, minlength=n)
    deaths = np.bincount(codes, weights=index.fatalities[rows], minlength=n)
    unknown = np.bincount(codes, weights=index.no_figure[rows], minlength=n)
    table = _table(list(FACTION_KEYS), counts, deaths, unknown, "faction")
    table.insert(1, "label", table["faction"].map(FACTIONS))
    return table


def by_governorate(index: EventIndex, rows: np.ndarray) -> pd.DataFrame:
    """Events and best-estimate fatalities per governorate, largest first.

    Events without a governorate are counted under ``(unknown)``.
    """
    # Code -1 (no governorate) moves to the last slot.
    names = [*index.governorates, UNKNOWN_GOVERNORATE]
    codes = index.governorate[rows].astype(np.int64)
    codes = np.where(codes < 0, len(names) - 1, codes)
    counts = np.bincount(codes, minlength=len(names))
    deaths = np.bincount(codes, weights=index.fatalities[rows], minlength=len(names))
    unknown = np.bincount(codes, weights=index.no_figure[rows], minlength=len(names))
    return _table(names, counts, deaths, unknown, "governorate")


def totals(index: EventIndex, rows: np.ndarray) -> tuple[int, int, int]:
    """(events, deaths of the events with a figure, events with no figure) of ``rows``."""
    return (len(rows), int(index.fatalities[rows].sum()) if len(rows) else 0,
            int(index.no_figure[rows].sum()) if len(rows) else 0)
