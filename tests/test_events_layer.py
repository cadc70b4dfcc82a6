"""The events layer: one canvas call per step, exact summaries, safe text, bounded payload."""

from __future__ import annotations

import json
import re

import folium
import numpy as np
import pandas as pd
import pytest
from streamlit_folium import _get_feature_group_string

from bench.generate import resample
from layers import events as layer
from layers import palette
from layers.palette import FACTION_STYLE, OUTLINE
from tests.test_event_index import synthetic_events
from view.aggregate import aggregate
from view.event_index import FACTION_KEYS, EventIndex

HOSTILE = "</script><img src=x onerror=alert(1)>${alert(2)}"
ONE_MB = 1_000_000


def children(fg: folium.FeatureGroup) -> list:
    return list(fg._children.values())


def data_of(fg: folium.FeatureGroup) -> dict:
    (element,) = children(fg)
    assert isinstance(element, layer.ConflictEvents)
    return json.loads(element.data_json)


def rendered(fg: folium.FeatureGroup) -> str:
    m = folium.Map(tiles=None)
    fg.add_to(m)
    return m.get_root().render()


@pytest.fixture(scope="module")
def small() -> EventIndex:
    return EventIndex.from_events(synthetic_events(5_000, seed=5))


def test_single_events_one_call_and_exact_summary(small):
    rows = small.window("2016-03-01", "2016-03-31")
    assert 0 < len(rows) <= 4000
    fg, summary = layer.draw(small, rows)
    assert summary == f"{len(rows):,} events"
    data = data_of(fg)
    assert data["kind"] == "events"
    assert len(data["lat"]) == len(data["d"]) == len(data["notes"]) == len(rows)
    html = rendered(fg)
    assert html.count("L.conflictEvents(") == 1
    assert html.count("L.circleMarker(") == 0 and html.count("L.marker(") == 0
    # biggest first, so that small markers are drawn on top
    assert data["d"] == sorted(data["d"], reverse=True)
    # details line up with their event
    i = int(np.argmax(data["d"]))
    event_id = data["strings"][data["id"][i]]
    row = small.frame.loc[small.frame["event_id"] == event_id].iloc[0]
    assert data["lat"][i] == round(float(np.float32(row["latitude"])), 4)
    assert data["d"][i] == row["fatalities_best"]
    assert data["strings"][data["actor1"][i]] == row["actor1"]
    assert FACTION_KEYS[data["f1"][i]] == row["faction1"]


def test_one_event_and_no_events(small):
    fg, summary = layer.draw(small, small.window("2016-03-01", "2016-03-31")[:1])
    assert summary == "1 event"
    fg, summary = layer.draw(small, np.empty(0, dtype=np.int64))
    assert summary == "No events"
    assert data_of(fg)["lat"] == []


def test_cells_above_max_points(small):
    rows = small.window("2015-01-01", "2020-12-31")
    fg, summary = layer.draw(small, rows, zoom=7, max_points=1000)
    data = data_of(fg)
    assert data["kind"] == "cells"
    cells = aggregate(small, rows, zoom=7)
    assert summary == f"{len(rows):,} events in {len(cells):,} cells; zoom in for single events"
    assert sum(data["n"]) == len(rows)
    assert sum(data["d"]) == int(small.fatalities[rows].sum())
    assert len(data["n"]) == len(cells)
    assert data["zoom"] == 7 and data["cell"] == pytest.approx(360 / 2**10)
    assert data["n"] == sorted(data["n"])  # biggest drawn last, their counts on top
    assert rendered(fg).count("L.conflictEvents(") == 1


def test_view_bounds_switch_to_single_events(small):
    rows = small.window("2015-01-01", "2020-12-31")
    box = ((34.0, 36.5), (34.2, 36.8))
    fg, summary = layer.draw(small, rows, zoom=12, bounds=box, max_points=1000)
    data = data_of(fg)
    assert data["kind"] == "events"
    n = len(data["lat"])
    assert 0 < n <= 1000
    assert summary == f"{n:,} events in view (of {len(rows):,} in the window)"
    # the padded view: half the box on every side
    lat, lon = np.array(data["lat"]), np.array(data["lon"])
    assert (lat >= 33.9 - 1e-3).all() and (lat <= 34.3 + 1e-3).all()
    assert (lon >= 36.35 - 1e-3).all() and (lon <= 36.95 + 1e-3).all()
    # a view too big for single events: cells of the view only
    wide = (33.0, 36.0, 36.0, 40.0)  # (south, west, north, east)
    fg, summary = layer.draw(small, rows, zoom=8, bounds=wide, max_points=100)
    data = data_of(fg)
    assert data["kind"] == "cells"
    assert summary.startswith(f"{sum(data['n']):,} events in view in ")
    assert summary.endswith(" cells; zoom in for single events")


def test_palette_comes_from_python(small):
    options = layer.palette_options()
    assert options["colours"] == [FACTION_STYLE[k].colour for k in FACTION_KEYS]
    assert options["shapes"] == [FACTION_STYLE[k].shape for k in FACTION_KEYS]
    assert options["outline"] == OUTLINE
    assert options["radius"] == {"min": palette.MIN_RADIUS, "perSqrtDeath":
                                 palette.RADIUS_PER_SQRT_DEATH, "max": palette.MAX_RADIUS}
    assert palette.marker_radius(0) == palette.MIN_RADIUS
    assert palette.marker_radius(100) == palette.MAX_RADIUS == palette.marker_radius(10_000)
    assert palette.marker_radius(4) == pytest.approx(5 + 1.7 * 2)
    radii = [item.radius for item in palette.size_items()]
    assert radii == sorted(radii)
    fg, _ = layer.draw(small, small.window("2016-03-01", "2016-03-02"))
    (element,) = children(fg)
    assert json.loads(element.options_json) == options


def test_hostile_text_is_escaped_and_survives(small):
    events = small.frame.iloc[:3].copy()
    for column in ("notes", "actor1", "actor2", "place", "source", "event_type"):
        events[column] = pd.Series([HOSTILE] * 3, dtype="string", index=events.index)
    events["source_url"] = pd.Series(
        ["javascript:alert(1)", "https://example.org/a?b=<c>", "data:text/html,x"],
        dtype="string", index=events.index,
    )
    idx = EventIndex.from_events(events)
    fg, summary = layer.draw(idx, np.arange(3))
    assert summary == "3 events"
    (element,) = children(fg)
    html = rendered(fg)
    assert "</script><img" not in html
    assert "<img" not in html
    assert "<" not in element.data_json and ">" not in element.data_json
    assert "&" not in element.data_json
    # escaping keeps the text: the browser gets it back intact and shows it with textContent
    data = json.loads(element.data_json)
    assert HOSTILE in data["strings"]
    urls = {data["strings"][i] for i in data["url"]}
    assert urls == {"", "https://example.org/a?b=<c>"}
    fg_js = _get_feature_group_string(layer.draw(idx, np.arange(3))[0], folium.Map(tiles=None))
    assert "</script><img" not in fg_js


def test_long_notes_are_cut_with_an_ellipsis(small):
    events = small.frame.iloc[:2].copy()
    events["notes"] = pd.Series(["a" * 2000, "short"], dtype="string", index=events.index)
    idx = EventIndex.from_events(events)
    data = data_of(layer.draw(idx, np.arange(2))[0])
    notes = {data["strings"][i] for i in data["notes"]}
    assert "short" in notes
    (cut,) = notes - {"short"}
    assert len(cut) == layer.NOTES_CHARS and cut.endswith("…")


def test_st_folium_serialisation_has_one_call(small):
    fg, _ = layer.draw(small, small.window("2016-03-01", "2016-03-31"))
    js = _get_feature_group_string(fg, folium.Map(tiles=None))
    assert js.count("L.conflictEvents(") == 1
    assert re.search(r"\)\.addTo\(feature_group_feature_group_0\);", js)


@pytest.fixture(scope="module")
def million() -> EventIndex:
    events = resample(synthetic_events(2_000, seed=9), 1_000_000, seed=4)
    return EventIndex.from_events(events)


def test_payload_budget_for_cells_at_a_million_events(million):
    first, last = million.span()
    everything = million.window(first, last)
    assert len(everything) == 1_000_000
    for zoom in (6, 7, 9, 12, 16):
        fg, summary = layer.draw(million, everything, zoom=zoom)
        data = data_of(fg)
        assert sum(data["n"]) == 1_000_000
        assert len(data["n"]) <= layer.MAX_CELLS
        assert data["zoom"] <= zoom  # coarsened when the grid had too many cells
        assert data["cell"] == pytest.approx(360 / 2 ** (data["zoom"] + 3))
        assert summary == (f"1,000,000 events in {len(data['n']):,} cells; "
                           "zoom in for single events")
        js = _get_feature_group_string(fg, folium.Map(tiles=None))
        assert len(js.encode()) < ONE_MB, (zoom, len(js))


def test_payload_budget_for_the_most_single_events():
    # 4,000 events (the cap), each with ~900 characters of unique notes, half in Arabic: the
    # worst case for the details. The notes are shortened until the step fits.
    rng = np.random.default_rng(3)
    events = synthetic_events(4_000, seed=12)
    letters = np.array(list("abcdefgh دمشقحلب"))
    events["notes"] = pd.Series(
        [f"{i} " + "".join(rng.choice(letters, 900)) for i in range(4_000)], dtype="string"
    )
    idx = EventIndex.from_events(events)
    fg, summary = layer.draw(idx, np.arange(4_000))
    assert summary == "4,000 events"
    data = data_of(fg)
    assert len(data["lat"]) == 4000
    notes = [data["strings"][i] for i in data["notes"]]
    assert max(len(n) for n in notes) <= layer.NOTES_CHARS
    assert min(len(n) for n in notes) >= 20  # shortened, not dropped
    js = _get_feature_group_string(fg, folium.Map(tiles=None))
    assert len(js.encode()) < ONE_MB
