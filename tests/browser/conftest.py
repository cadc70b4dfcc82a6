"""Playwright fixtures for the browser tests: one Chromium per session, a guarded page per test.

The page fails its test when anything tries to leave the machine (the request is aborted and
reported), when a JavaScript dialog opens (an injected ``alert``), or when a local asset fails
to load.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Dialog,
    Page,
    Request,
    Route,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.harness import is_local

VIEWPORT = {"width": 1600, "height": 1000}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Every test under tests/browser drives a browser; mark them so `-m "not browser"` works.
    for item in items:
        if "tests/browser/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


class PageGuard:
    """What a page did that a test must not allow; filled by the page's event handlers."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.dialogs: list[str] = []
        self.asset_errors: list[str] = []

    def on_route(self, route: Route) -> None:
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def on_request(self, request: Request) -> None:
        self.requests.append(request.url)

    def on_request_failed(self, request: Request) -> None:
        # ERR_ABORTED: the page itself cancelled it (it navigated or closed mid-download).
        if (is_local(request.url) and "/app/static/" in request.url
                and "ERR_ABORTED" not in str(request.failure)):
            self.asset_errors.append(f"{request.url}: {request.failure}")

    def on_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def on_console(self, message: ConsoleMessage) -> None:
        text = message.text
        if message.type == "error" and ("/app/static/" in text or "Failed to load" in text):
            self.asset_errors.append(f"console: {text} at {message.location}")

    def problems(self) -> list[str]:
        foreign = sorted({u for u in self.requests if not is_local(u)} | set(self.blocked))
        return (
            [f"non-local request: {u}" for u in foreign]
            + [f"dialog opened: {d}" for d in self.dialogs]
            + [f"local asset failed: {e}" for e in self.asset_errors]
        )


@pytest.fixture
def page_guard() -> PageGuard:
    return PageGuard()


@pytest.fixture
def page(browser: Browser, page_guard: PageGuard) -> Iterator[Page]:
    """A 1600x1000 page that fails the test on non-local requests, dialogs and asset errors."""
    context = browser.new_context(viewport=VIEWPORT)
    context.route("**/*", page_guard.on_route)
    page = context.new_page()
    page.on("request", page_guard.on_request)
    page.on("requestfailed", page_guard.on_request_failed)
    page.on("dialog", page_guard.on_dialog)
    page.on("console", page_guard.on_console)
    page.on("websocket", lambda ws: page_guard.requests.append(ws.url))
    yield page
    # Late requests and dialogs arrive before judging: wait until the network is quiet.
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_load_state("networkidle", timeout=5_000)
    context.close()
    problems = page_guard.problems()
    if problems:
        pytest.fail("the page misbehaved:\n" + "\n".join(problems), pytrace=False)
