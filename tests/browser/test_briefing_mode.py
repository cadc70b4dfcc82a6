"""Briefing mode as a briefer uses it, in Debian's Chromium with the real UCDP GED data.

The present view on a shared screen, the keyboard without a mouse (arrows, +/-, Space), the
briefing scenes and their links, a copied link that reopens the same view in a new page, and
the exports a briefer takes away (PNG, offline HTML, CSV, GIF) with the citation.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image, ImageChops
from playwright.sync_api import Browser, Page, expect

from layers.registry import LAYER_KEYS
from sources.schema import COLUMNS
from tests.browser.harness import (
    MAP_CONTENT_JS,
    MAP_FRAME,
    open_at,
    params,
    screenshot,
    start_app,
    wait_for_app,
    wait_for_map,
    wait_for_param,
)
from view.briefing import load_briefing

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
UCDP_DIR = SHARED / "ucdp-ged-syria-2016-2019"
BOUNDARIES = SHARED / "ocha-cod-ab-syria"
MILESTONES = ROOT / "data" / "milestones.csv"
BRIEFING_ID = "is-territorial-defeat"
BRIEFING = load_briefing(ROOT / "data" / "briefings" / f"{BRIEFING_ID}.yaml", LAYER_KEYS)
CLAIM_DAY = "2017-12-06"
WINDOWS_ORDER = ["day", "week", "month", "quarter", "year", "all"]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    assert UCDP_DIR.is_dir(), f"missing {UCDP_DIR}"
    assert BOUNDARIES.is_dir(), f"missing {BOUNDARIES}"
    env = {
        "CONFLICT_MAP_EVENTS": str(UCDP_DIR),
        "CONFLICT_MAP_BOUNDARIES": str(BOUNDARIES),
        "CONFLICT_MAP_STORE": str(tmp_path_factory.mktemp("store")),
        "CONFLICT_MAP_TILES": "none",
    }
    with start_app("app.py", env=env, timeout=120) as server:
        yield server.url


def milestone_days() -> list[str]:
    """The distinct milestone dates, sorted, as ISO text (what Right/Left step through)."""
    with MILESTONES.open(encoding="utf-8") as f:
        return sorted({row["date"] for row in csv.DictReader(f)})


def focus_page(page: Page) -> None:
    """Put keyboard focus on the page itself, not on an input or inside the map frame."""
    page.evaluate("() => { if (document.activeElement) { document.activeElement.blur(); } }")
    page.evaluate("() => window.focus()")


def press(page: Page, key: str) -> None:
    focus_page(page)
    page.keyboard.press(key)
    wait_for_app(page, timeout=60_000)  # callers then wait for the outcome (URL, map)


def script_runs_during(page: Page, ms: int) -> int:
    """How many script runs (full or fragment) the app starts in the next ``ms``."""
    return page.evaluate("""ms => new Promise(resolve => {
      const app = document.querySelector("[data-testid='stApp']");
      let runs = 0;
      const watch = new MutationObserver(() => {
        if (app.getAttribute("data-test-script-state") === "running") { runs += 1; }
      });
      watch.observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
      setTimeout(() => { watch.disconnect(); resolve(runs); }, ms);
    })""", ms)


def map_handle(page: Page):
    return page.locator(MAP_FRAME).element_handle().content_frame()


_MAP_VIEW_JS = """() => {
  const c = window.map.getCenter();
  return {lat: c.lat, lng: c.lng, zoom: window.map.getZoom()};
}"""


def open_share_panel(page: Page) -> None:
    expander = page.get_by_test_id("stExpander").filter(has_text="Share and export this view")
    expect(expander).to_have_count(1)
    summary = expander.locator("summary")
    if expander.locator("details").get_attribute("open") is None:
        summary.click()
    expect(expander.get_by_test_id("stCode").first).to_be_visible()


def share_code_blocks(page: Page) -> list[str]:
    """The texts of the panel's code blocks: [link, citation]."""
    expander = page.get_by_test_id("stExpander").filter(has_text="Share and export this view")
    return [t.strip() for t in expander.get_by_test_id("stCode").all_inner_texts()]


def download(page: Page, key: str, folder: Path) -> tuple[Path, str]:
    """Click the download button with Streamlit key ``key``; the saved file and its label."""
    button = page.locator(f".st-key-{key} button").locator("visible=true")
    expect(button).to_have_count(1)
    label = button.inner_text()
    with page.expect_download(timeout=120_000) as info:
        button.click()
    dl = info.value
    path = folder / dl.suggested_filename
    dl.save_as(path)
    return path, label


# --- 1. present view -----------------------------------------------------------------------

def test_present_view_is_large_and_hides_the_chrome(app_url, page: Page):
    open_at(page, f"{app_url}/?date={CLAIM_DAY}&present=1")
    expect(page.get_by_test_id("stSidebar")).not_to_be_visible()
    expect(page.get_by_test_id("stHeader")).not_to_be_visible()
    expect(page.get_by_test_id("stToolbar")).not_to_be_visible()
    date_el = page.get_by_test_id("cm-date")
    expect(date_el).to_have_text("6 Dec 2017")
    size = date_el.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 48, f"date font-size {size}px"
    caption_size = page.get_by_test_id("cm-caption").first.evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)")
    assert caption_size >= 24, f"caption font-size {caption_size}px"
    # As large as the screen allows: at least as tall as in the normal view, and all of it on
    # a 1600x1000 screen (nothing below the fold).
    box = page.locator(MAP_FRAME).bounding_box()
    assert box["height"] >= 640, f"map height {box['height']}px"
    assert box["y"] + box["height"] <= 1000, f"map ends at {box['y'] + box['height']}px"
    screenshot(page, "present-2017-12-06")

    open_at(page, f"{app_url}/?date={CLAIM_DAY}")
    expect(page.get_by_test_id("stSidebar")).to_be_visible()
    assert "present" not in params(page)


# --- 2. keyboard ---------------------------------------------------------------------------

@pytest.mark.parametrize("present", [False, True], ids=["normal", "present"])
def test_keyboard_steps_widens_and_plays(app_url, page: Page, present: bool):
    days = milestone_days()
    following = days[days.index(CLAIM_DAY) + 1]
    suffix = "&present=1" if present else ""
    open_at(page, f"{app_url}/?date={CLAIM_DAY}{suffix}")

    press(page, "ArrowRight")
    wait_for_param(page, "date", following)
    expect(page.get_by_test_id("cm-date")).to_have_text(
        date.fromisoformat(following).strftime("%-d %b %Y"))
    press(page, "ArrowLeft")
    wait_for_param(page, "date", CLAIM_DAY)

    assert "window" not in params(page)  # month, the default
    press(page, "+")
    wait_for_param(page, "window", "quarter")
    press(page, "-")
    wait_for_param(page, "window", None)  # month
    press(page, "-")
    wait_for_param(page, "window", "week")
    press(page, "=")  # the unshifted "+" key
    wait_for_param(page, "window", None)  # month, the default: left out

    # Play runs in the map (static/app/event_clock.js): the map's day moves on while the
    # server does not rerun at all; pausing brings the page and the link to the map's day.
    start = params(page)["date"]
    start_day = (date.fromisoformat(start) - date(1970, 1, 1)).days
    press(page, " ")
    frame = page.locator(MAP_FRAME).element_handle().content_frame()
    frame.wait_for_function(  # play's ticks have moved the map on by two steps at least
        "start => window.cmClock && window.cmClock.playing && window.cmClock.day > start + 7",
        arg=start_day, timeout=30_000)
    assert script_runs_during(page, 2500) == 0, "play reran the script"
    assert params(page)["date"] == start  # the link follows when play stops
    focus_page(page)
    page.keyboard.press(" ")
    expect(page.locator(".st-key-play button").locator("visible=true")).to_contain_text(
        "Play", timeout=10_000)
    frame.wait_for_function("() => window.cmClock && !window.cmClock.playing", timeout=10_000)
    stopped = date(1970, 1, 1) + timedelta(days=frame.evaluate("() => window.cmClock.day"))
    wait_for_param(page, "date", stopped.isoformat())
    expect(page.get_by_test_id("cm-date")).to_have_text(stopped.strftime("%-d %b %Y"))
    wait_for_app(page, timeout=60_000)
    # Paused: nothing moves, and the dashboard stops rerunning.
    assert script_runs_during(page, 4000) <= 1, "the paused dashboard still reruns"
    assert params(page)["date"] == stopped.isoformat(), "Space did not pause play"
    assert frame.evaluate("() => window.cmClock.day") == (stopped - date(1970, 1, 1)).days
    screenshot(page, f"keyboard-{'present' if present else 'normal'}")


# --- 3. briefings --------------------------------------------------------------------------

def test_briefing_link_opens_scene_and_right_steps(app_url, page: Page):
    one, two, four = BRIEFING.scenes[0], BRIEFING.scenes[1], BRIEFING.scenes[3]
    open_at(page, f"{app_url}/?briefing={BRIEFING_ID}&scene=1")
    wait_for_param(page, "date", one.date.isoformat())
    assert params(page)["scene"] == "1"
    scene_line = page.get_by_test_id("cm-scene")
    expect(scene_line).to_contain_text(f"Scene 1 of {len(BRIEFING.scenes)}")
    expect(scene_line).to_contain_text(one.caption)

    press(page, "ArrowRight")
    wait_for_param(page, "scene", "2")
    wait_for_param(page, "date", two.date.isoformat())
    expect(scene_line).to_contain_text(two.caption)

    open_at(page, f"{app_url}/?briefing={BRIEFING_ID}&scene=4")
    wait_for_param(page, "date", four.date.isoformat())
    expect(page.get_by_test_id("cm-scene")).to_contain_text(f"Scene 4 of {len(BRIEFING.scenes)}")
    map_handle(page).wait_for_function("z => window.map.getZoom() === z", arg=four.zoom,
                                       timeout=30_000)
    view = map_handle(page).evaluate(_MAP_VIEW_JS)
    assert view["zoom"] == four.zoom
    assert abs(view["lat"] - four.center[0]) < 0.05
    assert abs(view["lng"] - four.center[1]) < 0.05
    screenshot(page, "briefing-scene-4")

    # Stepping on takes the next scene's layers too (the sidebar must not send back the old
    # ones): scene 5 is the only one that draws the zones.
    five = BRIEFING.scenes[4]
    assert "zones" in five.layers and "zones" not in four.layers
    assert map_handle(page).evaluate(MAP_CONTENT_JS)["zones"] == []
    press(page, "ArrowRight")
    wait_for_param(page, "scene", "5")
    wait_for_param(page, "date", five.date.isoformat())
    wait_for_map(page, "c.zones.length > 0")  # scene 5 draws the zones
    press(page, "ArrowRight")  # and the step after keeps following the scenes
    wait_for_param(page, "scene", "6")


# --- 4. a copied link ----------------------------------------------------------------------

def test_copied_link_reopens_the_same_view(app_url, page: Page):
    open_at(page, f"{app_url}/?date={CLAIM_DAY}&factions=is,government")
    press(page, "ArrowLeft")
    days = milestone_days()
    wait_for_param(page, "date", days[days.index(CLAIM_DAY) - 1])
    press(page, "+")
    wait_for_param(page, "window", "quarter")
    frame = map_handle(page)
    frame.evaluate("() => { window.map.setView([35.2, 39.6], 8); }")
    wait_for_param(page, "zoom", "8")
    wait_for_app(page, timeout=60_000)
    open_share_panel(page)
    link = share_code_blocks(page)[0]
    shown = params(page)
    assert link.startswith(app_url), link
    frame = map_handle(page)
    content = frame.evaluate(MAP_CONTENT_JS)
    view = frame.evaluate(_MAP_VIEW_JS)

    other = page.context.new_page()
    try:
        open_at(other, link)
        for key in ("date", "window", "factions", "zoom"):
            wait_for_param(other, key, shown.get(key))
        reopened = params(other)
        assert reopened["factions"] == "government,is"  # canonical order
        other_frame = map_handle(other)
        other_frame.wait_for_function("() => window.map.getZoom() === 8", timeout=30_000)
        # The same layers, once the reopened map has drawn them for its view.
        same = json.dumps(json.dumps(content, separators=(",", ":")))  # as JSON.stringify writes
        wait_for_map(other, f"JSON.stringify(c) === {same}")
        other_view = other_frame.evaluate(_MAP_VIEW_JS)
        assert other_view["zoom"] == view["zoom"] == 8
        assert abs(other_view["lat"] - view["lat"]) < 0.01
        assert abs(other_view["lng"] - view["lng"]) < 0.01
        other_content = other_frame.evaluate(MAP_CONTENT_JS)
        assert other_content == content
        assert content["events"] + content["cells"] > 0
    finally:
        other.close()


# --- 5 and 6. exports and the citation -----------------------------------------------------

def _png_download(page: Page, folder: Path) -> Image.Image:
    path, label = download(page, "export_png", folder)
    assert "PNG" in label
    image = Image.open(path)
    image.load()
    return image


def test_exports_and_citation(app_url, page: Page, browser: Browser, tmp_path: Path):
    open_at(page, f"{app_url}/?date={CLAIM_DAY}&factions=is")
    open_share_panel(page)
    link, citation = share_code_blocks(page)[:2]

    # 6. The citation names the dataset, the filter and the link.
    assert "UCDP GED 19.1" in citation
    assert re.search(r"filters: events involving Islamic State \(IS\);", citation), citation
    assert link in citation

    # PNG: wide, not blank, and different on another date.
    first = _png_download(page, tmp_path / "a")
    assert first.width >= 1600
    extrema = first.convert("L").getextrema()
    assert extrema[1] - extrema[0] > 100, "blank PNG"
    assert len(first.convert("RGB").getcolors(1 << 20) or []) > 20

    # CSV: as many rows as the label says, canonical header.
    csv_path, csv_label = download(page, "export_csv", tmp_path)
    count = int(re.search(r"\(([\d,]+) events\)", csv_label).group(1).replace(",", ""))
    assert count > 0
    frame = pd.read_csv(csv_path)
    assert len(frame) == count
    assert list(frame.columns)[: len(COLUMNS)] == list(COLUMNS)
    assert set(frame["faction1"]).union(frame["faction2"]) >= {"is"}

    # HTML: the date and the legend, nothing fetched from anywhere, a map when opened from disk.
    html_path, _ = download(page, "export_html", tmp_path)
    text = html_path.read_text(encoding="utf-8")
    assert "6 Dec 2017" in text
    assert "Legend" in text and "Islamic State (IS)" in text
    # Nothing is loaded from outside: no src anywhere, no <link href>. Anchors to the
    # milestones' sources (in popups) stay: they are citations a reader may follow.
    assert not re.search(r"""\bsrc\s*=\s*["']?\s*(https?:)?//""", text, re.I)
    assert not re.search(r"""<link\b[^>]*\bhref\s*=\s*["']?\s*(https?:)?//""", text, re.I)
    assert not re.search(r"""url\(\s*["']?\s*(https?:)?//""", text, re.I)
    _check_html_offline(browser, html_path)

    # GIF: an animation of as many frames as the label says.
    gif_path, gif_label = download(page, "export_gif", tmp_path)
    frames = int(re.search(r"\((\d+) frames", gif_label).group(1))
    gif = Image.open(gif_path)
    assert gif.format == "GIF"
    assert getattr(gif, "n_frames", 1) == frames > 1
    assert gif.is_animated

    # The PNG of another date differs.
    press(page, "ArrowRight")
    wait_for_param(page, "date", milestone_days()[milestone_days().index(CLAIM_DAY) + 1])
    open_share_panel(page)
    second = _png_download(page, tmp_path / "b")
    assert first.size == second.size
    assert ImageChops.difference(first.convert("RGB"), second.convert("RGB")).getbbox()


def _check_html_offline(browser: Browser, path: Path) -> None:
    """Open the exported file from disk with every non-file request aborted: the map draws."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    outside: list[str] = []

    def route(r):
        if r.request.url.startswith(("file:", "data:", "blob:", "about:")):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    errors: list[str] = []
    try:
        offline = context.new_page()
        offline.on("pageerror", lambda e: errors.append(str(e)))
        offline.goto(path.as_uri())
        expect(offline.locator(".leaflet-container")).to_be_visible(timeout=15_000)
        expect(offline.locator(".leaflet-interactive").first).to_be_attached(timeout=15_000)
        assert offline.locator(".leaflet-interactive").count() > 5
        screenshot(offline, "export-html-offline")
    finally:
        context.close()
    assert not outside, outside
    assert not errors, errors
