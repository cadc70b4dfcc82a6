"""Run the app (or a test app) under ``streamlit run`` and drive it with Debian's Chromium.

Modelled on Streamlit's own e2e harness (engineering notes §3.8): a free port, the health
endpoint polled until it answers ``ok``, and the same waits for a finished script run. The
server's output goes to a temporary file (a pipe nobody reads would fill up and stall it) and
is shown when the server dies or does not come up.
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Frame, FrameLocator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@dataclass
class AppServer:
    """A running ``streamlit run``: its URL, process and log file."""

    url: str
    port: int
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        """Everything the server has printed so far."""
        return self.log_path.read_text(errors="replace")


def free_port() -> int:
    """A TCP port nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _runner_for(script: Path, folder: Path) -> Path:
    """A script in ``folder`` that runs ``script``, with ``folder/static`` -> ``ROOT/static``.

    Streamlit serves ``static/`` beside the *main script*; a test app under ``tests/`` has
    none, so it runs through this small runner placed next to a link to the real one.
    """
    (folder / "static").symlink_to(ROOT / "static", target_is_directory=True)
    runner = folder / script.name
    runner.write_text(
        "import runpy\n"
        f"runpy.run_path({str(script)!r}, run_name='__main__')\n"
    )
    return runner


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except OSError:
        return False


@contextmanager
def start_app(
    script: str | Path = "app.py", env: dict[str, str] | None = None, timeout: float = 60.0
) -> Iterator[AppServer]:
    """Start ``streamlit run <script>`` on a free port of 127.0.0.1 and stop it afterwards.

    Parameters
    ----------
    script : str or pathlib.Path
        Relative to the repository root, or absolute.
    env : dict, optional
        Extra environment variables (``CONFLICT_MAP_*``) on top of this process's environment.
    timeout : float
        Seconds to wait for ``/_stcore/health`` to answer ``ok``.

    Yields
    ------
    AppServer

    Raises
    ------
    RuntimeError
        When the server exits or is not healthy in time; the message carries its output.
    """
    script = (ROOT / script).resolve()
    if not script.is_file():
        raise FileNotFoundError(script)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="conflict-map-app-") as tmp:
        tmp_dir = Path(tmp)
        main = script if script.parent == ROOT else _runner_for(script, tmp_dir)
        log_path = tmp_dir / "server.log"
        command = [
            str(PYTHON), "-m", "streamlit", "run", str(main),
            "--server.headless", "true",
            "--server.port", str(port),
            "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",
            "--server.enableStaticServing", "true",
            "--global.developmentMode", "false",
        ]
        full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT
            )
        server = AppServer(f"http://127.0.0.1:{port}", port, process, log_path)
        try:
            deadline = time.monotonic() + timeout
            while not _healthy(server.url):
                if process.poll() is not None:
                    raise RuntimeError(
                        f"streamlit exited with {process.returncode}:\n{server.log()}"
                    )
                if time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit not healthy after {timeout} s:\n{server.log()}")
                time.sleep(0.3)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def wait_for_app(page: Page, timeout: float = 30_000) -> None:
    """Wait until the app is connected, its script run has finished and nothing is loading.

    This says the app is idle *now*; after a click or a key, a test waits for the outcome it
    expects (:func:`wait_for_param`, :func:`wait_for_map`, ``expect``), never for a time.
    """
    page.wait_for_selector("[data-testid='stAppViewContainer']", timeout=timeout, state="attached")
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(
        timeout=timeout, state="attached"
    )
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        timeout=timeout, state="attached"
    )
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=timeout)


def map_frame(page: Page) -> FrameLocator:
    """The st_folium component's iframe (the map lives inside it)."""
    return page.frame_locator(MAP_FRAME)


def screenshot(page: Page, name: str, *, full_page: bool = False) -> Path:
    """Save a PNG of the page to ``test-artifacts/screenshots/<name>.png`` and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def is_local(url: str) -> bool:
    """True for URLs that stay on this machine (or never leave the browser: data:, blob:)."""
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about", "chrome-error"}:
        return True
    return parts.hostname in LOCAL_HOSTS


# What the map shows, counted inside the component frame (``window.map`` is the Leaflet map):
# the areas drawn (by area_id, with their outline colour), single events and event cells.
MAP_CONTENT_JS = """() => {
  const out = {zones: new Set(), events: 0, cells: 0, colours: {}};
  window.map.eachLayer(l => {
    const p = l.feature && l.feature.properties;
    if (p && p.area_id) {
      out.zones.add(p.area_id);
      if (l.options && l.options.color) { out.colours[p.area_id] = l.options.color; }
    }
    if (l._clockState !== undefined && l._items) {  // the live map's clock (event_clock.js)
      l._items.forEach(it => { if (it.cell) { out.cells += 1; } else { out.events += 1; } });
    }
    else if (l._conflictCell) { out.cells += 1; }
    else if (l instanceof L.CircleMarker && l.getPopup && l.getPopup() && !p) { out.events += 1; }
  });
  return {zones: [...out.zones].sort(), events: out.events, cells: out.cells,
          colours: out.colours};
}"""


def map_content_frame(page: Page) -> Frame:
    """The map component's frame itself (for ``evaluate`` inside it)."""
    return page.locator(MAP_FRAME).element_handle().content_frame()


def map_content(page: Page) -> dict:
    """Areas, single events and cells on the map now (see :data:`MAP_CONTENT_JS`)."""
    return map_content_frame(page).evaluate(MAP_CONTENT_JS)


def open_at(page: Page, url: str) -> None:
    """Open ``url`` and wait for the app's run and for Leaflet to have loaded the map.

    The date's layers arrive after the map: a test that reads them waits for what it expects
    with :func:`wait_for_map`.
    """
    page.goto(url)
    wait_for_app(page, timeout=90_000)
    expect(map_frame(page).locator(".leaflet-container")).to_be_visible(timeout=60_000)
    map_content_frame(page).wait_for_function("() => window.map && window.map._loaded",
                                              timeout=60_000)
    wait_for_app(page, timeout=60_000)  # the map's first report may start one more run


def params(page: Page) -> dict[str, str]:
    """The page's query parameters (last value of each)."""
    return {k: v[-1] for k, v in parse_qs(urlsplit(page.url).query).items()}


def wait_for_param(page: Page, key: str, value: str | None, timeout: float = 30_000) -> None:
    """Wait until the address bar has ``key=value`` (``None``: the parameter is absent).

    The URL is written at the end of the run a click or key starts, so this is how a test
    knows that run has happened (the page's "not running" flag alone can be read before the
    server has even received the click).
    """
    try:
        page.wait_for_function(
            "([key, value]) => new URLSearchParams(window.location.search).get(key) === value",
            arg=[key, value], timeout=timeout)
    except PlaywrightTimeoutError:
        raise AssertionError(f"URL never had {key}={value!r}: {page.url}") from None


def wait_for_map(page: Page, condition_js: str, timeout: float = 30_000) -> dict:
    """Wait until ``condition_js`` (a JS expression over ``c``, the map content of
    :data:`MAP_CONTENT_JS`) holds inside the map frame; return the content then."""
    frame = map_content_frame(page)
    frame.wait_for_function(f"() => {{ const c = ({MAP_CONTENT_JS})(); return {condition_js}; }}",
                            timeout=timeout)
    return frame.evaluate(MAP_CONTENT_JS)


def click_key(page: Page, key: str) -> None:
    """Click the button with Streamlit key ``key`` and wait until the app is idle again.

    Callers then wait for the outcome they expect (:func:`wait_for_param`,
    :func:`wait_for_map`): idle alone does not prove the click's run has happened.
    """
    # Streamlit keeps a hidden copy of a button whose label may be cut short (to measure it).
    button = page.locator(f".st-key-{key} button[data-testid^='stBaseButton']").locator(
        "visible=true")
    expect(button).to_have_count(1)
    button.click()
    wait_for_app(page, timeout=60_000)


__all__ = [
    "CHROMIUM", "CHROMIUM_ARGS", "MAP_CONTENT_JS", "AppServer", "click_key", "free_port",
    "is_local", "map_content", "map_content_frame", "map_frame", "open_at", "params",
    "screenshot", "start_app", "wait_for_app", "wait_for_map", "wait_for_param",
]
