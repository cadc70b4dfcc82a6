"""Exports of a view: PNG, animated GIF, standalone HTML and CSV, without a browser or internet
(except the one browser test, which opens the HTML file in Chromium with the network cut off).
"""

from __future__ import annotations

import io
import math
import re
from datetime import date
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from PIL import Image, ImageChops
from shapely.geometry import box

from exports.csv import events_csv
from exports.gif import date_steps, render_gif
from exports.html import ExportError, _script_text, loading_urls, render_standalone_html
from exports.model import SYRIA_BBOX, ExportView, bbox_around, principal_faction
from exports.png import Projection, layout, render_image, render_png, scale_bar
from layers import assets
from layers.palette import FACTION_STYLE
from sources.boundaries import Boundaries
from sources.schema import AREA_COLUMNS, COLUMNS, DTYPES

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
OCHA = SHARED / "data" / "ocha-cod-ab-syria"
ARTIFACTS = ROOT / "test-artifacts" / "exports"


# -- fixtures -----------------------------------------------------------------------------------


def make_events() -> pd.DataFrame:
    rows = [
        # id, lat, lon, f1, f2, best, place, notes
        ("1", 35.95, 39.01, "sdf", "is", 12, "Raqqa", "Clashes in the city"),
        ("2", 35.34, 40.14, "government", "is", 40, "Deir ez-Zor", "=HYPERLINK(\"http://x\")"),
        ("3", 36.20, 37.16, "government", "opposition", 3, "حلب", "+cmd|' /C calc'!A0"),
        ("4", 33.51, 36.29, "opposition", "civilians", 0, "دمشق", "-2+3"),
        ("5", 34.45, 40.92, "coalition", "is", 150, "Abu Kamal", "@SUM(A1:A2)"),
        ("6", 35.93, 36.63, "civilians", "jihadist", 5, "Idleb", "\tTabbed note"),
    ]
    frame = pd.DataFrame(
        {
            "event_id": [r[0] for r in rows],
            "source_dataset": "TEST 1.0",
            "date_start": pd.to_datetime(["2017-12-01"] * len(rows)),
            "date_end": pd.to_datetime(["2017-12-02"] * len(rows)),
            "latitude": [r[1] for r in rows],
            "longitude": [r[2] for r in rows],
            "place_precision": "exact",
            "date_precision": "day",
            "event_type": "state-based",
            "actor1": [r[3] for r in rows],
            "actor2": [r[4] for r in rows],
            "faction1": [r[3] for r in rows],
            "faction2": [r[4] for r in rows],
            "fatalities_low": [r[5] for r in rows],
            "fatalities_best": [r[5] for r in rows],
            "fatalities_high": [r[5] for r in rows],
            "governorate": "",
            "place": [r[6] for r in rows],
            "notes": [r[7] for r in rows],
            "source": "Test source",
            "source_url": "",
        }
    )
    return frame.astype(DTYPES)[COLUMNS]


def make_zones() -> gpd.GeoDataFrame:
    data = {
        "area_id": ["idlib", "south"],
        "layer": ["Test zones"] * 2,
        "label": ["Idlib zone", "Southern zone"],
        "valid_from": pd.to_datetime(["2017-05-06"] * 2),
        "valid_to": pd.to_datetime([None, None]),
        "approximate": [True, True],
        "style_value": ["in force", "in force"],
        "phases": [None, None],
        "source": ["test"] * 2,
        "source_url": [""] * 2,
        "state": ["under offensive", "in force"],
    }
    geometry = [box(36.2, 35.4, 37.0, 36.2), box(35.8, 32.6, 36.4, 33.2)]
    zones = gpd.GeoDataFrame(data, geometry=geometry, crs="EPSG:4326")
    return zones[[*AREA_COLUMNS[:-1], "state", "geometry"]]


def make_boundaries() -> Boundaries:
    country = gpd.GeoDataFrame(
        {"adm0_name": ["Syria"], "adm0_pcode": ["SY"]},
        geometry=[box(35.7, 32.4, 42.3, 37.3)], crs="EPSG:4326",
    )
    governorates = gpd.GeoDataFrame(
        {"adm1_name": ["West", "East"], "adm1_pcode": ["SY01", "SY02"]},
        geometry=[box(35.7, 32.4, 39.0, 37.3), box(39.0, 32.4, 42.3, 37.3)], crs="EPSG:4326",
    )
    return Boundaries(country=country, governorates=governorates)


def make_milestones() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "milestone_id": ["m1", "m2"],
            "date": ["2017-12-06", "2017-12-06"],
            "title": ["Deir ez-Zor pin", "Announced in Moscow (off the map)"],
            "lat": [35.3359, 55.752],
            "lon": [40.1408, 37.6178],
        }
    )


def make_view(**changes) -> ExportView:
    fields = {
        "title": "Test briefing",
        "day": date(2017, 12, 6),
        "window_label": "30 days to the date",
        "events": make_events(),
        "zones": make_zones(),
        "milestones": make_milestones(),
        "caption": "6 Dec 2017: a claim, set beside the events",
        "source_line": "Events: TEST 1.0 · Boundaries: fixture",
        "boundaries": make_boundaries(),
    }
    fields.update(changes)
    return ExportView(**fields)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _colour_pixels(image: Image.Image, hex_colour: str, tol: int = 6) -> np.ndarray:
    """(row, col) of pixels within ``tol`` of the colour."""
    array = np.asarray(image.convert("RGB")).astype(int)
    close = np.all(np.abs(array - np.array(_rgb(hex_colour))) <= tol, axis=2)
    return np.argwhere(close)


# -- model --------------------------------------------------------------------------------------


def test_principal_faction_follows_the_rule() -> None:
    f1 = pd.Series(["civilians", "government", "sdf", "russia", "government", "civilians", "is"])
    f2 = pd.Series(["is", "opposition", "is", "government", "civilians", "civilians", "sdf"])
    expected = ["is", "opposition", "sdf", "russia", "government", "civilians", "is"]
    assert principal_faction(f1, f2).tolist() == expected
    with pytest.raises(ValueError, match="outside"):
        principal_faction(pd.Series(["martians"]), pd.Series(["is"]))


def test_bbox_around_matches_leaflet_zoom() -> None:
    # At zoom z the world is 256 * 2**z px wide: 1280 px span 1280/(256*2**z) of 360 degrees.
    min_lon, min_lat, max_lon, max_lat = bbox_around((34.45, 40.95), 10, width_px=1280)
    assert max_lon - min_lon == pytest.approx(360 * 1280 / (256 * 2**10))
    assert min_lat < 34.45 < max_lat
    assert (min_lon + max_lon) / 2 == pytest.approx(40.95)


# -- PNG ----------------------------------------------------------------------------------------


def test_png_is_a_valid_wide_picture() -> None:
    data = render_png(make_view())
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "PNG"
    assert image.width == 1920 and image.height == 1080
    with pytest.raises(AssertionError):
        render_png(make_view(), width=1200)
    assert Image.open(io.BytesIO(render_png(make_view(), width=1600))).width == 1600


def test_png_is_not_blank_and_shows_the_faction_colours() -> None:
    image = Image.open(io.BytesIO(render_png(make_view())))
    assert np.asarray(image.convert("L")).std() > 20
    map_area = image.crop(layout(image.width).map)
    # Principal factions of the fixture's events (see make_events).
    for faction in ("opposition", "sdf", "is", "jihadist"):
        pixels = _colour_pixels(map_area, FACTION_STYLE[faction].colour)
        assert len(pixels) > 20, faction
    # A faction not in the view is not drawn on the map.
    assert len(_colour_pixels(map_area, FACTION_STYLE["turkey"].colour, tol=2)) == 0


def test_event_is_drawn_where_the_projection_puts_it() -> None:
    events = make_events().iloc[[2]]  # government vs opposition -> opposition, at Aleppo
    view = make_view(events=events, zones=None, milestones=None, boundaries=None)
    image = render_image(view, width=1920)
    lay = layout(1920)
    left, top, right, bottom = lay.map
    proj = Projection.fit(SYRIA_BBOX, right - left, bottom - top)
    x, y = proj.project(np.array([37.16]), np.array([36.20]))
    pixels = _colour_pixels(image.crop(lay.map), FACTION_STYLE["opposition"].colour)
    cy, cx = pixels.mean(axis=0)
    assert abs(cx - x[0]) < 3 and abs(cy - y[0]) < 3


def test_date_is_burned_into_the_header() -> None:
    a = render_image(make_view(day=date(2017, 12, 6)))
    b = render_image(make_view(day=date(2018, 3, 23)))
    diff = ImageChops.difference(a, b).getbbox()
    assert diff is not None, "the date is not drawn"
    dl, dt, dr, db = layout(a.width).date_box
    assert dl <= diff[0] and dt <= diff[1] and diff[2] <= dr and diff[3] <= db


def test_caption_and_window_are_burned_in() -> None:
    lay = layout(1920)
    a = render_image(make_view(caption="First caption"))
    b = render_image(make_view(caption="Second, different caption"))
    diff = ImageChops.difference(a, b).getbbox()
    assert diff is not None
    _, ct, _, cb = lay.caption
    assert ct <= diff[1] and diff[3] <= cb
    c = render_image(make_view(window_label="7 days to the date"))
    diff = ImageChops.difference(a.crop(lay.header), c.crop(lay.header)).getbbox()
    assert diff is not None


def test_markup_in_data_is_drawn_as_text() -> None:
    # No HTML engine: a caption with tags is just characters, and rendering does not fail.
    view = make_view(caption="<b>bold?</b> <script>alert(1)</script> & ﻿دير الزور")
    image = render_image(view)
    assert image.size == (1920, 1080)


def test_scale_bar_length_is_right_for_the_latitude() -> None:
    proj = Projection.fit(SYRIA_BBOX, 1490, 826)
    for lat in (32.5, 35.0, 37.0):
        km, px = scale_bar(proj, lat, target_px=250)
        assert str(km)[0] in "125" and px <= 250 * 1.0001
        # Haversine distance along the parallel between the bar's two ends.
        lon0 = 38.0
        lon1 = lon0 + px / proj.px_per_world * 360
        phi = math.radians(lat)
        d_lambda = math.radians(lon1 - lon0)
        a = math.cos(phi) ** 2 * math.sin(d_lambda / 2) ** 2
        metres = 2 * 6_378_137 * math.asin(math.sqrt(a))
        assert metres / 1000 == pytest.approx(km, rel=0.003)


def test_empty_view_renders() -> None:
    view = make_view(events=make_events().iloc[0:0], zones=None, milestones=None)
    image = Image.open(io.BytesIO(render_png(view)))
    assert image.width == 1920


def test_png_with_the_real_boundaries_and_shipped_data() -> None:
    """The real OCHA outlines (must be present) and, when already shipped, zones and milestones."""
    from sources.boundaries import load_boundaries
    from view.areas import areas_on

    assert OCHA.is_dir(), f"shared OCHA boundaries missing at {OCHA}"
    boundaries = load_boundaries(OCHA)
    day = date(2017, 12, 6)
    zones = None
    if (ROOT / "data" / "zones.geojson").is_file():
        zones = areas_on(gpd.read_file(ROOT / "data" / "zones.geojson"), pd.Timestamp(day))
    milestones = None
    if (ROOT / "data" / "milestones.csv").is_file():
        milestones = pd.read_csv(ROOT / "data" / "milestones.csv")
        milestones = milestones[milestones["date"] == day.isoformat()]
    view = make_view(boundaries=boundaries, zones=zones, milestones=milestones)
    data = render_png(view)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "real-2017-12-06.png").write_bytes(data)
    image = Image.open(io.BytesIO(data))
    assert np.asarray(image.convert("L")).std() > 20
    # Zoomed on Baghuz, as a briefing scene does.
    zoomed = make_view(boundaries=boundaries, bbox=bbox_around((34.4586, 40.9506), 12))
    (ARTIFACTS / "real-baghuz.png").write_bytes(render_png(zoomed))


# -- GIF ----------------------------------------------------------------------------------------


def test_date_steps() -> None:
    assert date_steps(date(2017, 12, 1), date(2017, 12, 3), "day") == [
        date(2017, 12, 1), date(2017, 12, 2), date(2017, 12, 3)]
    assert date_steps(date(2017, 12, 1), date(2017, 12, 20), "week") == [
        date(2017, 12, 1), date(2017, 12, 8), date(2017, 12, 15)]
    assert date_steps(date(2018, 1, 31), date(2018, 5, 1), "month") == [
        date(2018, 1, 31), date(2018, 2, 28), date(2018, 3, 31), date(2018, 4, 30)]
    assert date_steps(date(2019, 11, 15), date(2020, 1, 15), "month")[-1] == date(2020, 1, 15)
    assert date_steps(date(2018, 1, 1), date(2018, 1, 1), "week") == [date(2018, 1, 1)]
    with pytest.raises(ValueError):
        date_steps(date(2018, 1, 2), date(2018, 1, 1), "day")
    with pytest.raises(ValueError):
        date_steps(date(2018, 1, 1), date(2018, 2, 1), "fortnight")


def test_gif_has_one_frame_per_step() -> None:
    steps = date_steps(date(2017, 11, 1), date(2017, 12, 6), "week")
    views = [make_view(day=day, caption=f"Step {i}") for i, day in enumerate(steps)]
    data = render_gif(views, frame_ms=500, width=800)
    image = Image.open(io.BytesIO(data))
    assert image.format == "GIF"
    assert image.is_animated and image.n_frames == len(steps) == 6
    assert image.width == 800
    durations = []
    for i in range(image.n_frames):
        image.seek(i)
        durations.append(image.info["duration"])
    assert durations[:-1] == [500] * 5 and durations[-1] == 1500
    with pytest.raises(ValueError):
        render_gif([])


# -- HTML ---------------------------------------------------------------------------------------

LEGEND = '<div class="legend"><b>Legend</b><span>Islamic State (IS)</span></div>'


def leaflet_version() -> str:
    head = (ROOT / "static" / "vendor" / "leaflet" / "leaflet.js").read_text("utf-8")[:200]
    match = re.search(r"Leaflet (\d+\.\d+\.\d+)", head)
    assert match, "static/vendor/leaflet/leaflet.js missing: run scripts/install_assets.py"
    return match.group(1)


def make_map(tiles: bool = True) -> folium.Map:
    assets.install()
    m = folium.Map(location=[35.0, 38.5], zoom_start=7, tiles=None)
    if tiles:
        folium.TileLayer("OpenStreetMap").add_to(m)
    group = folium.FeatureGroup(name="Events")
    folium.CircleMarker([35.95, 39.01], radius=8, color="#000000", fill=True).add_to(group)
    folium.GeoJson(
        {"type": "Feature", "properties": {},
         "geometry": {"type": "Polygon",
                      "coordinates": [[[36.2, 35.4], [37.0, 35.4], [37.0, 36.2], [36.2, 35.4]]]}},
    ).add_to(group)
    group.add_to(m)
    return m


def export_page(m: folium.Map | None = None, **changes) -> str:
    fields = {"title": "IS briefing", "day": date(2017, 12, 6), "legend_html": LEGEND,
              "caption": "A claim, set beside the events"}
    fields.update(changes)
    return render_standalone_html(m or make_map(), **fields)


def test_html_is_self_contained() -> None:
    m = make_map()
    children_before = list(m._children)
    page = export_page(m)
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert "IS briefing" in page and "6 Dec 2017" in page and LEGEND in page
    assert "A claim, set beside the events" in page
    # Nothing loads from anywhere: no src/href except data: URIs.
    urls = loading_urls(page)
    assert all(u.startswith(("data:", "#")) for u in urls), urls
    assert not re.search(r"""(src|href)\s*=\s*["']https?:""", page.split("<script")[0])
    assert "<script src" not in page and 'rel="stylesheet"' not in page
    # Leaflet itself is inline, and so is its CSS with its images.
    assert f"Leaflet {leaflet_version()}" in page
    assert "L.map(" in page and ".leaflet-container" in page
    assert "data:image/png;base64," in page
    # The tile layer was left out, and the caller's map is unchanged.
    assert "tile.openstreetmap.org" not in page
    assert list(m._children) == children_before


def test_html_escapes_title_and_caption() -> None:
    page = export_page(title="<script>alert('t')</script>", caption="<img src=x onerror=alert(1)>")
    assert "<script>alert('t')</script>" not in page
    assert "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;" in page
    assert "<img src=x" not in page


def test_script_end_tags_inside_assets_are_escaped() -> None:
    assert _script_text('var s = "</script><b>";') == 'var s = "<\\/script><b>";'
    assert "</SCRIPT" not in _script_text("x('</SCRIPT>')")


def test_missing_or_remote_asset_is_an_error(tmp_path: Path) -> None:
    m = make_map(tiles=False)
    m.default_js = [*m.default_js, ("missing", "/app/static/vendor/missing/missing.js")]
    with pytest.raises(ExportError, match="missing"):
        export_page(m)
    m = make_map(tiles=False)
    m.default_js = [*m.default_js, ("cdn", "https://cdn.example.org/x.js")]
    with pytest.raises(ExportError, match="not local"):
        export_page(m)


def test_html_of_the_app_base_map_if_present() -> None:
    """The app's own base map (layers/base.py) with the real outlines exports cleanly."""
    from layers.base import build_base_map
    from sources.boundaries import load_boundaries

    m = build_base_map(load_boundaries(OCHA), tiles="osm")
    page = export_page(m)
    assert all(u.startswith(("data:", "#")) for u in loading_urls(page))
    assert "tile.openstreetmap.org" not in page


@pytest.mark.browser
def test_html_opens_from_disk_in_chromium_without_network(tmp_path: Path, browser) -> None:
    path = tmp_path / "view.html"
    path.write_text(export_page(), encoding="utf-8")
    blocked: list[str] = []
    errors: list[str] = []
    # One Chromium for the whole test session (tests/conftest.py); a fresh context here.
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        def route(r) -> None:
            if r.request.url.startswith(("file://", "data:")):
                r.continue_()
            else:
                blocked.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.goto(path.as_uri())
        page.wait_for_selector(".leaflet-container", timeout=10_000)
        page.wait_for_selector(".leaflet-overlay-pane svg path, .leaflet-overlay-pane canvas",
                               timeout=10_000)
        assert page.locator("#export-date").inner_text() == "6 Dec 2017"
        assert page.locator("#export-date").is_visible()
        assert page.locator(".export-legend").is_visible()
        box_ = page.locator(".leaflet-container").bounding_box()
        assert box_ is not None and box_["width"] > 500 and box_["height"] > 300
    finally:
        context.close()
    assert errors == []
    assert blocked == []


# -- CSV ----------------------------------------------------------------------------------------


def test_csv_has_bom_columns_and_iso_dates() -> None:
    data = events_csv(make_events())
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    header, first = text.split("\r\n")[:2]
    assert header.split(",") == COLUMNS
    assert first.startswith("1,TEST 1.0,2017-12-01,2017-12-02,35.95,39.01,")


def test_csv_neutralises_formulas_and_keeps_arabic() -> None:
    table = pd.read_csv(io.BytesIO(events_csv(make_events())), encoding="utf-8-sig",
                        keep_default_na=False, dtype=str)
    notes = table["notes"].tolist()
    assert notes[0] == "Clashes in the city"
    assert notes[1] == "'=HYPERLINK(\"http://x\")"
    assert notes[2].startswith("'+cmd")
    assert notes[3] == "'-2+3"
    assert notes[4] == "'@SUM(A1:A2)"
    assert notes[5] == "'\tTabbed note"
    assert table["place"].tolist()[2:4] == ["حلب", "دمشق"]
    # Numbers are not text: a negative coordinate stays a number.
    events = make_events()
    events.loc[0, "longitude"] = -1.5
    table = pd.read_csv(io.BytesIO(events_csv(events)), encoding="utf-8-sig")
    assert table["longitude"].iloc[0] == -1.5


def test_csv_round_trips_through_the_canonical_reader(tmp_path: Path) -> None:
    from sources.canonical import read_canonical

    events = make_events()
    events["notes"] = ["plain", "with, comma", 'with "quotes"', "line\nbreak", "x", "y"]
    path = tmp_path / "events.csv"
    path.write_bytes(events_csv(events))
    back = read_canonical(path)
    assert list(back.columns) == COLUMNS
    assert len(back) == len(events)
    for column in ("event_id", "place", "notes", "faction1", "faction2"):
        assert back[column].tolist() == events[column].tolist(), column
    assert (back["date_start"] == events["date_start"]).all()
    assert np.allclose(back["latitude"], events["latitude"])
    assert (back["fatalities_best"] == events["fatalities_best"]).all()


def test_png_renders_without_system_fonts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A fresh machine without DejaVu: Pillow's own scalable font is used."""
    from exports import png
    from exports.png import canvas

    monkeypatch.setattr(canvas, "_DEJAVU", tmp_path / "no-fonts-here")
    png.font.cache_clear()
    try:
        assert png.font(30).size == 30
        image = Image.open(io.BytesIO(render_png(make_view())))
        assert image.width == 1920 and np.asarray(image.convert("L")).std() > 20
    finally:
        png.font.cache_clear()
