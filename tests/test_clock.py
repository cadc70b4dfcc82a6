from datetime import date

import pandas as pd
import pytest

from view.clock import (
    WINDOWS,
    Clock,
    caption_milestones,
    clamp,
    milestones_in_view,
    narrower,
    next_milestone_day,
    previous_milestone_day,
    slider_span,
    wider,
)

SPAN = (date(2011, 3, 15), date(2024, 12, 8))


def clock(day, window="week", **kw):
    return Clock(day, window, *SPAN, **kw)


def milestones(*days):
    return pd.DataFrame(
        {
            "milestone_id": [f"m{i}" for i in range(len(days))],
            "date": pd.to_datetime(list(days)),
            "title": [f"t{i}" for i in range(len(days))],
        }
    )


@pytest.mark.parametrize(
    ("window", "start"),
    [
        ("day", date(2017, 12, 6)),
        ("week", date(2017, 11, 30)),
        ("month", date(2017, 11, 7)),
        ("quarter", date(2017, 9, 7)),
        ("year", date(2016, 12, 7)),
        ("all", SPAN[0]),
    ],
)
def test_windows_are_trailing_and_inclusive(window, start):
    c = clock(date(2017, 12, 6), window)
    assert c.start == start
    assert c.end == date(2017, 12, 6)
    if window not in ("all",):
        assert (c.end - c.start).days + 1 == {"day": 1, "week": 7, "month": 30,
                                              "quarter": 91, "year": 365}[window]


def test_range_start_overrides_window():
    c = clock(date(2019, 11, 30), "day", range_start=date(2017, 12, 7))
    assert (c.start, c.end) == (date(2017, 12, 7), date(2019, 11, 30))
    assert "custom range" in c.describe()


def test_unknown_window_and_empty_span_are_rejected():
    with pytest.raises(ValueError, match="unknown window"):
        clock(date(2017, 1, 1), "fortnight")
    with pytest.raises(ValueError, match="empty span"):
        Clock(date(2017, 1, 1), "day", date(2018, 1, 1), date(2017, 1, 1))


def test_describe_uses_unambiguous_dates():
    assert clock(date(2017, 12, 6), "day").describe() == "6 Dec 2017"
    assert "6 Dec 2017" in clock(date(2017, 12, 6), "week").describe()


def test_wider_and_narrower_walk_the_window_list_and_stop_at_the_ends():
    assert [wider(w) for w in WINDOWS] == [*WINDOWS[1:], "all"]
    assert [narrower(w) for w in WINDOWS] == ["day", *WINDOWS[:-1]]


def test_clamp_and_span():
    assert clamp(date(2000, 1, 1), *SPAN) == SPAN[0]
    assert clamp(date(2030, 1, 1), *SPAN) == SPAN[1]
    assert slider_span([None, date(2017, 1, 2), date(2012, 5, 1)]) == (
        date(2012, 5, 1), date(2017, 1, 2))
    with pytest.raises(ValueError):
        slider_span([None])


def test_milestone_stepping_is_strict_and_stops_at_the_ends():
    m = milestones("2017-05-06", "2017-12-06", "2017-12-06", "2019-03-23")
    assert next_milestone_day(m, date(2017, 5, 6)) == date(2017, 12, 6)
    assert next_milestone_day(m, date(2017, 12, 6)) == date(2019, 3, 23)
    assert next_milestone_day(m, date(2019, 3, 23)) is None
    assert previous_milestone_day(m, date(2017, 12, 6)) == date(2017, 5, 6)
    assert previous_milestone_day(m, date(2017, 5, 6)) is None


def test_caption_prefers_the_day_then_the_latest_inside_the_window():
    m = milestones("2017-11-19", "2017-12-06", "2017-12-06")
    assert list(caption_milestones(m, clock(date(2017, 12, 6), "day"))["milestone_id"]) == [
        "m1", "m2"]
    # Two days later, a week window still reaches back to 6 Dec, but not to 19 Nov.
    assert list(caption_milestones(m, clock(date(2017, 12, 8), "week"))["milestone_id"]) == [
        "m1", "m2"]
    # A day window on 8 Dec shows nothing: the latest milestone is outside it.
    assert caption_milestones(m, clock(date(2017, 12, 8), "day")).empty
    # Before any milestone: nothing.
    assert caption_milestones(m, clock(date(2017, 1, 1), "year")).empty


def test_milestones_in_view():
    m = milestones("2017-11-19", "2017-12-06", "2018-01-01")
    got = milestones_in_view(m, clock(date(2017, 12, 6), "month"))
    assert list(got["milestone_id"]) == ["m0", "m1"]
