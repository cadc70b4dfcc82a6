"""The picture's frame of reference: layout, projection, fonts, text fitting, the canvas."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from exports.model import ExportView, mercator

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
PIN_TEXT = "#111111"  # milestone titles beside their pins

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


# -- text and geometry helpers ------------------------------------------------------------------


def fit_text(draw: ImageDraw.ImageDraw, text: str, fnt, max_w: float) -> str:
    """``text`` shortened with an ellipsis to fit ``max_w`` pixels."""
    if draw.textlength(text, font=fnt) <= max_w:
        return text
    while text and draw.textlength(text + "…", font=fnt) > max_w:
        text = text[:-1]
    return text.rstrip() + "…"


def wrap_text(draw: ImageDraw.ImageDraw, text: str, fnt, max_w: float) -> list[str]:
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


def rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def polygons(geometry) -> Iterable:
    if geometry is None or geometry.is_empty:
        return []
    if geometry.geom_type == "Polygon":
        return [geometry]
    if hasattr(geometry, "geoms"):
        return [g for part in geometry.geoms for g in polygons(part)]
    return []


def ring_px(ring, proj: Projection, ox: float, oy: float, ss: float) -> list[tuple[float, float]]:
    coords = np.asarray(ring.coords)
    x, y = proj.project(coords[:, 0], coords[:, 1])
    return list(zip(((x - ox) * ss).tolist(), ((y - oy) * ss).tolist(), strict=True))


def geometries(frame) -> list:
    """The display outlines when the boundaries table has them (lighter), else the geometry."""
    column = "display_geometry" if "display_geometry" in frame.columns else "geometry"
    return list(frame[column])


@dataclass(frozen=True)
class Mark:
    """One marker as drawn, for checking the picture against the map: its shape, fill colour
    and radius in map pixels (the supersampled radius divided by the canvas unit)."""

    layer: str
    shape: str
    colour: str
    radius: float
    hollow: bool = False


class Canvas:
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
        self.marks: list[Mark] = []  # every marker drawn on the map, in order

    def box(self, box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        return tuple(v * self.ss for v in box)  # type: ignore[return-value]


