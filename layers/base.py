"""The base map: background, Syria's outlines and governorate names.

Nothing here depends on the date or the filters, and nothing is random, so the map renders to
the same bytes on every rerun: ``st_folium`` keys its component on a hash of this map's
JavaScript, and an unchanged key keeps the user's pan and zoom (engineering notes §0.1).
Everything date-dependent goes through ``st_folium(feature_group_to_add=[...])``.

Build the map afresh on each run: ``st_folium`` adds the feature groups it is given *into* the
map object, so a cached map would collect them and change its hash.
"""

from __future__ import annotations

import json

import folium
import numpy as np
import shapely
from folium.utilities import JsCode
from shapely.ops import polylabel

from layers import assets
from layers.escape import html_text
from sources.boundaries import Boundaries
from view.map_view import DEFAULT_ZOOM, MAX_ZOOM, MIN_ZOOM, SYRIA_CENTRE

# Syria spans lat 32.3-37.3, lon 35.6-42.4 (OCHA COD-AB); the margin leaves room to pan to
# the borders and to the neighbouring frontlines (Turkey, Iraq, Lebanon, Jordan).
MAX_BOUNDS: tuple[tuple[float, float], tuple[float, float]] = ((31.0, 32.5), (38.5, 43.5))
TILES = ("none", "osm")

BACKGROUND = "#e4e8eb"  # calm light grey outside Syria (land and sea alike: no tiles)
COUNTRY_STYLE = {"color": "#4d4d4d", "weight": 2.5, "opacity": 0.9, "fill": False,
                 "className": "cm-country"}
# Without tiles, Syria itself is near-white, so the country reads at a glance and markers keep
# their contrast. The fill sits in its own pane under the names (LAND_PANE < LABEL_PANE).
LAND_STYLE = {"stroke": False, "fill": True, "fillColor": "#fbfbf8", "fillOpacity": 1.0}
LAND_PANE = "cm-land"
GOVERNORATE_STYLE = {"color": "#8a8a8a", "weight": 1.2, "opacity": 0.9, "fill": False,
                     "className": "cm-governorate"}
# One SVG renderer for every outline and zone, created on first use and then shared. The map
# prefers canvas (for many event markers), but a few dozen outlines are crisper as SVG and give
# one DOM path each; a new ``L.svg()`` per zone would leave an empty <svg> behind at every rerun
# (st_folium re-evaluates the feature groups and Leaflet never removes a renderer).
SVG_RENDERER = JsCode("(window.cmSvgRenderer = window.cmSvgRenderer || L.svg({padding: 0.5}))")
# Names of governorates and zones go in this pane, under the overlay pane (400) where outlines,
# zones and events are drawn: data is never hidden by a label. Every base map has it.
LABEL_PANE = "cm-labels"
# Area names (a handful, written beside the areas) go above the events instead: they carry the
# "approximate outline" note, which must stay readable where events crowd the zone's edge.
AREA_LABEL_PANE = "cm-area-labels"
# Sub-districts shaded by control sit under the outlines, zones and events (overlay pane 400),
# above the land fill.
CONTROL_AREA_PANE = "cm-control-areas"
ATTRIBUTION = "Boundaries: OCHA COD-AB (v02, 2020)"
COORD_DECIMALS = 4  # ~10 m: plenty for outlines drawn at zoom 6-13, and a smaller page

# One style sheet for the map's own elements. Class names start with "cm-" (conflict map) so
# they cannot collide with Leaflet's or Streamlit's. Sizes are for a projector at zoom 7.
MAP_CSS = f"""
.leaflet-container {{ background: {BACKGROUND};
  font-family: "Source Sans Pro", "Segoe UI", "Helvetica Neue", Arial, sans-serif; }}
.cm-label {{ background: none; border: none; }}
.cm-label > span {{ position: absolute; transform: translate(-50%, -50%); white-space: nowrap;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 4px #fff; pointer-events: none; }}
.cm-gov-label > span {{ font-size: 13px; font-weight: 600; letter-spacing: 0.08em;
  text-transform: uppercase; color: #7d7d7d; }}
.cm-zone-label > span {{ font-size: 15px; font-weight: 700; color: #1a1a1a; }}
.cm-label small {{ display: block; font-size: 0.8em; font-weight: 600; color: #333; }}
.cm-label-west > span {{ transform: translate(calc(-100% - 10px), -50%); text-align: right; }}
.cm-milestone {{ background: none; border: none; }}
.cm-milestone svg {{ display: block; filter: drop-shadow(0 0 1.5px #fff); }}
.leaflet-tooltip, .leaflet-popup-content {{ font-size: 15px; line-height: 1.35; }}
.leaflet-tooltip {{ white-space: normal; width: max-content; max-width: 380px; }}
.leaflet-popup-content {{ max-width: 360px; }}
.cm-popup-title {{ font-weight: 700; font-size: 16px; margin-bottom: 4px; }}
.cm-popup-meta {{ color: #444; }}
/* What the browser's clock draws, written on the map (static/app/event_clock.js). */
.cm-clock-status {{ background: rgba(255,255,255,0.92); border: 1px solid #1a1a1a;
  border-radius: 4px; padding: 3px 8px; font-size: 15px; font-weight: 700; color: #1a1a1a;
  max-width: 70vw; }}
"""


class LayerGroup(folium.FeatureGroup):
    """What every registered layer's ``build(view)`` returns: a FeatureGroup, plus a one-line
    ``summary`` of what it draws when the page should say it ("41,210 events in 312 cells"),
    else None."""

    def __init__(self, name: str, *, summary: str | None = None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.summary = summary


def _rounded(geometry: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geometry, lambda xy: np.round(xy, COORD_DECIMALS))


def _geojson(names: list[str], geometries: list[shapely.Geometry]) -> dict:
    """A FeatureCollection of rounded geometries with an escaped ``name`` property."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": html_text(name)},
                "geometry": json.loads(shapely.to_geojson(_rounded(geom))),
            }
            for name, geom in zip(names, geometries, strict=True)
        ],
    }


def label_point(geometry: shapely.Geometry) -> tuple[float, float]:
    """Where to write an area's name: the pole of inaccessibility of its largest part.

    Deeper inside the shape than the centroid or ``representative_point`` (it keeps "Rural
    Damascus" away from "Damascus"), and deterministic. Returns ``(lat, lon)``.
    """
    parts = getattr(geometry, "geoms", [geometry])
    largest = max(parts, key=lambda part: part.area)
    point = polylabel(largest, tolerance=0.01)
    return (round(point.y, COORD_DECIMALS), round(point.x, COORD_DECIMALS))


def west_label_point(geometry: shapely.Geometry) -> tuple[float, float]:
    """Where to write an area's name *beside* it: its western edge, at the height of its label
    point. The de-escalation zones all touch Syria's western edge, so their names then sit over
    the empty background instead of over governorate names and events. Returns ``(lat, lon)``.
    """
    lat, _ = label_point(geometry)
    return (lat, round(geometry.bounds[0], COORD_DECIMALS))


def label_marker(
    text: str, location: tuple[float, float], css_class: str, *, note: str = "", **options
) -> folium.Marker:
    """A non-interactive text label (escaped) centred on ``location``.

    Parameters
    ----------
    text : str
        Untrusted text; it is escaped here.
    location : tuple of float
        ``(lat, lon)``.
    css_class : str
        Extra class, e.g. ``"cm-gov-label"`` or ``"cm-zone-label"`` (styles in :data:`MAP_CSS`).
    note : str
        A second, smaller line (escaped too), e.g. "approximate outline".
    **options
        Passed to ``folium.Marker`` (e.g. ``pane``).
    """
    icon = folium.DivIcon(
        html=f"<span>{html_text(text)}"
        + (f"<small>{html_text(note)}</small>" if note else "") + "</span>",
        icon_size=(0, 0),
        class_name=f"cm-label {css_class}",
    )
    return folium.Marker(location, icon=icon, interactive=False, keyboard=False, **options)


def build_base_map(boundaries: Boundaries | None, *, tiles: str = "none",
                   extras: tuple = ()) -> folium.Map:
    """Build the date-independent base map.

    Parameters
    ----------
    boundaries : Boundaries or None
        Country and governorate outlines; ``None`` draws only the background.
    tiles : {"none", "osm"}
        ``"osm"`` adds OpenStreetMap tiles (needs internet); ``"none"`` a plain background.
    extras : tuple of branca elements
        Date-independent data the layers need in the page (the control record): added once,
        so a step only sends what changes with the date.

    Returns
    -------
    folium.Map
        Canvas-preferring map centred on Syria with a scale bar, the outlines (SVG, so they stay
        crisp) and governorate names. Identical inputs give byte-identical JavaScript.
    """
    if tiles not in TILES:
        raise ValueError(f"tiles must be one of {TILES}, not {tiles!r}")
    assets.install()
    (south, west), (north, east) = MAX_BOUNDS
    m = folium.Map(
        location=SYRIA_CENTRE,
        zoom_start=DEFAULT_ZOOM,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
        max_bounds=True,
        min_lat=south,
        min_lon=west,
        max_lat=north,
        max_lon=east,
        font_size="15px",
        min_zoom=MIN_ZOOM,  # with tiles=None these go to the map's own options below
        max_zoom=MAX_ZOOM,
    )
    m.options.update({"min_zoom": MIN_ZOOM, "max_zoom": MAX_ZOOM})
    m.get_root().header.add_child(folium.Element(f"<style>{MAP_CSS}</style>"), name="cm_map_css")
    folium.map.CustomPane(LABEL_PANE, z_index=350, pointer_events=False).add_to(m)
    folium.map.CustomPane(AREA_LABEL_PANE, z_index=450, pointer_events=False).add_to(m)
    folium.map.CustomPane(CONTROL_AREA_PANE, z_index=300).add_to(m)
    for element in extras:
        element.add_to(m)
    if tiles == "osm":
        folium.TileLayer("OpenStreetMap", min_zoom=MIN_ZOOM, max_zoom=MAX_ZOOM).add_to(m)
    if boundaries is not None:
        _add_boundaries(m, boundaries, land_fill=tiles == "none")
    return m


def _add_boundaries(m: folium.Map, boundaries: Boundaries, *, land_fill: bool) -> None:
    governorates = boundaries.governorates
    country = boundaries.country
    if land_fill:
        folium.map.CustomPane(LAND_PANE, z_index=250, pointer_events=False).add_to(m)
        folium.GeoJson(
            _geojson(list(country["adm0_name"]), list(country["display_geometry"])),
            name="Syria (land)",
            style_function=lambda _feature: LAND_STYLE,
            control=False,
            pane=LAND_PANE,  # drawn once by that pane's own renderer
            interactive=False,
        ).add_to(m)
    folium.GeoJson(
        _geojson(list(country["adm0_name"]), list(country["display_geometry"])),
        name="Syria",
        style_function=lambda _feature: COUNTRY_STYLE,
        control=False,
        renderer=SVG_RENDERER,
        interactive=False,
    ).add_to(m)
    folium.GeoJson(
        _geojson(list(governorates["adm1_name"]), list(governorates["display_geometry"])),
        name="Governorates",
        style_function=lambda _feature: GOVERNORATE_STYLE,
        control=False,
        renderer=SVG_RENDERER,
        attribution=ATTRIBUTION,
        bubbling_mouse_events=True,
    ).add_to(m)
    names = folium.FeatureGroup(name="Governorate names", control=False)
    for name, geometry in zip(governorates["adm1_name"], governorates["geometry"], strict=True):
        label_marker(name, label_point(geometry), "cm-gov-label", pane=LABEL_PANE).add_to(names)
    names.add_to(m)
