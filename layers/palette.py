"""How things look: one definition used by every map layer, the legend and the PNG export.

Faction colours and marker shapes, the fatalities size scale, the styles of areas by state,
milestone pins, and the control-of-terrain styles all live here. The JS layers get them as
options from Python, the HTML legend and the PNG draw :class:`LegendItem` lists built from
them, so a PNG looks like the map it exports.

Colour alone is not enough on a projector or for colour-blind viewers, so every faction also has
a shape (the second cue) and every marker a dark outline. Colours are from the Okabe-Ito and
Paul Tol palettes, chosen to stay apart under the common colour-vision deficiencies; where two
colours come close, their shapes differ.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from sources.schema import FACTIONS


@dataclass(frozen=True)
class MarkerStyle:
    colour: str  # fill, CSS hex
    shape: str  # one of SHAPES


# Shapes our own canvas marker layer (static/app/) and the PNG export know how to draw.
SHAPES: tuple[str, ...] = (
    "circle", "square", "diamond", "triangle", "triangle-down", "cross", "x", "hexagon", "ring",
)

def _cross(r: float, t: float) -> tuple[tuple[float, float], ...]:
    """A plus sign of arm half-width ``t``, reaching ``r``."""
    return ((-t, -r), (t, -r), (t, -t), (r, -t), (r, t), (t, t), (t, r), (-t, r), (-t, t),
            (-r, t), (-r, -t), (-t, -t))


def _turned(points, angle: float) -> tuple[tuple[float, float], ...]:
    c, s = math.cos(angle), math.sin(angle)
    return tuple((round(x * c - y * s, 4), round(x * s + y * c, 4)) for x, y in points)


# The outline of each polygon shape for a marker of radius 1, in screen units (y down); circle
# and ring are drawn as circles. The JS layer, the SVG legend and the PNG all draw these.
SHAPE_POINTS: dict[str, tuple[tuple[float, float], ...]] = {
    "square": ((-0.88, -0.88), (0.88, -0.88), (0.88, 0.88), (-0.88, 0.88)),
    "diamond": ((0.0, -1.2), (1.0, 0.0), (0.0, 1.2), (-1.0, 0.0)),
    "triangle": ((0.0, -1.15), (1.05, 0.75), (-1.05, 0.75)),
    "triangle-down": ((0.0, 1.15), (1.05, -0.75), (-1.05, -0.75)),
    "cross": _cross(1.05, 0.38),
    "x": _turned(_cross(1.1, 0.36), math.pi / 4),
    "hexagon": tuple((round(math.cos(math.pi / 3 * k), 4), round(math.sin(math.pi / 3 * k), 4))
                     for k in range(6)),
}
RING_HOLE = 0.45  # the ring's hole, as a share of its radius

FACTION_STYLE: dict[str, MarkerStyle] = {
    "government": MarkerStyle("#D55E00", "circle"),  # vermillion
    "opposition": MarkerStyle("#009E73", "square"),  # bluish green
    "jihadist": MarkerStyle("#882255", "diamond"),  # wine
    "is": MarkerStyle("#000000", "triangle"),  # black
    "sdf": MarkerStyle("#E69F00", "triangle-down"),  # orange
    "turkey": MarkerStyle("#CC79A7", "hexagon"),  # reddish purple
    "coalition": MarkerStyle("#0072B2", "cross"),  # blue
    "russia": MarkerStyle("#56B4E9", "x"),  # sky blue
    "israel": MarkerStyle("#332288", "diamond"),  # indigo; jihadist shape, far colour
    "civilians": MarkerStyle("#999999", "ring"),  # grey
    "other": MarkerStyle("#DDDDDD", "circle"),  # pale grey
}

OUTLINE = "#1a1a1a"

assert set(FACTION_STYLE) == set(FACTIONS), "every faction needs a style"
assert all(s.shape in SHAPES for s in FACTION_STYLE.values())
assert set(SHAPE_POINTS) | {"circle", "ring"} == set(SHAPES)

# -- the fatalities size scale ---------------------------------------------------------------
# Single-event marker radius in px: square-root scale of best-estimate deaths, readable on a
# projector. The JS layer gets these in ``options.radius``; the PNG multiplies them by its unit.
MIN_RADIUS = 5.0
RADIUS_PER_SQRT_DEATH = 1.7
MAX_RADIUS = 22.0


def marker_radius(deaths: float) -> float:
    """Radius in px of a single event's marker (what ``event_layer.js`` draws)."""
    return min(MIN_RADIUS + RADIUS_PER_SQRT_DEATH * math.sqrt(max(deaths, 0)), MAX_RADIUS)


# (label, deaths) for the legend's size key.
SIZE_KEY_DEATHS: tuple[tuple[str, int], ...] = (("0", 0), ("10", 10), ("100+", 100))

# -- areas by state --------------------------------------------------------------------------
IN_FORCE = "in force"
UNDER_OFFENSIVE = "under offensive"
# Known states: a calm blue for a zone in force; a warmer, dashed, paler look for one under
# attack (a real hatch would need an SVG pattern plugin; the dash and paler fill carry it).
STATE_STYLES: dict[str, dict] = {
    IN_FORCE: {"color": "#1f5fa8", "weight": 3, "opacity": 0.95,
               "fillColor": "#4a90d9", "fillOpacity": 0.14},
    UNDER_OFFENSIVE: {"color": "#c0392b", "weight": 3, "opacity": 0.95, "dashArray": "10 7",
                      "fillColor": "#e8836f", "fillOpacity": 0.08},
}
# Any other style value (a user's area file): Okabe-Ito colours, chosen by a stable hash.
OTHER_COLOURS: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")


def style_for(state: str) -> dict:
    """Leaflet path options for an area in ``state``; the same state always gets the same style.

    Known states use :data:`STATE_STYLES`; any other value gets a colour from
    :data:`OTHER_COLOURS` picked by a SHA-1 of the value (not ``hash()``, which changes
    between processes).
    """
    key = str(state).strip().lower()
    if key in STATE_STYLES:
        return dict(STATE_STYLES[key])
    digest = hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).digest()
    colour = OTHER_COLOURS[digest[0] % len(OTHER_COLOURS)]
    return {"color": colour, "weight": 2.5, "opacity": 0.95, "fillColor": colour,
            "fillOpacity": 0.12}


# -- milestone pins --------------------------------------------------------------------------
# category -> (fill colour, shape). One dark outline for all; claims are a larger star.
CATEGORY_STYLE: dict[str, tuple[str, str]] = {
    "military": ("#4d4d4d", "diamond"),
    "political": ("#8e6bbf", "diamond"),
    "diplomatic": ("#2b8cbe", "diamond"),
    "humanitarian": ("#e7298a", "diamond"),
    "claim": ("#ffd23f", "star"),
}
OTHER_PIN_STYLE = ("#bdbdbd", "diamond")
PIN_OUTLINE = "#111111"
PIN_SIZE = {"diamond": 22, "star": 30}


# -- legend ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class LegendItem:
    """One line of the legend, drawn the same way by the HTML legend and the PNG.

    ``kind`` is one of: ``heading`` (a bold line), ``marker`` (a faction's shape and colour;
    ``hollow`` for an outline only, ``dashed`` for a dashed outline), ``ring`` (a ring in
    ``colour``), ``size`` (a grey circle of ``radius`` px), ``area`` (a swatch in ``colour``,
    else in ``style_for(state)``; ``hatched`` for stripes), ``pin`` (a milestone pin of
    category ``state``), ``note`` (small text).
    """

    kind: str
    label: str
    shape: str = "circle"
    colour: str = ""
    radius: float = 0.0
    state: str = ""
    hollow: bool = False
    hatched: bool = False
    dashed: bool = False
    halo: bool = False  # a tracked place's white halo, which sets it apart from events


def faction_item(key: str, *, label: str | None = None, hollow: bool = False) -> LegendItem:
    style = FACTION_STYLE.get(key, FACTION_STYLE["other"])
    return LegendItem("marker", label or FACTIONS.get(key, key), shape=style.shape,
                      colour=style.colour, hollow=hollow)


def size_items() -> list[LegendItem]:
    return [LegendItem("size", label, radius=round(marker_radius(deaths), 1))
            for label, deaths in SIZE_KEY_DEATHS]


# -- control of terrain ------------------------------------------------------------------------
# Places are drawn in their controller's colour and shape (the faction palette), sized by kind,
# with a white halo so that they read apart from events; contested places are grey with a
# dashed outline; a besieged place gets a thick ring in the besieger's colour; a place with no
# record yet is a small hollow grey circle.
KIND_RADIUS: dict[str, float] = {
    "city": 9.0, "town": 7.0, "village": 5.0, "base": 6.0, "airport": 6.0, "dam": 6.0,
    "oil_field": 6.0, "gas_field": 6.0, "border_crossing": 6.0, "camp": 6.0,
}
KIND_LABELS: dict[str, str] = {
    "city": "city", "town": "town", "village": "village", "base": "military base",
    "airport": "airport", "dam": "dam", "oil_field": "oil field", "gas_field": "gas field",
    "border_crossing": "border crossing", "camp": "camp",
}
CONTESTED_STYLE = MarkerStyle("#bdbdbd", "circle")
CONTESTED_DASH = "4 3"
NO_RECORD_COLOUR = "#8c8c8c"
PLACE_HALO = "#ffffff"
BESIEGED_RING_PX = 4.0  # width of the besieger's ring outside the marker
# Sub-districts shaded by the places' controller: a light fill, hatched where places disagree.
AREA_FILL_OPACITY = 0.22
MIXED_HATCH = "#3d3d3d"


def controller_style(controller: str) -> MarkerStyle:
    """The look of a place held by ``controller`` (a faction key or "contested")."""
    if controller == "contested":
        return CONTESTED_STYLE
    return FACTION_STYLE.get(controller, FACTION_STYLE["other"])


def controller_label(controller: str) -> str:
    if controller == "contested":
        return "Contested"
    return FACTIONS.get(controller, controller)
