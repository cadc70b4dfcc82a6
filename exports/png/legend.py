"""The legend panel of the picture, drawn from the view's legend items: the same items, in
the same order, as the legend beside the interactive map (``layers.registry.legend_items``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from shapely.geometry import box as shapely_box

from exports.png.canvas import MUTED, PANEL_BG, TEXT, Canvas, fit_text, font, rgb, wrap_text
from exports.png.map import zone_fill_alpha
from exports.png.marks import draw_marker, draw_pin
from layers.palette import LegendItem, faction_item, size_items, style_for
from sources.schema import FACTIONS


def _items_of(c: Canvas) -> list[LegendItem]:
    """The view's own legend; for a view made by hand without one, its events' factions."""
    v = c.view
    if v.legend:
        return _on_picture(c, list(v.legend))
    present = set(v.factions().fillna("other")) if v.events is not None else set()
    items = [LegendItem("heading", "Events: principal party"),
             *(faction_item(k) for k in FACTIONS if k in present),
             LegendItem("heading", "Deaths (best estimate)"), *size_items()]
    if v.zones is not None and len(v.zones) and "state" in v.zones.columns:
        states = list(dict.fromkeys(str(s) for s in v.zones["state"]))
        items += [LegendItem("heading", "Areas"), *(LegendItem("area", s, state=s)
                                                    for s in states),
                  LegendItem("note", "Zone outlines approximate")]
    return _on_picture(c, items)


def _on_picture(c: Canvas, items: list[LegendItem]) -> list[LegendItem]:
    """Area states only for areas on the picture: a zoomed scene far from the zones lists none."""
    v = c.view
    if v.zones is None or not len(v.zones) or "state" not in v.zones.columns:
        return items
    view_box = shapely_box(*v.bbox)
    on_map = {str(state) for state, geom in zip(v.zones["state"], v.zones.geometry, strict=True)
              if geom is not None and geom.intersects(view_box)}
    return [i for i in items if i.kind != "area" or i.colour or i.state in on_map]


def draw_legend(c: Canvas) -> None:
    u, draw = c.u, c.draw
    left, top, right, bottom = c.box(c.lay.legend)
    draw.rectangle((left, top, right, bottom), fill=PANEL_BG)
    x, y = left + 28 * u, top + 18 * u
    items = _items_of(c)
    # Tighter rows when the view's legend is long (several layers on): it must all fit.
    dense = len(items) > 18
    head = font(round((22 if dense else 25) * u), True)
    body = font(round((19 if dense else 22) * u))
    small = font(round((17 if dense else 19) * u))
    row = (29 if dense else 36) * u
    max_text_w = right - x - 60 * u
    sizes = [i for i in items if i.kind == "size"]
    for n, item in enumerate(items):
        if y > bottom - 90 * u:  # keep the last line for the totals
            draw.text((x, y), "…", font=body, fill=MUTED)
            y += row
            break
        if item.kind == "heading":
            y += 6 * u if n else 0
            draw.text((x, y), fit_text(draw, item.label, head, right - x - 20 * u), font=head,
                      fill=TEXT)
            y += row + 2 * u
        elif item.kind == "marker":
            if item.halo:  # a tracked place: its white halo on a grey chip, as on the map
                draw.rounded_rectangle((x, y, x + 28 * u, y + 28 * u), radius=4 * u,
                                       fill="#9aa5b1")
                draw_marker(draw, item.shape, "#ffffff", x + 14 * u, y + 14 * u, 11 * u, 0)
            draw_marker(draw, item.shape, item.colour, x + 14 * u, y + 14 * u,
                        (8.5 if item.halo else 10) * u, 1.5 * u, hollow=item.hollow)
            draw.text((x + 42 * u, y + 14 * u), fit_text(draw, item.label, body, max_text_w),
                      font=body, fill=TEXT, anchor="lm")
            y += row
        elif item.kind == "ring":
            r = 10 * u
            draw.ellipse((x + 14 * u - r, y + 14 * u - r, x + 14 * u + r, y + 14 * u + r),
                         outline=item.colour, width=max(1, round(4 * u)))
            draw.text((x + 42 * u, y + 14 * u), fit_text(draw, item.label, body, max_text_w),
                      font=body, fill=TEXT, anchor="lm")
            y += row
        elif item.kind == "size":
            if item is not sizes[0]:
                continue  # the sizes share one line, drawn with the first
            y = _size_row(c, sizes, x, y)
        elif item.kind == "area":
            _area_swatch(c, item, x, y)
            draw.text((x + 42 * u, y + 14 * u), fit_text(draw, item.label, body, max_text_w),
                      font=body, fill=TEXT, anchor="lm")
            y += row
        elif item.kind == "pin":
            draw_pin(draw, x + 14 * u, y + 14 * u, u, item.state)
            draw.text((x + 42 * u, y + 14 * u), fit_text(draw, item.label, body, max_text_w),
                      font=body, fill=TEXT, anchor="lm")
            y += row
        else:  # note
            for line in wrap_text(draw, item.label, small, right - x - 20 * u)[:2 if dense else 3]:
                draw.text((x, y), line, font=small, fill=MUTED)
                y += (22 if dense else 26) * u
            y += 4 * u
    _totals(c, x, max(y + 6 * u, bottom - 80 * u), small)


def _size_row(c: Canvas, sizes: list[LegendItem], x: float, y: float) -> float:
    u, draw = c.u, c.draw
    small = font(round(19 * u))
    radii = np.array([i.radius for i in sizes]) * u
    cx, baseline = x + 14 * u, y + radii.max()
    for item, r in zip(sizes, radii, strict=True):
        draw_marker(draw, "circle", "#bbbbbb", cx + r - 11 * u, baseline, float(r), 1.5 * u)
        draw.text((cx + r - 11 * u, baseline + r + 6 * u), item.label, font=small, fill=TEXT,
                  anchor="ma")
        cx += 2 * r + 30 * u
    return baseline + radii.max() + 40 * u


def _area_swatch(c: Canvas, item: LegendItem, x: float, y: float) -> None:
    u = c.u
    style = ({"color": item.colour, "fillColor": item.colour, "fillOpacity": 0.2}
             if item.colour else style_for(item.state))
    alpha = zone_fill_alpha(style) / 255
    fill = tuple(round(a * alpha + b * (1 - alpha))
                 for a, b in zip(rgb(style["fillColor"]), rgb(PANEL_BG), strict=True))
    box = (x, y + 2 * u, x + 30 * u, y + 26 * u)
    c.draw.rectangle(box, fill=fill, outline=style["color"], width=max(1, round(2.5 * u)))
    if item.hatched:
        for k in range(-3, 6):
            x0 = x + k * 7 * u
            c.draw.line((max(x, x0), y + 26 * u - (max(x, x0) - x0), min(x + 30 * u, x0 + 24 * u),
                         y + 2 * u + (x0 + 24 * u - min(x + 30 * u, x0 + 24 * u))),
                        fill=style["color"], width=max(1, round(1.5 * u)))


def _totals(c: Canvas, x: float, y: float, small) -> None:
    v, draw = c.view, c.draw
    events = v.events if v.events is not None else pd.DataFrame()
    if len(events):
        best = pd.to_numeric(events["fatalities_best"], errors="coerce")
        line = f"{len(events):,} events · {int(best.fillna(0).sum()):,} deaths (best est.)"
        if best.isna().any():
            line += f"; {int(best.isna().sum()):,} with no figure"
    else:
        line = "No events in this window"
    width = c.lay.legend[2] * c.ss - x - 16 * c.u
    for part in wrap_text(draw, line, small, width)[:2]:
        draw.text((x, y), part, font=small, fill=MUTED)
        y += 24 * c.u
    off_map = _milestones_off_map(c)
    if off_map:
        # e.g. a claim announced in Moscow: say it exists rather than drop it silently.
        draw.text((x, y + 28 * c.u), f"{off_map} milestone(s) outside this map area",
                  font=small, fill=MUTED)


def _milestones_off_map(c: Canvas) -> int:
    """How many milestones fall outside the drawn map box (the same test the pins use)."""
    ms = c.view.milestones
    if ms is None or not len(ms) or not {"lat", "lon"} <= set(ms.columns):
        return 0
    x, y = c.proj.project(pd.to_numeric(ms["lon"], errors="coerce").to_numpy(),
                          pd.to_numeric(ms["lat"], errors="coerce").to_numpy())
    left, top, right, bottom = c.lay.map
    inside = (x >= 0) & (x <= right - left) & (y >= 0) & (y <= bottom - top)
    return int(len(ms) - inside.sum())
