"""The pure parts of ``python -m bench browser`` (bench/browser_stats.py), without a browser:
when a step has settled, percentiles, play rates, start days, targets and the tables."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from bench import browser_stats as stats
from bench.browser import _has_map, frame_bytes

PRESS = 1000.0


def judge(changes, runs, now, **kw):
    return stats.judge_step(PRESS, "A", changes, runs, now, **kw)


# -- settle detection on synthetic frame sequences ----------------------------------------------
def test_settles_at_the_last_change_once_quiet_and_the_script_is_done():
    changes = [(1030.0, "B"), (1090.0, "C")]
    runs = [(1010.0, "running"), (1200.0, "notRunning")]
    assert judge(changes, runs, 1450.0) is None  # 250 ms after the run ended: not quiet yet
    step = judge(changes, runs, 1500.0)
    assert step == stats.Step(stats.OK, 90.0, 2, 30.0)


def test_a_change_while_the_script_runs_is_not_the_end():
    # The browser redrew at once; the server's answer redraws again 600 ms later.
    changes = [(1020.0, "B")]
    runs = [(1005.0, "running")]
    assert judge(changes, runs, 1900.0) is None  # still running: the server may redraw
    changes.append((1620.0, "C"))
    runs.append((1600.0, "notRunning"))
    assert judge(changes, runs, 1800.0) is None  # 180 ms after the last change
    step = judge(changes, runs, 1920.0)
    assert step.status == stats.OK and step.ms == 620.0 and step.first_ms == 20.0


def test_returning_to_the_image_before_the_press_is_flagged():
    step = judge([(1050.0, "B"), (1100.0, "A")], [(1010.0, "running"), (1060.0, "notRunning")],
                 1500.0)
    assert step.status == stats.SAME and step.ms == 100.0


def test_no_change_at_all_waits_longer_then_says_unchanged():
    runs = [(1010.0, "running"), (1100.0, "notRunning")]
    assert judge([], runs, 1100.0 + stats.QUIET_MS + 1) is None  # would be settled if changed
    step = judge([], runs, 1100.0 + stats.IDLE_QUIET_MS + 1)
    assert step == stats.Step(stats.UNCHANGED, None, 0)


def test_changes_before_the_press_are_ignored():
    step = judge([(900.0, "B"), (999.0, "A")], [(1010.0, "running"), (1050.0, "notRunning")],
                 3000.0)
    assert step.status == stats.UNCHANGED


def test_an_app_that_never_reruns_its_script_waits_for_the_grace_period():
    changes = [(1016.0, "B")]
    assert judge(changes, [], 1016.0 + stats.QUIET_MS + 1) is None  # the server may still run
    step = judge(changes, [], PRESS + stats.RUN_GRACE_MS + 1)
    assert step.status == stats.OK and step.ms == 16.0


def test_a_run_started_before_the_press_keeps_the_step_open():
    changes = [(1040.0, "B")]
    assert judge(changes, [], 2500.0, state_at_press="running") is None
    step = judge(changes, [(1300.0, "notRunning")], 2500.0, state_at_press="running")
    assert step.status == stats.OK and step.ms == 40.0


def test_times_out_while_the_map_keeps_changing():
    changes = [(PRESS + 100.0 * i, f"S{i}") for i in range(1, 700)]
    step = judge(changes, [(1010.0, "running")], PRESS + stats.STEP_TIMEOUT_MS)
    assert step.status == stats.TIMEOUT and step.ms is None and step.changes == 699


# -- percentiles and summaries -------------------------------------------------------------------
def test_percentile_interpolates_like_numpy_and_handles_empty():
    values = [10.0, 20.0, 30.0, 40.0, 100.0]
    assert stats.percentile(values, 50) == 30.0
    assert stats.percentile(values, 95) == pytest.approx(88.0)
    assert stats.percentile([], 50) is None
    assert stats.percentile([None, float("nan")], 50) is None


def test_summary_uses_only_steps_that_redrew():
    steps = [stats.Step(stats.OK, 100.0, 2, 20.0), stats.Step(stats.OK, 300.0, 1, 300.0),
             stats.Step(stats.SAME, 200.0, 2, 50.0), stats.Step(stats.UNCHANGED, None, 0),
             stats.Step(stats.TIMEOUT, None, 9, 40.0)]
    summary = stats.summarise_steps(steps)
    assert summary["p50_ms"] == 200.0
    assert summary["p95_ms"] == pytest.approx(290.0)
    assert summary["first_change_p50_ms"] == 50.0
    assert (summary["steps"], summary["ok"], summary["same_as_start"], summary["unchanged"],
            summary["timeout"]) == (5, 2, 1, 1, 1)


def test_play_counts_distinct_images_a_second():
    # Click at 0; the map changes from 500 ms on, every 100 ms, through an empty map in between
    # each drawing: 10 drawings and the empty map = 11 distinct images in 1.5 s.
    changes = []
    for i in range(10):
        changes += [(500.0 + 100 * i, "empty"), (550.0 + 100 * i, f"day{i}")]
    rates = stats.play_rates(changes, 0.0, 2000.0)
    assert rates["distinct_images"] == 11
    assert rates["frames_per_s"] == pytest.approx(11 / 1.5, abs=0.01)
    assert rates["changes_per_s"] == pytest.approx(20 / 1.5, abs=0.01)
    assert rates["first_change_ms"] == 500.0
    assert stats.play_rates([], 0.0, 5000.0)["frames_per_s"] == 0.0


# -- start days and window counts ------------------------------------------------------------
def test_start_days_have_events_on_every_following_day():
    starts = np.array([10, 11, 12, 13, 20, 21, 22, 23, 24, 40, 41])
    picked = stats.start_days(starts, 2, 3, seed=0, first=0, last=50)
    assert picked == sorted(picked) and len(picked) == 2
    for day in picked:
        assert all(day + k in set(starts) for k in (1, 2, 3))
    assert stats.start_days(starts, 2, 3, seed=0, first=0, last=50) == picked  # fixed seed
    assert stats.start_days(starts, 5, 10, seed=0, first=0, last=50) == []


def test_window_count_is_trailing_and_inclusive():
    start = np.array([0, 5, 9, 10, 20])
    end = np.array([0, 8, 9, 10, 25])
    assert stats.window_count(start, end, 10, "week") == 3  # days 4..10: 5-8, 9, 10
    assert stats.window_count(start, end, 10, "all") == 4
    assert stats.window_count(start, end, 100, "quarter") == 2  # days 10..100


# -- targets and tables ------------------------------------------------------------------------
def _result():
    apps = {
        "ours": {"week": {"p50_ms": 50.0, "p95_ms": 200.0, "first_change_p50_ms": 20.0,
                          "steps": 12, "ok": 12, "bytes_once": 8_400_000,
                          "bytes_per_step_p50": 12_300, "status": stats.OK},
                 "all": {"p50_ms": 130.0, "p95_ms": 260.0, "steps": 12, "ok": 11,
                         "same_as_start": 1, "status": stats.OK}},
        "folium_markers": {"week": {"p50_ms": 6000.0, "p95_ms": 7000.0, "steps": 12,
                                    "status": stats.OK},
                           "all": {"status": "did not finish: 25,000 markers", "steps": 0}},
        "pydeck": {"week": {"p50_ms": 300.0, "p95_ms": 400.0, "steps": 12, "status": stats.OK},
                   "all": {"p50_ms": 500.0, "p95_ms": 900.0, "steps": 12, "status": stats.OK}},
    }
    result = {"events": 16_722, "dataset": "real UCDP", "windows": ["week", "all"],
              "steps_per_window": 12, "apps": apps, "errors": [],
              "play": {"frames_per_s": 12.5, "changes_per_s": 13.0, "seconds": 4.6,
                       "first_change_ms": 40.0},
              "machine": {"cpu_model": "Test CPU", "nproc": 2, "ram_gb": 24.0,
                          "chromium": "Chromium 1", "loadavg_1min": 1.5}}
    result["compare"] = stats.compare(apps, result["windows"])
    return result


def test_compare_and_targets():
    result = _result()
    week, all_ = result["compare"]["week"], result["compare"]["all"]
    assert week["ratios"] == {"folium_markers": 120.0, "pydeck": 6.0}
    assert (week["fastest_peer"], week["vs_fastest_peer"]) == ("pydeck", 6.0)
    assert all_["ratios"]["folium_markers"] is None  # did not finish: no ratio
    assert all_["vs_fastest_peer"] == pytest.approx(3.8)
    met = stats.within_targets(result)
    assert met["week_p50_ms"] and met["week_p95_ms"] and met["week_vs_fastest_peer"]
    assert met["week_vs_folium"] is True
    assert met["all_p50_ms"] is False and met["all_p95_ms"] is False
    assert met["all_vs_fastest_peer"] is False and met["all_vs_folium"] is None
    assert met["play_fps"] is True


def test_text_and_markdown_tables():
    result = _result()
    text = stats.text_table(result)
    lines = text.splitlines()
    assert lines[0] == "key press to map settled, 16,722 events (real UCDP)"
    assert lines[1].split()[:4] == ["app", "window", "p50", "ms"]
    ours_week = next(line for line in lines if line.startswith("ours") and " week " in line)
    assert ours_week.split()[2:5] == ["50", "200", "20"]
    assert "8.4 MB" in ours_week and "12.3 KB" in ours_week
    folium_all = next(line for line in lines if line.startswith("folium markers")
                      and " all " in line)
    assert "did not finish: 25,000 markers" in folium_all
    assert "120.0×" in next(line for line in lines if line.startswith("folium markers"))
    assert "1 back to start" in next(line for line in lines if line.startswith("ours")
                                     and " all " in line)
    assert "12.5 map images a second" in text
    week_targets = next(line for line in lines if line.startswith("targets, week"))
    assert week_targets == ("targets, week: p50 50 <= 120 ms met; p95 200 <= 250 ms met; "
                            ">= 5x the fastest peer (pydeck Scatterplot: 6.0x) met; "
                            ">= 100x plain folium (120.0x) met")
    all_targets = next(line for line in lines if line.startswith("targets, all"))
    assert "p95 260 <= 250 ms MISSED" in all_targets
    assert "plain folium (–) not measured" in all_targets
    assert "targets, play: 12.5 >= 10 map images a second met" in lines
    assert lines[-1].startswith("machine: Test CPU, 2 cores, 24.0 GB RAM, Chromium 1")

    md = stats.markdown_table(result).splitlines()
    header = md.index("| " + " | ".join(stats.HEADER) + " |")
    assert md[header + 1].count("---:") == 7
    body = md[header + 2: header + 2 + 6]
    assert all(r.startswith("| ") and r.count("|") == len(stats.HEADER) + 1 for r in body)
    assert body[0].startswith("| ours | week | 50 | 200 | 20 | 12 |")
    assert md[-1].startswith("Machine: Test CPU")


# -- small helpers of the driver -------------------------------------------------------------
def test_websocket_frame_bytes():
    payload = bytes(range(200))
    assert frame_bytes({"opcode": 2, "payloadData": base64.b64encode(payload).decode()}) == 200
    assert frame_bytes({"opcode": 1, "payloadData": "héllo"}) == 6
    assert frame_bytes({"opcode": 2, "payloadData": ""}) == 0


def test_a_map_is_there_once_the_probe_sees_it():
    assert not _has_map("", "leaflet") and not _has_map(None, "deck")
    assert _has_map("px:0/0|dom:1a", "leaflet")
    assert not _has_map("px:0/0|dom:1a", "deck")  # deck.gl without its canvas yet
    assert not _has_map("px:3/1/blank|dom:1a", "deck")
    assert _has_map("px:3/1|dom:1a", "deck")


def test_the_peers_windows_are_the_benchmarks_windows():
    # bench/peers/common.py filters with pandas; the benchmark counts with day numbers (for the
    # plain-folium cap): both must agree, window by window, day by day.
    import datetime as dt

    import pandas as pd

    from bench.peers.common import window_rows

    rng = np.random.default_rng(3)
    start = rng.integers(0, 400, 500)
    end = start + rng.integers(0, 20, 500)
    epoch = pd.Timestamp("1970-01-01")
    events = pd.DataFrame({"date_start": epoch + pd.to_timedelta(start, unit="D"),
                           "date_end": epoch + pd.to_timedelta(end, unit="D")})
    for window in stats.WINDOW_DAYS:
        for day in (0, 6, 90, 200, 399):
            shown = len(window_rows(events, dt.date(1970, 1, 1) + dt.timedelta(days=day),
                                    window))
            assert shown == stats.window_count(start, end, day, window), (window, day)
