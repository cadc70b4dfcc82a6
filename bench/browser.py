"""``python -m bench browser``: key press to map settled in Chromium, ours against three peers.

Every app is measured by the same procedure (:func:`measure_steps`): open it on a day and a
window (``?date=...&window=...``), focus its date slider (Streamlit's ``st.slider``), press
ArrowRight (one day) and time from the key press until the map's pixels stop changing. The
apps are the dashboard (``app.py``) and the three peers of :mod:`bench.peers` (plain folium
markers, folium's FastMarkerCluster, ``st.pydeck_chart``), each started alone, on the same
events, the same start days and the same windows.

*The probe* (:data:`PROBE_JS`, injected into every page before its own scripts) watches the map
element each animation frame: the Leaflet container inside the streamlit-folium iframe, or
deck.gl's element in the page. Its signature names the image the map shows, in two parts:

* the pixels of every canvas in it, only the part inside the map element (Leaflet pads its
  canvas beyond the view), at half size, over white; WebGL canvases are made readable with
  ``preserveDrawingBuffer``. Two images are the same when no pixel differs by more than 32
  levels in any channel: drawing the same markers again moves anti-aliased edges by a few
  levels, which nobody sees. Each distinct image gets an id, so a return to an earlier image
  is known;
* a hash of its HTML, computed when a MutationObserver saw its DOM change (SVG paths, marker
  elements, the map's own controls).

The probe records the key press, every change of the signature and every change of
Streamlit's script state, in the page's clock; :func:`bench.browser_stats.judge_step` decides
from those when a step has settled (changed, then the same for 300 ms, with the script no
longer running, so a server's answer that redraws the map after the browser did counts) and
reports the time of the last change. The probe's own work (a read-back of the map's pixels each
frame) is the same for every app.

*Bytes* come from the Chrome DevTools protocol: every HTTP response's encoded length
(``Network.loadingFinished``) and every websocket frame the browser receives. "Once" is
everything from opening the page (in a new browser context, so with an empty cache) until its
map has settled; "per step" is what arrives between a key press and the end of that step (map
settled and the script finished).

Nothing may leave the machine: Chromium runs with a proxy that does not exist
(``127.0.0.1:9``; loopback bypasses it), and every request to another host is counted as an
error and reported.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import platform
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench import browser_stats as stats

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
UCDP_CSV = SHARED / "ucdp-ged-syria-2016-2019" / "ged_syria_652.1601.1911.csv"
BOUNDARIES = SHARED / "ocha-cod-ab-syria"
SCRIPTS = {
    "ours": "app.py",
    "folium_markers": "bench/peers/folium_markers.py",
    "fastmarkercluster": "bench/peers/fastmarkercluster.py",
    "pydeck": "bench/peers/pydeck_scatter.py",
}
# Where each app draws its map: "leaflet" is the Leaflet container inside the streamlit-folium
# iframe, "deck" deck.gl's element in the page itself.
MAP_KIND = {"ours": "leaflet", "folium_markers": "leaflet", "fastmarkercluster": "leaflet",
            "pydeck": "deck"}
FOLIUM_MAX_MARKERS = 20_000  # bench/peers/folium_markers.py MAX_MARKERS
VIEWPORT = {"width": 1600, "height": 1000}
OPEN_TIMEOUT_MS = 180_000.0
POLL_MS = 100
PLAY_SECONDS = 5.0
STEP_DAYS_FROM = dt.date(2016, 1, 1)  # start days are drawn from 2016-2017, where the UCDP
STEP_DAYS_TO = dt.date(2017, 12, 31)  # file has events nearly every day
DAY0 = dt.date(1970, 1, 1)

PROBE_JS = r"""
(() => {
  // Every frame: WebGL canvases keep their last image, so the probe can read them.
  const getContext = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function (type, attrs) {
    if (type === "webgl" || type === "webgl2" || type === "experimental-webgl") {
      attrs = Object.assign({}, attrs || {}, { preserveDrawingBuffer: true });
    }
    return getContext.call(this, type, attrs);
  };
  if (window.top !== window) { return; }  // the probe itself runs in the page, not in frames

  const FRAME = 'iframe[title="streamlit_folium.st_folium"]';
  const DECK = '[data-testid="stDeckGlJsonChart"]';
  const probe = window.__bench = {
    kind: null, sig: null, changes: [], runs: [], presses: [], dirty: true,
    root: null, observer: null, scratch: null, appState: null, appObserver: null,
  };

  function fnvString(s, h) {
    h = h === undefined ? 0x811c9dc5 : h;
    for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 16777619); }
    return h >>> 0;
  }
  function mapElement() {
    if (probe.kind === "deck") { return document.querySelector(DECK); }
    const frame = document.querySelector(FRAME);
    const doc = frame && frame.contentDocument;
    return doc ? doc.querySelector(".leaflet-container") : null;
  }
  function observe(root) {
    if (probe.observer) { probe.observer.disconnect(); }
    probe.root = root;
    probe.dirty = true;
    if (!root) { return; }
    const View = root.ownerDocument.defaultView;
    probe.observer = new View.MutationObserver(() => { probe.dirty = true; });
    probe.observer.observe(root, { subtree: true, childList: true, attributes: true,
                                   characterData: true });
  }
  function canvasPixels(canvas, view) {
    // Only the part of the canvas inside the map element: Leaflet's renderer is padded beyond
    // the view, and what is drawn there is not seen.
    const r = canvas.getBoundingClientRect();
    const x0 = Math.max(r.left, view.left), y0 = Math.max(r.top, view.top);
    const x1 = Math.min(r.right, view.right), y1 = Math.min(r.bottom, view.bottom);
    if (!canvas.width || !canvas.height || x1 <= x0 || y1 <= y0) { return null; }
    const kx = canvas.width / r.width, ky = canvas.height / r.height;
    const sx = (x0 - r.left) * kx, sy = (y0 - r.top) * ky;
    const w = (x1 - x0) * kx, h = (y1 - y0) * ky;
    // Half size: a quarter of the pixels to compare; a marker still covers whole pixels.
    const sw = Math.max(1, Math.ceil(w / 2)), sh = Math.max(1, Math.ceil(h / 2));
    if (!probe.scratch) {
      probe.scratch = document.createElement("canvas");
      probe.ctx = probe.scratch.getContext("2d", { willReadFrequently: true });
    }
    if (probe.scratch.width !== sw || probe.scratch.height !== sh) {
      probe.scratch.width = sw; probe.scratch.height = sh;
    }
    // Over white, as seen: a transparent pixel that turns almost transparent is no change.
    probe.ctx.fillStyle = "#fff";
    probe.ctx.fillRect(0, 0, sw, sh);
    probe.ctx.drawImage(canvas, sx, sy, w, h, 0, 0, sw, sh);
    return { w: sw, h: sh, data: probe.ctx.getImageData(0, 0, sw, sh).data };
  }
  // Two images are the same when no pixel differs by more than TOLERANCE in any channel:
  // redrawing the same markers can move anti-aliased edges by a few levels, which nobody sees.
  const TOLERANCE = 32;
  function differs(a, b) {
    if (a.length !== b.length) { return true; }
    for (let k = 0; k < a.length; k++) {
      const pa = a[k], pb = b[k];
      if (!pa || !pb) { if (pa !== pb) { return true; } continue; }
      if (pa.w !== pb.w || pa.h !== pb.h) { return true; }
      const x = pa.data, y = pb.data;
      for (let i = 0; i < x.length; i++) {
        const d = x[i] - y[i];
        if (d > TOLERANCE || d < -TOLERANCE) { return true; }
      }
    }
    return false;
  }
  // The images seen lately, each with an id: an image that matches one of them gets its id,
  // so "back to the image before the key press" and "distinct images" can be told.
  probe.images = []; probe.nextId = 0; probe.current = null; probe.currentId = 0;
  function imageId(parts) {
    if (probe.current && !differs(parts, probe.current)) { return probe.currentId; }
    let id = 0;
    for (let k = probe.images.length - 1; k >= 0 && !id; k--) {
      if (!differs(parts, probe.images[k].parts)) { id = probe.images[k].id; }
    }
    if (!id) {
      id = ++probe.nextId;
      probe.images.push({ id: id, parts: parts });
      if (probe.images.length > 32) { probe.images.shift(); }
    }
    probe.current = parts; probe.currentId = id;
    return id;
  }
  probe.signature = function () {
    const el = mapElement();
    if (el !== probe.root) { observe(el); }
    if (!el) { return ""; }
    const view = el.getBoundingClientRect(), parts = [];
    for (const c of el.querySelectorAll("canvas")) { parts.push(canvasPixels(c, view)); }
    if (probe.dirty || probe.domHash === undefined) {
      probe.domHash = fnvString(el.innerHTML).toString(16);
      probe.dirty = false;
    }
    return "px:" + (parts.length ? imageId(parts) : 0) + "/" + parts.length +
      (parts.some(Boolean) ? "" : "/blank") + "|dom:" + probe.domHash;
  };
  probe.sample = function (t) {
    if (!probe.kind) { return; }
    let sig;
    try { sig = probe.signature(); } catch (e) { sig = "error:" + e; }
    if (sig !== probe.sig) { probe.changes.push([t, sig]); probe.sig = sig; }
  };
  function watchApp() {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app === probe.appNode) { return; }
    probe.appNode = app;
    const record = () => {
      const state = app.getAttribute("data-test-script-state");
      if (state !== probe.appState) {
        probe.appState = state; probe.runs.push([performance.now(), state]);
      }
    };
    record();
    if (probe.appObserver) { probe.appObserver.disconnect(); }
    probe.appObserver = new MutationObserver(record);
    probe.appObserver.observe(app, { attributes: true,
                                     attributeFilter: ["data-test-script-state"] });
  }
  function frame(t) {
    watchApp();
    probe.sample(t);
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
  window.addEventListener("keydown", (e) => {
    // The image just before the key acts: a change since the last frame is not the key's.
    probe.sample(e.timeStamp - 0.01);
    probe.presses.push([e.timeStamp, e.key, probe.sig, probe.appState]);
  }, true);
  probe.watch = function (kind) { probe.kind = kind; probe.sig = null; probe.root = null; };
  probe.drain = function () {
    watchApp();
    probe.sample(performance.now());  // what a long task just drew, before rAF sees it
    const out = { now: performance.now(), changes: probe.changes, runs: probe.runs,
                  presses: probe.presses, sig: probe.sig, state: probe.appState };
    probe.changes = []; probe.runs = []; probe.presses = [];
    return out;
  };
})();
"""


# -- traffic --------------------------------------------------------------------------------
@dataclass
class Traffic:
    """Bytes the browser received, from the DevTools protocol's Network events."""

    http: int = 0
    websocket: int = 0

    def total(self) -> int:
        return self.http + self.websocket

    def on_loading_finished(self, event: dict) -> None:
        self.http += int(event.get("encodedDataLength", 0))

    def on_frame(self, event: dict) -> None:
        self.websocket += frame_bytes(event.get("response", {}))


def frame_bytes(response: dict) -> int:
    """Payload bytes of one websocket frame as CDP reports it (binary frames are base64)."""
    data = response.get("payloadData", "")
    if response.get("opcode") == 2:
        return len(base64.b64decode(data)) if data else 0
    return len(data.encode())


# -- machine --------------------------------------------------------------------------------
def machine() -> dict[str, object]:
    """lscpu's model name, the cores this process may use, the memory, Chromium's version."""
    from bench.measure import machine as base

    info = base()
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        for line in lscpu.splitlines():
            if line.startswith("Model name:"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
    except (OSError, subprocess.SubprocessError):
        pass  # /proc/cpuinfo's model name (from bench.measure) stays
    from tests.browser.harness import CHROMIUM

    try:
        version = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True,
                                 timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        version = "Chromium (version unknown)"
    info["chromium"] = version.split(" built on")[0]
    info["platform"] = platform.platform()
    return info


# -- data -----------------------------------------------------------------------------------
@dataclass
class Dataset:
    name: str  # "real UCDP GED Syria 2016-2019" or "SYNTHETIC ..."
    store: Path  # the parquet store every app reads
    events_dir: Path  # an empty events folder for the dashboard (everything is in the store)
    events: int
    start: np.ndarray  # day numbers of every event (store + shipped key events)
    end: np.ndarray


@contextmanager
def dataset(events: int | None, seed: int, workdir: Path | None = None) -> Iterator[Dataset]:
    """The real UCDP file (``events=None``) or ``events`` SYNTHETIC events, imported into a
    temporary store with the project's loader; removed afterwards."""
    from bench import generate as gen
    from sources.catalog import KEY_EVENTS
    from sources.load import load_events, read_events_file
    from sources.store import load_all

    with tempfile.TemporaryDirectory(prefix="bench-browser-") as tmp:
        work = workdir or Path(tmp)
        store, events_dir = work / "store", work / "events"
        events_dir.mkdir(parents=True, exist_ok=True)
        if events is None:
            if not UCDP_CSV.is_file():
                raise FileNotFoundError(f"{UCDP_CSV} is missing: clone ../shared beside the "
                                        "repository")
            source, name = UCDP_CSV, "real UCDP GED Syria 2016-2019"
        else:
            source = work / gen.default_name(events)
            if not source.is_file():
                began = time.perf_counter()
                gen.generate(events, source, seed=seed)
                print(f"generated {events:,} SYNTHETIC events in "
                      f"{time.perf_counter() - began:.0f} s", flush=True)
            name = "SYNTHETIC, resampled UCDP GED"
        result = load_events(source, store_dir=store, max_bytes=None)
        for report in result.reports:
            if report.error:
                raise RuntimeError(f"{source}: {report.error}")
        frame = load_all(store)
        key_events = read_events_file(KEY_EVENTS).events
        days = []
        for table in (frame, key_events):
            table = table.dropna(subset=["latitude", "longitude"])
            start = _day_numbers(table["date_start"])
            end = np.maximum(_day_numbers(table["date_end"].fillna(table["date_start"])), start)
            days.append((start, end))
        start = np.concatenate([d[0] for d in days])
        end = np.concatenate([d[1] for d in days])
        yield Dataset(name, store, events_dir, len(frame) + len(key_events), start, end)


def _day_numbers(series) -> np.ndarray:
    return ((series.dt.normalize() - np.datetime64("1970-01-01")).dt.days).to_numpy(np.int64)


def day_of(number: int) -> dt.date:
    return DAY0 + dt.timedelta(days=int(number))


def number_of(day: dt.date) -> int:
    return (day - DAY0).days


# -- one app in Chromium -------------------------------------------------------------------
@dataclass
class Guard:
    """What the pages of one app did that they must not: requests to other hosts, errors."""

    non_local: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def problems(self, app: str) -> list[str]:
        return ([f"{app}: request to another host: {url}"
                 for url in sorted(set(self.non_local))]
                + [f"{app}: page error: {e}" for e in dict.fromkeys(self.page_errors)])


class BenchPage:
    """A Chromium page with the probe, the traffic counters and the request guard, in a
    context of its own: its cache starts empty, so its first load is a first visit."""

    def __init__(self, browser, guard: Guard):
        self.context = browser.new_context(viewport=VIEWPORT)
        self.context.add_init_script(PROBE_JS)
        self.page = self.context.new_page()
        self.traffic = Traffic()
        self.guard = guard
        cdp = self.context.new_cdp_session(self.page)
        cdp.on("Network.loadingFinished", self.traffic.on_loading_finished)
        cdp.on("Network.webSocketFrameReceived", self.traffic.on_frame)
        cdp.send("Network.enable")
        self.cdp = cdp
        self.page.on("request", self._on_request)
        self.page.on("websocket", lambda ws: self._check_url(ws.url))
        self.page.on("pageerror", lambda err: guard.page_errors.append(str(err)[:300]))

    def _on_request(self, request) -> None:
        self._check_url(request.url)

    def _check_url(self, url: str) -> None:
        from tests.browser.harness import is_local

        if not is_local(url):
            self.guard.non_local.append(url)

    def close(self) -> None:
        self.context.close()

    def drain(self, timeout_ms: float = stats.STEP_TIMEOUT_MS) -> dict:
        """What the probe recorded since the last drain. Through ``wait_for_function`` (which
        has a timeout) rather than ``evaluate`` (which waits for ever on a page whose main
        thread is busy drawing): raises Playwright's ``TimeoutError`` after ``timeout_ms``."""
        handle = self.page.wait_for_function("() => window.__bench && window.__bench.drain()",
                                             timeout=timeout_ms)
        return handle.json_value()


@dataclass
class Recording:
    """What the probe has recorded since the last :meth:`reset`."""

    changes: list = field(default_factory=list)
    runs: list = field(default_factory=list)
    presses: list = field(default_factory=list)
    now: float = 0.0
    sig: str | None = None
    state: str | None = None

    def add(self, drained: dict) -> None:
        self.changes += [tuple(c) for c in drained["changes"]]
        self.runs += [tuple(r) for r in drained["runs"]]
        self.presses += drained["presses"]
        self.now, self.sig, self.state = drained["now"], drained["sig"], drained["state"]


def open_app(bp: BenchPage, url: str, kind: str) -> dict:
    """Open ``url`` and wait until its map has settled; bytes received meanwhile."""
    before = bp.traffic.total()
    bp.page.goto(url, wait_until="domcontentloaded", timeout=OPEN_TIMEOUT_MS)
    bp.page.evaluate("(kind) => window.__bench.watch(kind)", kind)
    rec = Recording()
    began = time.monotonic()
    while True:
        bp.page.wait_for_timeout(POLL_MS * 2)
        rec.add(bp.drain())
        # A page load is judged like a step that starts at the page's time origin (0).
        outcome = stats.judge_step(0.0, "", rec.changes, rec.runs, rec.now,
                                   state_at_press="initial", quiet_ms=1000.0,
                                   timeout_ms=OPEN_TIMEOUT_MS)
        if outcome is not None and outcome.status == stats.TIMEOUT:
            raise TimeoutError(f"{url}: the map did not settle within "
                               f"{OPEN_TIMEOUT_MS / 1000:.0f} s of opening")
        if outcome is not None and _has_map(rec.sig, kind):
            break
        if time.monotonic() - began > OPEN_TIMEOUT_MS / 1000:
            raise TimeoutError(f"{url}: no map after {OPEN_TIMEOUT_MS / 1000:.0f} s")
    return {"bytes_once": bp.traffic.total() - before,
            "open_s": round(time.monotonic() - began, 1)}


def _has_map(sig: str | None, kind: str) -> bool:
    """The map element is there (and, for deck.gl, a canvas of some size in it)."""
    if not sig:
        return False
    return kind != "deck" or ("/blank" not in sig and not sig.startswith("px:0/"))


SLIDER = '[data-testid="stSlider"] input[type="range"], [data-testid="stSlider"] [role="slider"]'


def slider_value(bp: BenchPage) -> str | None:
    return bp.page.evaluate(
        """(sel) => { const s = document.querySelector(sel);
                      return s ? (s.value || s.getAttribute('aria-valuenow')) : null; }""",
        SLIDER)


def press_step(bp: BenchPage, timeout_ms: float = stats.STEP_TIMEOUT_MS) -> dict:
    """Focus the date slider, press ArrowRight, wait until the map settles; the step."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    slider = bp.page.locator(SLIDER).first
    slider.focus()
    bp.drain()  # what happened before the press is not part of the step
    value = slider_value(bp)
    bytes_before = bp.traffic.total()
    began = time.monotonic()
    bp.page.keyboard.press("ArrowRight")
    rec = Recording()
    press: list | None = None
    while True:
        bp.page.wait_for_timeout(POLL_MS)
        left_ms = timeout_ms - 1000 * (time.monotonic() - began)
        try:
            rec.add(bp.drain(timeout_ms=max(left_ms, 1.0)))
        except PlaywrightTimeoutError:  # the page is too busy to answer: the step is too slow
            outcome = stats.Step(stats.TIMEOUT, None, len(rec.changes))
            break
        if press is None:
            press = next((p for p in rec.presses if p[1] == "ArrowRight"), None)
            if press is None:
                if left_ms <= 0:
                    raise RuntimeError("the key press never reached the page")
                continue
        outcome = stats.judge_step(press[0], press[2] or "", rec.changes, rec.runs, rec.now,
                                   state_at_press=press[3] or "notRunning",
                                   timeout_ms=timeout_ms)
        if outcome is not None:
            break
    if outcome.status == stats.TIMEOUT:
        return {"step": outcome, "bytes": bp.traffic.total() - bytes_before,
                "slider_moved": True, "trace": {"status": outcome.status, "ms": None}}
    moved = slider_value(bp) != value
    trace = {"status": outcome.status, "ms": outcome.ms,
             "changes": [[round(t - press[0], 1), sig[:60]] for t, sig in rec.changes],
             "runs": [[round(t - press[0], 1), state] for t, state in rec.runs]}
    return {"step": outcome, "bytes": bp.traffic.total() - bytes_before, "slider_moved": moved,
            "trace": trace}


@contextmanager
def bench_page(browser, guard: Guard) -> Iterator[BenchPage]:
    bp = BenchPage(browser, guard)
    try:
        yield bp
    finally:
        bp.close()


def _press_from(bp: BenchPage, start: int, presses: int, steps: list, step_bytes: list,
                traces: list) -> None:
    """One warm-up press (not counted: the first step after a page load), then ``presses``;
    stops at a step that timed out (the page is still busy, further presses are no steps)."""
    for i in range(presses + 1):
        done = press_step(bp)
        traces.append({"start": day_of(start).isoformat(), "press": i,
                       "slider_moved": done["slider_moved"], **done["trace"]})
        timed_out = done["step"].status == stats.TIMEOUT
        if i > 0 or timed_out:
            steps.append(done["step"])
            step_bytes.append(done["bytes"])
        if timed_out:
            return


def measure_steps(browser, guard: Guard, base_url: str, kind: str, window: str,
                  starts: list[int], presses: int) -> dict:
    """For each start day: open the app there in a new browser context, one warm-up press,
    then ``presses`` measured presses. Returns the summary of the steps and the bytes."""
    steps: list[stats.Step] = []
    step_bytes: list[int] = []
    once: list[int] = []
    traces: list[dict] = []
    for start in starts:
        with bench_page(browser, guard) as bp:
            opened = open_app(bp, f"{base_url}/?date={day_of(start).isoformat()}"
                                  f"&window={window}", kind)
            once.append(opened["bytes_once"])
            _press_from(bp, start, presses, steps, step_bytes, traces)
        if steps and steps[-1].status == stats.TIMEOUT:
            break  # the page was still busy: the other start days would time out too
    not_moved = sum(1 for t in traces if t.get("slider_moved") is False)
    summary = stats.summarise_steps(steps)
    summary["bytes_once"] = int(np.median(once)) if once else None
    summary["bytes_per_step_p50"] = int(np.median(step_bytes)) if step_bytes else None
    summary["bytes_per_step_max"] = max(step_bytes) if step_bytes else None
    summary["slider_did_not_move"] = not_moved
    summary["status"] = stats.OK
    summary["traces"] = traces
    return summary


PLAY_BUTTON = ".st-key-play button"


PLAY_SPEED = "fastest"  # ui/controls.py PLAY_SPEEDS: 0.04 s a step


def measure_play(page, data: Dataset | None = None, window: str = "week",
                 seconds: float = PLAY_SECONDS) -> dict:
    """Set Play to its fastest speed (without pauses at milestones), press Play for
    ``seconds``, press it again (Pause) and wait for the app to be idle.

    ``page`` is a :class:`BenchPage` already on the dashboard with its map settled. Two rates:
    ``frames_per_s``, distinct map images the probe saw (:func:`bench.browser_stats.play_rates`,
    what a person sees, with the probe's own per-frame read-back slowing the page), and
    ``clock_frames_per_s``, the frames the map's clock drew (``window.cmClockLog`` in the map's
    frame). Each drawn frame's event count is checked against the data's own window count
    (``frames_wrong`` must be 0).
    """
    import re

    from tests.browser.harness import MAP_FRAME, wait_for_app

    p = page.page
    p.locator("[data-testid='stPopover'] button").first.click()
    p.locator(".st-key-play_speed").click()
    p.get_by_role("option", name=re.compile(rf"^{PLAY_SPEED} \(")).click()
    wait_for_app(p, timeout=60_000)
    hold = p.locator(".st-key-play_hold input")
    if hold.is_checked():
        p.locator(".st-key-play_hold label").click()
        wait_for_app(p, timeout=60_000)
    p.keyboard.press("Escape")
    frame = p.locator(MAP_FRAME).element_handle().content_frame()
    frame.evaluate("() => { window.cmClockLog = []; }")
    button = p.locator(PLAY_BUTTON).locator("visible=true").first
    page.drain()
    started = p.evaluate("() => performance.now()")
    button.click()
    rec = Recording()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        p.wait_for_timeout(POLL_MS)
        rec.add(page.drain())
    ended = rec.now
    button.click()  # pause
    p.wait_for_timeout(500)
    wait_for_app(p, timeout=60_000)
    rates = stats.play_rates(rec.changes, started, ended)
    frames = frame.evaluate("() => (window.cmClockLog || []).filter(c => c.playing)")
    span_s = (frames[-1]["at"] - frames[0]["at"]) / 1000 if len(frames) > 1 else 0.0
    rates["speed"] = PLAY_SPEED
    rates["clock_frames"] = len(frames)
    rates["clock_frames_per_s"] = round((len(frames) - 1) / span_s, 2) if span_s else 0.0
    if data is not None:
        wrong = [f["day"] for f in frames
                 if f["window"] != stats.window_count(data.start, data.end, f["day"], window)]
        rates["frames_checked"] = len(frames)
        rates["frames_wrong"] = len(wrong)
    return rates


def server_env(app: str, data: Dataset) -> dict[str, str]:
    env = {"BENCH_PEER_STORE": str(data.store)}
    if app == "ours":
        env.update({"CONFLICT_MAP_EVENTS": str(data.events_dir),
                    "CONFLICT_MAP_STORE": str(data.store),
                    "CONFLICT_MAP_BOUNDARIES": str(BOUNDARIES),
                    "CONFLICT_MAP_TILES": "none"})
    return env


def not_measurable(app: str, data: Dataset, window: str, starts: list[int],
                   presses: int) -> str | None:
    """Why ``app`` is not measured on ``window`` (said up front instead of timing it out)."""
    if app == "fastmarkercluster":
        from bench.peers.markercluster_assets import problem

        return problem()
    if app == "folium_markers":
        most = max(stats.window_count(data.start, data.end, d + k, window)
                   for d in starts for k in range(presses + 1))
        if most > FOLIUM_MAX_MARKERS:
            return f"did not finish: {most:,} markers (capped at {FOLIUM_MAX_MARKERS:,})"
    return None


def run_app(browser, app: str, data: Dataset, windows: list[str], starts: list[int],
            presses: int, play: bool) -> tuple[dict, dict | None, list[str]]:
    """Start ``app``'s server, measure each window, stop it. Returns rows, play, errors."""
    from tests.browser.harness import start_app

    rows: dict[str, dict] = {}
    errors: list[str] = []
    guard = Guard()
    todo = []
    for window in windows:
        reason = not_measurable(app, data, window, starts, presses)
        if reason:
            rows[window] = {"status": reason, "steps": 0}
        else:
            todo.append(window)
    if not todo and not play:
        return rows, None, errors
    play_result = None
    with start_app(SCRIPTS[app], env=server_env(app, data), timeout=OPEN_TIMEOUT_MS / 1000) \
            as server:
        for window in todo:
            began = time.monotonic()
            try:
                rows[window] = measure_steps(browser, guard, server.url, MAP_KIND[app], window,
                                             starts, presses)
            except Exception as err:  # one row's failure must not lose the others
                reason = f"{type(err).__name__}: {str(err).splitlines()[0][:200]}"
                rows[window] = {"status": f"error: {reason}", "steps": 0}
                errors.append(f"{app} {window}: {reason}")
            print(f"  {stats.APP_LABELS[app]:<18} {window:<8} "
                  f"p50 {rows[window].get('p50_ms')} ms, p95 {rows[window].get('p95_ms')} "
                  f"ms ({time.monotonic() - began:.0f} s)", flush=True)
        if play:
            try:
                with bench_page(browser, guard) as bp:
                    open_app(bp, f"{server.url}/?date={day_of(starts[0]).isoformat()}"
                                 f"&window={windows[0]}", MAP_KIND[app])
                    play_result = measure_play(bp, data, windows[0])
                    play_result["window"] = windows[0]
            except Exception as err:  # report, do not lose the steps measured
                play_result = {"error": f"{type(err).__name__}: {err}"}
    errors += guard.problems(app)
    return rows, play_result, errors


def run(events: int | None, windows: list[str], steps: int, starts_n: int, seed: int,
        apps: list[str], play: bool) -> dict:
    from playwright.sync_api import sync_playwright

    from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS

    presses = max(1, -(-steps // starts_n))  # measured presses per start day
    with dataset(events, seed) as data:
        starts = [int(d) for d in stats.start_days(
            data.start, starts_n, presses + 1, seed=seed, first=number_of(STEP_DAYS_FROM),
            last=number_of(STEP_DAYS_TO) - presses - 1)]
        if not starts:
            raise RuntimeError("no start day in 2016-2017 has events on the days after it")
        print(f"{data.events:,} events ({data.name}); start days "
              f"{', '.join(day_of(d).isoformat() for d in starts)}; {presses} press(es) after a "
              f"warm-up on each", flush=True)
        result: dict = {
            "events": data.events, "dataset": data.name, "windows": windows,
            "start_days": [day_of(d).isoformat() for d in starts],
            "steps_per_window": presses * len(starts), "apps": {}, "errors": [],
            "window_events": {w: [stats.window_count(data.start, data.end, d, w)
                                  for d in starts] for w in windows},
        }
        load_before = round(os.getloadavg()[0], 2)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, headless=True,
                args=[*CHROMIUM_ARGS, "--proxy-server=http://127.0.0.1:9",
                      "--enable-unsafe-swiftshader"])
            try:
                for app in apps:
                    print(f"{stats.APP_LABELS[app]}:", flush=True)
                    rows, play_result, errors = run_app(browser, app, data, windows, starts,
                                                        presses, play and app == "ours")
                    result["apps"][app] = rows
                    result["errors"] += errors
                    if play_result is not None:
                        result["play"] = play_result
            finally:
                browser.close()
    result["machine"] = machine()
    result["machine"]["loadavg_1min_before"] = load_before
    result["compare"] = stats.compare(result["apps"], windows)
    result["targets"] = stats.TARGETS
    result["within_targets"] = stats.within_targets(result)
    result["method"] = {
        "step": "focus the app's st.slider, press ArrowRight (one day); key press (keydown "
                "time stamp) to the last frame in which the map's pixels or DOM changed, "
                f"once they then stayed the same for {stats.QUIET_MS:.0f} ms and the script "
                "was no longer running",
        "steps": f"{len(starts)} start days (seed {seed}) x {presses} presses, each start "
                 "after a page load and one warm-up press (not counted)",
        "bytes_once": "HTTP responses (encoded) + websocket frames received from opening the "
                      "page until its map settled (median over the page loads)",
        "bytes_per_step": "HTTP + websocket bytes received from the key press until the step "
                          "settled",
        "play": "ours only: Play clicked, distinct map images a second over "
                f"{PLAY_SECONDS:.0f} s",
        "offline": "Chromium behind a proxy that does not exist; every request to another "
                   "host is an error",
    }
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench browser", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--events", type=int, help="SYNTHETIC events to generate")
    source.add_argument("--ucdp", action="store_true",
                        help="the real UCDP GED Syria file (the default)")
    parser.add_argument("--windows", default="week,quarter,all")
    parser.add_argument("--steps", type=int, default=12, help="measured steps per window")
    parser.add_argument("--starts", type=int, default=3, help="start days (page loads)")
    parser.add_argument("--apps", default=",".join(stats.APPS))
    parser.add_argument("--no-play", action="store_true", help="skip Play (ours)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    parser.add_argument("--markdown", type=Path, help="also write the README snippet here")
    parser.add_argument("--trace", type=Path,
                        help="write every step's record (changes and script runs, ms after "
                             "the key press) here as JSON")
    args = parser.parse_args(argv)
    windows = [w.strip() for w in args.windows.split(",") if w.strip()]
    apps = [a.strip() for a in args.apps.split(",") if a.strip()]
    for window in windows:
        if window not in stats.WINDOW_DAYS:
            parser.error(f"--windows: unknown window {window!r}; expected "
                         f"{', '.join(stats.WINDOW_DAYS)}")
    for app in apps:
        if app not in SCRIPTS:
            parser.error(f"--apps: unknown app {app!r}; expected {', '.join(SCRIPTS)}")
    result = run(args.events, windows, args.steps, max(1, args.starts), args.seed, apps,
                 not args.no_play)
    traces = {app: {window: row.pop("traces", []) for window, row in rows.items()}
              for app, rows in result["apps"].items()}
    if args.trace:
        args.trace.write_text(json.dumps(traces, indent=1))
    print(stats.text_table(result))
    snippet = stats.markdown_table(result)
    if args.markdown:
        args.markdown.write_text(snippet + "\n")
    print("\nREADME snippet:\n" + snippet)
    if args.json:
        print(json.dumps(result))
    return 0
