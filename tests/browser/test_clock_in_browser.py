"""The clock in the browser, in Debian's Chromium, on the real UCDP GED file.

- The browser's window query and cells (static/app/event_clock.js) give the same events,
  counts and fatalities as the server's (EventIndex.window, layers.events.draw_summary,
  view.aggregate) for many random days, windows, filters, zooms and views.
- A slider step redraws the map before the server has answered, and the map then agrees with
  the server's own summary.
- Play frames each show exactly the events of their window; stopping brings the link there.
"""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import Frame, Page, expect

from layers.event_clock import MAX_POINTS
from layers.events import MAX_CELLS, VIEW_PAD, coarsened_cells
from sources.catalog import Config, assemble
from tests.browser.harness import (
    map_content_frame,
    open_at,
    params,
    screenshot,
    start_app,
    wait_for_app,
    wait_for_param,
)
from view.aggregate import in_bounds
from view.catalog import Catalog
from view.event_index import FACTION_KEYS, from_day, to_day
from view.event_slabs import encode_slabs

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
UCDP_DIR = SHARED / "ucdp-ged-syria-2016-2019"
EPOCH = date(1970, 1, 1)


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    assert UCDP_DIR.is_dir(), f"missing {UCDP_DIR}"
    return {"CONFLICT_MAP_EVENTS": str(UCDP_DIR), "CONFLICT_MAP_BOUNDARIES": "",
            "CONFLICT_MAP_STORE": str(tmp_path_factory.mktemp("store")),
            "CONFLICT_MAP_TILES": "none"}


@pytest.fixture(scope="module")
def app_url(env):
    with start_app("app.py", env=env, timeout=120) as server:
        yield server.url


@pytest.fixture(scope="module")
def catalog(env) -> Catalog:
    """The same catalog the app builds from the same configuration."""
    config = Config(events=env["CONFLICT_MAP_EVENTS"], boundaries="",
                    store_dir=env["CONFLICT_MAP_STORE"], tiles="none")
    return Catalog.from_loaded(assemble(config))


def _clock_frame(page: Page) -> Frame:
    frame = map_content_frame(page)
    frame.wait_for_function("() => window.cmClock && window.map && window.map._conflictClock",
                            timeout=60_000)
    return frame


LOAD_ALL_JS = """async () => {
  const engine = window.map._conflictClock;
  const manifest = await L.conflictClock.loadManifest(engine.state.slabs);
  await Promise.all(manifest.slabs.map(L.conflictClock.loadSlab));
  return manifest.count;
}"""

# The browser's answer for one query, in plain lists (cells ordered by their grid key).
QUERY_JS = """async (q) => {
  const engine = window.map._conflictClock;
  const manifest = await L.conflictClock.loadManifest(engine.state.slabs);
  const r = L.conflictClock.query(manifest, q);
  if (r.kind === "events") {
    return {kind: r.kind, window: r.window, missing: r.missing,
            ranks: r.items.map(e => e.rank).sort((a, b) => a - b),
            deaths: r.items.reduce((s, e) => s + e.deaths, 0),
            none: r.items.reduce((s, e) => s + e.none, 0)};
  }
  const c = r.cells;
  return {kind: r.kind, window: r.window, missing: r.missing, zoom: r.gridZoom,
          n: Array.from(c.n), d: Array.from(c.d), u: Array.from(c.u), f: Array.from(c.f),
          lat: Array.from(c.lat), lon: Array.from(c.lon)};
}"""


def _server_answer(catalog: Catalog, slab_rows: np.ndarray, q: dict) -> dict:
    idx = catalog.index
    factions = [FACTION_KEYS[c] for c in q["factions"]] if q["factions"] else None
    rows = idx.window(from_day(q["first"]), from_day(q["last"]), factions=factions,
                      exact_only=q["exactOnly"])
    drawable = rows[np.isfinite(idx.lat[rows]) & np.isfinite(idx.lon[rows])]
    visible = drawable
    if len(drawable) > q["maxPoints"]:
        visible = in_bounds(idx, drawable, tuple(q["bounds"]), pad=q["pad"])
    answer = {"window": len(rows), "missing": len(rows) - len(drawable)}
    if len(visible) <= q["maxPoints"]:
        ranks = np.searchsorted(slab_rows, visible)
        return {**answer, "kind": "events", "ranks": sorted(ranks.tolist()),
                "deaths": int(idx.fatalities[visible].sum()),
                "none": int(idx.no_figure[visible].sum())}
    cells = coarsened_cells(idx, visible, q["zoom"], max_cells=q["maxCells"])
    return {**answer, "kind": "cells", "zoom": round(np.log2(360 / cells.cell_deg)) - 3,
            "n": cells.count.tolist(), "d": cells.fatalities.tolist(),
            "u": cells.no_figure.tolist(), "f": cells.dominant.tolist(),
            "lat": cells.lat.tolist(), "lon": cells.lon.tolist()}


def _random_query(rng: random.Random, span: tuple[date, date]) -> dict:
    first_day, last_day = to_day(span[0]), to_day(span[1])
    day = rng.randint(to_day(date(2016, 1, 1)), to_day(date(2019, 12, 31)))
    length = rng.choice([1, 7, 30, 91, 365, None])
    first = first_day if length is None else day - length + 1
    factions = None
    if rng.random() < 0.3:
        factions = sorted(rng.sample(range(len(FACTION_KEYS)), rng.randint(1, 3)))
    south, west = rng.uniform(32.3, 36.0), rng.uniform(35.5, 41.0)
    size = rng.choice([0.3, 1.0, 3.0, 8.0])
    return {"day": day, "first": first, "last": min(day, last_day), "factions": factions,
            "exactOnly": rng.random() < 0.2, "zoom": rng.choice([6, 7, 8, 9, 11]),
            "maxPoints": rng.choice([MAX_POINTS, 300]), "maxCells": rng.choice([MAX_CELLS, 40]),
            "pad": VIEW_PAD, "bounds": [south, west, south + size * 0.7, west + size]}


def test_the_browser_s_window_and_cells_are_the_server_s(app_url, catalog, page: Page):
    open_at(page, f"{app_url}/?date=2017-12-06")
    frame = _clock_frame(page)
    assert frame.evaluate(LOAD_ALL_JS) == len(catalog.index)
    slab_rows = encode_slabs(catalog.index).rows
    rng = random.Random(12)  # noqa: S311 -- reproducible test cases, not secrets
    kinds = {"events": 0, "cells": 0}
    for _ in range(60):
        q = _random_query(rng, catalog.span)
        browser = frame.evaluate(QUERY_JS, q)
        server = _server_answer(catalog, slab_rows, q)
        assert browser["kind"] == server["kind"], q
        kinds[browser["kind"]] += 1
        assert (browser["window"], browser["missing"]) == (server["window"], server["missing"]), q
        if browser["kind"] == "events":
            assert browser["ranks"] == server["ranks"], q
            assert (browser["deaths"], browser["none"]) == (server["deaths"], server["none"]), q
            continue
        assert browser["zoom"] == server["zoom"], q
        for key in ("n", "d", "u", "f"):
            assert browser[key] == server[key], (key, q)
        np.testing.assert_allclose(browser["lat"], server["lat"], rtol=0, atol=1e-9)
        np.testing.assert_allclose(browser["lon"], server["lon"], rtol=0, atol=1e-9)
    assert kinds["events"] >= 10 and kinds["cells"] >= 10, kinds  # both paths were compared


def test_a_step_redraws_the_map_before_the_server_answers(app_url, catalog, page: Page):
    open_at(page, f"{app_url}/?date=2017-12-06&window=week")
    frame = _clock_frame(page)
    thumb = page.get_by_role("slider", name="Date")
    thumb.focus()
    claim = to_day(date(2017, 12, 6))
    for step in range(1, 6):
        # The first redraw of the new day is the browser's own (the server's rerun comes later).
        page.keyboard.press("ArrowRight")
        frame.wait_for_function("day => window.cmClock.day === day", arg=claim + step,
                                timeout=10_000)
        first = frame.evaluate("() => window.cmClock")
        assert first["cause"] in {"slider", "server"}
        rows = catalog.index.window(from_day(claim + step - 6), from_day(claim + step))
        assert first["window"] == len(rows)
        # The milestones' pins of the new window are on the map with it.
        assert frame.locator(".cm-milestone").count() == _pins(catalog, claim + step - 6,
                                                               claim + step)
    wait_for_param(page, "date", (EPOCH + timedelta(days=claim + 5)).isoformat())
    wait_for_app(page)
    # The server's header and the map say the same.
    status = frame.locator(".cm-clock-status")
    expect(status).to_contain_text(f"{len(rows):,} events")
    expect(page.get_by_test_id("cm-date")).to_have_text("11 Dec 2017")
    screenshot(page, "clock-step-week")


def _pins(catalog: Catalog, first: int, last: int) -> int:
    from layers.milestones import in_extent

    m = catalog.milestones
    days = [to_day(d) for d in m["date"]]
    return sum(1 for d, lat, lon in zip(days, m["lat"], m["lon"], strict=True)
               if first <= d <= last and in_extent(lat, lon))


def test_play_frames_show_exactly_their_window_and_stop_in_the_link(app_url, catalog,
                                                                     page: Page):
    open_at(page, f"{app_url}/?date=2016-03-01&window=week")
    frame = _clock_frame(page)
    page.locator(".st-key-play_settings button, [data-testid='stPopover'] button").first.click()
    speed = page.locator(".st-key-play_speed")
    speed.click()
    page.get_by_role("option", name="very fast (0.1 s per step)").click()
    wait_for_app(page)
    page.keyboard.press("Escape")
    # Every frame the map draws (the clock logs each drawing when asked).
    frame.evaluate("() => { window.cmClockLog = []; }")
    page.locator(".st-key-play button").locator("visible=true").click()
    frame.wait_for_function("() => window.cmClockLog.filter(c => c.playing).length >= 25",
                            timeout=30_000)
    page.locator(".st-key-play button").locator("visible=true").click()  # pause
    frame.wait_for_function("() => window.cmClock && !window.cmClock.playing", timeout=10_000)
    frames = frame.evaluate("() => window.cmClockLog.filter(c => c.playing)")
    days = [f["day"] for f in frames]
    assert days == sorted(days) and len(set(days)) == len(days)
    for f in frames:
        assert f["first"] == f["day"] - 6
        assert f["window"] == len(catalog.index.window(from_day(f["first"]), from_day(f["day"])))
    # Weekly steps (pauses at milestones land in between), at about ten frames a second.
    assert all(0 < b - a <= 7 for a, b in itertools.pairwise(days))
    seconds = (frames[-1]["at"] - frames[0]["at"]) / 1000
    assert len(frames) / seconds > 5, f"{len(frames)} frames in {seconds:.1f} s"
    stopped = frame.evaluate("() => window.cmClock.day")
    wait_for_param(page, "date", from_day(stopped).isoformat())
    assert params(page)["date"] == from_day(stopped).isoformat()


def test_previous_and_next_move_the_map_at_once(app_url, page: Page):
    open_at(page, f"{app_url}/?date=2017-12-06")
    frame = _clock_frame(page)
    milestones = frame.evaluate("() => window.map._conflictClock.state.milestones")
    claim = to_day(date(2017, 12, 6))
    following = min(d for d in milestones if d > claim)
    frame.evaluate("() => { window.cmClockLog = []; }")
    page.locator(".st-key-step_next button").locator("visible=true").click()
    frame.wait_for_function("day => window.cmClock.day === day", arg=following, timeout=10_000)
    # The first drawing of the new day is the browser's own: its prediction of the button
    # ("step"), or the page's slider moving ("slider") -- never the server's layer arriving.
    first = frame.evaluate("day => window.cmClockLog.find(c => c.day === day).cause", following)
    assert first in {"step", "slider"}, first
    wait_for_param(page, "date", from_day(following).isoformat())
    expect(page.get_by_test_id("cm-date")).to_have_text(from_day(following).strftime("%-d %b %Y"))


def test_a_clicked_event_opens_at_once_and_its_text_follows(app_url, catalog, page: Page):
    # Events only: a tracked place at the same spot would be on top of the event.
    open_at(page, f"{app_url}/?date=2017-12-06&window=week&layers=events")
    frame = _clock_frame(page)
    wait_for_app(page)
    # The biggest event of the week (drawn first, so under the others: click its centre
    # only where nothing smaller covers it; take the top-most item instead).
    item = frame.evaluate("""() => {
      let paint = null;
      window.map.eachLayer(l => { if (l._clockState !== undefined) { paint = l; } });
      const it = paint._items[paint._items.length - 1];
      window.map.setView([it.lat, it.lon], window.map.getZoom(), {animate: false});
      return {rank: it.rank, lat: it.lat, lon: it.lon};
    }""")
    wait_for_app(page)
    container = page.frame_locator("iframe[title='streamlit_folium.st_folium']").locator(
        ".leaflet-container")
    container.scroll_into_view_if_needed()
    x, y = frame.evaluate("([lat, lon]) => { const p = window.map.latLngToContainerPoint("
                          "[lat, lon]); return [p.x, p.y]; }", [item["lat"], item["lon"]])
    container.click(position={"x": x, "y": y})
    popup = frame.locator(".leaflet-popup-content")
    expect(popup).to_be_visible(timeout=10_000)
    # The server's text for that very event arrives with the rerun the click asked for.
    row = encode_slabs(catalog.index).rows[item["rank"]]
    event = catalog.index.frame.iloc[int(row)]
    expect(popup).to_contain_text("Actors", timeout=15_000)
    expect(popup).to_contain_text(f"#{event['event_id']}")
    expect(popup).to_contain_text(str(event["actor1"]))
    screenshot(page, "clock-popup")


def test_the_places_follow_the_browser_s_clock_with_the_server_s_answer(app_url, catalog,
                                                                       page: Page):
    from layers.control import state_data

    open_at(page, f"{app_url}/?date=2017-12-06&window=week")
    frame = _clock_frame(page)
    frame.wait_for_function("() => window.cmControlRecord", timeout=60_000)
    rng = random.Random(5)  # noqa: S311 -- reproducible test cases, not secrets
    for _ in range(25):
        day = rng.randint(to_day(date(2011, 1, 1)), to_day(date(2024, 12, 31)))
        browser = frame.evaluate("day => L.controlPlaces.stateOn(window.cmControlRecord, day)",
                                 day)
        server = state_data(catalog.control.on(from_day(day)))
        assert (browser["c"], browser["b"], browser["s"]) == (
            server["c"], server["b"], server["s"]), from_day(day)
    # A step redraws the places for the new day before the server answers: the Raqqa
    # offensive's places change hands in the days the slider crosses.
    thumb = page.get_by_role("slider", name="Date")
    thumb.focus()
    page.keyboard.press("ArrowRight")
    next_day = to_day(date(2017, 12, 7))
    frame.wait_for_function("day => window.cmClock.day === day", arg=next_day, timeout=10_000)
    drawn = frame.evaluate("""() => {
      const out = {};
      window.map.eachLayer(l => { if (l._controlPlace) { out[l._controlPlace.id] =
        l._controlPlace.controller; } });
      return out;
    }""")
    expected = catalog.control.on(from_day(next_day))
    held = dict(zip(expected["place_id"], expected["controller"], strict=True))
    assert drawn == {k: v for k, v in held.items() if k in drawn} and len(drawn) >= 250


def test_the_zones_change_state_with_the_browser_s_clock(app_url, catalog, page: Page):
    from view.areas import areas_on

    # 23 Jan 2018 -> 24 Jan 2018 is not a change; step across the start of the Eastern Ghouta
    # offensive (its zone goes "under offensive") with the slider.
    ghouta = catalog.areas[catalog.areas["area_id"] == "eastern-ghouta"].iloc[0]
    starts = sorted(pd.Timestamp(p["from"]).date() for p in ghouta["phases"])
    change = next(d for d in starts if d > date(2017, 12, 31))
    before = change - timedelta(days=1)
    open_at(page, f"{app_url}/?date={before.isoformat()}&layers=zones,events")
    frame = _clock_frame(page)
    thumb = page.get_by_role("slider", name="Date")
    thumb.focus()
    page.keyboard.press("ArrowRight")
    frame.wait_for_function("day => window.cmClock.day === day", arg=to_day(change),
                            timeout=10_000)
    shown = frame.evaluate("""() => {
      const out = {};
      window.map.eachLayer(l => { const p = l.feature && l.feature.properties;
        if (p && p.area_id) { out[p.area_id] = p.state; } });
      return out;
    }""")
    expected = areas_on(catalog.areas, pd.Timestamp(change))
    assert shown == dict(zip(expected["area_id"], expected["state"], strict=True))
    assert shown["eastern-ghouta"] != dict(zip(
        areas_on(catalog.areas, pd.Timestamp(before))["area_id"],
        areas_on(catalog.areas, pd.Timestamp(before))["state"], strict=True))["eastern-ghouta"]
