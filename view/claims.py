"""Claims held against the data: what the loaded events say before and after a claim.

A milestone of category ``claim`` states something about a faction (the 6 Dec 2017 declaration
that Syria was "fully liberated" from IS is about territory held by IS). The figures here set
that statement beside the *recorded events* involving the faction; they do not prove or refute
a claim about territory, and the interface words them that way. Pure: no Streamlit.

Events are counted by their first day (``date_start``); the day of the claim itself belongs to
neither side of it. Figures are kept per dataset: datasets overlap (a curated key event is
often also a UCDP event), so adding them up would count the same event twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd


@dataclass(frozen=True)
class ClaimFigures:
    dataset: str  # the source_dataset counted, or "all loaded data"
    faction: str
    claim_day: date
    days: int  # width of the before/after comparison windows
    before: int  # events involving the faction in the `days` days before the claim day
    after: int  # ... in the `days` days after it
    after_to_end: int  # ... from the day after the claim to the end of the data
    last_event_day: date | None  # date_start of the last such event after the claim, if any
    data_end: date | None  # last day covered by the loaded events

    @property
    def before_range(self) -> tuple[date, date]:
        return self.claim_day - timedelta(days=self.days), self.claim_day - timedelta(days=1)

    @property
    def after_range(self) -> tuple[date, date]:
        return self.claim_day + timedelta(days=1), self.claim_day + timedelta(days=self.days)


def involving(events: pd.DataFrame, faction: str) -> pd.Series:
    """Boolean mask: events where either actor belongs to ``faction``."""
    return (events["faction1"] == faction) | (events["faction2"] == faction)


def claim_figures_by_dataset(
    events: pd.DataFrame, claim_day: date, faction: str, *, days: int = 90
) -> list[ClaimFigures]:
    """:func:`claim_figures` for each source dataset, largest dataset first."""
    order = events["source_dataset"].value_counts().index
    return [
        claim_figures(events[events["source_dataset"] == name], claim_day, faction, days=days,
                      dataset=str(name))
        for name in order
    ]


def claim_figures(
    events: pd.DataFrame, claim_day: date, faction: str, *, days: int = 90,
    dataset: str = "all loaded data",
) -> ClaimFigures:
    """Count events involving ``faction`` around ``claim_day``.

    Parameters
    ----------
    events : canonical event table (any order)
    claim_day : the day the claim was made
    faction : a key of ``sources.schema.FACTIONS``
    days : width of the before and after windows
    dataset : what ``events`` is, in words (kept with the figures)
    """
    starts = events["date_start"].dt.normalize()
    mine = involving(events, faction).fillna(False).to_numpy(dtype=bool)
    claim = pd.Timestamp(claim_day)
    before = mine & (starts >= claim - pd.Timedelta(days=days)).to_numpy() & (
        starts < claim
    ).to_numpy()
    after_all = mine & (starts > claim).to_numpy()
    after = after_all & (starts <= claim + pd.Timedelta(days=days)).to_numpy()
    last = starts[after_all].max() if after_all.any() else None
    data_end = events["date_end"].max() if len(events) else None
    return ClaimFigures(
        dataset=dataset,
        faction=faction,
        claim_day=claim_day,
        days=days,
        before=int(before.sum()),
        after=int(after.sum()),
        after_to_end=int(after_all.sum()),
        last_event_day=last.date() if last is not None else None,
        data_end=data_end.date() if data_end is not None and not pd.isna(data_end) else None,
    )
