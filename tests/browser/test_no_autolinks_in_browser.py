"""Bare addresses in untrusted text, rendered by Streamlit in Chromium: never a link."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from layers.escape import WORD_JOINER
from tests.browser.harness import AppServer, start_app, wait_for_app
from tests.test_escape import PAYLOADS

BLOCK = "[data-testid='stMarkdownContainer']"


@pytest.fixture(scope="module")
def payload_app() -> Iterator[AppServer]:
    with start_app("tests/browser/apps/markdown_payloads.py") as server:
        yield server


def test_escaped_addresses_are_text_not_links(payload_app: AppServer, page: Page):
    page.goto(payload_app.url)
    wait_for_app(page)
    raw = page.locator(f".st-key-raw {BLOCK}")
    expect(raw).to_have_count(len(PAYLOADS))
    # As they are, every payload is a link: the browser's Markdown autolinks them.
    unlinked = [p for i, p in enumerate(PAYLOADS) if raw.nth(i).locator("a").count() == 0]
    assert unlinked == []
    # Markdown, info, warning and error render in a Markdown block; a caption in its own.
    escaped = page.locator(f".st-key-escaped {BLOCK}, "
                           ".st-key-escaped [data-testid='stCaptionContainer']")
    expect(escaped).to_have_count(5 * len(PAYLOADS))
    assert page.locator(".st-key-escaped a").count() == 0
    shown = [escaped.nth(i).inner_text().replace(WORD_JOINER, "").strip()
             for i in range(0, escaped.count(), 5)]
    assert shown == PAYLOADS  # each reads as itself
