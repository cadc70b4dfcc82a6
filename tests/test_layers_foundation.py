"""Base map, zone and milestone layers: local assets, determinism, escaping, areas_on."""

from __future__ import annotations

import re
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Polygon
from streamlit_folium import _get_map_string, generate_js_hash

from layers import assets, legend, milestones, zones
from layers.base import MAP_CSS, build_base_map
from layers.escape import html_text, safe_url
from layers.palette import OTHER_COLOURS, LegendItem, faction_item, size_items, style_for
from sources.boundaries import Boundaries, boundaries_from_env, load_boundaries
from sources.schema import AREA_COLUMNS, AREA_DTYPES, FACTIONS
from view.areas import areas_on

EVIL = "</script><img src=x onerror=alert(1)>${alert(2)}`);alert(3);// \\` \\\\`"
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


# -- fixtures -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def boundaries(boundaries_folder: Path) -> Boundaries:
    return load_boundaries(boundaries_folder)


def area_table(rows: list[dict]) -> gpd.GeoDataFrame:
    """A canonical area table from partial rows (squares near Idlib by default)."""
    square = Polygon([(36.4, 35.6), (36.9, 35.6), (36.9, 36.1), (36.4, 36.1)])
    defaults = {
        "area_id": "a", "layer": "test", "label": "Idlib de-escalation zone",
        "valid_from": "2017-05-06", "valid_to": None, "approximate": True,
        "style_value": "in force", "phases": None, "source": "memo",
        "source_url": "https://example.org/memo", "geometry": square,
    }
    frame = pd.DataFrame([{**defaults, **row} for row in rows])
    for column in ("valid_from", "valid_to"):
        frame[column] = pd.to_datetime(frame[column])
    frame = frame.astype({k: v for k, v in AREA_DTYPES.items() if k != "phases"})
    return gpd.GeoDataFrame(frame[AREA_COLUMNS], geometry="geometry", crs=4326)


def milestone_table(**overrides) -> pd.DataFrame:
    row = {
        "milestone_id": "m1", "date": "2018-04-12", "title": "Russia claims Douma",
        "category": "claim", "place": "Douma", "lat": 33.5717, "lon": 36.4027,
        "source_title": "TASS", "source_url": "https://tass.com/x", "claim_faction": "russia",
        "claim_statement": "flag raised", "note": "",
    }
    return pd.DataFrame([{**row, **overrides}])


def full_map(boundaries: Boundaries | None, tiles: str = "none") -> folium.Map:
    """The base map with every foundation layer added, as the app would show it."""
    m = build_base_map(boundaries, tiles=tiles)
    day = pd.Timestamp("2018-03-01")
    areas = area_table([{"phases": [{"from": "2018-02-18", "state": "under offensive"}]},
                        {"area_id": "b", "style_value": "contested"}])
    zones.draw(areas_on(areas, day)).add_to(m)
    milestones.draw(milestone_table()).add_to(m)
    return m


# -- local assets ---------------------------------------------------------------------

def test_install_points_folium_at_local_files_only() -> None:
    assets.install()
    assets.install()  # idempotent: nothing listed twice
    urls = [u for _, u in folium.Map.default_js + folium.Map.default_css]
    assert len(urls) == len(set(urls))
    assert all(u.startswith(assets.LOCAL_PREFIX) for u in urls)
    assert "/app/static/vendor/leaflet/leaflet.js" in urls
    assert "/app/static/vendor/jquery/jquery.min.js" in urls
    assert "/app/static/vendor/leaflet/leaflet.css" in urls
    assert not [u for u in urls if re.search(r"awesome|bootstrap|fontawesome", u)]


def test_asset_files_exist_and_match_urls() -> None:
    files = assets.asset_files()
    assert files[0].name == "leaflet.js" and files[0].stat().st_size > 100_000
    assert {f.suffix for f in files} <= {".js", ".css"}
    own = sorted((assets.STATIC / "app").glob("*.js"))
    assert [f for f in files if f.parent.name == "app" and f.suffix == ".js"] == own


@pytest.mark.parametrize("tiles", ["none", "osm"])
def test_rendered_page_has_only_local_urls(boundaries: Boundaries, tiles: str) -> None:
    page = full_map(boundaries, tiles).get_root().render()
    foreign = [
        u for u in assets.non_local_urls(page)
        # source links inside popups are links, not loads
        if u not in {"https://example.org/memo", "https://tass.com/x"}
    ]
    assert foreign == []
    assert (OSM_TILES in page) == (tiles == "osm")
    assert not re.search(r"https?://[^\"' ]*\.(js|css)\b", page)


def test_streamlit_folium_collects_only_local_links(boundaries: Boundaries) -> None:
    # the same walk st_folium does to build js_links / css_links
    m = full_map(boundaries)
    links = []

    def walk(element):
        links.extend(u for _, u in getattr(element, "default_js", []))
        links.extend(u for _, u in getattr(element, "default_css", []))
        for child in getattr(element, "_children", {}).values():
            walk(child)

    walk(m)
    assert links and all(u.startswith(assets.LOCAL_PREFIX) for u in links)


def test_non_local_urls_finds_cdn_links() -> None:
    html = '<script src="https://cdn.x/leaflet.js"></script><link href="/app/static/a.css">'
    assert assets.non_local_urls(html) == ["https://cdn.x/leaflet.js"]


# -- determinism ----------------------------------------------------------------------

def _normalised(m: folium.Map) -> str:
    """The page with folium's random element ids replaced (st_folium does the same)."""
    return re.sub(r"_[0-9a-f]{32}", "_ID", m.get_root().render())


def test_base_map_renders_identically(boundaries: Boundaries) -> None:
    first = _normalised(build_base_map(boundaries))
    second = _normalised(build_base_map(boundaries))
    assert first == second
    assert "preferCanvas" in first and "L.control.scale" in first
    assert "Al-Hasakeh" in first and "Rural Damascus" in first
    assert MAP_CSS.strip()[:40] in first  # the background style travels in the page


def test_base_map_without_boundaries_is_plain(boundaries: Boundaries) -> None:
    page = build_base_map(None).get_root().render()
    assert "tileLayer" not in page and "geoJson" not in page
    assert "background: #" in page


def test_unknown_tiles_rejected() -> None:
    with pytest.raises(ValueError, match="tiles"):
        build_base_map(None, tiles="satellite")


def test_st_folium_key_unchanged_when_only_feature_groups_change(boundaries: Boundaries) -> None:
    def key_for(day: str) -> str:
        m = build_base_map(boundaries)
        leaflet = _get_map_string(m)
        # st_folium adds the date-dependent groups after hashing the base map; build them
        # anyway so a layer that leaked into the base map would show here.
        zones.draw(areas_on(area_table([{}]), pd.Timestamp(day)))
        return generate_js_hash(leaflet, "map", False)

    assert key_for("2017-06-01") == key_for("2019-06-01")
    # and the hash does see a change of the base map
    changed = build_base_map(boundaries)
    folium.CircleMarker((35, 38), radius=3).add_to(changed)
    assert generate_js_hash(_get_map_string(changed), "map", False) != key_for("2017-06-01")


# -- escaping -------------------------------------------------------------------------

def test_html_text_neutralises_template_literal_and_html() -> None:
    out = html_text(EVIL)
    for bad in ("<", ">", "`", "$", "\\"):
        assert bad not in out
    assert "&#96;" in out and "&#36;" in out and "&#92;" in out and "&lt;/script&gt;" in out
    assert html_text(None) == "" and html_text(float("nan")) == "" and html_text(pd.NA) == ""


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://tass.com/a?b=1&c=2", "https://tass.com/a?b=1&amp;c=2"),
        ("http://example.org/x", "http://example.org/x"),
        ("javascript:alert(1)", ""),
        ("JaVaScRiPt:alert(1)", ""),
        ("java\tscript:alert(1)", ""),
        ("data:text/html,<script>", ""),
        ("/relative/path", ""),
        ("https://", ""),
        ('https://x.org/"onmouseover=alert(1)', "https://x.org/&quot;onmouseover=alert(1)"),
        (None, ""),
    ],
)
def test_safe_url(url: object, expected: str) -> None:
    assert safe_url(url) == expected


def _assert_inert(page: str) -> None:
    assert "<img src=x" not in page
    assert "${alert" not in page
    assert "alert(3)" not in page or "`);alert(3)" not in page
    # every backtick in the page is folium's own template-literal syntax, never ours
    assert "\\`" not in page.replace("\\\\`", "")  # no escaped (data) backtick either


def test_zone_layer_escapes_hostile_text(boundaries: Boundaries) -> None:
    areas = area_table([{"label": EVIL, "source": EVIL, "style_value": EVIL,
                         "source_url": "javascript:alert(1)", "area_id": EVIL}])
    m = build_base_map(boundaries)
    zones.draw(areas_on(areas, pd.Timestamp("2018-01-01"))).add_to(m)
    page = m.get_root().render()
    _assert_inert(page)
    assert "javascript:alert" not in page
    assert "&amp;lt;/script&amp;gt;" in page or "&lt;/script&gt;" in page


def test_milestone_layer_escapes_hostile_text(boundaries: Boundaries) -> None:
    table = milestone_table(title=EVIL, place=EVIL, category=EVIL, note=EVIL,
                            claim_statement=EVIL, source_title=EVIL,
                            source_url="javascript:alert(1)")
    m = build_base_map(boundaries)
    milestones.draw(table).add_to(m)
    page = m.get_root().render()
    _assert_inert(page)
    assert "javascript:alert" not in page
    assert "&lt;/script&gt;&lt;img src=x" in page  # shown as text


def test_legend_is_self_contained() -> None:
    items = [LegendItem("heading", EVIL), *(faction_item(k) for k in FACTIONS), *size_items(),
             LegendItem("area", EVIL, state=EVIL), LegendItem("area", "in force", state="in force"),
             LegendItem("pin", "Claim", state="claim"), LegendItem("note", "approximate " + EVIL)]
    html = legend.legend_html(items)
    assert "<img" not in html and "http" not in html.replace("http://www.w3.org/2000/svg", "")
    assert html.count("<svg") >= len(FACTIONS) + 3 + 2 + 1
    for label in FACTIONS.values():
        assert html_text(label) in html
    assert html_text(EVIL) in html and EVIL not in html
    assert "approximate" in html


# -- layers ---------------------------------------------------------------------------

def test_milestones_far_outside_syria_are_not_pinned() -> None:
    table = pd.concat([
        milestone_table(),
        milestone_table(milestone_id="moscow", lat=55.752, lon=37.6178),
        milestone_table(milestone_id="amman", lat=31.9552, lon=35.945),
        milestone_table(milestone_id="nowhere", lat=float("nan"), lon=float("nan")),
    ])
    group = milestones.draw(table)
    markers = [c for c in group._children.values() if isinstance(c, folium.Marker)]
    assert [tuple(m.location) for m in markers] == [(33.5717, 36.4027)]


def test_milestone_categories_have_distinct_pins() -> None:
    claim = legend.pin_svg("claim")
    assert claim != legend.pin_svg("military") != legend.pin_svg("political")
    assert claim.count("<polygon") == 1 and 'stroke-width="2.2"' in claim


def test_zone_styles_by_state_are_deterministic() -> None:
    assert "dashArray" in style_for("under offensive")
    assert "dashArray" not in style_for("in force")
    assert style_for("contested") == style_for("Contested")
    assert style_for("contested")["color"] in OTHER_COLOURS
    assert zones.map_label("Idlib de-escalation zone") == "Idlib zone"


def test_zone_layer_labels_and_styles() -> None:
    areas = area_table([{"phases": [{"from": "2018-02-18", "state": "under offensive"}]}])
    m = build_base_map(None)
    zones.draw(areas_on(areas, pd.Timestamp("2018-03-01"))).add_to(m)
    page = m.get_root().render()
    # The name on the map, with "approx. outline" written under it.
    # (DivIcon html is embedded as JSON: < and > are \u003c and \u003e.)
    label = "<span>Idlib zone<small>approx. outline</small></span>"
    assert label.replace("<", "\\u003c").replace(">", "\\u003e") in page
    assert '"dashArray": "10 7"' in page or "10 7" in page


# -- sources.boundaries ---------------------------------------------------------------

def test_boundaries_columns_and_simplification(boundaries: Boundaries) -> None:
    gov = boundaries.governorates
    assert list(gov.columns) == ["adm1_name", "adm1_pcode", "geometry", "display_geometry"]
    assert len(gov) == 14 and list(gov["adm1_pcode"]) == sorted(gov["adm1_pcode"])
    full = gov.geometry.count_coordinates().sum()
    simple = gov["display_geometry"].count_coordinates().sum()
    assert simple < full / 3
    assert len(boundaries.country) == 1


def test_boundaries_from_env(monkeypatch, tmp_path: Path, boundaries_folder: Path) -> None:
    monkeypatch.delenv("CONFLICT_MAP_BOUNDARIES", raising=False)
    assert boundaries_from_env() is None
    monkeypatch.setenv("CONFLICT_MAP_BOUNDARIES", str(boundaries_folder))
    assert len(boundaries_from_env().governorates) == 14
    monkeypatch.setenv("CONFLICT_MAP_BOUNDARIES", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"syr_admin0\.shp") as info:
        boundaries_from_env()
    assert str(tmp_path) in str(info.value)


# -- view.areas -----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("day", "drawn"),
    [
        ("2017-05-05", False),  # the day before valid_from
        ("2017-05-06", True),  # on valid_from
        ("2018-04-14", True),  # on valid_to
        ("2018-04-15", False),  # after
    ],
)
def test_areas_on_validity_bounds(day: str, drawn: bool) -> None:
    areas = area_table([{"valid_from": "2017-05-06", "valid_to": "2018-04-14"}])
    assert len(areas_on(areas, pd.Timestamp(day))) == int(drawn)


def test_areas_on_open_ended_and_states() -> None:
    phases = [
        {"from": "2017-05-06", "state": "in force", "label": "memorandum"},
        {"from": "2019-04-30", "state": "under offensive", "label": "offensive"},
    ]
    areas = area_table([
        {"area_id": "open", "phases": phases},
        {"area_id": "plain", "style_value": "contested"},
        {"area_id": "later", "valid_from": "2020-01-01"},
    ])
    early = areas_on(areas, pd.Timestamp("2018-01-01 15:30"))
    assert list(early["area_id"]) == ["open", "plain"]
    assert list(early["state"]) == ["in force", "contested"]
    assert list(early["phase_label"]) == ["memorandum", ""]
    late = areas_on(areas, pd.Timestamp("2030-01-01"))
    assert list(late["area_id"]) == ["open", "plain", "later"]
    assert late.set_index("area_id").loc["open", "state"] == "under offensive"
    on_phase_day = areas_on(areas, pd.Timestamp("2019-04-30"))
    assert on_phase_day.set_index("area_id").loc["open", "state"] == "under offensive"
    assert isinstance(late, gpd.GeoDataFrame)


def test_empty_inputs_give_empty_groups() -> None:
    empty = areas_on(area_table([{}]).iloc[0:0], pd.Timestamp("2018-01-01"))
    assert list(empty.columns)[-2:] == ["state", "phase_label"] and empty.empty
    assert not zones.draw(empty)._children
    assert not milestones.draw(milestone_table().iloc[0:0])._children


def test_land_fill_only_without_tiles(boundaries: Boundaries) -> None:
    plain = build_base_map(boundaries, tiles="none").get_root().render()
    osm = build_base_map(boundaries, tiles="osm").get_root().render()
    assert '"pane": "cm-land"' in plain
    assert "cm-land" not in osm  # an opaque Syria would hide the tiles


def test_markdown_text_leaves_no_markdown_and_shows_every_character() -> None:
    from layers.escape import markdown_text

    hostile = "![x](https://host/p.png) **b** `c` :red[d] $e$ <i>f</i>\nnext line"
    escaped = markdown_text(hostile)
    # Every special character is escaped: unescaping gives the text back (newline folded).
    assert re.sub(r"\\(.)", r"\1", escaped).replace("\u2060", "") == hostile.replace("\n", " ")
    # ...and none of them is left bare.
    assert not re.search(r"(?<!\\)[!\[\]()*`:$<>]", escaped), escaped
    assert markdown_text(None) == ""
