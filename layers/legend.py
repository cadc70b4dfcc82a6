"""The legend as HTML, drawn from :class:`layers.palette.LegendItem` lists.

Each registered layer says what its legend holds for the view (``legend(view)`` in its module);
the panel beside the map, the standalone HTML export and the PNG all draw those same items, so
they cannot disagree with the map. All text is escaped (labels can come from user files).
"""

from __future__ import annotations

from collections.abc import Sequence

from layers.escape import html_text
from layers.palette import (
    CATEGORY_STYLE,
    OTHER_PIN_STYLE,
    OUTLINE,
    PIN_OUTLINE,
    PIN_SIZE,
    SHAPE_POINTS,
    LegendItem,
    style_for,
)


def marker_svg(shape: str, colour: str, size: int = 20, *, hollow: bool = False,
               dashed: bool = False, halo: bool = False) -> str:
    """Inline SVG of one marker shape (see ``layers.palette.SHAPES``), outlined in dark grey;
    ``hollow`` draws the outline only, in the colour (an approximate place, a place with no
    record); ``dashed`` a dashed outline (a contested place)."""
    c = size / 2
    r = size / 2 - 2
    if hollow:
        stroke = f'stroke="{colour}" stroke-width="3"'
        fill = 'fill="#ffffff" fill-opacity="0.6"'
    else:
        dash = ' stroke-dasharray="3 2"' if dashed else ""
        stroke = f'stroke="{OUTLINE}" stroke-width="{2 if dashed else 1.5}"{dash}'
        fill = f'fill="{colour}"'
    if halo:  # the place's white halo: the same shape, larger, in white, under the marker
        r -= 2
        under = marker_svg(shape, "#ffffff", size, dashed=False)
        under = under[under.index(">") + 1:under.rindex("</svg>")].replace(OUTLINE, "#ffffff")
    else:
        under = ""
    if shape == "circle":
        body = f'<circle cx="{c}" cy="{c}" r="{r}" {fill} {stroke}/>'
    elif shape == "ring":
        body = (f'<circle cx="{c}" cy="{c}" r="{r - 1}" fill="none" stroke="{colour}" '
                f'stroke-width="4"/><circle cx="{c}" cy="{c}" r="{r + 0.5}" fill="none" '
                f'stroke="{OUTLINE}" stroke-width="1"/>')
    else:
        points = _polygon(shape, c, r)
        body = f'<polygon points="{points}" {fill} {stroke} stroke-linejoin="round"/>'
    back = (f'<rect width="{size}" height="{size}" rx="3" fill="#9aa5b1"/>{under}' if halo
            else "")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
            f'viewBox="0 0 {size} {size}" aria-hidden="true" style="vertical-align:middle">'
            f"{back}{body}</svg>")


def _polygon(shape: str, c: float, r: float) -> str:
    # Slightly smaller than the radius: the tallest shapes (diamond, triangle) reach 1.2 r.
    k = r / 1.2
    pts = SHAPE_POINTS.get(shape, SHAPE_POINTS["diamond"])
    return " ".join(f"{c + x * k:.1f},{c + y * k:.1f}" for x, y in pts)


def pin_svg(category: str) -> str:
    """Inline SVG for a milestone category's pin; a constant string (no dataset text in it)."""
    fill, shape = CATEGORY_STYLE.get(category, OTHER_PIN_STYLE)
    size = PIN_SIZE[shape]
    if shape == "star":
        points = ("12,1.5 14.9,8.6 22.5,9.1 16.6,14 18.5,21.5 "
                  "12,17.4 5.5,21.5 7.4,14 1.5,9.1 9.1,8.6")
        body = (f'<polygon points="{points}" fill="{fill}" stroke="{PIN_OUTLINE}" '
                'stroke-width="2.2" stroke-linejoin="round"/>')
    else:
        body = (f'<polygon points="12,2 22,12 12,22 2,12" fill="{fill}" stroke="{PIN_OUTLINE}" '
                'stroke-width="2"/><circle cx="12" cy="12" r="2.4" fill="#ffffff"/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
            f'viewBox="0 0 24 24" aria-hidden="true">{body}</svg>')


def area_svg(state: str, size: int = 26, *, hatched: bool = False, colour: str = "") -> str:
    style = ({"color": colour, "fillColor": colour, "fillOpacity": 0.22} if colour
             else style_for(state))
    dash = f' stroke-dasharray="{style["dashArray"]}"' if "dashArray" in style else ""
    h = round(size * 0.7)
    hatch = ""
    if hatched:  # diagonal stripes, as the map draws areas whose places disagree
        hatch = "".join(f'<line x1="{x}" y1="{h}" x2="{x + h}" y2="0" stroke="{style["color"]}" '
                        f'stroke-width="1.5"/>' for x in range(-h, size, 6))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{h}" '
            f'aria-hidden="true" style="vertical-align:middle"><rect x="2" y="2" '
            f'width="{size - 4}" height="{h - 4}" fill="{style["fillColor"]}" '
            f'fill-opacity="{min(1.0, style["fillOpacity"] * 3):.2f}" stroke="{style["color"]}" '
            f'stroke-width="2.5"{dash}/>{hatch}</svg>')


def _ring_svg(colour: str, size: int = 20) -> str:
    c = size / 2
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
            f'aria-hidden="true" style="vertical-align:middle"><circle cx="{c}" cy="{c}" '
            f'r="{c - 3}" fill="none" stroke="{colour}" stroke-width="4"/></svg>')


def _size_svg(radius: float) -> str:
    d = 2 * float(radius) + 4
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{d:.0f}" height="{d:.0f}" '
            f'aria-hidden="true" style="vertical-align:middle"><circle cx="{d / 2}" '
            f'cy="{d / 2}" r="{float(radius)}" fill="#bbbbbb" stroke="{OUTLINE}" '
            f'stroke-width="1.2"/></svg>')


def _row(swatch: str, text: str) -> str:
    return (f'<div class="cm-legend-row" style="display:flex;align-items:center;gap:0.5em;'
            f'margin:0.15em 0">{swatch}<span>{html_text(text)}</span></div>')


def legend_html(items: Sequence[LegendItem], *, title: str | None = None) -> str:
    """The legend for the current view, as one ``<div>`` of HTML, under ``title`` if given.

    Consecutive ``size`` items share a line. Returns HTML with inline SVG swatches (no images,
    no external references); every label is escaped.
    """
    parts = ['<div class="cm-legend" style="font-size:1.05rem;line-height:1.4">']
    if title:
        parts.append(f'<div style="font-weight:800;font-size:1.1em">{html_text(title)}</div>')
    sizes: list[str] = []

    def flush_sizes() -> None:
        if sizes:
            parts.append('<div style="display:flex;align-items:center;gap:0.9em">'
                         + "".join(sizes) + "</div>")
            sizes.clear()

    for item in items:
        if item.kind == "size":
            sizes.append(f"<span>{_size_svg(item.radius)} {html_text(item.label)}</span>")
            continue
        flush_sizes()
        if item.kind == "heading":
            parts.append('<div class="cm-legend-heading" style="font-weight:700;'
                         f'margin:0.5em 0 0.2em">{html_text(item.label)}</div>')
        elif item.kind == "marker":
            parts.append(_row(marker_svg(item.shape, item.colour, hollow=item.hollow,
                                         dashed=item.dashed, halo=item.halo), item.label))
        elif item.kind == "ring":
            parts.append(_row(_ring_svg(item.colour), item.label))
        elif item.kind == "area":
            parts.append(_row(area_svg(item.state, hatched=item.hatched, colour=item.colour),
                              item.label))
        elif item.kind == "pin":
            parts.append(_row(pin_svg(item.state), item.label))
        else:  # note
            parts.append(f'<div style="font-size:0.9em;color:#444">{html_text(item.label)}</div>')
    flush_sizes()
    parts.append("</div>")
    return "".join(parts)
