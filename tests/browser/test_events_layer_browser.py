"""Our canvas events layer in a real browser: shapes, popups as text, cells that zoom in."""

from __future__ import annotations

import io
from collections.abc import Iterator

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Frame, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from layers.palette import FACTION_STYLE
from tests.browser.apps.events_demo import EVIL
from tests.browser.harness import (
    MAP_FRAME,
    AppServer,
    map_frame,
    screenshot,
    start_app,
    wait_for_app,
)

TIMEOUT = 30_000

MARKERS_JS = """() => {
  const out = [];
  window.map.eachLayer((l) => {
    if (l._conflictId !== undefined || l._conflictCell) {
      const p = window.map.latLngToContainerPoint(l.getLatLng());
      out.push({id: l._conflictId === undefined ? null : l._conflictId,
                count: l._conflictCell ? l._conflictCell.count : null,
                x: p.x, y: p.y, r: l._radius, shape: l.options.shape,
                label: l.options.label || null});
    }
  });
  return out;
}"""


@pytest.fixture(scope="module")
def demo_app() -> Iterator[AppServer]:
    with start_app("tests/browser/apps/events_demo.py") as server:
        yield server


def frame_of(page: Page) -> Frame:
    frame = page.locator(MAP_FRAME).element_handle().content_frame()
    assert frame is not None
    return frame


def markers(page: Page, expected: int | None = None) -> list[dict]:
    frame = frame_of(page)
    if expected is not None:
        frame.wait_for_function(
            f"() => window.map && window.L && window.L.conflictEvents && "
            f"({MARKERS_JS})().length === {expected}", timeout=TIMEOUT)
    return frame.evaluate(MARKERS_JS)


def click_marker(page: Page, which: str, done: str) -> None:
    """Centre the map on a marker (no animation), click it, and wait for ``done`` to hold.

    ``which`` is a JS predicate on the marker summaries of MARKERS_JS (the first match is
    clicked); ``done`` a JS expression. Clicking near the frame's edge lets the page scroll
    between mousedown and click, and st_folium may still move the map just after the first
    render, so the position is taken at click time and the click is retried.
    """
    frame = frame_of(page)
    container = map_frame(page).locator(".leaflet-container")
    container.scroll_into_view_if_needed()
    for _attempt in range(4):
        point = frame.evaluate(
            f"""() => {{
              const m = ({MARKERS_JS})().filter({which})[0];
              const ll = window.map.containerPointToLatLng([m.x, m.y]);
              window.map.setView(ll, window.map.getZoom(), {{animate: false}});
              const p = window.map.latLngToContainerPoint(ll);
              return {{x: p.x, y: p.y}};
            }}"""
        )
        container.click(position=point)
        try:
            frame.wait_for_function(f"() => {done}", timeout=3000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"clicking the marker {which} never made {done} true")


def open_demo(page: Page, server: AppServer, errors: list[str]) -> None:
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url)
    wait_for_app(page)
    expect(map_frame(page).locator(".leaflet-container")).to_be_visible(timeout=TIMEOUT)


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def test_single_events_are_drawn_as_shapes(page: Page, demo_app: AppServer) -> None:
    errors: list[str] = []
    open_demo(page, demo_app, errors)
    expect(page.get_by_text("5 events", exact=True)).to_be_visible()
    found = {m["id"]: m for m in markers(page, expected=5)}
    assert set(found) == {"circle", "square", "ring", "evil", "linked"}
    assert found["circle"]["shape"] == "circle" and found["square"]["shape"] == "square"
    assert found["ring"]["shape"] == "ring" and found["evil"]["shape"] == "triangle"
    assert found["circle"]["r"] == pytest.approx(22)  # 100 deaths: the largest marker
    assert found["evil"]["r"] == pytest.approx(5)  # no deaths: the smallest
    # no DOM marker per event: all of them are painted on one canvas
    frame = map_frame(page)
    expect(frame.locator(".leaflet-marker-icon")).to_have_count(0)
    expect(frame.locator(".leaflet-overlay-pane canvas")).to_have_count(1)

    image = np.asarray(
        Image.open(io.BytesIO(frame.locator(".leaflet-container").screenshot())).convert("RGB")
    ).astype(int)
    screenshot(page, "events_demo_singles")

    def fill(marker: dict, colour: str) -> np.ndarray:
        """Pixels of the faction colour in a 60 px box around the marker (a bool mask)."""
        x, y = round(marker["x"]), round(marker["y"])
        box = image[y - 30:y + 31, x - 30:x + 31]
        return np.abs(box - np.array(rgb(colour))).sum(axis=2) < 60

    def filled_share(mask: np.ndarray) -> float:
        ys, xs = np.nonzero(mask)
        assert len(xs) > 200, "marker not painted"
        area = (xs.max() - xs.min() + 1) * (ys.max() - ys.min() + 1)
        return len(xs) / area

    # A square fills its bounding box; a circle about pi/4 of it; a ring is hollow.
    circle = fill(found["circle"], FACTION_STYLE["government"].colour)
    square = fill(found["square"], FACTION_STYLE["opposition"].colour)
    ring = fill(found["ring"], FACTION_STYLE["civilians"].colour)
    assert filled_share(square) > 0.9
    assert 0.65 < filled_share(circle) < 0.85
    ys, xs = np.nonzero(ring)
    centre = ring[(ys.min() + ys.max()) // 2, (xs.min() + xs.max()) // 2]
    assert not centre, "the ring is not hollow"
    assert filled_share(ring) < filled_share(circle)
    assert not [e for e in errors if "conflict" in e.lower() or "event_layer" in e]


def test_popups_show_text_and_only_web_links(page: Page, demo_app: AppServer) -> None:
    errors: list[str] = []
    open_demo(page, demo_app, errors)
    markers(page, expected=5)
    popup = map_frame(page).locator(".leaflet-popup-content")

    click_marker(page, "(m) => m.id === 'evil'",
                 "document.querySelector('.leaflet-popup-content') !== null")
    expect(popup).to_be_visible(timeout=TIMEOUT)
    expect(popup).to_contain_text(EVIL)
    expect(popup.locator("img")).to_have_count(0)
    expect(popup.locator("a")).to_have_count(0)  # javascript: is never a link
    expect(popup).to_contain_text("Islamic State (IS)")
    screenshot(page, "events_demo_hostile_popup")
    frame_of(page).evaluate("window.map.closePopup()")
    expect(popup).to_have_count(0)

    click_marker(page, "(m) => m.id === 'linked'",
                 "document.querySelector('.leaflet-popup-content a') !== null")
    link = popup.locator("a")
    expect(link).to_have_count(1, timeout=TIMEOUT)
    expect(link).to_have_attribute("href", "https://example.org/report?id=1")
    expect(link).to_have_attribute("target", "_blank")
    assert "noopener" in (link.get_attribute("rel") or "")
    expect(popup).to_contain_text("Linked event")
    # No <img> exists in the map (the only way the payload's onerror could run later), and the
    # page guard fails the test on any dialog that did open.
    expect(map_frame(page).locator(".leaflet-container img")).to_have_count(0)
    assert not [e for e in errors if "conflict" in e.lower() or "event_layer" in e]


def test_cells_count_everything_and_zoom_in(page: Page, demo_app: AppServer) -> None:
    errors: list[str] = []
    open_demo(page, demo_app, errors)
    markers(page, expected=5)
    page.get_by_text("cells", exact=True).click()
    wait_for_app(page)
    frame = frame_of(page)
    frame.wait_for_function(
        f"() => ({MARKERS_JS})().some((m) => m.count !== null)", timeout=TIMEOUT)
    cells = markers(page)
    assert all(c["count"] is not None for c in cells), "single events left behind"
    assert sum(c["count"] for c in cells) == 3000
    expect(page.get_by_text(
        f"3,000 events in {len(cells):,} cells; zoom in for single events")).to_be_visible()
    biggest = max(cells, key=lambda c: c["count"])
    assert biggest["label"] is not None
    screenshot(page, "events_demo_cells")
    zoom = frame.evaluate("window.map.getZoom()")
    click_marker(page, f"(m) => m.count === {biggest['count']}",
                 f"window.map.getZoom() === {zoom + 2}")
    assert not [e for e in errors if "conflict" in e.lower() or "event_layer" in e]
