from datetime import date

import pandas as pd

from view.claims import claim_figures
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
    ev = events([
        ("2017-01-01", "government", "is", 5, "Ar-Raqqa"),
        ("2017-01-02", "sdf", "is", 3, "Ar-Raqqa"),
        ("2017-01-03", "government", "opposition", 2, "Idleb"),
        ("2017-01-04", "government", "opposition", 0, ""),
    ])
    principal = pd.Series(["is", "is", "opposition", "opposition"])
    table = by_faction(ev, principal)
    assert table["events"].sum() == len(ev)
    assert table["fatalities"].sum() == ev["fatalities_best"].sum()
    assert list(table["faction"]) == ["is", "opposition"]
    assert list(table["label"]) == ["Islamic State (IS)", "Opposition"]
    gov = by_governorate(ev)
    assert dict(zip(gov["governorate"], gov["events"], strict=True)) == {
        "Ar-Raqqa": 2, "(unknown)": 1, "Idleb": 1}
