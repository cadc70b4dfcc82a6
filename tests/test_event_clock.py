"""The clock in the browser, from Python's side: the binary slabs round-trip, the live layer
sends settings and popups' text (never the coordinates again), and play's rule is one rule.

The browser half (the window query and the cells computed in Chromium against these same
functions, and play frames against the index) is tests/browser/test_clock_in_browser.py.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import folium
import numpy as np
import pandas as pd
import pytest
from streamlit_folium import _get_feature_group_string

from bench.generate import resample
from layers import event_clock, events
from layers.registry import LAYER_KEYS
from sources.catalog import Config, assemble
from tests.factories import make_events
from tests.test_event_index import synthetic_events
from view.catalog import Catalog
from view.clock import play_tick
from view.event_index import EventIndex, to_day
from view.event_slabs import (
    BYTES_PER_EVENT,
    DEATHS_BIG,
    decode_slab,
    encode_slabs,
)
from view.map_view import MapView
from view.run import BrowserClock, build_run_view
from view.url_state import ViewState


@pytest.fixture(scope="module")
def synthetic() -> EventIndex:
    events_table = resample(synthetic_events(2_000, seed=3), 60_000, seed=5)
    return EventIndex.from_events(events_table)


def _hostile_index() -> EventIndex:
    """Every edge the format has: no coordinates, no figure, huge tolls, long events, every
    faction pair, approximate places, a 40-year gap between two events."""
    rows = [
        {"date_start": "1989-01-01", "fatalities_best": 3},
        {"date_start": "2011-03-15", "date_end": "2011-09-30", "fatalities_best": None,
         "fatalities_low": None, "fatalities_high": None},
        {"date_start": "2012-07-01", "latitude": float("nan"), "longitude": float("nan")},
        {"date_start": "2013-08-21", "fatalities_best": 99_999, "place_precision": "district"},
        {"date_start": "2013-08-21", "fatalities_best": 253},
        {"date_start": "2013-08-21", "fatalities_best": 254, "faction1": "civilians",
         "faction2": "is"},
        {"date_start": "2014-01-01", "date_end": "2016-01-01", "fatalities_best": 0,
         "faction1": "russia", "faction2": "sdf"},
        {"date_start": "2024-12-08", "fatalities_best": 1, "faction1": "other",
         "faction2": "other", "place_precision": "governorate"},
    ]
    return EventIndex.from_events(make_events(rows))


@pytest.mark.parametrize("slab_events", [3, 1 << 18])
def test_slabs_round_trip_every_field(slab_events):
    idx = _hostile_index()
    slabs = encode_slabs(idx, slab_events=slab_events)
    assert sum(s.count for s in slabs.slabs) == len(idx)
    for slab in slabs.slabs:
        rows = slabs.rows[slab.offset:slab.offset + slab.count]
        back = decode_slab(slab)
        np.testing.assert_array_equal(back.lat, idx.lat[rows])  # NaN where NaN
        np.testing.assert_array_equal(back.lon, idx.lon[rows])
        np.testing.assert_array_equal(back.start_day, idx.start_day[rows])
        np.testing.assert_array_equal(back.end_day, idx.end_day[rows])
        np.testing.assert_array_equal(back.fatalities, idx.fatalities[rows])
        np.testing.assert_array_equal(back.no_figure, idx.no_figure[rows])
        pairs = np.array(slabs.pairs)[back.code >> 1]
        np.testing.assert_array_equal(pairs[:, 0], idx.faction1[rows])
        np.testing.assert_array_equal(pairs[:, 1], idx.faction2[rows])
        np.testing.assert_array_equal(pairs[:, 2], idx.principal[rows])
        np.testing.assert_array_equal(back.code & 1, idx.approximate[rows])


def test_twelve_bytes_an_event_plus_the_rare_exceptions(synthetic):
    slabs = encode_slabs(synthetic)
    for slab in slabs.slabs:
        extra = 6 * slab.long_count + 8 * slab.big_count + 8  # + padding, at most 3 + 3
        assert BYTES_PER_EVENT * slab.count <= len(slab.data) <= (
            BYTES_PER_EVENT * slab.count + extra)
    big = int((synthetic.fatalities >= DEATHS_BIG).sum())
    assert sum(s.big_count for s in slabs.slabs) == big


def test_a_subset_keeps_the_index_order_and_ranks_map_back(synthetic):
    rows = synthetic.window("2016-01-01", "2016-12-31")[::3]
    slabs = encode_slabs(synthetic, rows, slab_events=500)
    assert len(slabs.slabs) > 1
    np.testing.assert_array_equal(slabs.rows, rows)
    picked = rows[[0, 7, len(rows) - 1]]
    np.testing.assert_array_equal(slabs.rows[slabs.ranks(picked)], picked)
    starts = [s.first_start for s in slabs.slabs]
    assert starts == sorted(starts)


def test_play_tick_steps_holds_at_milestones_and_stops():
    milestones = pd.DataFrame({"date": pd.to_datetime(["2017-12-06", "2017-12-20"])})
    kwargs = {"step_days": 7, "span_end": date(2024, 12, 23), "milestones": milestones,
              "hold_at_milestones": True}
    tick = play_tick(date(2017, 12, 1), until=None, **kwargs)
    assert (tick.day, tick.hold, tick.stop) == (date(2017, 12, 6), True, False)
    tick = play_tick(date(2017, 12, 6), until=None, **{**kwargs, "hold_at_milestones": False})
    assert (tick.day, tick.hold) == (date(2017, 12, 13), False)
    tick = play_tick(date(2017, 12, 13), until=date(2017, 12, 15), **kwargs)
    assert (tick.day, tick.stop) == (date(2017, 12, 15), True)
    # "until" already passed: play runs to the end of the span instead.
    tick = play_tick(date(2024, 12, 20), until=date(2017, 1, 1), **kwargs)
    assert (tick.day, tick.stop) == (date(2024, 12, 23), True)


def test_play_rule_is_written_once_in_python_and_once_in_the_browser():
    # The browser's playTick must follow view.clock.play_tick: both name each other.
    text = (Path(events.__file__).parent.parent / "static" / "app" / "event_clock.js"
            ).read_text(encoding="utf-8")
    assert "function playTick(day, play, spanEnd, milestones)" in text
    assert "view/clock.py play_tick" in text


@pytest.fixture(scope="module")
def base_catalog(tmp_path_factory) -> Catalog:
    store = tmp_path_factory.mktemp("store")
    config = Config(events=str(store / "no-events"), boundaries="", store_dir=str(store),
                    tiles="none")
    return Catalog.from_loaded(assemble(config))


def _catalog(base: Catalog, idx: EventIndex) -> Catalog:
    return replace(base, events=idx.frame, index=idx, span=idx.span())


@pytest.fixture(scope="module")
def live_view(synthetic, base_catalog):
    catalog = _catalog(base_catalog, synthetic)
    state = ViewState(day=date(2016, 6, 1), window="week", layers=tuple(LAYER_KEYS.keys))
    view = build_run_view(catalog, state, MapView())
    slabs = encode_slabs(synthetic)
    return replace(view, browser_clock=BrowserClock("/app/static/generated/x.json", slabs.rows))


def _clock_call(group) -> dict:
    (element,) = group._children.values()
    return json.loads(element.state_json)


def test_a_live_step_sends_settings_and_no_event(live_view):
    group = events.build(live_view)
    state = _clock_call(group)
    assert state["slabs"] == "/app/static/generated/x.json"
    assert state["day"] == to_day(date(2016, 6, 1)) and state["windowDays"] == 7
    assert state["details"] is None
    script = _get_feature_group_string(group, folium.Map(tiles=None))
    assert len(script.encode()) < 4_000  # settings only, whatever the window holds
    assert group.summary == f"{len(live_view.rows):,} events"


def test_a_clicked_event_s_text_comes_with_the_next_step(live_view):
    slab_rows = live_view.browser_clock.slab_rows
    asked = [int(r) for r in np.searchsorted(slab_rows, live_view.rows[[0, 3, 5]])]
    view = replace(live_view, browser_clock=replace(live_view.browser_clock,
                                                    detail_rows=(*asked, 10**9)))
    details = _clock_call(events.build(view))["details"]
    assert not {"lat", "lon", "d", "f", "ap"} & set(details)  # the slabs have those
    assert sorted(details["r"]) == sorted(asked)  # a row outside the slabs is ignored
    # Each browser row's text is its own event's.
    ids = [details["strings"][i] for i in details["id"]]
    frame = live_view.catalog.index.frame
    assert ids == frame["event_id"].iloc[slab_rows[details["r"]]].tolist()


def test_above_the_cap_the_live_layer_sends_no_details_and_counts_the_cells(live_view):
    view = replace(live_view, state=replace(live_view.state, window="all"),
                   clock=replace(live_view.clock, window="all"))
    view = replace(view, rows=view.catalog.index.window(view.clock.start, view.clock.end))
    group = events.build(view)
    state = _clock_call(group)
    assert state["details"] is None and state["windowDays"] is None
    cells = events.coarsened_cells(view.catalog.index, view.rows, view.map.effective_zoom)
    assert group.summary == (f"{len(view.rows):,} events in {len(cells):,} cells; "
                             "zoom in for single events")


def test_the_live_layer_is_one_call_and_hostile_text_stays_data(live_view, base_catalog):
    hostile = "</script><script>alert(1)</script>{{ 7*7 }}"
    idx = EventIndex.from_events(make_events([
        {"date_start": "2016-06-01", "notes": hostile, "actor1": hostile}]))
    slabs = encode_slabs(idx)
    view = build_run_view(_catalog(base_catalog, idx), live_view.state, MapView())
    view = replace(view, browser_clock=BrowserClock("/u.json", slabs.rows, detail_rows=(0,)))
    group = events.build(view)
    script = _get_feature_group_string(group, folium.Map(tiles=None))  # what st_folium sends
    assert script.count("L.conflictClock(") == 1
    assert "</script>" not in script and "{{" not in script
    assert re.search(r"\\u003c/script", script)


def test_published_slabs_are_written_once_and_named_by_content(synthetic, tmp_path):
    url, slabs = event_clock.publish_slabs(synthetic, None, ("all",), tmp_path, "/app/static/")
    again, same = event_clock.publish_slabs(synthetic, None, ("all",), tmp_path, "/app/static/")
    assert (again, same) == (url, slabs)
    shown = np.zeros(len(synthetic), dtype=bool)
    shown[::2] = True
    part_url, part = event_clock.publish_slabs(synthetic, shown, ("half",), tmp_path,
                                               "/app/static/")
    assert part_url != url
    np.testing.assert_array_equal(part.rows, np.flatnonzero(shown))
    manifest = json.loads((tmp_path / url.removeprefix("/app/static/")).read_text())
    assert manifest["count"] == len(synthetic)
    for entry, slab in zip(manifest["slabs"], slabs.slabs, strict=True):
        assert (tmp_path / entry["url"].removeprefix("/app/static/")).read_bytes() == slab.data
        assert entry["bytes"] == len(slab.data)


def test_zone_stretches_give_the_areas_of_every_day(base_catalog):
    from view.areas import area_segments, areas_on

    areas = base_catalog.areas
    segments = area_segments(areas)
    assert len(segments) > len(areas)  # the zones change state: more than one stretch each
    for day in pd.date_range("2017-01-01", "2024-12-31", freq="11D"):
        number = to_day(day)
        today = areas_on(areas, day)
        holding = segments[(segments["first_day"] <= number) & (segments["last_day"] >= number)]
        assert sorted(zip(holding["area_id"], holding["state"], strict=True)) == sorted(
            zip(today["area_id"], today["state"], strict=True)), day
