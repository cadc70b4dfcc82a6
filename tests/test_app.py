"""The script itself, run by Streamlit's AppTest with the real UCDP file loaded.

st_folium has no browser here: it returns its defaults, and what it would send (the base map
script, the date's feature groups, the asset links) is inspected in the component's
``json_args``.
"""

from __future__ import annotations

import csv
import json
import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
UCDP = SHARED / "ucdp-ged-syria-2016-2019" / "ged_syria_652.1601.1911.csv"
BOUNDARIES = SHARED / "ocha-cod-ab-syria"
ZONE_LABELS = ("Idlib de-escalation zone", "Northern Homs de-escalation zone",
               "Eastern Ghouta de-escalation zone",
               "Daraa–Quneitra de-escalation zone")


@pytest.fixture(scope="module", autouse=True)
def _environment(tmp_path_factory):
    assert UCDP.is_file(), f"missing {UCDP}"
    saved = {k: os.environ.get(k) for k in ("CONFLICT_MAP_EVENTS", "CONFLICT_MAP_BOUNDARIES",
                                            "CONFLICT_MAP_STORE", "CONFLICT_MAP_TILES")}
    os.environ.update({
        "CONFLICT_MAP_EVENTS": str(UCDP),
        "CONFLICT_MAP_BOUNDARIES": str(BOUNDARIES),
        "CONFLICT_MAP_STORE": str(tmp_path_factory.mktemp("store")),
        "CONFLICT_MAP_TILES": "none",
    })
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def run_app(**params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def component_args(at: AppTest) -> dict:
    components = at.get("component_instance")
    maps = [c for c in components if "feature_group" in json.loads(c.proto.json_args)]
    assert len(maps) == 1, "exactly one map on the page"
    return json.loads(maps[0].proto.json_args)


def param(at: AppTest, key: str) -> str:
    value = at.query_params[key]
    return value[-1] if isinstance(value, list) else value


def markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def ucdp_is_events(first: date, last: date) -> int:
    """Events involving IS by date_start, counted straight from the raw file."""
    n = 0
    with UCDP.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            d = date.fromisoformat(row["date_start"][:10])
            if first <= d <= last and "IS" in (row["side_a"], row["side_b"]):
                n += 1
    return n


@pytest.mark.parametrize("day", ["2011-03-15", "2016-06-01", "2017-04-01", "2017-12-06",
                                 "2019-03-23", "2024-12-08"])
def test_runs_at_several_dates(day):
    at = run_app(date=day)
    assert param(at, "date") == day
    args = component_args(at)
    links = args["js_links"] + args["css_links"]
    assert links, "the map needs Leaflet"
    assert all(u.startswith("/app/static/") for u in links), links


def test_claim_date_shows_the_claim_and_the_figures_from_the_data():
    at = run_app(date="2017-12-06")
    text = markdown_text(at)
    assert "fully liberated" in text or "liberated" in text.lower()
    assert "Claim" in text
    claim = date(2017, 12, 6)
    before = ucdp_is_events(claim - timedelta(days=90), claim - timedelta(days=1))
    after = ucdp_is_events(claim + timedelta(days=1), claim + timedelta(days=90))
    # The largest dataset (UCDP) gets the big figures; datasets are never added up.
    assert "in UCDP GED 19.1, by start date" in text
    assert f'data-fig="before">{before:,}<' in text
    assert f'data-fig="after">{after:,}<' in text
    assert before > after > 0  # the data records IS events on both sides of the claim


def test_zones_follow_the_clock():
    in_force = component_args(run_app(date="2017-12-06"))["feature_group"]
    for label in ZONE_LABELS:
        assert label in in_force
    before = component_args(run_app(date="2017-04-01"))["feature_group"]
    for label in ZONE_LABELS:
        assert label not in before


def test_base_map_is_identical_across_dates():
    a = component_args(run_app(date="2017-12-06"))
    b = component_args(run_app(date="2018-06-01"))
    assert a["script"] == b["script"]
    assert a["feature_group"] != b["feature_group"]


def test_slider_and_milestone_buttons_move_the_clock_and_the_url():
    at = run_app(date="2017-12-06")
    at.slider(key="day").set_value(date(2018, 4, 14)).run()
    assert not at.exception
    assert param(at, "date") == "2018-04-14"
    at.button(key="step_next").click().run()
    assert not at.exception
    moved = date.fromisoformat(param(at, "date"))
    assert moved > date(2018, 4, 14)
    at.button(key="step_previous").click().run()
    assert param(at, "date") == "2018-04-14"


def test_window_keys_and_a_bad_link_are_reported_not_fatal():
    at = run_app(date="06/12/2017", window="fortnight")
    warnings = " ".join(w.value for w in at.warning)
    assert "06/12/2017" in warnings and "fortnight" in warnings
    at.button(key="window_wider").click().run()
    assert param(at, "window") == "quarter"


def test_the_milestone_list_jumps_to_a_milestone():
    at = run_app(date="2016-06-01")
    picker = at.selectbox(key="milestone_jump")
    target = date(2018, 4, 7)  # Douma chemical attack
    assert any(o.startswith("7 Apr 2018 — ") and "Douma" in o for o in picker.options)
    picker.set_value(target).run()
    assert not at.exception
    assert param(at, "date") == "2018-04-07"


def test_play_runs_from_the_date_to_the_chosen_end_and_stops():
    at = run_app(date="2017-10-01")
    at.checkbox(key="play_hold").uncheck()
    at.date_input(key="play_until").set_value(date(2017, 10, 20))
    at.selectbox(key="play_step").set_value("week")
    at.button(key="play").click().run()  # the run after the click is the first tick
    seen = [param(at, "date")]
    for _ in range(5):  # AppTest has no timer: each further run is one more tick
        at.run()
        assert not at.exception
        seen.append(param(at, "date"))
    assert seen[:3] == ["2017-10-08", "2017-10-15", "2017-10-20"], seen
    assert set(seen[3:]) == {"2017-10-20"}  # stopped at the chosen end


def test_outside_the_loaded_data_the_page_says_only_key_events_cover_it():
    inside = run_app(date="2017-12-06")
    assert not any("Only the project's key events" in c.value for c in inside.caption)
    outside = run_app(date="2013-08-21")
    notes = [c.value for c in outside.caption if "Only the project's key events" in c.value]
    assert len(notes) == 1 and "UCDP GED 19" in notes[0] and "2019" in notes[0], notes


def test_the_sidebar_lists_the_registry_s_layers_and_the_link_follows_them():
    from layers.registry import LAYER_KEYS, label

    at = run_app(date="2017-12-06")
    picker = at.multiselect(key="layers")
    assert [label(k) for k in LAYER_KEYS.keys] == picker.options
    assert set(picker.value) == set(LAYER_KEYS.defaults)
    picker.set_value(["events", "control_areas"]).run()
    assert not at.exception
    assert param(at, "layers") == "control_areas,events"
    groups = component_args(at)["feature_group"]
    assert "L.controlAreas(" in groups and "L.controlPlaces(" not in groups


def test_the_claim_is_held_against_the_control_record():
    from sources.control import load_shipped
    from view.control import ControlRecord, territorial_claim

    at = run_app(date="2017-12-06")
    text = markdown_text(at)
    held = territorial_claim(ControlRecord(load_shipped()), "is", date(2017, 12, 6)).held
    assert f'data-fig="places">{len(held):,}<' in text
    assert "A claim set beside a sourced record of places" in text
    assert "Hajin: held since" in text
    at.button(key="claim_places_0").click().run()
    assert not at.exception
    # The control layer is on by default, so the link leaves the layers out; the map moves.
    assert "layers" not in at.query_params
    assert component_args(at)["zoom"] >= 7


def test_a_step_sends_the_day_s_state_not_the_record():
    args = component_args(run_app(date="2017-06-01"))
    assert "L.controlPlaces(" in args["feature_group"]
    assert len(args["feature_group"]) < 400_000
    # The record is a file the browser fetches once; the base map only names it.
    assert "L.cmControlRecordUrl(" in args["script"] and "Hajin" not in args["script"]


def test_hiding_approximate_places_is_in_the_link():
    at = run_app(date="2017-12-06", places="exact")
    assert at.checkbox(key="exact_only").value is True
    assert param(at, "places") == "exact"
    approximate = run_app(date="2017-12-06")
    assert approximate.checkbox(key="exact_only").value is False
