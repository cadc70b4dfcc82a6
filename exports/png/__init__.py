"""A PNG of a view, drawn with Pillow alone: no browser, no internet, no map tiles.

The picture is made for a projector: 16:9, large type, a dark title band with the date in big
figures, a caption band, the map (Web Mercator, like the interactive map), a legend panel and a
footer naming the datasets. Everything is drawn at twice the size and scaled down, which gives
smooth edges without an anti-aliasing renderer. Colours, shapes and sizes are the map's own
(``layers.palette``), and the legend lists the view's own legend items.

Text from the data (captions, zone labels, milestone titles) is drawn as text with Pillow, so no
markup in it can do anything.

The parts: ``canvas`` (layout, projection, fonts), ``marks`` (markers and pins), ``map``,
``legend`` and ``frame`` (title, caption, footer).
"""

from __future__ import annotations

import io

from PIL import Image

from exports.model import ExportView
from exports.png.canvas import MIN_WIDTH, Canvas, Layout, Mark, Projection, font, layout, scale_bar
from exports.png.frame import draw_caption, draw_footer, draw_header
from exports.png.legend import draw_legend
from exports.png.map import draw_map

__all__ = ["MIN_WIDTH", "Layout", "Mark", "Projection", "font", "layout", "render_image",
           "render_png", "scale_bar"]


def render_image(view: ExportView, *, width: int = 1920,
                 marks: list[Mark] | None = None) -> Image.Image:
    """Draw ``view`` and return the Pillow image (RGB, ``width`` × 9/16 ``width``).

    :func:`render_png` is the public export; this is also used for GIF frames, which may be
    narrower. ``marks``, when given, receives every marker drawn on the map (to check the
    picture against the map).
    """
    if width < 320:
        raise ValueError(f"width {width} is too small to read")
    c = Canvas(view, width)
    draw_map(c)
    draw_legend(c)
    draw_header(c)
    draw_caption(c)
    draw_footer(c)
    if marks is not None:
        marks.extend(c.marks)
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
