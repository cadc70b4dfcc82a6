"""Markers and pins, drawn with the shapes the map and the legend use (``layers.palette``)."""

from __future__ import annotations

import math

from PIL import ImageDraw

from layers.palette import (
    CATEGORY_STYLE,
    OTHER_PIN_STYLE,
    OUTLINE,
    PIN_OUTLINE,
    PIN_SIZE,
    RING_HOLE,
    SHAPE_POINTS,
)


def shape_points(shape: str, x: float, y: float, r: float) -> list[tuple[float, float]] | None:
    """Polygon of a marker shape centred on (x, y); None for circle-like shapes."""
    points = SHAPE_POINTS.get(shape)
    if points is None:
        return None
    return [(x + px * r, y + py * r) for px, py in points]


def draw_marker(draw: ImageDraw.ImageDraw, shape: str, colour: str, x: float, y: float, r: float,
                outline_w: float, *, hollow: bool = False) -> None:
    """One faction marker: filled shape with a dark outline (the ring is an outlined circle);
    ``hollow``: the shape's outline in the colour over a pale fill (an approximate place)."""
    ow = max(1, round(outline_w))
    fill, outline = colour, OUTLINE
    if hollow:
        fill, outline, ow = "#ffffff", colour, max(2, round(outline_w * 2))
    if shape == "ring":
        hole = max(2, round(r * RING_HOLE))
        draw.ellipse((x - r, y - r, x + r, y + r), outline=OUTLINE, width=ow + hole)
        inner = r - ow
        draw.ellipse((x - inner, y - inner, x + inner, y + inner), outline=colour, width=hole)
        return
    points = shape_points(shape, x, y, r)
    if points is None:
        draw.ellipse((x - r, y - r, x + r, y + r), fill=fill, outline=outline, width=ow)
    else:
        draw.polygon(points, fill=fill, outline=outline, width=ow)


def draw_pin(draw: ImageDraw.ImageDraw, x: float, y: float, unit: float,
             category: str = "") -> tuple[float, float]:
    """A milestone pin centred on (x, y), in its category's shape and colour (a diamond, or a
    star for a claim), as the map draws it; returns where its label starts from."""
    fill, shape = CATEGORY_STYLE.get(category, OTHER_PIN_STYLE)
    r = PIN_SIZE[shape] / 2 * unit
    width = max(1, round(2 * unit))
    if shape == "star":
        points = [(x + r * 0.95 * math.cos(a) * (1 if k % 2 == 0 else 0.45),
                   y + r * 0.95 * math.sin(a) * (1 if k % 2 == 0 else 0.45))
                  for k, a in enumerate(-math.pi / 2 + math.pi / 5 * k for k in range(10))]
    else:
        points = [(x, y - r), (x + r, y), (x, y + r), (x - r, y)]
    draw.polygon(points, fill=fill, outline=PIN_OUTLINE, width=width)
    if shape != "star":
        dot = r * 0.2
        draw.ellipse((x - dot, y - dot, x + dot, y + dot), fill="#ffffff")
    return x, y
