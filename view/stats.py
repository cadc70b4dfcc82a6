"""Statistics for the view: counts and fatalities by faction and by governorate.

Pure: no Streamlit. Events are grouped by their *principal* faction (ARCHITECTURE.md), so each
event is counted once and the rows add up to the window's total.
"""

from __future__ import annotations

import pandas as pd

from sources.schema import FACTIONS


def by_faction(events: pd.DataFrame, principal: pd.Series) -> pd.DataFrame:
    """Events and best-estimate fatalities per principal faction, largest first.

    Columns: faction (key), label, events, fatalities. Factions with no event are left out.
    """
    frame = pd.DataFrame(
        {"faction": principal.to_numpy(), "fatalities": events["fatalities_best"].to_numpy()}
    )
    table = (
        frame.groupby("faction", observed=True)
        .agg(events=("faction", "size"), fatalities=("fatalities", "sum"))
        .reset_index()
        .sort_values(["events", "faction"], ascending=[False, True], ignore_index=True)
    )
    table.insert(1, "label", table["faction"].map(FACTIONS))
    return table


def by_governorate(events: pd.DataFrame) -> pd.DataFrame:
    """Events and best-estimate fatalities per governorate, largest first; blanks '(unknown)'."""
    names = events["governorate"].fillna("").astype(str).replace("", "(unknown)")
    frame = pd.DataFrame({"governorate": names, "fatalities": events["fatalities_best"]})
    return (
        frame.groupby("governorate")
        .agg(events=("governorate", "size"), fatalities=("fatalities", "sum"))
        .reset_index()
        .sort_values(["events", "governorate"], ascending=[False, True], ignore_index=True)
    )
