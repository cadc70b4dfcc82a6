"""The map part of the picture: land, areas, outlines, events, labels, pins, scale bar.

Colours, shapes and sizes are the interactive map's own (``layers.palette``): a PNG looks like
the map it exports.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from PIL import Image, ImageDraw

from exports.model import ExportView
from exports.png.canvas import (
    COUNTRY_LINE,
    GOVERNORATE_LINE,
    GOVERNORATE_TEXT,
    LAND_BG,
    PANEL_LINE,
    PIN_TEXT,
    SEA_BG,
    TEXT,
    Canvas,
    Mark,
    Projection,
    fit_text,
    font,
    geometries,
    polygons,
    rgb,
    ring_px,
    scale_bar,
    wrap_text,
)
from exports.png.marks import draw_marker, draw_pin
from layers.palette import (
    AREA_FILL_OPACITY,
    BESIEGED_RING_PX,
    FACTION_STYLE,
    KIND_RADIUS,
    MIXED_HATCH,
    NO_RECORD_COLOUR,
    PLACE_HALO,
    controller_style,
    marker_radius,
    style_for,
)
from view.control import MIXED, NO_RECORD


def _area_mask(size: tuple[int, int], geom, proj: Projection, ss: int) -> Image.Image:
    """Where an area is, as a mask (holes left out)."""
    mask = Image.new("L", size, 0)
    draw = ImageDraw.Draw(mask)
    for poly in polygons(geom):
        draw.polygon(ring_px(poly.exterior, proj, 0, 0, ss), fill=255)
        for hole in poly.interiors:
            draw.polygon(ring_px(hole, proj, 0, 0, ss), fill=0)
    return mask


def zone_fill_alpha(style: dict) -> int:
    """The fill's opacity on paper (0-255): twice the map's, which sits on a paler ground."""
    return min(255, round(float(style.get("fillOpacity", 0.15)) * 2 * 255))


def draw_map(c: Canvas) -> None:
    v, u, ss = c.view, c.u, c.ss
    left, top, right, bottom = c.lay.map
    size = ((right - left) * ss, (bottom - top) * ss)
    # Everything on the map is drawn on its own image, which clips it to the map box.
    base = Image.new("RGB", size, SEA_BG if v.boundaries is not None else LAND_BG)
    draw = ImageDraw.Draw(base)
    proj = c.proj
    if v.boundaries is not None:
        for geom in geometries(v.boundaries.country):
            for poly in polygons(geom):
                draw.polygon(ring_px(poly.exterior, proj, 0, 0, ss), fill=LAND_BG)

    if v.control_areas is not None and len(v.control_areas):
        base = _draw_control_areas(base, v, proj, ss, u)
        draw = ImageDraw.Draw(base)
    if v.zones is not None and len(v.zones):
        base = _draw_zones(base, v, proj, ss, u)
        draw = ImageDraw.Draw(base)

    if v.boundaries is not None:
        for geom in geometries(v.boundaries.governorates):
            for poly in polygons(geom):
                draw.line(ring_px(poly.exterior, proj, 0, 0, ss), fill=GOVERNORATE_LINE,
                          width=max(1, round(2 * u)), joint="curve")
        for geom in geometries(v.boundaries.country):
            for poly in polygons(geom):
                draw.line(ring_px(poly.exterior, proj, 0, 0, ss), fill=COUNTRY_LINE,
                          width=max(1, round(3.5 * u)), joint="curve")
        names = v.boundaries.governorates
        name_font = font(round(19 * u))
        for name, geom in zip(names["adm1_name"], names.geometry, strict=True):
            if geom is None or geom.is_empty:
                continue
            point = geom.representative_point()
            x, y = proj.project(np.array([point.x]), np.array([point.y]))
            draw.text((x[0] * ss, y[0] * ss), str(name).upper(), font=name_font,
                      fill=GOVERNORATE_TEXT, anchor="mm", stroke_width=max(1, round(2 * u)),
                      stroke_fill=LAND_BG)

    _draw_events(draw, v, proj, ss, u, c.marks)
    _draw_control_places(draw, v, proj, ss, u, c.marks)
    _draw_zone_labels(draw, v, proj, ss, u)
    _draw_milestones(draw, v, proj, ss, u)
    _draw_scale_bar(draw, proj, size, ss, u)
    c.image.paste(base, (left * ss, top * ss))
    c.draw.rectangle(c.box(c.lay.map), outline=PANEL_LINE, width=max(1, round(2 * u)))


def _draw_zones(base: Image.Image, v: ExportView, proj: Projection, ss: int, u: float
                ) -> Image.Image:
    """Translucent fills by state, solid outlines; holes stay unfilled."""
    overlay = Image.new("RGBA", base.size, (0, 0, 0, 0))
    for geom, state in zip(v.zones.geometry, v.zones.get("state", pd.Series([""] * len(v.zones))),
                           strict=True):
        style = style_for("" if pd.isna(state) else str(state))
        colour, fill_rgb = rgb(style["color"]), rgb(style["fillColor"])
        mask = _area_mask(base.size, geom, proj, ss)
        # The mask only says where; the translucency is in the fill's own alpha (pasting
        # through a partial mask would also darken the colour towards the empty overlay).
        fill = Image.new("RGBA", base.size, (*fill_rgb, zone_fill_alpha(style)))
        overlay.paste(fill, (0, 0), mask)
        odraw = ImageDraw.Draw(overlay)
        for poly in polygons(geom):
            for ring in (poly.exterior, *poly.interiors):
                odraw.line(ring_px(ring, proj, 0, 0, ss), fill=(*colour, 255),
                           width=max(1, round(2.5 * u)), joint="curve")
    return Image.alpha_composite(base.convert("RGBA"), overlay).convert("RGB")


def _draw_zone_labels(draw, v: ExportView, proj: Projection, ss: int, u: float) -> None:
    if v.zones is None or not len(v.zones):
        return
    label_font, state_font = font(round(18 * u), True), font(round(16 * u))
    labels = v.zones["label"] if "label" in v.zones.columns else pd.Series([""] * len(v.zones))
    approx = (v.zones["approximate"] if "approximate" in v.zones.columns
              else pd.Series([True] * len(v.zones)))
    states = v.zones["state"] if "state" in v.zones.columns else pd.Series([""] * len(v.zones))
    halo = {"stroke_width": max(1, round(3 * u)), "stroke_fill": "#ffffff"}
    for geom, label, is_approx, state in zip(v.zones.geometry, labels, approx, states, strict=True):
        if geom is None or geom.is_empty:
            continue
        point = geom.representative_point()
        x, y = proj.project(np.array([point.x]), np.array([point.y]))
        text = str(label) if not pd.isna(label) else ""
        if bool(is_approx):
            text = f"{text} (approx.)".strip()
        state_text = str(state) if isinstance(state, str) else ""
        colour = _darker(style_for(state_text)["color"])
        # Short lines: a zone label must not run across the neighbouring governorates.
        lines = [(line, label_font) for line in wrap_text(draw, text, label_font, 260 * u)[:3]]
        if state_text:
            lines.append((state_text, state_font))
        line_h = 22 * u
        top = y[0] * ss - line_h * (len(lines) - 1) / 2
        for i, (line, fnt) in enumerate(lines):
            draw.text((x[0] * ss, top + i * line_h), line, font=fnt, fill=colour, anchor="mm",
                      **halo)


def _darker(colour: str) -> tuple[int, int, int]:
    r, g, b = rgb(colour)
    return round(r * 0.6), round(g * 0.6), round(b * 0.6)


def _draw_events(draw, v: ExportView, proj: Projection, ss: int, u: float,
                 marks: list[Mark]) -> None:
    events = v.events
    if events is None or not len(events):
        return
    factions = v.factions().fillna("other").to_numpy(dtype=object)
    x, y = proj.project(events["longitude"].to_numpy(), events["latitude"].to_numpy())
    deaths = events["fatalities_best"].to_numpy(dtype=float, na_value=0.0)
    # The map's own scale (layers.palette), in map pixels times the canvas unit.
    map_radius = np.array([marker_radius(d) for d in deaths])
    radius = map_radius * u
    w, h = draw.im.size
    inside = (x * ss > -radius) & (x * ss < w + radius) & (y * ss > -radius) & (y * ss < h + radius)
    inside &= np.isfinite(x) & np.isfinite(y)
    # Biggest first, so small markers stay visible on top of large ones.
    order = np.argsort(-deaths[inside], kind="stable")
    idx = np.flatnonzero(inside)[order]
    outline_w = 1.5 * u
    approximate = (events["place_precision"].astype(str) != "exact").to_numpy()
    for i in idx:
        style = FACTION_STYLE.get(factions[i], FACTION_STYLE["other"])
        draw_marker(draw, style.shape, style.colour, x[i] * ss, y[i] * ss, radius[i], outline_w,
                    hollow=bool(approximate[i]))
        marks.append(Mark("events", style.shape, style.colour, float(map_radius[i]),
                          hollow=bool(approximate[i])))


def _draw_milestones(draw, v: ExportView, proj: Projection, ss: int, u: float) -> None:
    ms = v.milestones
    if ms is None or not len(ms) or not {"lat", "lon"} <= set(ms.columns):
        return
    lat = pd.to_numeric(ms["lat"], errors="coerce").to_numpy()
    lon = pd.to_numeric(ms["lon"], errors="coerce").to_numpy()
    x, y = proj.project(lon, lat)
    w, h = draw.im.size
    label_font = font(round(21 * u), True)
    titles = ms["title"] if "title" in ms.columns else pd.Series([""] * len(ms))
    categories = (ms["category"].astype(str) if "category" in ms.columns
                  else pd.Series([""] * len(ms)))
    for xi, yi, title, category in zip(x * ss, y * ss, titles, categories, strict=True):
        if not (np.isfinite(xi) and np.isfinite(yi) and 0 <= xi <= w and 0 <= yi <= h):
            continue  # e.g. a claim made in Moscow: the caption carries it
        hx, hy = draw_pin(draw, xi, yi, u, category)
        text = "" if pd.isna(title) else " ".join(str(title).split())
        max_w = min(520 * u, w - hx - 20 * u)
        anchor_left = max_w > 160 * u
        if not anchor_left:  # near the right edge: label to the left of the pin
            max_w = min(520 * u, hx - 20 * u)
        text = fit_text(draw, text, label_font, max_w)
        draw.text((hx + (16 * u if anchor_left else -16 * u), hy), text, font=label_font,
                  fill=PIN_TEXT, anchor="lm" if anchor_left else "rm",
                  stroke_width=max(1, round(3 * u)), stroke_fill="#ffffff")


def _draw_scale_bar(draw, proj: Projection, size: tuple[int, int], ss: int, u: float) -> None:
    w, h = size
    bar_left, bar_bottom = 28 * u, h - 28 * u
    # Scale at the bar's own latitude: Mercator's scale changes with latitude.
    lat = proj.latitude_at(bar_bottom / ss)
    km, px = scale_bar(proj, lat, target_px=w / ss / 6)
    length = px * ss
    label = f"{km:g} km"
    label_font = font(round(20 * u), True)
    text_w = draw.textlength(label, font=label_font)
    draw.rectangle((bar_left - 12 * u, bar_bottom - 52 * u, bar_left + max(length, text_w) + 14 * u,
                    bar_bottom + 12 * u), fill="#ffffff", outline=PANEL_LINE)
    lw = max(1, round(4 * u))
    draw.line((bar_left, bar_bottom, bar_left + length, bar_bottom), fill=TEXT, width=lw)
    for tick_x in (bar_left, bar_left + length):
        draw.line((tick_x, bar_bottom - 12 * u, tick_x, bar_bottom), fill=TEXT, width=lw)
    draw.text((bar_left, bar_bottom - 18 * u), label, font=label_font, fill=TEXT, anchor="ls")




def _draw_control_areas(base: Image.Image, v: ExportView, proj: Projection, ss: int, u: float
                        ) -> Image.Image:
    """Sub-districts in their places' controller's colour, hatched where places disagree."""
    overlay = Image.new("RGBA", base.size, (0, 0, 0, 0))
    alpha = zone_fill_alpha({"fillOpacity": AREA_FILL_OPACITY})
    for geom, controller in zip(v.control_areas.geometry, v.control_areas["controller"],
                                strict=True):
        mixed = controller == MIXED
        colour = rgb(MIXED_HATCH if mixed else controller_style(str(controller)).colour)
        mask = _area_mask(base.size, geom, proj, ss)
        if mixed:  # diagonal stripes, as the map's hatch
            stripes = Image.new("RGBA", base.size, (0, 0, 0, 0))
            sdraw = ImageDraw.Draw(stripes)
            step = max(4, round(9 * u))
            w, h = base.size
            for x0 in range(-h, w, step):
                sdraw.line((x0, h, x0 + h, 0), fill=(*colour, 150), width=max(1, round(2 * u)))
            overlay.paste(stripes, (0, 0), mask)
        else:
            overlay.paste(Image.new("RGBA", base.size, (*colour, alpha)), (0, 0), mask)
        odraw = ImageDraw.Draw(overlay)
        for poly in polygons(geom):
            odraw.line(ring_px(poly.exterior, proj, 0, 0, ss), fill=(*colour, 170),
                       width=max(1, round(1 * u)))
    return Image.alpha_composite(base.convert("RGBA"), overlay).convert("RGB")


def _draw_control_places(draw, v: ExportView, proj: Projection, ss: int, u: float,
                         marks: list[Mark]) -> None:
    """The tracked places as the map draws them: halo, shape, besieger's ring, no record."""
    places = v.control_places
    if places is None or not len(places):
        return
    x, y = proj.project(places["longitude"].to_numpy(float), places["latitude"].to_numpy(float))
    w, h = draw.im.size
    for i, row in enumerate(places.itertuples(index=False)):
        px, py = x[i] * ss, y[i] * ss
        if not (np.isfinite(px) and np.isfinite(py) and 0 <= px <= w and 0 <= py <= h):
            continue
        radius = KIND_RADIUS.get(str(row.kind), 6.0)
        r = radius * u
        if row.controller == NO_RECORD:
            draw_marker(draw, "circle", NO_RECORD_COLOUR, px, py, max(3.0, radius * 0.6) * u,
                        1.5 * u, hollow=True)
            marks.append(Mark("control", "circle", NO_RECORD_COLOUR, max(3.0, radius * 0.6),
                              hollow=True))
            continue
        style = controller_style(str(row.controller))
        if isinstance(row.besieged_by, str) and row.besieged_by:
            ring = r + BESIEGED_RING_PX * u
            besieger = controller_style(row.besieged_by).colour
            draw.ellipse((px - ring, py - ring, px + ring, py + ring), outline=besieger,
                         width=max(1, round(BESIEGED_RING_PX * u)))
        draw_marker(draw, style.shape, PLACE_HALO, px, py, r + 2 * u, 0)
        draw_marker(draw, style.shape, style.colour, px, py, r,
                    (2.5 if row.controller == "contested" else 1.5) * u)
        marks.append(Mark("control", style.shape, style.colour, radius))
