"""The foundation layers in a real browser: they render, load only local files, escape text."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Frame, Page, expect

from tests.browser.harness import (
    MAP_FRAME,
    AppServer,
    map_frame,
    screenshot,
    start_app,
    wait_for_app,
)
from tests.conftest import SHARED_DATA

EVIL_SHOWN = "</script><img src=x onerror=alert(1)>${alert(2)}`);alert(3);// \\`"
TIMEOUT = 30_000


@pytest.fixture(scope="module")
def demo_app() -> Iterator[AppServer]:
    boundaries = SHARED_DATA / "ocha-cod-ab-syria"
    assert (boundaries / "syr_admin1.shp").is_file(), f"missing shared data in {boundaries}"
    with start_app(
        "tests/browser/apps/layers_demo.py", env={"CONFLICT_MAP_BOUNDARIES": str(boundaries)}
    ) as server:
        yield server


def open_map(page: Page, server: AppServer) -> None:
    page.goto(server.url)
    wait_for_app(page)
    expect(map_frame(page).locator(".leaflet-container")).to_be_visible(timeout=TIMEOUT)
    # the base map's outlines and the date-dependent zones are both drawn
    expect(map_frame(page).locator("path.cm-zone")).to_have_count(2, timeout=TIMEOUT)


def frame_of(page: Page) -> Frame:
    frame = page.locator(MAP_FRAME).element_handle().content_frame()
    assert frame is not None
    return frame


def test_map_renders_outlines_labels_zones_and_pins(page: Page, demo_app: AppServer) -> None:
    open_map(page, demo_app)
    frame = map_frame(page)
    expect(frame.locator("path.cm-governorate.leaflet-interactive")).to_have_count(14)
    expect(frame.locator("path.cm-country")).to_have_count(1)
    expect(frame.locator("path.cm-zone.leaflet-interactive")).to_have_count(2)
    expect(frame.locator(".cm-gov-label > span", has_text="Rural Damascus")).to_be_visible()
    expect(frame.locator(".cm-zone-label > span", has_text="Idlib zone")).to_be_visible()
    expect(frame.locator(".cm-zone-label small", has_text="approx. outline").first
           ).to_be_visible()
    expect(frame.locator(".cm-milestone")).to_have_count(2)  # Moscow is not pinned
    expect(frame.locator(".leaflet-control-scale")).to_be_visible()
    # one SVG renderer shared by outlines and zones
    expect(frame.locator(".leaflet-overlay-pane > svg")).to_have_count(1)
    screenshot(page, "layers_demo_2017-06-01")


def test_leaflet_is_served_by_the_app(page: Page, demo_app: AppServer, page_guard) -> None:
    open_map(page, demo_app)
    loaded = [u for u in page_guard.requests if u.endswith("/app/static/vendor/leaflet/leaflet.js")]
    assert loaded, "the map did not load leaflet.js from the app"
    for path, kind in [("vendor/leaflet/leaflet.js", "javascript"),
                       ("vendor/jquery/jquery.min.js", "javascript"),
                       ("vendor/leaflet/leaflet.css", "text/css")]:
        response = page.request.get(f"{demo_app.url}/app/static/{path}")
        assert response.status == 200, path
        assert kind in response.headers["content-type"], response.headers["content-type"]


def test_hostile_text_shows_as_text(page: Page, demo_app: AppServer) -> None:
    open_map(page, demo_app)
    frame = map_frame(page)
    # milestone popup
    frame.locator(".cm-milestone").first.click()
    popup = frame.locator(".leaflet-popup-content")
    expect(popup).to_be_visible()
    expect(popup).to_contain_text(EVIL_SHOWN)
    expect(popup.locator("img")).to_have_count(0)
    expect(popup.locator("a[href^='javascript']")).to_have_count(0)
    # Leaflet fades popups in: the picture is taken once the fade is over.
    expect(frame.locator(".leaflet-popup").first).to_have_css("opacity", "1")
    screenshot(page, "layers_demo_hostile_popup")
    frame.locator(".leaflet-popup-close-button").click()
    # zone tooltip (hover) and popup (click)
    zone = frame.locator("path.cm-zone-other")
    zone.hover()
    tooltip = frame.locator(".leaflet-tooltip").last  # the milestone's may still be open
    expect(tooltip).to_contain_text(EVIL_SHOWN)
    expect(tooltip.locator("img")).to_have_count(0)
    expect(tooltip).to_have_css("opacity", "0.9")  # Leaflet's tooltip, faded in
    screenshot(page, "layers_demo_hostile_tooltip")
    zone.click()
    expect(frame.locator(".leaflet-popup-content")).to_contain_text(EVIL_SHOWN)
    expect(frame.locator(".leaflet-popup-content img")).to_have_count(0)
    # the zone's own label on the map is text too
    expect(frame.locator(".cm-zone-label", has_text="onerror=alert(1)")).to_have_count(1)
    # No <img> exists (the only way the payload's onerror could run later), and the page
    # guard fails the test on any dialog that did open.
    expect(frame.locator(".leaflet-container img")).to_have_count(0)


def test_new_day_updates_zones_without_remounting(page: Page, demo_app: AppServer) -> None:
    open_map(page, demo_app)
    frame_of(page).evaluate("window.cmMountedBefore = true")
    expect(map_frame(page).locator("path.cm-zone-in-force")).to_have_count(1)
    page.get_by_text("2018-03-01").click()
    wait_for_app(page)
    frame = map_frame(page)
    expect(frame.locator("path.cm-zone-under-offensive")).to_have_count(1, timeout=TIMEOUT)
    expect(frame.locator("path.cm-zone")).to_have_count(2)
    assert frame_of(page).evaluate("window.cmMountedBefore === true"), "the map was remounted"
    expect(frame.locator(".leaflet-overlay-pane > svg")).to_have_count(1)
    screenshot(page, "layers_demo_2018-03-01")
