"""The map legend as HTML: faction colours and shapes, fatality sizes, zone states.

Shown beside the map with ``st.markdown(legend_html(...), unsafe_allow_html=True)`` and reused by
the exports. The legend is not on the base map: it changes with the filters, and the base map
must not. All text in it is ours (faction labels, states); it is escaped all the same.
"""

from __future__ import annotations

from collections.abc import Sequence

from layers.escape import html_text
from layers.palette import FACTION_STYLE, OUTLINE
from layers.zones import IN_FORCE, UNDER_OFFENSIVE, style_for
from sources.schema import FACTIONS

# (label, marker radius in px). layers/events.py should pass its own key through ``sizes`` so
# the legend and the markers cannot disagree; this default is only for a plain legend.
DEFAULT_SIZE_KEY: tuple[tuple[str, float], ...] = (("1", 4.0), ("10", 7.0), ("100", 12.0))


def marker_svg(shape: str, colour: str, size: int = 20) -> str:
    """Inline SVG of one marker shape (see ``layers.palette.SHAPES``), outlined in dark grey."""
    c = size / 2
    r = size / 2 - 2
    stroke = f'stroke="{OUTLINE}" stroke-width="1.5"'
    fill = f'fill="{colour}"'
    if shape == "circle":
        body = f'<circle cx="{c}" cy="{c}" r="{r}" {fill} {stroke}/>'
    elif shape == "ring":
        body = (f'<circle cx="{c}" cy="{c}" r="{r - 1}" fill="none" stroke="{colour}" '
                f'stroke-width="4"/><circle cx="{c}" cy="{c}" r="{r + 0.5}" fill="none" '
                f'stroke="{OUTLINE}" stroke-width="1"/>')
    elif shape == "square":
        body = f'<rect x="{c - r * 0.85}" y="{c - r * 0.85}" width="{r * 1.7}" '
        body += f'height="{r * 1.7}" {fill} {stroke}/>'
    else:
        points = _polygon(shape, c, r)
        body = f'<polygon points="{points}" {fill} {stroke} stroke-linejoin="round"/>'
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
            f'viewBox="0 0 {size} {size}" aria-hidden="true" style="vertical-align:middle">'
            f"{body}</svg>")


def _polygon(shape: str, c: float, r: float) -> str:
    t = r * 0.38  # arm half-width of the cross and the x
    shapes: dict[str, list[tuple[float, float]]] = {
        "diamond": [(0, -r), (r, 0), (0, r), (-r, 0)],
        "triangle": [(0, -r), (r, r * 0.8), (-r, r * 0.8)],
        "triangle-down": [(0, r), (r, -r * 0.8), (-r, -r * 0.8)],
        "hexagon": [(r * 0.87, -r * 0.5), (r * 0.87, r * 0.5), (0, r), (-r * 0.87, r * 0.5),
                    (-r * 0.87, -r * 0.5), (0, -r)],
        "cross": [(-t, -r), (t, -r), (t, -t), (r, -t), (r, t), (t, t), (t, r), (-t, r),
                  (-t, t), (-r, t), (-r, -t), (-t, -t)],
    }
    if shape == "x":  # the cross turned by 45 degrees
        k = 0.7071
        pts = [((x - y) * k, (x + y) * k) for x, y in shapes["cross"]]
    else:
        pts = shapes.get(shape, shapes["diamond"])
    return " ".join(f"{c + x:.1f},{c + y:.1f}" for x, y in pts)


def _zone_svg(state: str, size: int = 26) -> str:
    style = style_for(state)
    dash = f' stroke-dasharray="{style["dashArray"]}"' if "dashArray" in style else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size * 0.7:.0f}" '
            f'aria-hidden="true" style="vertical-align:middle"><rect x="2" y="2" '
            f'width="{size - 4}" height="{size * 0.7 - 4:.0f}" fill="{style["fillColor"]}" '
            f'fill-opacity="{min(1.0, style["fillOpacity"] * 3):.2f}" stroke="{style["color"]}" '
            f'stroke-width="2.5"{dash}/></svg>')


def _row(swatch: str, text: str) -> str:
    return (f'<div style="display:flex;align-items:center;gap:0.5em;margin:0.15em 0">'
            f"{swatch}<span>{html_text(text)}</span></div>")


def legend_html(
    factions: Sequence[str],
    *,
    sizes: bool | Sequence[tuple[str, float]] = True,
    zones_states: Sequence[str] = (IN_FORCE, UNDER_OFFENSIVE),
    title: str = "Legend",
    approximate_note: bool = True,
) -> str:
    """The legend for the current view, as one ``<div>`` of HTML.

    Parameters
    ----------
    factions : sequence of str
        Faction keys (``sources.schema.FACTIONS``) to list, in this order.
    sizes : bool or sequence of (str, float)
        ``True`` for :data:`DEFAULT_SIZE_KEY`, ``False`` for none, or the ``(label, radius px)``
        pairs of the event layer's fatality scale.
    zones_states : sequence of str
        Area states (or the user's style values) to explain; empty for none. Untrusted text:
        escaped.
    approximate_note : bool
        Say that the zone outlines are approximate (when an approximate area is drawn).
    title : str

    Returns
    -------
    str
        HTML with inline SVG swatches (no images, no external references).
    """
    parts = [f'<div class="cm-legend" style="font-size:1.05rem;line-height:1.4">'
             f'<div style="font-weight:700;margin-bottom:0.3em">{html_text(title)}</div>']
    for key in factions:
        style = FACTION_STYLE.get(key, FACTION_STYLE["other"])
        parts.append(_row(marker_svg(style.shape, style.colour), FACTIONS.get(key, key)))
    size_key = DEFAULT_SIZE_KEY if sizes is True else (sizes or ())
    if size_key:
        parts.append('<div style="font-weight:700;margin:0.5em 0 0.2em">Deaths (best estimate)'
                     "</div><div style=\"display:flex;align-items:center;gap:0.9em\">")
        for label, radius in size_key:
            d = 2 * float(radius) + 4
            circle = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{d:.0f}" height="{d:.0f}" '
                      f'aria-hidden="true" style="vertical-align:middle"><circle cx="{d / 2}" '
                      f'cy="{d / 2}" r="{float(radius)}" fill="#bbbbbb" stroke="{OUTLINE}" '
                      f'stroke-width="1.2"/></svg>')
            parts.append(f"<span>{circle} {html_text(label)}</span>")
        parts.append("</div>")
    if zones_states:
        parts.append('<div style="font-weight:700;margin:0.5em 0 0.2em">Areas</div>')
        parts.extend(_row(_zone_svg(state), state) for state in zones_states)
        if approximate_note:
            parts.append('<div style="font-size:0.9em;color:#555">De-escalation zone outlines '
                         "are approximate: the memorandum maps were never published.</div>")
    parts.append("</div>")
    return "".join(parts)
