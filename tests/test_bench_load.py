"""The pure parts of ``python -m bench load``: the report's arithmetic, the table, the
metrics parser, and the /proc readers on this test's own process and a child of it."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time

import pytest

from bench import app_server, load
from bench.measure import rss_mb

METRICS = """# TYPE session_events counter
# HELP session_events Total count of session events by type.
session_events_total{type="connect"} 12
session_events_total{type="reconnect"} 0
session_events_total{type="disconnect"} 11
# TYPE active_sessions gauge
# HELP active_sessions Current number of active sessions.
active_sessions 1
# EOF
"""


def _linear_percentile(values: list[float], q: float) -> float:
    """The textbook definition (rank q/100 * (n-1), interpolated), written out."""
    ordered = sorted(values)
    rank = q / 100 * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def test_percentiles_and_step_summary():
    times = [120.0, 80.0, 400.0, 95.0, 101.0, 3000.0, 150.0]
    for q in (50, 95):
        assert load.percentile(times, q) == pytest.approx(_linear_percentile(times, q))
    summary = load.summarise(times)
    assert summary == {"steps": 7, "p50_ms": round(_linear_percentile(times, 50)),
                       "p95_ms": round(_linear_percentile(times, 95)), "max_ms": 3000}
    assert summary["p50_ms"] == 120
    assert load.summarise([]) == {"steps": 0, "p50_ms": None, "p95_ms": None, "max_ms": None}


def test_memory_held_after_close_is_judged_against_the_limit():
    ok = load.memory_summary(300.0, [310.0, 350.0, 330.0], 349.9)
    assert ok == {"before": 300.0, "peak": 350.0, "mean": 330.0, "after": 349.9,
                  "held_after_close": 49.9, "limit_held": load.MEMORY_SLACK_MB, "ok": True}
    over = load.memory_summary(300.0, [310.0], 350.5)
    assert over["held_after_close"] == 50.5 and over["ok"] is False
    assert load.memory_summary(300.0, [], 280.0)["ok"] is True  # less held than before


def _viewer(name, steps, errors=(), windows=(300.0,)):
    return {"name": name, "step_ms": list(steps), "window_ms": list(windows),
            "run_ms": [2 * t for t in steps], "errors": list(errors)}


def test_report_compares_each_session_with_the_single_viewer():
    single = _viewer("single", [100.0, 100.0, 200.0, 200.0])
    sessions = [_viewer("viewer 1", [300.0, 300.0, 500.0]),
                _viewer("viewer 2", [150.0, 250.0])]
    memory = load.memory_summary(300.0, [320.0], 310.0)
    report = load.build_report(single, sessions, memory, seconds=10)
    assert report["single"]["p50_ms"] == 150
    assert report["single"]["run_p50_ms"] == 300
    first, second = report["per_session"]
    assert (first["steps"], first["p50_ms"], first["p50_vs_single"]) == (3, 300, 2.0)
    assert first["p95_ms"] == round(_linear_percentile([300, 300, 500], 95))
    assert first["p95_vs_single"] == round(first["p95_ms"] / report["single"]["p95_ms"], 2)
    assert (second["p50_ms"], second["p50_vs_single"]) == (200, 1.33)
    pooled = report["all_sessions"]
    assert pooled["steps"] == 5 and pooled["p50_ms"] == 300
    assert report["errors"] == 0 and report["ok"] is True and report["seconds"] == 10

    table = load.format_table(report)
    assert "viewer 1" in table and "viewer 2" in table and "single" in table
    assert table.splitlines()[-1] == "result: ok"


def test_any_error_a_silent_session_or_held_memory_fails_the_report():
    single = _viewer("single", [100.0])
    memory = load.memory_summary(300.0, [320.0], 310.0)
    failing = load.build_report(
        single, [_viewer("viewer 1", [120.0], errors=["console error: boom"]),
                 _viewer("viewer 2", [130.0])], memory)
    assert failing["ok"] is False and failing["errors"] == 1
    assert failing["per_session"][0]["errors"] == 1
    assert failing["error_samples"] == ["viewer 1: console error: boom"]
    table = load.format_table(failing)
    assert "error: viewer 1: console error: boom" in table
    assert table.splitlines()[-1] == "result: FAILED"

    silent = load.build_report(single, [_viewer("viewer 1", [])], memory)
    assert silent["ok"] is False and silent["sessions_without_steps"] == ["viewer 1"]
    assert silent["per_session"][0]["p50_vs_single"] is None

    held = load.build_report(single, [_viewer("viewer 1", [100.0])],
                             load.memory_summary(300.0, [400.0], 360.0))
    assert held["ok"] is False and held["errors"] == 0
    assert "OVER" in load.format_table(held)

    probe_failed = load.build_report(single, [_viewer("viewer 1", [100.0])], memory,
                                     other_errors=("probe 1, attempt 1: exception box",))
    assert probe_failed["ok"] is False and probe_failed["errors"] == 1

    single_failed = load.build_report(_viewer("single", [100.0], errors=["a dialog"]),
                                      [_viewer("viewer 1", [100.0])], memory)
    assert single_failed["ok"] is False and single_failed["single"]["errors"] == 1


def test_metrics_parser_reads_sessions():
    assert load.parse_metrics(METRICS) == {"active": 1, "connects": 12, "disconnects": 11}
    assert load.parse_metrics("# EOF\n") == {}


def test_rss_reader_sees_this_process_grow():
    assert rss_mb(os.getpid()) == pytest.approx(rss_mb(), abs=5)  # /proc/<pid> = /proc/self
    assert app_server.tree_rss_mb(os.getpid()) >= rss_mb(os.getpid()) - 5
    before = rss_mb(os.getpid())
    block = bytearray(96 * 2**20)  # zero-filled: every page is touched
    try:
        assert rss_mb(os.getpid()) - before >= 90
    finally:
        del block


def test_tree_readers_count_a_child_process():
    code = "x = bytearray(80 * 2**20); print('ready', flush=True); import time; time.sleep(60)"
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        assert child.pid in app_server.descendants(os.getpid())
        assert app_server.tree_rss_mb(os.getpid()) - rss_mb(os.getpid()) >= 80
        assert app_server.threads(child.pid) >= 1
        assert app_server.open_fds(child.pid) >= 3  # stdin, stdout, stderr
    finally:
        child.kill()
        child.wait(timeout=10)
    assert child.pid not in app_server.descendants(os.getpid())


def test_cpu_reader_counts_this_process_work():
    began = app_server.cpu_s(os.getpid())
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:
        pass
    assert app_server.cpu_s(os.getpid()) - began >= 0.2


def test_viewers_step_where_the_real_events_are(shared_data):
    # PROVENANCE.md of the file: "date_start 2016-01-01 .. 2019-11-30".
    assert load.event_span(shared_data / "ucdp-ged-syria-2016-2019") == (
        dt.date(2016, 1, 1), dt.date(2019, 11, 30))
