"""``python -m bench control``: what the control layer adds to a slider step.

On the real UCDP file (``../shared/data/ucdp-ged-syria-2016-2019`` unless ``--events`` names
another file), the same random days are stepped twice with the week window: once with the
default layers without the control layers, once with both control layers on. A step is the
server's work for the map: the run's view (window query, areas, milestones, the places' state)
and the date layers built and serialised as ``st_folium`` serialises them each rerun. The base
map is the same in both runs (it always names the control record, which the browser fetches
once), so it is not part of a step. Reports p50/p95 seconds and bytes per step for both, and the
difference; the issue's targets are within 10 % and at most 100 KB more.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.app_server import BOUNDARIES, UCDP, ucdp_app

WITHOUT = ("zones", "events", "milestones", "boundaries")
WITH = ("control_areas", "zones", "events", "control", "milestones", "boundaries")


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def measure(events: Path, steps: int, seed: int) -> dict:
    import folium

    from bench.measure import feature_group_serialiser
    from layers import registry
    from sources.catalog import Config, assemble
    from view.catalog import Catalog
    from view.event_index import from_day, to_day
    from view.map_view import MapView
    from view.run import build_run_view
    from view.url_state import ViewState

    serialise = feature_group_serialiser()
    with tempfile.TemporaryDirectory() as store:
        config = Config(events=str(events), boundaries=str(BOUNDARIES), store_dir=store,
                        tiles="none")
        catalog = Catalog.from_loaded(assemble(config))
    rng = np.random.default_rng(seed)
    first, last = to_day(catalog.span[0]), to_day(catalog.span[1])
    days = [from_day(int(d)) for d in rng.integers(first, last + 1, steps)]
    base = folium.Map(tiles=None, prefer_canvas=True)
    out: dict[str, dict] = {}
    for name, layers in (("without", WITHOUT), ("with", WITH)):
        times, sizes = [], []
        for day in [days[0], *days]:  # the first is a warm-up
            began = time.perf_counter()
            view = build_run_view(catalog, ViewState(day=day, window="week", layers=layers),
                                  MapView())
            script = "".join(serialise(g, base) for g in registry.build_groups(view))
            times.append(time.perf_counter() - began)
            sizes.append(len(script.encode()))
        times, sizes = times[1:], sizes[1:]
        out[name] = {"p50_ms": round(1000 * statistics.median(times), 1),
                     "p95_ms": round(1000 * _percentile(times, 95), 1),
                     "bytes_p50": int(statistics.median(sizes)), "bytes_max": max(sizes)}
    out["added_ms_p50"] = round(out["with"]["p50_ms"] - out["without"]["p50_ms"], 1)
    out["added_share_p50"] = round(out["with"]["p50_ms"] / out["without"]["p50_ms"] - 1, 3)
    out["added_bytes_max"] = max(0, out["with"]["bytes_max"] - out["without"]["bytes_max"])
    out["record_bytes_once"] = len(_record_json(catalog).encode())
    out["places"], out["changes"] = len(catalog.control.places), len(catalog.control.changes)
    out["events"], out["steps"] = len(catalog.index), steps
    return out


def _record_json(catalog) -> str:
    from layers.control import record_json

    return record_json(catalog.control, catalog.boundaries)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench control", description=__doc__)
    parser.add_argument("--events", type=Path, default=UCDP)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    parser.add_argument("--browser", type=int, default=0, metavar="STEPS",
                        help="also time key press to map settled in Chromium, STEPS presses "
                             "per mode (needs Debian's Chromium)")
    args = parser.parse_args(argv)
    result = measure(args.events, args.steps, args.seed)
    if args.browser:
        result["browser"] = browser(args.events, args.browser)
    w, c = result["without"], result["with"]
    print(f"control layer on the slider: {result['events']:,} events, {result['places']} "
          f"places, {result['changes']} changes, {result['steps']} week steps")
    print(f"  without control: p50 {w['p50_ms']} ms, p95 {w['p95_ms']} ms, "
          f"{w['bytes_p50'] / 1e3:.0f} KB a step")
    print(f"  with control:    p50 {c['p50_ms']} ms, p95 {c['p95_ms']} ms, "
          f"{c['bytes_p50'] / 1e3:.0f} KB a step")
    print(f"  added: {result['added_ms_p50']} ms ({100 * result['added_share_p50']:.1f} %) at "
          f"p50, at most {result['added_bytes_max'] / 1e3:.1f} KB a step; the record itself "
          f"({result['record_bytes_once'] / 1e3:.0f} KB) is fetched once per page")
    if "browser" in result:
        b = result["browser"]
        print(f"  in Chromium, key press to map settled: without {b['without']['p50_ms']} ms "
              f"(p95 {b['without']['p95_ms']}), with {b['with']['p50_ms']} ms (p95 "
              f"{b['with']['p95_ms']}): {100 * b['added_share_p50']:+.1f} % at p50")
    if args.json:
        print(json.dumps(result))
    return 0


# -- in Chromium: key press to the map settled, with and without the control layers ----------
_MARK_JS = """() => {
  let n = 0;
  window.map.eachLayer((l) => {
    if (l._conflictCell || l._conflictId !== undefined || l._controlPlace) {
      l.__cmStale = true; n += 1; }
  });
  return n;
}"""
# Settled: the header shows the new date, nothing drawn before the key press is left, and the
# layers that were on are drawn again (events; and places, when the control layer is on).
_SETTLED_JS = """([dateText, wantPlaces]) => {
  const head = window.parent.document.querySelector('[data-testid="cm-date"]');
  if (!head || head.textContent.trim() !== dateText || !window.map) { return false; }
  let stale = 0, events = 0, places = 0;
  window.map.eachLayer((l) => {
    const mine = l._conflictCell || l._conflictId !== undefined || l._controlPlace;
    if (!mine) { return; }
    if (l.__cmStale) { stale += 1; return; }
    if (l._controlPlace) { places += 1; } else { events += 1; }
  });
  return stale === 0 && events > 0 && (!wantPlaces || places > 0);
}"""


def browser(events: Path, steps: int) -> dict:
    import datetime as dt

    from playwright.sync_api import sync_playwright

    from tests.browser.harness import (
        CHROMIUM,
        CHROMIUM_ARGS,
        map_content_frame,
        open_at,
        wait_for_app,
    )

    start = dt.date(2017, 6, 1)
    out: dict[str, dict] = {}
    with ucdp_app(events) as server, sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                     headless=True)
        page = chromium.new_page(viewport={"width": 1600, "height": 1000})
        for name, layers in (("without", WITHOUT), ("with", WITH)):
            open_at(page, f"{server.url}/?date={start.isoformat()}&window=week"
                          f"&layers={','.join(layers)}")
            frame = map_content_frame(page)
            frame.wait_for_function("() => window.map && window.map._loaded")
            wait_for_app(page, timeout=90_000)
            thumb = page.get_by_role("slider", name="Date")
            times, day = [], start
            for i in range(1 + steps):
                day += dt.timedelta(days=1)
                frame.evaluate(_MARK_JS)
                thumb.focus()
                began = time.perf_counter()
                page.keyboard.press("ArrowRight")
                frame.wait_for_function(
                    _SETTLED_JS, arg=[f"{day.day} {day:%b %Y}", name == "with"],
                    polling="raf", timeout=90_000)
                if i:
                    times.append(time.perf_counter() - began)
                wait_for_app(page, timeout=90_000)
            out[name] = {"p50_ms": round(1000 * statistics.median(times)),
                         "p95_ms": round(1000 * _percentile(times, 95))}
        chromium.close()
    out["added_share_p50"] = round(out["with"]["p50_ms"] / out["without"]["p50_ms"] - 1, 3)
    return out
