"""Take the screenshots the README shows (docs/*.png), from the running app in Chromium.

Run from the repository root after set-up, with ../shared beside the checkout:
``.venv/bin/python scripts/readme_screenshots.py``. Uses the same harness as the browser tests.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.harness import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    map_frame,
    start_app,
    wait_for_app,
)

SHARED = ROOT.parent / "shared" / "data"
SHOTS = {
    "screenshot-2017-12-06.png": "date=2017-12-06",
    "screenshot-present-2018-04-07.png": "date=2018-04-07&window=quarter&present=1",
    # The claim against the record: the places IS still held, in the Euphrates valley.
    "screenshot-control-2017-12-06.png": ("date=2017-12-06&layers=control_areas,control,"
                                          "milestones,boundaries&center=34.9000,39.9000"
                                          "&zoom=8&present=1"),
}


def main() -> None:
    with tempfile.TemporaryDirectory() as store:
        env = {
            "CONFLICT_MAP_EVENTS": str(SHARED / "ucdp-ged-syria-2016-2019"),
            "CONFLICT_MAP_BOUNDARIES": str(SHARED / "ocha-cod-ab-syria"),
            "CONFLICT_MAP_STORE": store,
            "CONFLICT_MAP_TILES": "none",
        }
        with start_app("app.py", env=env, timeout=120) as server, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            for name, query in SHOTS.items():
                page.goto(f"{server.url}/?{query}")
                wait_for_app(page, timeout=90_000)
                map_frame(page).locator(".leaflet-container").wait_for(timeout=60_000)
                # The date's layers have drawn when the map holds markers (events or places).
                page.frame_locator('iframe[title="streamlit_folium.st_folium"]').locator(
                    ".leaflet-overlay-pane canvas, .leaflet-overlay-pane path").first.wait_for(
                    timeout=60_000)
                wait_for_app(page, timeout=90_000)
                page.screenshot(path=str(ROOT / "docs" / name))
                print("wrote", ROOT / "docs" / name)
            browser.close()


if __name__ == "__main__":
    main()
