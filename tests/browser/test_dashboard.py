"""The dashboard in Debian's Chromium, with the real UCDP file loaded and a hostile event.

What a person does: open a link at a date, look at the map, the zones, the caption and the
claim's figures, move the clock, open an event's popup. Every test fails on any request that
leaves the machine and on any JavaScript dialog (the `page` fixture).
"""

from __future__ import annotations

import csv
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sources.schema import COLUMNS
from tests.browser.harness import (
    click_key,
    map_content_frame,
    map_frame,
    open_at,
    params,
    screenshot,
    start_app,
    wait_for_app,
    wait_for_map,
    wait_for_param,
)

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
UCDP = SHARED / "ucdp-ged-syria-2016-2019" / "ged_syria_652.1601.1911.csv"
PAYLOAD = "</script><img src=x onerror=alert(1)>${alert(2)}"
HOSTILE_AT = (34.10, 39.60)  # open desert: no other event there that day
HOSTILE_DAY = "2017-12-05"
# Markdown that would fetch an image from off the machine if the name were rendered as Markdown.
HOSTILE_DATASET = "Browser test ![pixel](https://example.invalid/pixel.png) <b>bold</b>"


def _write_hostile_events(path: Path) -> None:
    row = {c: "" for c in COLUMNS}
    row.update({
        "event_id": "hostile-1", "source_dataset": HOSTILE_DATASET,
        "date_start": HOSTILE_DAY, "date_end": HOSTILE_DAY,
        "latitude": HOSTILE_AT[0], "longitude": HOSTILE_AT[1],
        "place_precision": "exact", "date_precision": "day", "event_type": PAYLOAD,
        "actor1": PAYLOAD, "actor2": "Civilians", "faction1": "is", "faction2": "civilians",
        "fatalities_low": 900, "fatalities_best": 900, "fatalities_high": 900,
        "governorate": "Homs", "place": PAYLOAD, "notes": PAYLOAD + " `\\` end",
        "source": PAYLOAD, "source_url": "javascript:alert(3)",
    })
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerow(row)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    assert UCDP.is_file(), f"missing {UCDP}"
    folder = tmp_path_factory.mktemp("events")
    (folder / UCDP.name).symlink_to(UCDP)
    _write_hostile_events(folder / "hostile.csv")
    env = {
        "CONFLICT_MAP_EVENTS": str(folder),
        "CONFLICT_MAP_BOUNDARIES": str(SHARED / "ocha-cod-ab-syria"),
        "CONFLICT_MAP_STORE": str(tmp_path_factory.mktemp("store")),
        "CONFLICT_MAP_TILES": "none",
    }
    with start_app("app.py", env=env, timeout=120) as server:
        yield server.url


def _map_frame_handle(page: Page):
    element = page.locator('iframe[title="streamlit_folium.st_folium"]').element_handle()
    return element, element.content_frame()


def test_claim_date_shows_zones_events_caption_and_figures(app_url, page: Page):
    open_at(page, f"{app_url}/?date=2017-12-06")
    content = wait_for_map(page, "c.zones.length === 4")
    assert content["zones"] == ["eastern-ghouta", "idlib", "northern-homs", "south"]
    assert content["events"] + content["cells"] > 10
    expect(page.get_by_test_id("cm-date")).to_have_text("6 Dec 2017")
    screenshot(page, "dashboard-2017-12-06")
    expect(page.get_by_test_id("cm-claim")).to_be_visible()
    expect(page.get_by_text("days before", exact=False).first).to_be_visible()
    expect(page.get_by_text("General Staff", exact=False).first).to_be_visible()


def test_before_the_zones_no_zone_is_drawn(app_url, page: Page):
    open_at(page, f"{app_url}/?date=2017-04-01")
    content = wait_for_map(page, "c.events + c.cells > 0")
    assert content["zones"] == []
    assert content["events"] + content["cells"] > 0
    screenshot(page, "dashboard-2017-04-01")


def test_moving_the_clock_changes_the_map_without_reloading_it(app_url, page: Page):
    open_at(page, f"{app_url}/?date=2017-04-01")
    before = wait_for_map(page, "c.events + c.cells > 0")
    assert before["zones"] == []
    _, frame = _map_frame_handle(page)
    frame.evaluate("() => { window.__sameFrame = 'yes'; }")
    # Step through the milestones to the first day the zones are in force (6 May 2017); each
    # step is awaited, so that no click is merged into another's run.
    for day in ("2017-04-04", "2017-04-07", "2017-05-04", "2017-05-06"):
        click_key(page, "step_next")
        wait_for_param(page, "date", day)
    after = wait_for_map(page, "c.zones.includes('idlib')")
    assert after != before
    # The same frame all along: the map moved, it was not reloaded.
    _, frame_after = _map_frame_handle(page)
    assert frame_after.evaluate("() => window.__sameFrame") == "yes"


def test_hostile_event_text_shows_as_text_and_runs_nothing(app_url, page: Page):
    open_at(page, f"{app_url}/?date={HOSTILE_DAY}&window=day&factions=is")
    wait_for_map(page, "c.events > 0")
    _, frame = _map_frame_handle(page)
    container = map_frame(page).locator(".leaflet-container")
    popup = frame.locator(".leaflet-popup-content")
    # The position is taken at click time, and the click retried: the map may still move
    # just after it opens (its first report reruns the page).
    for _attempt in range(4):
        x, y = frame.evaluate(
            "([lat, lon]) => { const p = window.map.latLngToContainerPoint([lat, lon]);"
            " return [p.x, p.y]; }", list(HOSTILE_AT))
        container.click(position={"x": x, "y": y})
        try:
            expect(popup).to_be_visible(timeout=3_000)
            break
        except AssertionError:
            continue
    expect(popup).to_be_visible(timeout=3_000)
    expect(popup).to_contain_text(PAYLOAD)
    assert popup.locator("img").count() == 0
    # The javascript: URL is not turned into a link.
    assert popup.locator("a").count() == 0
    screenshot(page, "dashboard-hostile-popup")


def test_hostile_dataset_name_is_plain_text_in_the_sidebar(app_url, page: Page):
    open_at(page, f"{app_url}/?date={HOSTILE_DAY}")
    page.get_by_text("events loaded").first.click()  # open the Data expander
    # Shown as written (an invisible word joiner after "https:" keeps Markdown from linking it).
    expect(page.get_by_text(re.compile(r"!\[pixel\]\(https:\u2060?//example\.invalid/pixel\.png\)"))
           .first).to_be_visible()
    assert page.locator("[data-testid=stSidebar] img").count() == 0
    # The page fixture fails the test if anything was requested from example.invalid.


def test_the_claims_later_events_stay_filtered_as_the_clock_moves(app_url, page: Page):
    open_at(page, f"{app_url}/?date=2017-12-06")
    click_key(page, "claim_show_0")
    wait_for_param(page, "from", "2017-12-07")
    wait_for_param(page, "factions", "is")
    # The sidebar shows the filter too, and a later step keeps it (the sidebar must not send
    # its old, empty value back).
    sidebar = page.locator("[data-testid=stSidebar]")
    expect(sidebar.get_by_text("Islamic State (IS)").first).to_be_visible()
    shown = params(page)["date"]
    click_key(page, "step_previous")
    # The step's run has happened when the date has moved.
    page.wait_for_function(
        "shown => new URLSearchParams(window.location.search).get('date') !== shown",
        arg=shown, timeout=30_000)
    assert params(page).get("factions") == "is", page.url


CANVASES_JS = "() => document.querySelectorAll('.leaflet-container canvas').length"


def test_stepping_the_slider_thirty_times_leaves_no_canvas_behind(app_url, page: Page):
    start = date(2017, 4, 1)
    open_at(page, f"{app_url}/?date={start.isoformat()}&window=week")
    wait_for_map(page, "c.events + c.cells > 0")
    frame = map_content_frame(page)
    thumb = page.get_by_role("slider", name="Date")
    counts = []
    for step in range(1, 31):
        thumb.focus()
        thumb.press("ArrowRight")
        wait_for_param(page, "date", (start + timedelta(days=step)).isoformat())
        wait_for_app(page, timeout=60_000)
        counts.append(frame.evaluate(CANVASES_JS))
    assert max(counts) <= counts[0], counts
