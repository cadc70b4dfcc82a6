"""A PNG of a view, drawn with Pillow alone: no browser, no internet, no map tiles.

The picture is made for a projector: 16:9, large type, a dark title band with the date in big
figures, a caption band, the map (Web Mercator, like the interactive map), a legend panel and a
footer naming the datasets. Everything is drawn at twice the size and scaled down, which gives
smooth edges without an anti-aliasing renderer.

Text from the data (captions, zone labels, milestone titles) is drawn as text with Pillow, so no
markup in it can do anything.
"""

from __future__ import annotations

import io
import math
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image, ImageDraw, ImageFont
from shapely.geometry import box as shapely_box

from exports.model import ExportView, mercator
from layers.palette import FACTION_STYLE, OUTLINE
from sources.schema import FACTIONS
from view.clock import format_day

MIN_WIDTH = 1600  # the public PNG; narrower renders are for GIF frames only
SUPERSAMPLE = 2
EARTH_CIRCUMFERENCE_M = 40_075_016.686  # WGS 84 equator, the Web-Mercator sphere

# Colours of the frame. Dark header, pale caption band: high contrast on washed-out projectors.
HEADER_BG = "#1f2933"
HEADER_TEXT = "#ffffff"
HEADER_SUBTEXT = "#cbd2d9"
CAPTION_BG = "#fff3c4"
CAPTION_TEXT = "#1f2933"
SEA_BG = "#dde5ea"  # outside the country (or everywhere without boundaries)
LAND_BG = "#f7f5f0"
COUNTRY_LINE = "#3e4c59"
GOVERNORATE_LINE = "#9aa5b1"
GOVERNORATE_TEXT = "#52606d"
PANEL_BG = "#ffffff"
PANEL_LINE = "#cbd2d9"
TEXT = "#1f2933"
MUTED = "#52606d"
MILESTONE_PIN = "#111111"

# Zone fills by state; other states get a colour from _FALLBACK_ZONE_COLOURS by name hash, so
# the same state keeps its colour across frames.
ZONE_STATE_COLOURS: dict[str, str] = {
    "in force": "#4477AA",
    "under offensive": "#CC3311",
    "ended": "#888888",
}
_FALLBACK_ZONE_COLOURS = ("#228833", "#AA3377", "#CCBB44", "#66CCEE", "#BBBBBB")
ZONE_FILL_ALPHA = 70  # of 255: the events under a zone stay visible

# Marker radius (final pixels at 1920 wide) for a best estimate of deaths; capped so one
# massacre does not cover a governorate.
DEATHS_CAP = 500
LEGEND_DEATHS = (0, 10, 100)

_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


@lru_cache(maxsize=64)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans if the system has it (it also covers Arabic), else Pillow's own scalable font.

    Pillow >= 10.1 ships a scalable default font, so this works on a machine without fonts.
    """
    path = _DEJAVU / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if path.is_file():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def marker_radius(deaths: np.ndarray | float, unit: float) -> np.ndarray:
    """Marker radius in pixels: area grows with deaths (square root), 5 px at none, capped."""
    capped = np.minimum(np.maximum(np.asarray(deaths, dtype=float), 0), DEATHS_CAP)
    return unit * (5.0 + 2.0 * np.sqrt(capped))


@dataclass(frozen=True)
class Layout:
    """Boxes of the picture in final pixels, ``(left, top, right, bottom)``."""

    width: int
    height: int
    unit: float  # 1 at 1920 px wide
    header: tuple[int, int, int, int]
    date_box: tuple[int, int, int, int]
    caption: tuple[int, int, int, int]
    map: tuple[int, int, int, int]
    legend: tuple[int, int, int, int]
    footer: tuple[int, int, int, int]


def layout(width: int) -> Layout:
    """Where each part goes in a ``width``-pixel, 16:9 picture."""
    u = width / 1920
    height = round(width * 9 / 16)
    header_h, caption_h, footer_h = round(124 * u), round(84 * u), round(46 * u)
    legend_w = round(430 * u)
    date_w = round(560 * u)
    return Layout(
        width=width,
        height=height,
        unit=u,
        header=(0, 0, width, header_h),
        date_box=(width - date_w, 0, width, header_h),
        caption=(0, header_h, width, header_h + caption_h),
        map=(0, header_h + caption_h, width - legend_w, height - footer_h),
        legend=(width - legend_w, header_h + caption_h, width, height - footer_h),
        footer=(0, height - footer_h, width, height),
    )


@dataclass(frozen=True)
class Projection:
    """Web Mercator from (lon, lat) to pixels of a map box (origin at the box's top left)."""

    x0: float  # world fraction at pixel 0
    y0: float
    px_per_world: float  # pixels per world width

    @classmethod
    def fit(cls, bbox: tuple[float, float, float, float], box_w: float, box_h: float,
            pad: float = 0.03) -> Projection:
        """Fit ``bbox`` inside a ``box_w`` × ``box_h`` box, centred, widening the short side."""
        min_lon, min_lat, max_lon, max_lat = bbox
        xa, ya = mercator(min_lon, max_lat)
        xb, yb = mercator(max_lon, min_lat)
        span_x, span_y = (xb - xa) * (1 + 2 * pad), (yb - ya) * (1 + 2 * pad)
        scale = min(box_w / span_x, box_h / span_y)
        cx, cy = (xa + xb) / 2, (ya + yb) / 2
        return cls(x0=cx - box_w / 2 / scale, y0=cy - box_h / 2 / scale, px_per_world=scale)

    def project(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pixel x, y of arrays of lon, lat."""
        lon = np.asarray(lon, dtype=float)
        lat = np.clip(np.asarray(lat, dtype=float), -85.0511, 85.0511)
        x = (lon + 180.0) / 360.0
        y = 0.5 - np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) / (2 * np.pi)
        return (x - self.x0) * self.px_per_world, (y - self.y0) * self.px_per_world

    def metres_per_pixel(self, lat: float) -> float:
        """Ground distance of one pixel along the parallel at ``lat``.

        Mercator stretches east-west distances by 1/cos(lat), so a pixel covers less ground the
        further it is from the equator.
        """
        return EARTH_CIRCUMFERENCE_M * math.cos(math.radians(lat)) / self.px_per_world

    def latitude_at(self, y_px: float) -> float:
        """Latitude of pixel row ``y_px``."""
        y = self.y0 + y_px / self.px_per_world
        return math.degrees(2 * math.atan(math.exp((0.5 - y) * 2 * math.pi)) - math.pi / 2)


def scale_bar(projection: Projection, lat: float, target_px: float) -> tuple[float, float]:
    """A round length near ``target_px`` pixels at latitude ``lat``.

    Returns
    -------
    (km, px)
        The length in kilometres (1, 2 or 5 times a power of ten) and its length in pixels.
    """
    metres_per_px = projection.metres_per_pixel(lat)
    target_km = target_px * metres_per_px / 1000
    magnitude = 10 ** math.floor(math.log10(target_km))
    km = max(step * magnitude for step in (1, 2, 5) if step * magnitude <= target_km)
    return km, km * 1000 / metres_per_px


# -- drawing helpers ---------------------------------------------------------------------------


def _shape_points(shape: str, x: float, y: float, r: float) -> list[tuple[float, float]] | None:
    """Polygon of a marker shape centred on (x, y); None for circle-like shapes."""
    if shape == "square":
        s = r * 0.88
        return [(x - s, y - s), (x + s, y - s), (x + s, y + s), (x - s, y + s)]
    if shape == "diamond":
        return [(x, y - r * 1.15), (x + r * 1.15, y), (x, y + r * 1.15), (x - r * 1.15, y)]
    if shape == "triangle":
        return [(x, y - r * 1.2), (x + r * 1.1, y + r * 0.8), (x - r * 1.1, y + r * 0.8)]
    if shape == "triangle-down":
        return [(x, y + r * 1.2), (x + r * 1.1, y - r * 0.8), (x - r * 1.1, y - r * 0.8)]
    if shape == "hexagon":
        return [(x + r * math.cos(a), y + r * math.sin(a))
                for a in (math.pi / 3 * k + math.pi / 6 for k in range(6))]
    if shape in ("cross", "x"):
        t = r * 0.36  # half the arm thickness
        arm = [(-t, -r), (t, -r), (t, -t), (r, -t), (r, t), (t, t), (t, r), (-t, r), (-t, t),
               (-r, t), (-r, -t), (-t, -t)]
        if shape == "x":
            c = s = math.sqrt(0.5)
            arm = [(px * c - py * s, px * s + py * c) for px, py in arm]
        return [(x + px, y + py) for px, py in arm]
    return None


def draw_marker(draw: ImageDraw.ImageDraw, shape: str, colour: str, x: float, y: float, r: float,
                outline_w: float) -> None:
    """One faction marker: filled shape with a dark outline (the ring is an outlined circle)."""
    ow = max(1, round(outline_w))
    if shape == "ring":
        ring_w = ow + max(2, round(r * 0.45))
        draw.ellipse((x - r, y - r, x + r, y + r), outline=OUTLINE, width=ring_w)
        inner = r - ow
        draw.ellipse((x - inner, y - inner, x + inner, y + inner), outline=colour,
                     width=max(1, round(r * 0.45)))
        return
    points = _shape_points(shape, x, y, r)
    if points is None:
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour, outline=OUTLINE, width=ow)
    else:
        draw.polygon(points, fill=colour, outline=OUTLINE, width=ow)


def draw_pin(draw: ImageDraw.ImageDraw, x: float, y: float, unit: float) -> tuple[float, float]:
    """A milestone pin whose point is (x, y); returns the centre of its head."""
    head_r, stem = 11 * unit, 22 * unit
    hx, hy = x, y - stem
    draw.line((x, y, hx, hy), fill=MILESTONE_PIN, width=max(1, round(3 * unit)))
    draw.ellipse((hx - head_r, hy - head_r, hx + head_r, hy + head_r), fill="#ffffff",
                 outline=MILESTONE_PIN, width=max(1, round(4 * unit)))
    dot = head_r * 0.35
    draw.ellipse((hx - dot, hy - dot, hx + dot, hy + dot), fill=MILESTONE_PIN)
    return hx, hy


def _fit_text(draw: ImageDraw.ImageDraw, text: str, fnt, max_w: float) -> str:
    """``text`` shortened with an ellipsis to fit ``max_w`` pixels."""
    if draw.textlength(text, font=fnt) <= max_w:
        return text
    while text and draw.textlength(text + "…", font=fnt) > max_w:
        text = text[:-1]
    return text.rstrip() + "…"


def _wrap(draw: ImageDraw.ImageDraw, text: str, fnt, max_w: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and draw.textlength(candidate, font=fnt) > max_w:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def zone_colour(state: str) -> str:
    """Fill colour of a zone state (stable for unknown states)."""
    key = (state or "").strip().lower()
    if key in ZONE_STATE_COLOURS:
        return ZONE_STATE_COLOURS[key]
    return _FALLBACK_ZONE_COLOURS[zlib.crc32(key.encode()) % len(_FALLBACK_ZONE_COLOURS)]


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def _polygons(geometry) -> Iterable:
    if geometry is None or geometry.is_empty:
        return []
    if geometry.geom_type == "Polygon":
        return [geometry]
    if hasattr(geometry, "geoms"):
        return [g for part in geometry.geoms for g in _polygons(part)]
    return []


def _ring_px(ring, proj: Projection, ox: float, oy: float, ss: float) -> list[tuple[float, float]]:
    coords = np.asarray(ring.coords)
    x, y = proj.project(coords[:, 0], coords[:, 1])
    return list(zip(((x - ox) * ss).tolist(), ((y - oy) * ss).tolist(), strict=True))


def _geometries(frame) -> list:
    """The display outlines when the boundaries table has them (lighter), else the geometry."""
    column = "display_geometry" if "display_geometry" in frame.columns else "geometry"
    return list(frame[column])


# -- the picture -------------------------------------------------------------------------------


class _Canvas:
    """The supersampled image plus the layout and the map projection."""

    def __init__(self, view: ExportView, width: int) -> None:
        self.view = view
        self.lay = layout(width)
        self.ss = SUPERSAMPLE
        self.u = self.lay.unit * self.ss  # pixels of the supersampled image per 1920-unit
        size = (self.lay.width * self.ss, self.lay.height * self.ss)
        self.image = Image.new("RGB", size, PANEL_BG)
        self.draw = ImageDraw.Draw(self.image)
        left, top, right, bottom = self.lay.map
        self.proj = Projection.fit(view.bbox, right - left, bottom - top)

    def box(self, box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        return tuple(v * self.ss for v in box)  # type: ignore[return-value]


def _draw_header(c: _Canvas) -> None:
    v, u = c.view, c.u
    c.draw.rectangle(c.box(c.lay.header), fill=HEADER_BG)
    dl, _dt, dr, db = c.box(c.lay.date_box)
    title_w = dl - 36 * u
    title_font = font(round(40 * u), True)
    c.draw.text((32 * u, 20 * u), _fit_text(c.draw, v.title, title_font, title_w), font=title_font,
                fill=HEADER_TEXT)
    sub_font = font(round(26 * u))
    c.draw.text((32 * u, 76 * u), _fit_text(c.draw, v.window_label, sub_font, title_w),
                font=sub_font, fill=HEADER_SUBTEXT)
    # The date: the biggest thing on the picture, right-aligned in its own box.
    date_font = font(round(74 * u), True)
    c.draw.text((dr - 32 * u, db / 2), format_day(v.day), font=date_font, fill=HEADER_TEXT,
                anchor="rm")


def _draw_caption(c: _Canvas) -> None:
    left, top, right, bottom = c.box(c.lay.caption)
    c.draw.rectangle((left, top, right, bottom), fill=CAPTION_BG)
    caption = " ".join((c.view.caption or "").split())
    if not caption:
        return
    max_w = right - left - 64 * c.u
    # Largest size that fits on one line, else on two; below 22 (final px at 1920) ellipsize.
    for size in (34, 31, 28, 26, 24, 22):
        fnt = font(round(size * c.u))
        lines = _wrap(c.draw, caption, fnt, max_w)
        if len(lines) == 1 or (len(lines) == 2 and size <= 28):
            break
    lines = lines[:2]
    if len(_wrap(c.draw, caption, fnt, max_w)) > 2:
        lines[1] = _fit_text(c.draw, lines[1] + " …", fnt, max_w)
    line_h = fnt.size * 1.22
    y = (top + bottom) / 2 - line_h * len(lines) / 2 + line_h / 2
    for line in lines:
        c.draw.text((left + 32 * c.u, y), line, font=fnt, fill=CAPTION_TEXT, anchor="lm")
        y += line_h


def _draw_map(c: _Canvas) -> None:
    v, u, ss = c.view, c.u, c.ss
    left, top, right, bottom = c.lay.map
    size = ((right - left) * ss, (bottom - top) * ss)
    # Everything on the map is drawn on its own image, which clips it to the map box.
    base = Image.new("RGB", size, SEA_BG if v.boundaries is not None else LAND_BG)
    draw = ImageDraw.Draw(base)
    proj = c.proj
    if v.boundaries is not None:
        for geom in _geometries(v.boundaries.country):
            for poly in _polygons(geom):
                draw.polygon(_ring_px(poly.exterior, proj, 0, 0, ss), fill=LAND_BG)

    if v.zones is not None and len(v.zones):
        base = _draw_zones(base, v, proj, ss, u)
        draw = ImageDraw.Draw(base)

    if v.boundaries is not None:
        for geom in _geometries(v.boundaries.governorates):
            for poly in _polygons(geom):
                draw.line(_ring_px(poly.exterior, proj, 0, 0, ss), fill=GOVERNORATE_LINE,
                          width=max(1, round(2 * u)), joint="curve")
        for geom in _geometries(v.boundaries.country):
            for poly in _polygons(geom):
                draw.line(_ring_px(poly.exterior, proj, 0, 0, ss), fill=COUNTRY_LINE,
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

    _draw_events(draw, v, proj, ss, u)
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
        colour = _rgb(zone_colour("" if pd.isna(state) else str(state)))
        mask = Image.new("L", base.size, 0)
        mdraw = ImageDraw.Draw(mask)
        for poly in _polygons(geom):
            mdraw.polygon(_ring_px(poly.exterior, proj, 0, 0, ss), fill=255)
            for hole in poly.interiors:
                mdraw.polygon(_ring_px(hole, proj, 0, 0, ss), fill=0)
        # The mask only says where; the translucency is in the fill's own alpha (pasting
        # through a partial mask would also darken the colour towards the empty overlay).
        fill = Image.new("RGBA", base.size, (*colour, ZONE_FILL_ALPHA))
        overlay.paste(fill, (0, 0), mask)
        odraw = ImageDraw.Draw(overlay)
        for poly in _polygons(geom):
            for ring in (poly.exterior, *poly.interiors):
                odraw.line(_ring_px(ring, proj, 0, 0, ss), fill=(*colour, 255),
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
        colour = _darker(zone_colour(state_text))
        # Short lines: a zone label must not run across the neighbouring governorates.
        lines = [(line, label_font) for line in _wrap(draw, text, label_font, 260 * u)[:3]]
        if state_text:
            lines.append((state_text, state_font))
        line_h = 22 * u
        top = y[0] * ss - line_h * (len(lines) - 1) / 2
        for i, (line, fnt) in enumerate(lines):
            draw.text((x[0] * ss, top + i * line_h), line, font=fnt, fill=colour, anchor="mm",
                      **halo)


def _darker(colour: str) -> tuple[int, int, int]:
    r, g, b = _rgb(colour)
    return round(r * 0.6), round(g * 0.6), round(b * 0.6)


def _draw_events(draw, v: ExportView, proj: Projection, ss: int, u: float) -> None:
    events = v.events
    if events is None or not len(events):
        return
    factions = v.factions().fillna("other").to_numpy(dtype=object)
    x, y = proj.project(events["longitude"].to_numpy(), events["latitude"].to_numpy())
    deaths = events["fatalities_best"].to_numpy(dtype=float, na_value=0.0)
    radius = marker_radius(deaths, u)
    w, h = draw.im.size
    inside = (x * ss > -radius) & (x * ss < w + radius) & (y * ss > -radius) & (y * ss < h + radius)
    inside &= np.isfinite(x) & np.isfinite(y)
    # Biggest first, so small markers stay visible on top of large ones.
    order = np.argsort(-deaths[inside], kind="stable")
    idx = np.flatnonzero(inside)[order]
    outline_w = 1.5 * u
    for i in idx:
        style = FACTION_STYLE.get(factions[i], FACTION_STYLE["other"])
        draw_marker(draw, style.shape, style.colour, x[i] * ss, y[i] * ss, radius[i], outline_w)


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
    for xi, yi, title in zip(x * ss, y * ss, titles, strict=True):
        if not (np.isfinite(xi) and np.isfinite(yi) and 0 <= xi <= w and 0 <= yi <= h):
            continue  # e.g. a claim made in Moscow: the caption carries it
        hx, hy = draw_pin(draw, xi, yi, u)
        text = "" if pd.isna(title) else " ".join(str(title).split())
        max_w = min(520 * u, w - hx - 20 * u)
        anchor_left = max_w > 160 * u
        if not anchor_left:  # near the right edge: label to the left of the pin
            max_w = min(520 * u, hx - 20 * u)
        text = _fit_text(draw, text, label_font, max_w)
        draw.text((hx + (16 * u if anchor_left else -16 * u), hy), text, font=label_font,
                  fill=MILESTONE_PIN, anchor="lm" if anchor_left else "rm",
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


def _draw_legend(c: _Canvas) -> None:
    v, u, draw = c.view, c.u, c.draw
    left, top, right, bottom = c.box(c.lay.legend)
    draw.rectangle((left, top, right, bottom), fill=PANEL_BG)
    x, y = left + 28 * u, top + 22 * u
    head, body = font(round(25 * u), True), font(round(22 * u))
    small = font(round(19 * u))
    row = 36 * u
    max_text_w = right - x - 60 * u

    def heading(text: str) -> None:
        nonlocal y
        draw.text((x, y), text, font=head, fill=TEXT)
        y += 38 * u

    events = v.events if v.events is not None else pd.DataFrame()
    heading("Events, by faction")
    if len(events):
        present = set(v.factions().fillna("other"))
        for key, label in FACTIONS.items():
            if key not in present:
                continue
            if y > bottom - 330 * u:  # keep room for sizes, zones, pins
                draw.text((x, y), "…", font=body, fill=MUTED)
                y += row
                break
            style = FACTION_STYLE[key]
            draw_marker(draw, style.shape, style.colour, x + 14 * u, y + 14 * u, 11 * u, 1.5 * u)
            draw.text((x + 42 * u, y + 14 * u), _fit_text(draw, label, body, max_text_w),
                      font=body, fill=TEXT, anchor="lm")
            y += row
        deaths = int(pd.to_numeric(events["fatalities_best"], errors="coerce").fillna(0).sum())
        draw.text((x, y + 4 * u), f"{len(events):,} events · {deaths:,} deaths (best est.)",
                  font=small, fill=MUTED)
        y += row
    else:
        draw.text((x, y), "No events in this window", font=body, fill=MUTED)
        y += row
    y += 10 * u

    heading("Size: deaths (best est.)")
    cx = x + 14 * u
    radii = marker_radius(np.array(LEGEND_DEATHS), u)
    baseline = y + radii.max()
    for deaths, r in zip(LEGEND_DEATHS, radii, strict=True):
        draw_marker(draw, "circle", "#ffffff", cx + r - 11 * u, baseline, float(r), 1.5 * u)
        draw.text((cx + r - 11 * u, baseline + r + 6 * u), str(deaths), font=small, fill=TEXT,
                  anchor="ma")
        cx += 2 * r + 30 * u
    y = baseline + radii.max() + 40 * u

    if v.zones is not None and len(v.zones) and "state" in v.zones.columns:
        heading("Zones")
        # Only the states of zones on the picture: a zoomed scene far from the zones lists none.
        view_box = shapely_box(*v.bbox)
        on_map = [
            str(state) for state, geom in zip(v.zones["state"], v.zones.geometry, strict=True)
            if isinstance(state, str) and geom is not None and geom.intersects(view_box)
        ]
        for state in dict.fromkeys(on_map):
            colour = zone_colour(state)
            overlay_rgb = tuple(
                round(a * ZONE_FILL_ALPHA / 255 + b * (1 - ZONE_FILL_ALPHA / 255))
                for a, b in zip(_rgb(colour), _rgb(PANEL_BG), strict=True)
            )
            draw.rectangle((x, y + 2 * u, x + 30 * u, y + 26 * u), fill=overlay_rgb,
                           outline=colour, width=max(1, round(2.5 * u)))
            draw.text((x + 42 * u, y + 14 * u), _fit_text(draw, state, body, max_text_w),
                      font=body, fill=TEXT, anchor="lm")
            y += row
        if not on_map:
            draw.text((x, y), "None on this part of the map", font=small, fill=MUTED)
            y += row
        draw.text((x, y), "Zone outlines approximate", font=small, fill=MUTED)
        y += row + 6 * u

    if v.milestones is not None and len(v.milestones):
        draw_pin(draw, x + 14 * u, y + 30 * u, u)
        draw.text((x + 42 * u, y + 10 * u), "Milestone", font=body, fill=TEXT, anchor="lm")
        off_map = len(v.milestones) - _milestones_on_map(c)
        if off_map:
            # e.g. a claim announced in Moscow: say it exists rather than drop it silently.
            draw.text((x + 42 * u, y + 40 * u), f"{off_map} outside this map area",
                      font=small, fill=MUTED, anchor="lm")


def _milestones_on_map(c: _Canvas) -> int:
    """How many milestones fall inside the drawn map box (the same test the pins use)."""
    ms = c.view.milestones
    if ms is None or not {"lat", "lon"} <= set(ms.columns):
        return 0
    x, y = c.proj.project(pd.to_numeric(ms["lon"], errors="coerce").to_numpy(),
                          pd.to_numeric(ms["lat"], errors="coerce").to_numpy())
    left, top, right, bottom = c.lay.map
    inside = (x >= 0) & (x <= right - left) & (y >= 0) & (y <= bottom - top)
    return int(inside.sum())


def _draw_footer(c: _Canvas) -> None:
    left, top, right, bottom = c.box(c.lay.footer)
    c.draw.rectangle((left, top, right, bottom), fill="#f0f2f4")
    c.draw.line((left, top, right, top), fill=PANEL_LINE, width=max(1, round(2 * c.u)))
    fnt = font(round(19 * c.u))
    right_text = "Web Mercator · positions as precise as the sources give them"
    right_w = c.draw.textlength(right_text, font=fnt)
    source = c.view.source_line or ""
    source = _fit_text(c.draw, source, fnt, right - left - right_w - 100 * c.u)
    mid = (top + bottom) / 2
    c.draw.text((left + 32 * c.u, mid), source, font=fnt, fill=TEXT, anchor="lm")
    c.draw.text((right - 32 * c.u, mid), right_text, font=fnt, fill=MUTED, anchor="rm")


def render_image(view: ExportView, *, width: int = 1920) -> Image.Image:
    """Draw ``view`` and return the Pillow image (RGB, ``width`` × 9/16 ``width``).

    :func:`render_png` is the public export; this is also used for GIF frames, which may be
    narrower.
    """
    if width < 320:
        raise ValueError(f"width {width} is too small to read")
    c = _Canvas(view, width)
    _draw_map(c)
    _draw_legend(c)
    _draw_header(c)
    _draw_caption(c)
    _draw_footer(c)
    return c.image.resize((c.lay.width, c.lay.height), Image.Resampling.LANCZOS)


def render_png(view: ExportView, *, width: int = 1920) -> bytes:
    """A PNG of ``view`` for slides and projectors.

    Parameters
    ----------
    view
        What to draw (:class:`exports.model.ExportView`).
    width
        Pixels; at least 1600 so the text stays readable when projected. Height is 9/16 of it.

    Returns
    -------
    bytes
        The PNG file.
    """
    assert width >= MIN_WIDTH, f"PNG exports are at least {MIN_WIDTH} px wide, got {width}"
    buffer = io.BytesIO()
    render_image(view, width=width).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
