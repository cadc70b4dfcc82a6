"""Colours and marker shapes for factions: one place, used by every layer, legend and export.

Colour alone is not enough on a projector or for colour-blind viewers, so every faction also has
a shape (the second cue) and every marker a dark outline. Colours are from the Okabe-Ito and
Paul Tol palettes, chosen to stay apart under the common colour-vision deficiencies; where two
colours come close, their shapes differ.
"""

from __future__ import annotations

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
