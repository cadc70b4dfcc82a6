"""Control of terrain in Debian's Chromium: the places on the clock, the claim held against the
record, a place's history as text, and a user's own control log with hostile text.

Expected figures are computed here from the shipped record (``view.control``), not typed in.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sources.control import load_shipped
from tests.browser.harness import (
    click_key,
    map_content_frame,
    open_at,
    screenshot,
    start_app,
    wait_for_param,
)
from view.control import ControlRecord, territorial_claim

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
UCDP = SHARED / "ucdp-ged-syria-2016-2019" / "ged_syria_652.1601.1911.csv"
PAYLOAD = "</script><img src=x onerror=alert(1)>${alert(2)}{{ 'Q' * 7 }}"
HOSTILE_AT = (33.55, 38.95)  # open desert, south of Palmyra: no tracked place near it
CLAIM_DAY = date(2017, 12, 6)

# The places drawn: their record ids and controllers, as the page's layer holds them.
PLACES_JS = """() => {
  const out = {};
  window.map.eachLayer(l => { if (l._controlPlace) { out[l._controlPlace.id] =
    l._controlPlace.controller; } });
  return out;
}"""


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("events")
    (folder / UCDP.name).symlink_to(UCDP)
    with (folder / "our-control-log.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Locality", "Lat", "Lon", "Date", "Controlled by", "Source", "URL",
                         "Notes"])
        writer.writerow([PAYLOAD, *HOSTILE_AT, "2017-01-01", "ISIS", PAYLOAD,
                         "javascript:alert(3)", PAYLOAD])
    env = {
        "CONFLICT_MAP_EVENTS": str(folder),
        "CONFLICT_MAP_BOUNDARIES": str(SHARED / "ocha-cod-ab-syria"),
        "CONFLICT_MAP_STORE": str(tmp_path_factory.mktemp("store")),
        "CONFLICT_MAP_TILES": "none",
    }
    with start_app("app.py", env=env, timeout=120) as server:
        yield server.url


def places_on_map(page: Page, minimum: int = 200) -> dict[str, str]:
    frame = map_content_frame(page)
    frame.wait_for_function(f"() => Object.keys(({PLACES_JS})()).length >= {minimum}",
                            timeout=60_000)
    return frame.evaluate(PLACES_JS)


def test_the_claim_day_draws_the_record_and_lists_what_is_still_held(app_url, page: Page):
    open_at(page, f"{app_url}/?date={CLAIM_DAY.isoformat()}")
    drawn = places_on_map(page)
    expected = territorial_claim(ControlRecord(load_shipped()), "is", CLAIM_DAY)
    held = {pid for pid, who in drawn.items() if who == "is"}
    assert set(expected.held["place_id"]) <= held  # the shipped places IS held that day
    assert "hajin" in held
    panel = page.get_by_test_id("cm-claim-territory")
    expect(panel).to_be_visible()
    expect(panel.locator("[data-fig=places]")).to_have_text(str(len(expected.held) + 1))
    page.get_by_text("and when each was lost").first.click()
    expect(page.get_by_text("Hajin: held since", exact=False).first).to_be_visible()
    screenshot(page, "control-2017-12-06")


@pytest.mark.parametrize(("day", "controller"), [("2017-06-01", "is"), ("2017-10-20", "sdf")])
def test_raqqa_is_drawn_in_the_hands_of_whoever_held_it(app_url, page: Page, day, controller):
    open_at(page, f"{app_url}/?date={day}")
    assert places_on_map(page)["ar-raqqa"] == controller


def test_one_click_shows_the_places_on_the_map(app_url, page: Page):
    open_at(page, f"{app_url}/?date={CLAIM_DAY.isoformat()}&layers=events,milestones")
    page.get_by_text("and when each was lost").first.wait_for()
    click_key(page, "claim_places_0")
    wait_for_param(page, "layers", "events,control,milestones")
    assert places_on_map(page)["hajin"] == "is"
    frame = map_content_frame(page)
    frame.wait_for_function("() => window.map.getZoom() >= 7", timeout=30_000)


def test_a_place_history_opens_as_text_even_when_hostile(app_url, page: Page):
    open_at(page, f"{app_url}/?date=2017-06-01&layers=control")
    drawn = places_on_map(page)
    hostile = [pid for pid in drawn if "script" in pid]
    assert hostile and drawn[hostile[0]] == "is"
    frame = map_content_frame(page)
    popup = frame.locator(".leaflet-popup-content")
    container = page.frame_locator('iframe[title="streamlit_folium.st_folium"]').locator(
        ".leaflet-container")
    for _attempt in range(4):  # the map may still move after it opens: aim at click time
        x, y = frame.evaluate(
            "([lat, lon]) => { const p = window.map.latLngToContainerPoint([lat, lon]);"
            " return [p.x, p.y]; }", list(HOSTILE_AT))
        container.click(position={"x": x, "y": y})
        try:
            expect(popup).to_be_visible(timeout=3_000)
            break
        except AssertionError:
            continue
    expect(popup).to_contain_text(PAYLOAD)
    expect(popup).to_contain_text("Islamic State (IS)")
    assert popup.locator("img").count() == 0 and popup.locator("a").count() == 0
    assert "QQQQQQQ" not in popup.inner_text()
    screenshot(page, "control-hostile-popup")
