"""Bring your own data, in Debian's Chromium: upload an events file, a broken file and an area
file, and download UCDP GED (from a local server standing in for ucdp.uu.se).

The app starts with an empty events folder and an empty store, so everything on the map beyond
the shipped key events and zones comes from what the tests add. The tests run in file order and
build on each other (one app for the module, as a user adding files one after another).
"""

from __future__ import annotations

import csv
import http.server
import json
import re
import threading
import time
import zipfile
from functools import partial
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from layers.zones import style_for
from sources.canonical import write_canonical
from sources.load import read_events_file
from tests.browser import harness
from tests.browser.harness import screenshot, start_app, wait_for_app

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
UCDP_DIR = SHARED / "ucdp-ged-syria-2016-2019"
UCDP = UCDP_DIR / "ged_syria_652.1601.1911.csv"
UPLOAD_DAY = "2019-03-12"  # 7 UCDP events that day, nothing shipped
UPLOAD_DATASET = "Browser test upload"
AREA_PERIOD = ("2018-02-01", "2018-04-30")
AREA_STYLE = "besieged"
CLAIM_DAY = "2017-12-06"



class _SlowZipHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the folder, sending files in small timed blocks so the progress bar is seen."""

    def copyfile(self, source, outputfile):
        while block := source.read(1 << 17):
            outputfile.write(block)
            time.sleep(0.05)

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def ucdp_server(tmp_path_factory):
    """A local HTTP server (127.0.0.1) serving a zip of the real UCDP GED 19.1 Syria CSV."""
    csvs = sorted(UCDP_DIR.glob("*.csv"))
    assert csvs, f"shared data missing: {UCDP_DIR}"
    folder = tmp_path_factory.mktemp("ucdp-site")
    with zipfile.ZipFile(folder / "ged191-csv.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for path in csvs:
            archive.write(path, path.name)
    handler = partial(_SlowZipHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/ged191-csv.zip"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, ucdp_server):
    assert UCDP.is_file(), f"shared data missing: {UCDP}"
    env = {
        "CONFLICT_MAP_EVENTS": str(tmp_path_factory.mktemp("events")),  # empty folder
        "CONFLICT_MAP_BOUNDARIES": str(SHARED / "ocha-cod-ab-syria"),
        "CONFLICT_MAP_STORE": str(tmp_path_factory.mktemp("store")),
        "CONFLICT_MAP_TILES": "none",
        "CONFLICT_MAP_UCDP_URL": ucdp_server,
    }
    with start_app("app.py", env=env, timeout=120) as server:
        yield server.url


@pytest.fixture(scope="module")
def upload_csv(tmp_path_factory) -> tuple[Path, int]:
    """Real UCDP rows of UPLOAD_DAY as a canonical CSV under another dataset name, plus one
    row with an impossible date. Returns the file and the number of good rows."""
    events = read_events_file(UCDP).events
    day = events[events["date_start"] == pd.Timestamp(UPLOAD_DAY)].copy()
    assert len(day) >= 5
    day["source_dataset"] = UPLOAD_DATASET
    path = write_canonical(day, tmp_path_factory.mktemp("upload") / "my_events.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    bad = rows[1][:]
    bad[rows[0].index("event_id")] = "bad-date-1"
    bad[rows[0].index("date_start")] = "2019-02-30"
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(bad)
    return path, len(day)


def open_at(page: Page, url: str, until: str = "true") -> dict:
    """Open ``url``, wait until the map shows what ``until`` (a JS condition on ``c``, the map
    content) says, and return what it shows."""
    harness.open_at(page, url)
    return harness.wait_for_map(page, until)


def open_expander(page: Page, title: str) -> None:
    summary = page.locator("[data-testid='stExpander'] summary", has_text=title)
    summary.click()
    expect(summary.locator("xpath=..")).to_have_attribute("open", "")  # the <details> opened


def loaded_count(page: Page) -> int:
    label = page.locator("[data-testid='stExpander'] summary", has_text="events loaded")
    return int(re.search(r"([\d,]+) events loaded", label.inner_text()).group(1).replace(",", ""))


def sidebar_shot(page: Page, name: str, target) -> None:
    """A screenshot with ``target`` (a sidebar element) scrolled into view."""
    target.first.scroll_into_view_if_needed()
    page.mouse.move(900, 980)  # no tooltip over the sidebar
    expect(page.get_by_test_id("stTooltipContent")).to_have_count(0)
    screenshot(page, name)


def upload(page: Page, key: str, files) -> None:
    page.locator(f".st-key-{key} input[type='file']").set_input_files(files)
    # The upload has reached the app when the uploader lists the file by name; callers then
    # wait for the message the file's run writes.
    for item in files if isinstance(files, list | tuple) else [files]:
        name = item["name"] if isinstance(item, dict) else Path(item).name
        expect(page.locator(f".st-key-{key}")).to_contain_text(name, timeout=90_000)
    wait_for_app(page, timeout=90_000)


def test_a_upload_events_file(app_url, page: Page, upload_csv):
    path, good = upload_csv
    before = open_at(page, f"{app_url}/?date={UPLOAD_DAY}&window=day")
    loaded_before = loaded_count(page)
    open_expander(page, "Add your own events or control file")
    upload(page, "upload_file", str(path))
    message = page.get_by_text(f"my_events.csv: {good:,} events added; 1 row rejected.")
    expect(message).to_be_visible(timeout=60_000)
    expect(page.locator(".st-key-upload_rejected_csv")).to_contain_text("1 rejected rows")
    sidebar_shot(page, "byod-a-events-uploaded", page.locator(".st-key-upload_rejected_csv"))
    assert loaded_count(page) == loaded_before + good  # the catalog reloaded at once
    after = open_at(page, f"{app_url}/?date={UPLOAD_DAY}&window=day",
                    until=f"c.events + c.cells > {before['events'] + before['cells']}")
    assert after["events"] + after["cells"] > before["events"] + before["cells"]
    assert after["events"] + after["cells"] >= good - 2  # a few may share a place
    # The rejected row is offered from the data-status expander too (it came from the store).
    open_expander(page, "events loaded")
    expect(page.locator(".st-key-rejected_csv")).to_contain_text("1 rejected rows")
    sidebar_shot(page, "byod-a-data-status", page.locator(".st-key-rejected_csv"))


def test_b_broken_file_is_refused_and_data_kept(app_url, page: Page):
    before = open_at(page, f"{app_url}/?date={UPLOAD_DAY}&window=day")
    loaded_before = loaded_count(page)
    open_expander(page, "Add your own events or control file")
    upload(page, "upload_file", {"name": "broken.csv", "mimeType": "text/csv",
                                 "buffer": bytes(range(256)) * 8})
    error = page.get_by_test_id("stAlertContentError").filter(has_text="broken.csv")
    expect(error).to_be_visible(timeout=30_000)
    expect(error).to_contain_text("The data already shown is unchanged.")
    sidebar_shot(page, "byod-b-broken-file", error)
    assert loaded_count(page) == loaded_before  # nothing added
    # ...and nothing lost: the map of the day still shows at least what it showed before (the
    # count of loaded events above is the exact check; the map may still be catching up with
    # an earlier test's upload when "before" is read).
    shown = before["events"] + before["cells"]
    after = open_at(page, f"{app_url}/?date={UPLOAD_DAY}&window=day",
                    until=f"c.events + c.cells >= {shown}")
    assert after["events"] + after["cells"] >= shown


def test_c_area_file_on_the_clock(app_url, page: Page):
    from shapely.geometry import Polygon, mapping

    feature = {"type": "Feature",
               "properties": {"name": "Test pocket", "from": AREA_PERIOD[0],
                              "to": AREA_PERIOD[1], "status": AREA_STYLE},
               "geometry": mapping(Polygon([(38.2, 35.2), (38.8, 35.2), (38.8, 35.7),
                                            (38.2, 35.7)]))}
    data = json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
    # The shipped Idlib zone is in force on each of these days: once it is drawn, the date's
    # areas are there, and a missing area is really missing.
    inside = open_at(page, f"{app_url}/?date=2018-03-15", until="c.zones.includes('idlib')")
    assert "pocket-1" not in inside["zones"]
    open_expander(page, "Add an area file")
    upload(page, "upload_areas", {"name": "pocket.geojson", "mimeType": "application/geo+json",
                                  "buffer": data})
    # The fields are listed and preselected by their common names.
    expect(page.get_by_text("pocket.geojson fields:")).to_be_visible(timeout=30_000)
    for role, value in (("label", "name"), ("from", "from"), ("to", "to"), ("style", "status")):
        box = page.locator(f"[class*='st-key-area_field_{role}_'] [role='combobox']")
        expect(box).to_have_value(value)
    sidebar_shot(page, "byod-c-area-fields", page.locator(".st-key-add_areas"))
    button = page.locator(".st-key-add_areas button").locator("visible=true")
    button.click()
    expect(page.get_by_text("pocket.geojson: 1 area(s) added")).to_be_visible(timeout=30_000)
    sidebar_shot(page, "byod-c-area-added", page.get_by_text("pocket.geojson: 1 area(s) added"))

    inside = open_at(page, f"{app_url}/?date=2018-03-15", until="c.zones.includes('pocket-1')")
    assert "pocket-1" in inside["zones"]
    assert inside["colours"]["pocket-1"] == style_for(AREA_STYLE)["color"]
    screenshot(page, "byod-c-area-on-map")
    for outside_day in ("2018-01-31", "2018-05-01"):
        outside = open_at(page, f"{app_url}/?date={outside_day}",
                          until="c.zones.includes('idlib')")
        assert "pocket-1" not in outside["zones"], outside_day


def test_d_download_ucdp(app_url, page: Page):
    open_at(page, f"{app_url}/?date={CLAIM_DAY}")
    expect(page.get_by_test_id("cm-claim")).not_to_contain_text("UCDP GED 19.1")
    loaded_before = loaded_count(page)
    open_expander(page, "Add your own events or control file")
    button = page.locator(".st-key-ucdp_download button").locator("visible=true")
    button.click()
    expect(page.get_by_test_id("stProgress")).to_be_visible(timeout=30_000)
    sidebar_shot(page, "byod-d-downloading", page.get_by_test_id("stProgress"))
    expect(page.get_by_text("UCDP GED downloaded:")).to_be_visible(timeout=120_000)
    wait_for_app(page, timeout=60_000)
    sidebar_shot(page, "byod-d-downloaded", page.get_by_text("UCDP GED downloaded:"))
    assert loaded_count(page) > loaded_before + 10_000
    open_at(page, f"{app_url}/?date={CLAIM_DAY}")
    expect(page.get_by_test_id("cm-claim").first).to_contain_text("UCDP GED 19.1")
    screenshot(page, "byod-d-claim")
