"""Who held what on a day: the control record as pure functions of the date.

The rule is one line: **the controller of a place on a day is its last change on or before that
day; before its first change the record says nothing** ("no record", never guessed). Everything
here follows from it: the state of every place on a day (:meth:`ControlRecord.on`), a place's
whole history (:meth:`ControlRecord.history`), the approximate shading of sub-districts
(:func:`subdistrict_shading`), a territorial claim held against the record
(:func:`territorial_claim`) and the places held per faction over time
(:meth:`ControlRecord.held_over_time`). Pure: no Streamlit, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from sources.control import CONTESTED, ControlTables, empty_changes, empty_places

NO_RECORD = "no record"
_KEY_SPAN = 1 << 20  # more days than 1970..4840: place * span + day orders (place, day)
MIXED = "mixed"  # a sub-district whose tracked places disagree


@dataclass(frozen=True)
class Period:
    """One stretch of a place's history: ``start`` to ``end`` (None: still so at the end)."""

    start: pd.Timestamp
    end: pd.Timestamp | None
    controller: str
    besieged_by: str
    date_precision: str
    source_title: str
    source_url: str
    source_checked: str
    note: str


class ControlRecord:
    """The places and their changes, indexed for the clock (a few thousand rows at most)."""

    def __init__(self, tables: ControlTables | None = None):
        tables = tables or ControlTables(empty_places(), empty_changes(), pd.DataFrame())
        self.places = tables.places.reset_index(drop=True)
        self.rejected = tables.rejected
        self.problems = list(tables.problems)
        changes = tables.changes
        known = changes["place_id"].isin(set(self.places["place_id"].astype(str)))
        changes = changes.loc[known].reset_index(drop=True)
        position = {pid: i for i, pid in enumerate(self.places["place_id"].astype(str))}
        place_of_change = changes["place_id"].astype(str).map(position).to_numpy(dtype=np.int64)
        days = changes["date"].to_numpy(dtype="datetime64[D]").astype(np.int64)
        # In the places' order, then by day (not by the ids' spelling: a user's places come
        # after the shipped ones), so that the keys below are sorted.
        order = np.lexsort((days, place_of_change))
        self.changes = changes.iloc[order].reset_index(drop=True)
        place_of_change, days = place_of_change[order], days[order]
        # Changes sorted by (place, day) as one key: the state on a day is one searchsorted.
        self._keys = place_of_change * _KEY_SPAN + days
        self._first_change = np.searchsorted(place_of_change, np.arange(len(self.places)))
        self._columns = {name: self.changes[name].to_numpy(dtype=object) for name in
                         ("controller", "besieged_by", "date_precision", "source_title",
                          "source_url")}
        self._dates = self.changes["date"].to_numpy(dtype="datetime64[ns]")
        self._base = self.places[["place_id", "name_en", "name_ar", "latitude", "longitude",
                                  "admin3_pcode", "kind"]].reset_index(drop=True)
        self._over_time: dict[str, pd.DataFrame] = {}
        self._no_state: pd.DataFrame | None = None

    def __len__(self) -> int:
        return len(self.places)

    @property
    def span(self) -> tuple[date, date] | None:
        if not len(self.changes):
            return None
        return (self.changes["date"].min().date(), self.changes["date"].max().date())

    def on(self, day: date | pd.Timestamp) -> pd.DataFrame:
        """Every place with its state on ``day``: ``controller`` (``"no record"`` before its
        first change), ``besieged_by``, ``since`` (the change's day), ``date_precision``,
        ``source_title``, ``source_url``. One row per place, in the places' order."""
        day = np.datetime64(pd.Timestamp(day).date(), "D").astype(np.int64)
        places = np.arange(len(self.places), dtype=np.int64)
        # The last change on or before the day, per place; -1 before the place's first change.
        last = np.searchsorted(self._keys, places * _KEY_SPAN + day, side="right") - 1
        has = last >= self._first_change
        pick = np.where(has, last, 0)
        out = self._base.copy()
        for name, values in self._columns.items():
            empty = NO_RECORD if name == "controller" else ""
            out[name] = np.where(has, values[pick], empty) if len(values) else empty
        since = self._dates[pick] if len(self._dates) else np.zeros(len(places), "datetime64[ns]")
        out["since"] = np.where(has, since, np.datetime64("NaT"))
        return out[["place_id", "name_en", "name_ar", "latitude", "longitude", "admin3_pcode",
                    "kind", "controller", "besieged_by", "since", "date_precision",
                    "source_title", "source_url"]]

    def no_state(self) -> pd.DataFrame:
        """The columns of :meth:`on`, with no rows (no control layer is on)."""
        if self._no_state is None:
            self._no_state = self.on(pd.Timestamp("2011-01-01")).iloc[0:0]
        return self._no_state

    def history(self, place_id: str) -> list[Period]:
        """A place's whole history, oldest first, each period with its source."""
        rows = self.changes[self.changes["place_id"] == place_id]
        periods = []
        dates = rows["date"].tolist()
        for i, row in enumerate(rows.itertuples(index=False)):
            end = dates[i + 1] - pd.Timedelta(days=1) if i + 1 < len(dates) else None
            periods.append(Period(row.date, end, str(row.controller), str(row.besieged_by or ""),
                                  str(row.date_precision), str(row.source_title or ""),
                                  str(row.source_url or ""), str(row.source_checked or ""),
                                  str(row.note or "")))
        return periods

    def held_by(self, faction: str, day: date | pd.Timestamp) -> pd.DataFrame:
        """The places ``faction`` held on ``day`` (controller equal to it)."""
        state = self.on(day)
        return state[state["controller"] == faction].reset_index(drop=True)

    def held_over_time(self, freq: str = "MS") -> pd.DataFrame:
        """Places held per controller on the first day of each month over the record's span:
        columns ``day``, ``controller``, ``places`` (long form, for a chart). Computed once
        (the record is read-only)."""
        cached = self._over_time.get(freq)
        if cached is None:
            cached = self._over_time[freq] = self._held_over_time(freq)
        return cached

    def _held_over_time(self, freq: str) -> pd.DataFrame:
        span = self.span
        if span is None:
            return pd.DataFrame({"day": pd.Series(dtype="datetime64[ns]"),
                                 "controller": pd.Series(dtype="string"),
                                 "places": pd.Series(dtype="int64")})
        days = pd.date_range(pd.Timestamp(span[0]).to_period("M").to_timestamp(),
                             pd.Timestamp(span[1]), freq=freq)
        frames = []
        for day in days:
            counts = self.on(day)["controller"].value_counts()
            counts = counts[counts.index != NO_RECORD]
            frames.append(pd.DataFrame({"day": day, "controller": counts.index.astype(str),
                                        "places": counts.to_numpy(dtype=np.int64)}))
        return pd.concat(frames, ignore_index=True)


def subdistrict_shading(state: pd.DataFrame) -> pd.DataFrame:
    """The approximate shading of sub-districts from the places' state on a day.

    A sub-district is shaded by its tracked places' controller where they all agree, marked
    :data:`MIXED` (hatched) where they disagree, and left out (blank) where no tracked place
    has a record. A contested place makes its sub-district mixed. Returns ``admin3_pcode``,
    ``controller``, ``places`` (how many tracked places with a record it holds).
    """
    known = state[(state["controller"] != NO_RECORD) & (state["admin3_pcode"].fillna("") != "")]
    if known.empty:
        return pd.DataFrame({"admin3_pcode": pd.Series(dtype="string"),
                             "controller": pd.Series(dtype="string"),
                             "places": pd.Series(dtype="int64")})
    grouped = known.groupby("admin3_pcode")["controller"]
    distinct = grouped.nunique()
    first = grouped.first()
    shading = pd.DataFrame({
        "admin3_pcode": distinct.index.astype(str),
        "controller": np.where((distinct.to_numpy() == 1) & (first.to_numpy() != CONTESTED),
                               first.to_numpy(), MIXED),
        "places": grouped.size().to_numpy(dtype=np.int64),
    })
    return shading.reset_index(drop=True)


@dataclass(frozen=True)
class TerritorialFigures:
    """A claim about a faction's territory on a day, set beside the record.

    ``held`` are the places the record says the faction held on the claim's day (sorted by
    the day they were lost, then name); a place is lost on its first later change to another
    side (a contested spell in between is not a loss); ``last_lost`` is the day the last of
    them was lost and ``last_lost_to`` to whom (None when some are still held at the record's
    end);
    ``still_held_at_end`` counts those never lost in the record.
    """

    faction: str
    claim_day: date
    held: pd.DataFrame  # place_id, name_en, name_ar, latitude, longitude, kind, since, lost, to
    last_lost: date | None
    last_lost_to: str | None
    still_held_at_end: int
    tracked: int  # places with a record on the claim's day


def territorial_claim(record: ControlRecord, faction: str, day: date) -> TerritorialFigures:
    """What the record says about ``faction``'s territory on ``day``, and after it."""
    state = record.on(day)
    held = state[state["controller"] == faction].copy()
    lost, to = [], []
    for place_id in held["place_id"].astype(str):
        # Lost: the first later change to another side (a contested spell is not a loss).
        after = record.changes[(record.changes["place_id"] == place_id)
                               & (record.changes["date"] > pd.Timestamp(day))
                               & ~record.changes["controller"].isin([faction, CONTESTED])]
        if after.empty:
            lost.append(pd.NaT)
            to.append("")
        else:
            lost.append(after["date"].iloc[0])
            to.append(str(after["controller"].iloc[0]))
    held["lost"] = pd.to_datetime(pd.Series(lost, index=held.index, dtype="datetime64[ns]"))
    held["lost_to"] = to
    held = held.sort_values(["lost", "name_en"], na_position="last", ignore_index=True)
    still = int(held["lost"].isna().sum())
    last_lost = last_to = None
    if len(held) and still == 0:
        last = held.iloc[-1]
        last_lost, last_to = last["lost"].date(), str(last["lost_to"])
    return TerritorialFigures(faction, day, held[["place_id", "name_en", "name_ar", "latitude",
                                                  "longitude", "kind", "since", "lost",
                                                  "lost_to"]],
                              last_lost, last_to, still,
                              int((state["controller"] != NO_RECORD).sum()))


def bounds_of(places: pd.DataFrame) -> tuple[float, float, float, float] | None:
    """``(south, west, north, east)`` around ``places`` (None when empty)."""
    if places.empty:
        return None
    return (float(places["latitude"].min()), float(places["longitude"].min()),
            float(places["latitude"].max()), float(places["longitude"].max()))
