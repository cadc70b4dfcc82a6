"""Fixtures shared by every test module: where the repository and the shared data are."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``; fails (does not skip) when it is missing."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"shared data folder {SHARED_DATA} is missing; clone ../shared beside the repo")
    return SHARED_DATA


@pytest.fixture(scope="session")
def boundaries_folder(shared_data: Path) -> Path:
    """The OCHA COD-AB shapefile folder (``CONFLICT_MAP_BOUNDARIES`` in the app)."""
    folder = shared_data / "ocha-cod-ab-syria"
    if not (folder / "syr_admin1.shp").is_file():
        pytest.fail(f"{folder} lacks syr_admin1.shp")
    return folder


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless (Playwright's own browser download is not used).

    One per test session, here rather than in tests/browser/ so that every test that needs a
    browser shares it: Playwright's sync API allows one running instance per thread.
    """
    from playwright.sync_api import sync_playwright  # only the browser tests need it

    from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
