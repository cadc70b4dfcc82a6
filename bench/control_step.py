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

ROOT = Path(__file__).resolve().parent.parent
UCDP = ROOT.parent / "shared" / "data" / "ucdp-ged-syria-2016-2019"
BOUNDARIES = ROOT.parent / "shared" / "data" / "ocha-cod-ab-syria"
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
    args = parser.parse_args(argv)
    result = measure(args.events, args.steps, args.seed)
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
    if args.json:
        print(json.dumps(result))
    return 0
