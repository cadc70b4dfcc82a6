"""A short run of ``python -m bench load``'s viewers in Debian's Chromium: two viewers step
the real app together and leave no session behind, and what a viewer's page must not do is
counted as errors.

The benchmark drives Playwright's asyncio API; it runs here in a thread of its own, because
the test session's sync Playwright (``tests/conftest.py``) may already own this thread.
"""

from __future__ import annotations

import asyncio
import random
import threading

from bench import app_server, load
from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS

STEPS = 2  # per viewer, with a window change between them


def _in_thread(coroutine):
    """Run ``coroutine`` with ``asyncio.run`` in a new thread; return its result."""
    out: dict = {}

    def target():
        try:
            out["value"] = asyncio.run(coroutine)
        except BaseException as error:  # re-raised in the test's thread
            out["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=300)
    assert not thread.is_alive(), "the benchmark's event loop did not finish in 300 s"
    if "error" in out:
        raise out["error"]
    return out["value"]


async def _browser(playwright):
    return await playwright.chromium.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *load.BROWSER_ARGS], headless=True)


async def _two_viewers(url: str, pid: int, span) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await _browser(playwright)
        gate = load.StartGate(2)
        tasks = [asyncio.create_task(load._one_viewer(
            browser, url, f"viewer {i + 1}", random.Random(i), span,  # noqa: S311 (test data)
            steps=STEPS, gate=gate)) for i in range(2)]
        await gate.all_opened.wait()
        active = load._metrics(url)["active"]
        rss = app_server.tree_rss_mb(pid)
        gate.start(seconds=120)  # a bound only: each viewer stops after STEPS steps
        viewers = await asyncio.gather(*tasks)
        after = await load._wait_no_active_sessions(url, timeout_s=30)
        await browser.close()
    return {"viewers": viewers, "active": active, "rss": rss, "after": after}


def test_two_viewers_step_together_and_leave_no_session(monkeypatch):
    monkeypatch.setattr(load, "WINDOW_EVERY", 2)  # step, window change, step
    span = load.event_span(app_server.UCDP)
    with app_server.ucdp_app(timeout=120) as server:
        result = _in_thread(_two_viewers(server.url, server.process.pid, span))
    assert result["active"] == 2
    assert result["rss"] > 100  # the server holds the loaded catalog
    assert result["after"]["active"] == 0 and result["after"]["disconnects"] >= 2
    for viewer in result["viewers"]:
        assert viewer.errors == [], viewer.errors
        assert len(viewer.step_ms) == STEPS, viewer
        assert all(0 < t < 1000 * load.STEP_TIMEOUT_S for t in viewer.step_ms)
        assert len(viewer.window_ms) == 1, f"{viewer.name}: {viewer.window_ms}"
        # the run goes on after the banner has the new day (map, panels)
        assert len(viewer.run_ms) == len(viewer.step_ms)
        assert load.percentile(viewer.run_ms, 50) >= load.percentile(viewer.step_ms, 50)


_MISBEHAVING_PAGE = """<html><body><script>
console.error("a console error");
fetch("http://example.invalid/track").catch(() => {});
setTimeout(() => alert("a dialog"), 10);
setTimeout(() => { throw new Error("a page error"); }, 20);
</script></body></html>"""


async def _misbehave() -> list[str]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await _browser(playwright)
        context = await browser.new_context()
        page = await context.new_page()
        viewer = load.Viewer("misbehaving")
        await load._guard(context, page, viewer)
        await page.set_content(_MISBEHAVING_PAGE)
        for _ in range(100):  # the handlers run as the page's events arrive
            if len(viewer.errors) >= 4:
                break
            await asyncio.sleep(0.05)
        await browser.close()
    return viewer.errors


def test_what_a_page_must_not_do_is_counted_as_errors():
    errors = _in_thread(_misbehave())
    joined = "\n".join(errors)
    assert "console error: a console error" in joined
    assert "request to a non-local host: http://example.invalid/track" in joined
    assert "alert dialog opened: a dialog" in joined
    assert "page error: a page error" in joined
