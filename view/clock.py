"""The one clock: a selected day and a trailing window, and stepping between milestones.

Everything date-dependent on the page (events, zones, milestones, captions, statistics) is a
function of :class:`Clock`. Pure: no Streamlit, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

# Trailing windows ending on the selected day, inclusive; ``None`` = from the start of the span.
WINDOW_DAYS: dict[str, int | None] = {
    "day": 1,
    "week": 7,
    "month": 30,
    "quarter": 91,
    "year": 365,
    "all": None,
}
WINDOWS: tuple[str, ...] = tuple(WINDOW_DAYS)
WINDOW_LABELS: dict[str, str] = {
    "day": "the day",
    "week": "7 days to the date",
    "month": "30 days to the date",
    "quarter": "91 days to the date",
    "year": "365 days to the date",
    "all": "everything up to the date",
}


@dataclass(frozen=True)
class Clock:
    """The selected day, the window, and the span the slider covers.

    ``range_start``, when set, overrides the window: the view then covers
    ``range_start .. day`` (used to show e.g. "every IS event after the claim").
    """

    day: date
    window: str
    span_start: date
    span_end: date
    range_start: date | None = None

    def __post_init__(self) -> None:
        if self.window not in WINDOW_DAYS:
            raise ValueError(f"unknown window {self.window!r}; expected one of {WINDOWS}")
        if self.span_start > self.span_end:
            raise ValueError(f"empty span: {self.span_start} is after {self.span_end}")

    @property
    def start(self) -> date:
        """First day of the view (inclusive)."""
        if self.range_start is not None:
            return min(self.range_start, self.day)
        days = WINDOW_DAYS[self.window]
        if days is None:
            return self.span_start
        return self.day - timedelta(days=days - 1)

    @property
    def end(self) -> date:
        """Last day of the view (inclusive): the selected day."""
        return self.day

    def describe(self) -> str:
        """Say in words what the view covers, e.g. '30 Nov – 6 Dec 2017 (7 days to the date)'."""
        if self.start == self.end:
            return format_day(self.day)
        label = "custom range" if self.range_start is not None else WINDOW_LABELS[self.window]
        return f"{format_day(self.start)} – {format_day(self.end)} ({label})"


def format_day(day: date) -> str:
    """'6 Dec 2017': unambiguous in every locale (no 06/12 vs 12/06)."""
    return f"{day.day} {day:%b %Y}"


def clamp(day: date, span_start: date, span_end: date) -> date:
    """Keep ``day`` inside the span."""
    return max(span_start, min(span_end, day))


def slider_span(dates: list[date | None]) -> tuple[date, date]:
    """The slider's span: the first and last of the given dates (None entries ignored).

    The caller passes the span of the loaded events and the milestone dates, so the slider
    covers both. Raises ``ValueError`` when there is no date at all.
    """
    known = [d for d in dates if d is not None]
    if not known:
        raise ValueError("no dates: load events or milestones first")
    return min(known), max(known)


def wider(window: str) -> str:
    """The next wider window ('all' stays 'all')."""
    i = WINDOWS.index(window)
    return WINDOWS[min(i + 1, len(WINDOWS) - 1)]


def narrower(window: str) -> str:
    """The next narrower window ('day' stays 'day')."""
    i = WINDOWS.index(window)
    return WINDOWS[max(i - 1, 0)]


def _milestone_days(milestones: pd.DataFrame) -> list[date]:
    return sorted({ts.date() for ts in pd.to_datetime(milestones["date"])})


def next_milestone_day(milestones: pd.DataFrame, day: date) -> date | None:
    """The first milestone date strictly after ``day``, or None."""
    later = [d for d in _milestone_days(milestones) if d > day]
    return later[0] if later else None


def previous_milestone_day(milestones: pd.DataFrame, day: date) -> date | None:
    """The last milestone date strictly before ``day``, or None."""
    earlier = [d for d in _milestone_days(milestones) if d < day]
    return earlier[-1] if earlier else None


@dataclass(frozen=True)
class PlayTick:
    """Where one tick of play lands: the day, whether it holds there a tick, whether it stops."""

    day: date
    hold: bool
    stop: bool


def play_tick(day: date, *, step_days: int, until: date | None, span_end: date,
              milestones: pd.DataFrame, hold_at_milestones: bool) -> PlayTick:
    """One tick of play: the day moves on by the step and stops at ``until`` (or the end of the
    span, when ``until`` is empty or not after the day). With ``hold_at_milestones`` a tick that
    would pass a milestone lands on it instead, and holds there one tick so the room can read
    the caption. ``static/app/event_clock.js`` (playTick) plays with the same rule.
    """
    end = until if until is not None and until > day else span_end
    target = min(day + timedelta(days=step_days), end)
    hold = False
    if hold_at_milestones:
        upcoming = next_milestone_day(milestones, day)
        if upcoming is not None and upcoming <= target:
            target, hold = upcoming, True
    return PlayTick(target, hold, target >= end)


def caption_milestones(milestones: pd.DataFrame, clock: Clock) -> pd.DataFrame:
    """The milestones that make the caption for this view.

    Those dated on the selected day; when there are none, those of the latest milestone date
    before it that still falls inside the view. Empty when neither exists.
    """
    dates = pd.to_datetime(milestones["date"]).dt.date
    today = milestones[dates == clock.day]
    if not today.empty:
        return today
    before = dates[(dates < clock.day) & (dates >= clock.start)]
    if before.empty:
        return milestones.iloc[0:0]
    return milestones[dates == before.max()]


def milestones_in_view(milestones: pd.DataFrame, clock: Clock) -> pd.DataFrame:
    """Milestones dated inside the view (drawn as pins)."""
    dates = pd.to_datetime(milestones["date"]).dt.date
    return milestones[(dates >= clock.start) & (dates <= clock.end)]
