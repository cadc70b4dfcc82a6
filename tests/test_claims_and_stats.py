from datetime import date

import pandas as pd

from tests.factories import make_events
from view.claims import claim_figures
from view.event_index import EventIndex
from view.stats import by_faction, by_governorate


def events(rows):
    """rows: (date_start, faction1, faction2, fatalities, governorate)."""
    frame = pd.DataFrame(rows, columns=["date_start", "faction1", "faction2",
                                        "fatalities_best", "governorate"])
    frame["date_start"] = pd.to_datetime(frame["date_start"])
    frame["date_end"] = frame["date_start"]
    return frame


def test_claim_windows_exclude_the_claim_day_and_count_either_side():
    ev = events([
        ("2017-09-06", "government", "is", 1, "Homs"),     # 91 days before: outside
        ("2017-09-07", "government", "is", 1, "Homs"),     # 90 days before: inside
        ("2017-12-05", "is", "civilians", 1, "Homs"),      # inside (actor 1)
        ("2017-12-06", "government", "is", 1, "Homs"),     # the day itself: neither
        ("2017-12-07", "sdf", "is", 1, "Homs"),            # after
        ("2018-03-06", "government", "is", 1, "Homs"),     # 90 days after: inside
        ("2018-03-07", "government", "is", 1, "Homs"),     # 91 days after: only to-end
        ("2019-03-23", "sdf", "is", 1, "Homs"),            # last
        ("2017-12-10", "government", "opposition", 1, "Homs"),  # not IS
    ])
    f = claim_figures(ev, date(2017, 12, 6), "is")
    assert (f.before, f.after, f.after_to_end) == (2, 2, 4)
    assert f.last_event_day == date(2019, 3, 23)
    assert f.before_range == (date(2017, 9, 7), date(2017, 12, 5))
    assert f.after_range == (date(2017, 12, 7), date(2018, 3, 6))


def test_claim_with_no_later_events():
    f = claim_figures(events([("2017-01-01", "is", "government", 0, "")]),
                      date(2017, 12, 6), "is")
    assert (f.before, f.after, f.after_to_end, f.last_event_day) == (0, 0, 0, None)


def test_stats_add_up_to_the_window_total():
    ev = make_events([
        {"date_start": "2017-01-01", "faction1": "government", "faction2": "is",
         "fatalities_best": 5, "governorate": "Ar-Raqqa"},
        {"date_start": "2017-01-02", "faction1": "sdf", "faction2": "is",
         "fatalities_best": 3, "governorate": "Ar-Raqqa"},
        {"date_start": "2017-01-03", "fatalities_best": 2, "governorate": "Idleb"},
        {"date_start": "2017-01-04", "fatalities_best": 0, "governorate": ""},
        {"date_start": "2018-01-04", "fatalities_best": 9, "governorate": "Homs"},  # outside
    ])
    index = EventIndex.from_events(ev)
    rows = index.window(date(2017, 1, 1), date(2017, 12, 31))
    table = by_faction(index, rows)
    assert table["events"].sum() == 4
    assert table["fatalities"].sum() == 10
    # sdf vs is: principal is side 1 (no state actor); government vs is: is.
    assert dict(zip(table["faction"], table["events"], strict=True)) == {
        "opposition": 2, "is": 1, "sdf": 1}
    assert set(table["label"]) == {"Opposition", "Islamic State (IS)", "SDF and Kurdish forces"}
    gov = by_governorate(index, rows)
    assert dict(zip(gov["governorate"], gov["events"], strict=True)) == {
        "Ar-Raqqa": 2, "(unknown)": 1, "Idleb": 1}
    assert gov["fatalities"].sum() == 10
