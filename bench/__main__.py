"""``python -m bench``: "One million events on the slider".

Commands::

    python -m bench generate --events N --out FILE    # SYNTHETIC canonical CSV
    python -m bench --events 1000000 [--json]         # the benchmark
    python -m bench control [--json]                  # what the control layer adds to a step
    python -m bench browser [--events N|--ucdp] [--json]  # key press to map settled, vs peers
    python -m bench load [--sessions 10] [--seconds 120] [--json]  # many viewers at once

The benchmark generates a SYNTHETIC CSV in a temporary folder, imports it into a store, then
measures a cold start and the slider steps in fresh processes (see :mod:`bench.measure`). It
prints a table and, on its last line with ``--json``, one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench import generate as gen
from bench import measure


def _generate(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench generate",
                                     description="Write SYNTHETIC canonical events as CSV.")
    parser.add_argument("--events", type=int, required=True, help="number of events")
    parser.add_argument("--out", type=Path, help="CSV file (default: synthetic_events_N.csv)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    out = args.out or Path(gen.default_name(args.events))
    began = time.perf_counter()
    gen.generate(args.events, out, seed=args.seed)
    print(f"wrote {args.events:,} SYNTHETIC events to {out} in "
          f"{time.perf_counter() - began:.1f} s")
    return 0


def _table(result: dict) -> str:
    ok = result["within_targets"]
    mark = {True: "ok", False: "MISSED"}
    lines = [
        f"events            {result['events']:>12,}  (accepted {result['accepted']:,}, "
        f"rejected {result['rejected']:,})",
        f"ingest            {result['ingest_s']:>10.1f} s  target <= "
        f"{measure.TARGETS['ingest_s']:.0f} s  {mark[ok['ingest_s']]}",
        f"cold start        {result['cold_start_s']:>10.2f} s  target <= "
        f"{measure.TARGETS['cold_start_s']:.0f} s  {mark[ok['cold_start_s']]}",
        f"rss loaded        {result['rss_mb_loaded']:>9.0f} MB  target <= "
        f"{measure.TARGETS['rss_mb_loaded']} MB  {mark[ok['rss_mb_loaded']]}",
        f"rss per session   {result['rss_mb_per_session']:>9.1f} MB  target <= "
        f"{measure.TARGETS['rss_mb_per_session']} MB  {mark[ok['rss_mb_per_session']]}",
        "step (ms)              p50       p95     bytes sent",
    ]
    for window, times in result["step_ms"].items():
        lines.append(f"  {window:<16} {times['p50']:>8.1f}  {times['p95']:>8.1f}  "
                     f"{result['payload_bytes'][window]:>12,}")
    singles = result.get("step_ms_most_singles")
    if singles:
        label = f"{singles['window_days']}-day windows"
        lines.append(f"  {label:<16} {singles['p50']:>8.1f}  {singles['p95']:>8.1f}  "
                     f"{singles['payload_bytes']:>12,}  "
                     f"(~{singles['events_p50']:,} single events with details)")
    live = result.get("live_step_ms")
    if live:
        lines.append(f"live step (ms)         p50       p95     bytes sent  (the browser draws "
                     f"from {live['slab_bytes']:,} bytes of slabs sent once, encoded in "
                     f"{live['encode_s']:.2f} s)")
        lines += [f"  {window:<16} {live[window]['p50']:>8.1f}  {live[window]['p95']:>8.1f}  "
                  f"{live[window]['max_bytes']:>12,}" for window in measure.WINDOWS]
    said = result.get("summary_median_day")
    if said:
        lines.append(f"the layer says on {said['day']} (median sampled date):")
        lines += [f"  {window:<16} {said[window]}" for window in result["step_ms"]
                  if window in said]
    for window, naive in result["naive_by_window"].items():
        lines.append(f"naive / ours      {naive['ratio']:>10.1f} x  (window '{window}', naive "
                     f"p50 {naive['naive_ms_p50']:.0f} ms, {naive['naive_payload_bytes']:,} "
                     f"bytes, {int(np.median(naive['naive_events'])):,} events)")
    machine = result["machine"]
    lines.append(f"machine           {machine['nproc']} cpu, {machine['cpu_model']}, "
                 f"{machine['ram_gb']} GB RAM, load average {machine['loadavg_1min']} "
                 f"(at start {machine.get('loadavg_1min_before_measuring', '?')})")
    return "\n".join(lines)


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench",
                                     description="One million events on the slider.")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    parser.add_argument("--steps", type=int, default=30, help="random dates per window")
    parser.add_argument("--naive-steps", type=int, default=3,
                        help="dates for the naive build (slow: one folium object per event)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, help="keep the CSV and store here")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        csv_path = work / gen.default_name(args.events)
        store_dir = work / "store"
        began = time.perf_counter()
        gen.generate(args.events, csv_path, seed=args.seed)
        generate_s = time.perf_counter() - began

        result: dict[str, object] = {"events_requested": args.events, "generate_s": generate_s}
        result.update(measure.ingest(csv_path, store_dir))
        load_before = round(os.getloadavg()[0], 2)
        result.update(measure.cold_start(store_dir))
        result.update(measure.steps(store_dir, args.steps, args.naive_steps, args.seed))
        result["csv_bytes"] = csv_path.stat().st_size
        result["store_bytes"] = sum(p.stat().st_size for p in store_dir.glob("*.parquet"))
    result["machine"] = measure.machine()
    result["machine"]["loadavg_1min_before_measuring"] = load_before
    result["method"] = {
        "step": "window query + layers.events.build (zoom 7, aggregation included) + "
                "streamlit_folium._get_feature_group_string; base map built outside the timing",
        "payload_bytes": "largest FeatureGroup script (UTF-8 bytes) over the sampled dates",
        "step_ms_most_singles": "same dates, windows sized to hold just under the 4,000 "
                                "single-event cap (the dearest step: every event with details)",
        "cold_start_s": "median of 3: launch of a new python process until store.load_all + "
                        "EventIndex.from_events are done (interpreter and imports included)",
        "rss_mb_loaded": "VmRSS of a fresh process after loading the store and the index",
        "rss_mb_per_session": f"{measure.SESSIONS} simulated sessions each hold one step's "
                              "rows, FeatureGroup and script (the index is shared); the larger "
                              "of the VmRSS growth and the tracemalloc-traced memory still "
                              f"held, divided by {measure.SESSIONS}",
        "naive_ratio": "median time of one CircleMarker+Popup per event (same 'week' windows, "
                       "same serialisation) / median of ours; naive_by_window has 'week' and "
                       "'quarter' (where ours aggregates and naive draws every event)",
    }
    result["targets"] = measure.TARGETS
    result["within_targets"] = measure.within_targets(result)
    print(_table(result))
    if args.json:
        print(json.dumps(result))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "generate":
        return _generate(argv[1:])
    if argv and argv[0] == "control":
        from bench import control_step

        return control_step.main(argv[1:])
    if argv and argv[0] == "load":
        from bench import load

        return load.main(argv[1:])
    if argv and argv[0] == "browser":
        from bench import browser

        return browser.main(argv[1:])
    if argv and argv[0] == "_cold":  # internal: the cold-start child process
        measure.cold_child(argv[1])
        return 0
    if argv and argv[0] == "_steps":  # internal: the measuring child process
        measure.steps_child(argv[1], int(argv[2]), int(argv[3]), int(argv[4]))
        return 0
    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
