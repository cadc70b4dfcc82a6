"""``python -m bench load``: many viewers at once on one server (issue 11, item 7).

One ``streamlit run app.py`` on the real UCDP GED Syria file (empty temporary store, no tiles)
and one Debian Chromium with a browser context per viewer, driven by Playwright's asyncio API
(one process with N contexts is the lightest way to run N viewers on a 2-core machine).

1. **Warm-up**: one viewer opens the page and steps a few times (the catalog is loaded into
   ``st.cache_resource``, imports and templates are compiled); not measured.
2. **Single viewer**: one context alone steps the date slider ``--single-steps`` times with the
   keyboard, changing the window every ``WINDOW_EVERY`` actions.
3. **Memory before**: the server drops every closed session (see *Dropping sessions*); its
   resident memory (``VmRSS`` of the process and its children) is read once it settles.
4. **N viewers** (``--sessions``), each in its own context, open their page together and then
   for ``--seconds`` step the slider (ArrowRight / ArrowLeft on the focused slider, the
   direction turning at random), change the window with its selectbox every ``WINDOW_EVERY``
   actions, and pause ``--think`` seconds (0.5x to 1.5x, at random) after each run has
   finished. Every viewer has its own random start day, window and choices, from ``--seed``.
   Memory is sampled every half second (peak and mean).
5. **Memory after**: every context is closed, the server drops the sessions, memory settles.

**A step** is measured by :func:`time_key_to_banner`: inside the page, from the key's
``keydown`` to the moment the date banner (``.cm-date``, written by the server's run) shows the
new day. It is the server's answer, whatever the map does meanwhile.

**An error** is a page error, a console error, Streamlit's exception box, a step or window
change that gets no answer within ``STEP_TIMEOUT_S``, a request to a host other than this
machine (aborted), or a dialog. Any error, or memory held after the sessions closed more than
``MEMORY_SLACK_MB`` above *before*, makes the command exit 1.

**Dropping sessions.** Streamlit keeps a disconnected session for reconnection for
``server.disconnectedSessionTTL`` seconds (default 120; this benchmark sets
``STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL``, ``--session-ttl``, to 5). An expired session is
only removed from that store by the *next* write to it, i.e. the next disconnect
(``streamlit/runtime/caching/ttl_cache.py``: "only actually removed by a write"), and is then
dereferenced without ``AppSession.shutdown()``. So after waiting out the TTL the benchmark opens
and closes one probe page (its disconnect removes the expired sessions), then a second one
(its run ends with Streamlit's ``gc.collect``, which frees what the removed sessions held in
reference cycles). *Before* and *after* are both read in that state: two probe sessions stored.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import re
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from playwright.async_api import Error as PlaywrightError

from bench import app_server
from bench.measure import machine
from view.clock import WINDOW_LABELS, WINDOWS, format_day

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
STEP_TIMEOUT_S = 15.0
OPEN_TIMEOUT_S = 120.0  # ten pages opening at once on two cores, the first one loading data
WINDOW_EVERY = 10  # every tenth action of a viewer changes the window
WARMUP_STEPS = 5
MEMORY_SLACK_MB = 50.0
GIVE_UP_AFTER = 5  # errors: a viewer whose page keeps failing stops (its errors fail the run)
SAMPLE_EVERY_S = 0.5
SETTLE_TIMEOUT_S = 60.0
VIEWPORT = {"width": 1600, "height": 1000}  # as the browser tests
# Every context's page must run at full speed although only one can have the focus.
BROWSER_ARGS = ["--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                "--disable-backgrounding-occluded-windows"]
APP_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
APP_CONNECTED = "[data-testid='stApp'][data-test-connection-state='CONNECTED']"
EXCEPTION_BOX = "[data-testid='stException']"
WINDOW_SELECTBOX = ".st-key-window [data-testid='stSelectbox']"

# Armed before a key press: resolves with the milliseconds from the press's keydown until the
# date banner shows ``target`` (null after ``timeoutMs``). Measured inside the page, so the
# benchmark's own scheduling of N viewers does not enter the figure.
_ARM_BANNER_JS = """([target, timeoutMs]) => {
  window.__cmStep = new Promise((resolve) => {
    let pressed = null;
    const shows = () => {
      const el = document.querySelector('.cm-date');
      return el !== null && el.textContent.trim() === target;
    };
    const done = (value) => { observer.disconnect(); clearTimeout(timer); resolve(value); };
    window.addEventListener('keydown', () => { pressed = performance.now(); },
                            {capture: true, once: true});
    const observer = new MutationObserver(() => {
      if (pressed !== null && shows()) { done(performance.now() - pressed); }
    });
    observer.observe(document.body, {subtree: true, childList: true, characterData: true});
    const timer = setTimeout(() => done(null), timeoutMs);
  });
  return true;
}"""
# The window line under the date: its first text ('26 May 2017 – 1 Jun 2017 (7 days to the
# date)'), or the day alone for the one-day window.
_WINDOW_SHOWS_JS = """([label, dayText]) => {
  const el = document.querySelector('.cm-window');
  if (el === null || el.firstChild === null) { return false; }
  const line = el.firstChild.textContent.trim();
  return label === null ? line === dayText : line.endsWith('(' + label + ')');
}"""


# -- the arithmetic of the report (pure) ------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (linear interpolation, as numpy's default); NaN when empty."""
    return float(np.percentile(np.asarray(values, dtype=float), q)) if values else float("nan")


def summarise(step_ms: list[float]) -> dict[str, float | int]:
    """Steps, p50, p95 and max of a list of step times (ms), rounded to whole ms."""
    if not step_ms:
        return {"steps": 0, "p50_ms": None, "p95_ms": None, "max_ms": None}
    return {"steps": len(step_ms), "p50_ms": round(percentile(step_ms, 50)),
            "p95_ms": round(percentile(step_ms, 95)), "max_ms": round(max(step_ms))}


def memory_summary(before_mb: float, during_mb: list[float], after_mb: float,
                   slack_mb: float = MEMORY_SLACK_MB) -> dict[str, float | bool]:
    """Before, peak and mean during, after; what is held after the sessions closed, and
    whether that is within ``slack_mb`` of before."""
    held = after_mb - before_mb
    return {
        "before": round(before_mb, 1),
        "peak": round(max(during_mb), 1) if during_mb else None,
        "mean": round(sum(during_mb) / len(during_mb), 1) if during_mb else None,
        "after": round(after_mb, 1),
        "held_after_close": round(held, 1),
        "limit_held": slack_mb,
        "ok": held <= slack_mb,
    }


def build_report(single: dict, sessions: list[dict], memory: dict,
                 other_errors: tuple[str, ...] = (), **extra) -> dict:
    """The benchmark's result: the single viewer, each session (with its p50 and p95 over the
    single viewer's), all sessions' steps pooled, the memory and the verdict.

    ``single`` and each of ``sessions`` carry ``name``, ``step_ms``, ``window_ms`` and
    ``errors`` (a list of sentences); ``other_errors`` are the errors of pages that are not
    measured (the probes that make the server drop sessions): they fail the run too.
    """
    alone = summarise(single["step_ms"])

    def ratio(value, base):
        return round(value / base, 2) if value is not None and base else None

    rows = []
    for s in sessions:
        row = {"name": s["name"], **summarise(s["step_ms"]),
               "run_p50_ms": summarise(s.get("run_ms", []))["p50_ms"],
               "window_changes": len(s["window_ms"]), "errors": len(s["errors"])}
        row["p50_vs_single"] = ratio(row["p50_ms"], alone["p50_ms"])
        row["p95_vs_single"] = ratio(row["p95_ms"], alone["p95_ms"])
        rows.append(row)
    pooled = summarise([t for s in sessions for t in s["step_ms"]])
    pooled["p50_vs_single"] = ratio(pooled["p50_ms"], alone["p50_ms"])
    pooled["p95_vs_single"] = ratio(pooled["p95_ms"], alone["p95_ms"])
    every_error = [f"{s['name']}: {e}" for s in [single, *sessions] for e in s["errors"]]
    every_error += list(other_errors)
    idle = [s["name"] for s in sessions if not s["step_ms"]]
    report = {
        "sessions": len(sessions),
        "single": {**alone, "run_p50_ms": summarise(single.get("run_ms", []))["p50_ms"],
                   "window_changes": len(single["window_ms"]),
                   "window_p50_ms": summarise(single["window_ms"])["p50_ms"],
                   "errors": len(single["errors"])},
        "per_session": rows,
        "all_sessions": {
            **pooled,
            "run_p50_ms": summarise([t for s in sessions for t in s.get("run_ms", [])])[
                "p50_ms"],
            "window_p50_ms": summarise([t for s in sessions for t in s["window_ms"]])[
                "p50_ms"]},
        "errors": len(every_error),
        "error_samples": every_error[:20],
        "sessions_without_steps": idle,
        "memory_mb": memory,
        **extra,
    }
    report["ok"] = not every_error and not idle and bool(memory["ok"])
    return report


def _ms(value) -> str:
    return "-" if value is None else f"{value:,}"


def format_table(report: dict) -> str:
    """The report as a table: one line per session, the single viewer, memory, verdict."""
    single, pooled, mem = report["single"], report["all_sessions"], report["memory_mb"]

    def line(name, row, errors, windows, note=""):
        return (f"{name:<10} {row['steps']:>6} {windows:>8} {errors:>7} "
                f"{_ms(row['p50_ms']):>8} {_ms(row['p95_ms']):>8} {_ms(row['max_ms']):>8} "
                f"{_ms(row.get('run_p50_ms')):>8} {_ms(row.get('p50_vs_single')):>8} "
                f"{_ms(row.get('p95_vs_single')):>8}{note}")

    lines = [
        f"{report['sessions']} concurrent viewers for {report.get('seconds', '?')} s on one "
        f"server (real UCDP file); a step is key press to the date banner showing the day:",
        f"{'session':<10} {'steps':>6} {'windows':>8} {'errors':>7} {'p50 ms':>8} "
        f"{'p95 ms':>8} {'max ms':>8} {'run p50':>8} {'p50 x1':>8} {'p95 x1':>8}",
    ]
    lines += [line(r["name"], r, r["errors"], r["window_changes"])
              for r in report["per_session"]]
    lines.append(line("all", pooled, report["errors"], ""))
    lines.append(line("single", single, single["errors"], single["window_changes"],
                      "  (one viewer alone, same run)"))
    lines.append("(run p50: key press to the run finished; x1: over the single viewer)")
    lines.append(
        f"server memory (RSS, MB): before {mem['before']}, during peak {mem['peak']} / mean "
        f"{mem['mean']}, after {mem['after']}: held after close {mem['held_after_close']:+} "
        f"(limit +{mem['limit_held']:g}) {'ok' if mem['ok'] else 'OVER'}")
    for phase, cpu in report.get("cpu", {}).items():
        lines.append(
            f"CPU s, {phase:<10}: server {cpu['server_cpu_s']:>6.1f}, browser "
            f"{cpu['browser_cpu_s']:>6.1f}, benchmark {cpu['bench_cpu_s']:>5.1f} of "
            f"{cpu['cpu_s_available']:.0f} in {cpu['wall_s']:.0f} s")
    server = report.get("server")
    if server:
        lines.append(
            f"server: threads {server['threads_before']} -> {server['threads_after']}, open "
            f"files {server['fds_before']} -> {server['fds_after']}; sessions connected "
            f"{server['connects']}, disconnected {server['disconnects']}")
    for sample in report["error_samples"]:
        lines.append(f"error: {sample}")
    for name in report["sessions_without_steps"]:
        lines.append(f"error: {name} made no step")
    lines.append("result: ok" if report["ok"] else "result: FAILED")
    return "\n".join(lines)


def parse_metrics(text: str) -> dict[str, int]:
    """``active_sessions`` and the ``connect`` / ``disconnect`` session events from
    Streamlit's ``/_stcore/metrics`` (OpenMetrics text)."""
    out = {}
    active = re.search(r"^active_sessions (\d+)$", text, re.MULTILINE)
    if active:
        out["active"] = int(active.group(1))
    for kind in ("connect", "disconnect"):
        found = re.search(rf'^session_events_total\{{type="{kind}"\}} (\d+)$', text,
                          re.MULTILINE)
        if found:
            out[kind + "s"] = int(found.group(1))
    return out


def event_span(events: Path) -> tuple[dt.date, dt.date]:
    """First and last ``date_start`` of the UCDP CSV file(s) at ``events`` (file or folder):
    the viewers step where the real events are."""
    import pandas as pd

    files = sorted(events.glob("*.csv")) if events.is_dir() else [events]
    if not files:
        raise FileNotFoundError(f"{events}: no CSV file to read the events' dates from")
    days = pd.concat([pd.to_datetime(pd.read_csv(f, usecols=["date_start"])["date_start"])
                      for f in files])
    return days.min().date(), days.max().date()


# -- one viewer -------------------------------------------------------------------------------
@dataclass
class Viewer:
    """What one browser context did: its step and window-change times (ms), its errors."""

    name: str
    step_ms: list[float] = field(default_factory=list)
    window_ms: list[float] = field(default_factory=list)
    run_ms: list[float] = field(default_factory=list)  # key press to the run finished
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"name": self.name, "step_ms": self.step_ms, "window_ms": self.window_ms,
                "run_ms": self.run_ms, "errors": self.errors}


async def time_key_to_banner(page, key: str, day: dt.date,
                             timeout_s: float = STEP_TIMEOUT_S) -> float | None:
    """THE MEASURE OF A STEP: press ``key`` and return the milliseconds, measured in the page,
    from its ``keydown`` until the date banner (``.cm-date``, the server's answer) shows
    ``day``; None when it does not within ``timeout_s``."""
    await page.evaluate(_ARM_BANNER_JS, [format_day(day), int(timeout_s * 1000)])
    await page.keyboard.press(key)
    return await asyncio.wait_for(page.evaluate("window.__cmStep"), timeout_s + 30)


async def _guard(context, page, viewer: Viewer) -> None:
    """Count what a viewer's page must not do as errors (see the module docstring)."""
    from tests.browser.harness import is_local

    async def on_route(route) -> None:
        url = route.request.url
        if is_local(url):
            await route.continue_()
        else:
            viewer.errors.append(f"request to a non-local host: {url}")
            await route.abort("blockedbyclient")

    async def on_dialog(dialog) -> None:
        viewer.errors.append(f"a {dialog.type} dialog opened: {dialog.message}")
        await dialog.dismiss()

    def on_console(message) -> None:
        if message.type == "error":
            viewer.errors.append(f"console error: {message.text} at {message.location}")

    def on_websocket(socket) -> None:
        if not is_local(socket.url):
            viewer.errors.append(f"websocket to a non-local host: {socket.url}")

    await context.route("**/*", on_route)
    page.on("pageerror", lambda error: viewer.errors.append(f"page error: {error}"))
    page.on("console", on_console)
    page.on("dialog", on_dialog)
    page.on("websocket", on_websocket)


async def _finish_run(page, viewer: Viewer, what: str) -> bool:
    """Wait until the run a step started has finished; False (and an error) if it does not
    in time. An exception box on the page is an error too."""
    finished = True
    try:
        await page.wait_for_selector(APP_IDLE, state="attached",
                                     timeout=STEP_TIMEOUT_S * 1000)
    except PlaywrightError:  # a timeout: counted, then the viewer goes on
        viewer.errors.append(f"{what}: the run did not finish within {STEP_TIMEOUT_S:g} s")
        finished = False
    boxes = page.locator(EXCEPTION_BOX)
    if await boxes.count():
        text = " ".join((await boxes.first.inner_text()).split())[:300]
        viewer.errors.append(f"{what}: Streamlit's exception box: {text}")
    return finished


async def _banner_day(page) -> dt.date | None:
    text = (await page.locator(".cm-date").first.inner_text()).strip()
    try:
        return dt.datetime.strptime(text, "%d %b %Y").date()
    except ValueError:
        return None


async def open_view(page, url: str, day: dt.date, window: str, viewer: Viewer) -> bool:
    """Open the app at ``day`` and ``window``; False (and an error) if it does not show them."""
    try:
        await page.goto(f"{url}/?date={day.isoformat()}&window={window}",
                        timeout=OPEN_TIMEOUT_S * 1000)
        await page.wait_for_selector(APP_CONNECTED, state="attached",
                                     timeout=OPEN_TIMEOUT_S * 1000)
        await page.wait_for_function(
            "(text) => { const el = document.querySelector('.cm-date');"
            " return el !== null && el.textContent.trim() === text; }",
            arg=format_day(day), timeout=OPEN_TIMEOUT_S * 1000, polling=100)
    except PlaywrightError as error:
        shot = SCREENSHOTS / f"bench-load-{viewer.name.replace(' ', '-')}-not-open.png"
        with contextlib.suppress(PlaywrightError):
            shot.parent.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(shot))
        viewer.errors.append(f"the page did not open at {day} within {OPEN_TIMEOUT_S:g} s "
                             f"(screenshot {shot}): {str(error).splitlines()[0]}")
        return False
    await _finish_run(page, viewer, "opening")
    return True


async def change_window(page, day: dt.date, window: str, viewer: Viewer) -> bool:
    """Pick ``window`` in the window selectbox and wait for the line under the date to say
    it; the time from the option's click to then goes to ``viewer.window_ms``."""
    label = None if window == "day" else WINDOW_LABELS[window]
    try:
        await page.locator(WINDOW_SELECTBOX).click(timeout=STEP_TIMEOUT_S * 1000)
        option = page.get_by_role("option", name=f"Window: {window}", exact=True)
        began = time.perf_counter()
        await option.click(timeout=STEP_TIMEOUT_S * 1000)
        await page.wait_for_function(_WINDOW_SHOWS_JS, arg=[label, format_day(day)],
                                     timeout=STEP_TIMEOUT_S * 1000, polling=50)
        viewer.window_ms.append(1000 * (time.perf_counter() - began))
    except PlaywrightError as error:
        viewer.errors.append(f"window change to {window!r} on {day}: no answer within "
                             f"{STEP_TIMEOUT_S:g} s ({str(error).splitlines()[0]})")
        return False
    finally:
        await _finish_run(page, viewer, f"window {window!r}")
    return True


@dataclass
class StartGate:
    """Lets N viewers open their pages, then step together until one moment."""

    count: int
    opened: int = 0
    all_opened: asyncio.Event = field(default_factory=asyncio.Event)
    go: asyncio.Event = field(default_factory=asyncio.Event)
    until: float | None = None  # time.monotonic() at which every viewer stops

    def page_opened(self) -> None:
        self.opened += 1
        if self.opened >= self.count:
            self.all_opened.set()

    def start(self, seconds: float) -> None:
        self.until = time.monotonic() + seconds
        self.go.set()


async def view_loop(page, url: str, viewer: Viewer, rng: random.Random,
                    span: tuple[dt.date, dt.date], *, steps: int | None = None,
                    think_s: float = 0.0, gate: StartGate | None = None) -> None:
    """One viewer: open at a random day and window of ``span``, then step the slider and every
    ``WINDOW_EVERY`` actions change the window, until ``steps`` steps are measured or (with a
    ``gate``) its time is up; with a ``gate`` the first step waits for every page to open."""
    first, last = span
    day = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
    window = rng.choice([w for w in WINDOWS if w != "day"])
    ok = await open_view(page, url, day, window, viewer)
    until = None
    if gate is not None:
        gate.page_opened()
        await gate.go.wait()
        until = gate.until
    if not ok:
        return
    slider = page.get_by_role("slider", name="Date")
    direction, action = 1, 0
    while (steps is None or len(viewer.step_ms) < steps) and (
            until is None or time.monotonic() < until) and len(viewer.errors) < GIVE_UP_AFTER:
        action += 1
        if action % WINDOW_EVERY == 0:
            picked = rng.choice([w for w in WINDOWS if w != window])
            if await change_window(page, day, picked, viewer):
                window = picked
        else:
            if rng.random() < 0.2:
                direction = -direction
            target = day + dt.timedelta(days=direction)
            if not first <= target <= last:  # turn at the ends of the events' span
                direction = -direction
                target = day + dt.timedelta(days=direction)
            try:
                await slider.focus(timeout=STEP_TIMEOUT_S * 1000)
                pressed = time.perf_counter()
                elapsed = await time_key_to_banner(
                    page, "ArrowRight" if direction > 0 else "ArrowLeft", target)
            except (PlaywrightError, TimeoutError) as error:  # the page is gone or stuck
                viewer.errors.append(f"step to {target}: the page stopped answering "
                                     f"({str(error).splitlines()[0] if str(error) else 'timeout'})")
                return
            if elapsed is None:
                viewer.errors.append(f"step to {target} got no answer within "
                                     f"{STEP_TIMEOUT_S:g} s")
                day = await _banner_day(page) or day  # go on from what the page shows
            else:
                viewer.step_ms.append(elapsed)
                day = target
            if await _finish_run(page, viewer, f"step to {target}") and elapsed is not None:
                viewer.run_ms.append(1000 * (time.perf_counter() - pressed))
        if think_s > 0:
            await asyncio.sleep(think_s * rng.uniform(0.5, 1.5))


# -- the server's memory and sessions ---------------------------------------------------------
def _metrics(url: str) -> dict[str, int]:
    query = "families=active_sessions&families=session_events"
    with urllib.request.urlopen(f"{url}/_stcore/metrics?{query}", timeout=10) as response:  # noqa: S310 (our own server on 127.0.0.1)
        return parse_metrics(response.read().decode())


async def _wait_no_active_sessions(url: str, timeout_s: float = SETTLE_TIMEOUT_S) -> dict:
    deadline = time.monotonic() + timeout_s
    while True:
        seen = _metrics(url)
        if seen.get("active") == 0:
            return seen
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url}: {seen.get('active')} sessions still active "
                               f"{timeout_s:g} s after every page closed")
        await asyncio.sleep(0.5)


async def settled_rss_mb(pid: int, timeout_s: float = SETTLE_TIMEOUT_S) -> float:
    """The server's RSS once it stops moving: six samples half a second apart within 1 MB
    of each other (or the last sample after ``timeout_s``)."""
    samples: list[float] = []
    deadline = time.monotonic() + timeout_s
    while True:
        samples.append(app_server.tree_rss_mb(pid))
        recent = samples[-6:]
        if len(recent) == 6 and max(recent) - min(recent) <= 1.0:
            return recent[-1]
        if time.monotonic() > deadline:
            return samples[-1]
        await asyncio.sleep(0.5)


async def drop_sessions(browser, url: str, ttl_s: float, span) -> dict:
    """Make the server drop every closed session (see *Dropping sessions* in the module
    docstring): wait for no active session, out-wait the TTL, then two probe pages."""
    seen = await _wait_no_active_sessions(url)
    await asyncio.sleep(ttl_s + 1)
    failures: list[str] = []
    for number in (1, 2):
        for attempt in (1, 2):  # a probe only has to connect, run and disconnect once
            context = await browser.new_context(viewport=VIEWPORT)
            probe = Viewer(f"probe {number}")
            page = await context.new_page()
            await _guard(context, page, probe)
            await open_view(page, url, span[0], "week", probe)
            await context.close()
            seen = await _wait_no_active_sessions(url)
            failures += [f"{probe.name}, attempt {attempt}: {e}" for e in probe.errors]
            if not probe.errors:
                break
    return {**seen, "probe_failures": failures}


async def _sample(pid: int, into: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        into.append(app_server.tree_rss_mb(pid))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), SAMPLE_EVERY_S)


# -- the whole run ----------------------------------------------------------------------------
def cpu_now(server_pid: int) -> dict[str, float]:
    """CPU seconds used so far by the server (and its children), by the browser (every other
    live process below this one: Playwright's driver, Chromium and its renderers) and by this
    benchmark process itself."""
    me = os.getpid()
    server = app_server.tree_cpu_s(server_pid)
    bench = app_server.cpu_s(me)
    return {"server": server, "browser": app_server.tree_cpu_s(me) - bench - server,
            "bench": bench}


def cpu_spent(began: dict[str, float], ended: dict[str, float], wall_s: float) -> dict:
    """CPU seconds each party used between two :func:`cpu_now` readings, and the machine's
    CPU seconds in that time."""
    spent = {f"{k}_cpu_s": round(ended[k] - began[k], 1) for k in began}
    return {**spent, "wall_s": round(wall_s, 1),
            "cpu_s_available": round(wall_s * len(os.sched_getaffinity(0)), 1)}


async def _one_viewer(browser, url: str, name: str, rng, span, *, before_close=None,
                      **loop) -> Viewer:
    """A new context and page for one viewer, guarded; runs :func:`view_loop`, then calls
    ``before_close()`` (while its renderer still runs) and closes the context."""
    viewer = Viewer(name)
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    await _guard(context, page, viewer)
    try:
        await view_loop(page, url, viewer, rng, span, **loop)
        if before_close is not None:
            before_close()
    finally:
        await context.close()
    return viewer


async def measure(url: str, pid: int, *, sessions: int, seconds: float, single_steps: int,
                  seed: int, think_s: float, ttl_s: float, span) -> dict:
    """Warm-up, single viewer, memory before, ``sessions`` viewers, memory after."""
    from playwright.async_api import async_playwright

    from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *BROWSER_ARGS], headless=True)
        try:
            warm = await _one_viewer(browser, url, "warm-up", random.Random(seed - 1), span,
                                     steps=WARMUP_STEPS)
            if warm.errors:
                raise RuntimeError(f"the warm-up viewer failed: {warm.errors[0]}")
            single_cpu = [cpu_now(pid), time.monotonic()]
            single = await _one_viewer(
                browser, url, "single", random.Random(seed), span, steps=single_steps,
                think_s=think_s, before_close=lambda: single_cpu.extend(
                    [cpu_now(pid), time.monotonic()]))
            dropped_before = await drop_sessions(browser, url, ttl_s, span)
            before = await settled_rss_mb(pid)
            threads_before, fds_before = app_server.threads(pid), app_server.open_fds(pid)

            gate = StartGate(sessions)
            viewers = [asyncio.create_task(_one_viewer(
                browser, url, f"viewer {i + 1}", random.Random(seed * 1000 + i + 1), span,
                think_s=think_s, gate=gate)) for i in range(sessions)]
            await gate.all_opened.wait()
            during: list[float] = []
            stop = asyncio.Event()
            sampler = asyncio.create_task(_sample(pid, during, stop))
            began = (cpu_now(pid), time.monotonic())
            gate.start(seconds)
            # Read the CPU when the time is up, while every renderer still runs.
            await asyncio.sleep(seconds)
            ended = (cpu_now(pid), time.monotonic())
            done = await asyncio.gather(*viewers)
            stop.set()
            await sampler
            seen = await drop_sessions(browser, url, ttl_s, span)
            after = await settled_rss_mb(pid)
        finally:
            await browser.close()
    return build_report(
        single.as_dict(), [v.as_dict() for v in done],
        memory_summary(before, during, after),
        other_errors=(*dropped_before["probe_failures"], *seen["probe_failures"]),
        seconds=seconds, seed=seed, think_s=think_s,
        cpu={"single": cpu_spent(single_cpu[0], single_cpu[2],
                                 single_cpu[3] - single_cpu[1]),
             "concurrent": cpu_spent(began[0], ended[0], ended[1] - began[1])},
        server={"threads_before": threads_before, "threads_after": app_server.threads(pid),
                "fds_before": fds_before, "fds_after": app_server.open_fds(pid),
                "connects": seen.get("connects"), "disconnects": seen.get("disconnects"),
                "disconnected_session_ttl_s": ttl_s},
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench load",
        description="Many viewers at once: N Chromium sessions stepping one server.")
    parser.add_argument("--sessions", type=int, default=10, help="concurrent viewers")
    parser.add_argument("--seconds", type=float, default=120.0,
                        help="how long the concurrent viewers step")
    parser.add_argument("--single-steps", type=int, default=30,
                        help="steps of the single viewer measured first")
    parser.add_argument("--think", type=float, default=0.5, metavar="SECONDS",
                        help="mean pause after each answered step (0.5x to 1.5x at random; "
                             "0: step again as soon as the run has finished)")
    parser.add_argument("--session-ttl", type=float, default=5.0, metavar="SECONDS",
                        help="the server's server.disconnectedSessionTTL (Streamlit: 120)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    args = parser.parse_args(argv)
    if args.sessions < 1 or args.seconds <= 0 or args.single_steps < 1:
        parser.error("--sessions, --seconds and --single-steps must be positive")

    span = event_span(app_server.UCDP)
    load_before = round(os.getloadavg()[0], 2)
    env = {"STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(int(args.session_ttl))}
    with app_server.ucdp_app(extra_env=env) as server:
        report = asyncio.run(measure(
            server.url, server.process.pid, sessions=args.sessions, seconds=args.seconds,
            single_steps=args.single_steps, seed=args.seed, think_s=args.think,
            ttl_s=int(args.session_ttl), span=span))
        if not report["ok"]:  # what the server said about the errors (its log is temporary)
            log = server.log().splitlines()
            print(f"--- the server's log, last {min(len(log), 60)} lines ---",
                  *log[-60:], sep="\n", file=sys.stderr)
    report["machine"] = {**machine(), "loadavg_1min_at_start": load_before}
    report["events_span"] = [span[0].isoformat(), span[1].isoformat()]
    report["method"] = {
        "step": "in the page: keydown of ArrowRight/ArrowLeft on the focused date slider to "
                "the date banner (.cm-date) showing the new day; the next action waits for "
                "the run to finish and a think pause",
        "window_change": f"every {WINDOW_EVERY}th action: the window selectbox, click on the "
                         "option to the line under the date naming the window",
        "memory": "VmRSS of the streamlit process and its children; before: after warm-up "
                  "and the single viewer, their sessions dropped; after: every context closed "
                  "and its session dropped (server.disconnectedSessionTTL "
                  f"{int(args.session_ttl)} s, then two probe pages)",
        "errors": "page errors, console errors, stException boxes, no answer within "
                  f"{STEP_TIMEOUT_S:g} s, non-local requests, dialogs",
    }
    print(format_table(report))
    if args.json:
        print(json.dumps(report))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
