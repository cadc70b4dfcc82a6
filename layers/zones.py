"""De-escalation zones (and any user area set) drawn on the selected day, styled by state.

Input is :func:`view.areas.areas_on`'s table: the areas drawn that day with their ``state``.
Zones are few, so each is its own SVG ``GeoJson`` with its own escaped tooltip and popup.
"""

from __future__ import annotations

import json
import weakref

import folium
import geopandas as gpd
import pandas as pd
import shapely

from layers.base import (
    AREA_LABEL_PANE,
    COORD_DECIMALS,
    SVG_RENDERER,
    LayerGroup,
    label_marker,
    west_label_point,
)
from layers.escape import html_text, safe_url
from layers.event_clock import ClockGroup, reach
from layers.palette import STATE_STYLES, LegendItem, style_for
from view.areas import area_segments
from view.event_index import to_day
from view.run import RunView

NAME = "De-escalation zones"



APPROXIMATE_NOTE = "approx. outline"  # short: the label sits in the narrow margin west of Syria


def map_label(label: object) -> str:
    """The short name written on the map, e.g. "Idlib zone" (unescaped)."""
    text = "" if pd.isna(label) else str(label)
    return text.replace("de-escalation zone", "zone")  # the layer's name already says which


def _day(value: object) -> str:
    return "" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def _details_html(area: pd.Series, *, full: bool) -> str:
    """Tooltip (short) or popup (``full``: with the source and its link), from escaped parts."""
    until = _day(area["valid_to"]) or "no end date"
    lines = [
        f'<div class="cm-popup-title">{html_text(area["label"])}</div>',
        f"<div><b>{html_text(area['state'])}</b>"
        + (f" – {html_text(area['phase_label'])}" if area.get("phase_label") else "")
        + "</div>",
        f'<div class="cm-popup-meta">{html_text(_day(area["valid_from"]))} to '
        f"{html_text(until)}</div>",
    ]
    if bool(area["approximate"]):
        lines.append('<div class="cm-popup-meta"><i>approximate outline</i></div>')
    if not full:
        return "".join(lines)
    source = html_text(area["source"])
    url = safe_url(area["source_url"])
    if url:
        source = f'<a href="{url}" target="_blank" rel="noopener noreferrer">{source or url}</a>'
    if source:
        lines.append(f'<div class="cm-popup-meta">Source: {source}</div>')
    return "".join(lines)


def _feature(area: pd.Series) -> dict:
    geometry = shapely.transform(area.geometry, lambda xy: xy.round(COORD_DECIMALS))
    # Property values are html-escaped: anything that reads them later (GeoJsonTooltip, a
    # click handler) may put them into innerHTML (engineering notes §4.1).
    return {
        "type": "Feature",
        "properties": {
            "area_id": html_text(area["area_id"]),
            "label": html_text(area["label"]),
            "state": html_text(area["state"]),
        },
        "geometry": json.loads(shapely.to_geojson(geometry)),
    }


def draw(areas_with_state: gpd.GeoDataFrame, *, live_day: int | None = None
         ) -> folium.FeatureGroup:
    """One FeatureGroup with the areas drawn today, their labels, tooltips and popups.

    Parameters
    ----------
    areas_with_state : geopandas.GeoDataFrame
        The output of :func:`view.areas.areas_on` (area table columns plus ``state``).

    Returns
    -------
    folium.FeatureGroup
        Named :data:`NAME`; empty when no area is drawn. Add it to a map from
        :func:`layers.base.build_base_map`: the labels use that map's label pane.

    With ``live_day`` (the live map), ``areas_with_state`` is :func:`view.areas.area_segments`:
    every stretch of every area is sent, and the browser shows those holding its clock's day
    (:class:`layers.event_clock.ClockGroup`), starting with ``live_day``.
    """
    group = LayerGroup(NAME)
    spans: list[tuple[int, int]] = []
    for _, area in areas_with_state.iterrows():
        if area.geometry is None or area.geometry.is_empty:
            continue
        span = (int(area["first_day"]), int(area["last_day"])) if live_day is not None else None
        # The class is ours (never dataset text): it lets tests and our JS find zone paths.
        state_key = str(area["state"]).strip().lower()
        state_class = state_key.replace(" ", "-") if state_key in STATE_STYLES else "other"
        style = {**style_for(area["state"]), "className": f"cm-zone cm-zone-{state_class}"}
        folium.GeoJson(
            _feature(area),
            style_function=lambda _feature, style=style: style,
            highlight_function=lambda _feature: {"weight": 5},
            tooltip=folium.Tooltip(_details_html(area, full=False), sticky=True),
            popup=folium.Popup(_details_html(area, full=True), max_width=380),
            renderer=SVG_RENDERER,  # crisp dashes, one DOM path per zone (see layers.base)
            control=False,
        ).add_to(group)
        spans.append(span)
        label = map_label(area["label"])
        if label:
            # In the base map's area-label pane (above the events), written to the west of the
            # area, right-aligned, clear of the names inside the country.
            where = west_label_point(area.geometry)
            note = APPROXIMATE_NOTE if bool(area["approximate"]) else ""
            label_marker(label, where, "cm-zone-label cm-label-west", note=note,
                         pane=AREA_LABEL_PANE).add_to(group)
            spans.append(span)
    if live_day is not None:
        ClockGroup(spans, "day", (live_day, live_day)).add_to(group)
    return group


_SEGMENTS: dict[int, tuple[weakref.ref, gpd.GeoDataFrame]] = {}


def _segments(areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """:func:`view.areas.area_segments` of the catalog's areas, once per areas table (it is
    shared and never changed): not work added to every rerun."""
    known = _SEGMENTS.get(id(areas))
    if known is not None and known[0]() is areas:
        return known[1]
    for key in [k for k, (ref, _) in _SEGMENTS.items() if ref() is None]:
        del _SEGMENTS[key]
    segments = area_segments(areas)
    _SEGMENTS[id(areas)] = (weakref.ref(areas), segments)
    return segments


def build(view: RunView) -> LayerGroup:
    """The areas (zones and user areas) in force on the view's day (in the live map: their
    stretches within :func:`layers.event_clock.reach`, and the browser shows those of its
    clock's day)."""
    if view.browser_clock is not None:
        low, high = reach(view)
        segments = _segments(view.catalog.areas)
        near = segments[(segments["first_day"] <= high) & (segments["last_day"] >= low)]
        return draw(near, live_day=to_day(view.clock.day))
    return draw(view.areas)


def legend(view: RunView) -> list[LegendItem]:
    """The states of the areas drawn today, and the approximation note when one is drawn."""
    areas = view.areas
    if not len(areas):
        return []
    states = list(dict.fromkeys(areas["state"].astype(str)))
    items = [LegendItem("heading", "Areas"), *(LegendItem("area", s, state=s) for s in states)]
    if bool(areas["approximate"].astype(bool).any()):
        items.append(LegendItem("note", "De-escalation zone outlines are approximate: the "
                                        "memorandum maps were never published."))
    return items
