"""Where the map looks: its centre, zoom and bounds, and the zoom limits every part obeys.

The limits are one fact: the base map, links and briefing files all use :data:`MIN_ZOOM` and
:data:`MAX_ZOOM`. Pure: no Streamlit. ``ui/map_panel.py`` turns what the browser reports into a
:class:`MapView`; nothing below ``ui/`` sees that report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SYRIA_CENTRE: tuple[float, float] = (34.9, 38.1)  # west of centre: room for zone names
DEFAULT_ZOOM = 7
MIN_ZOOM = 6
MAX_ZOOM = 13

Box = tuple[float, float, float, float]  # (south, west, north, east), degrees


@dataclass(frozen=True)
class MapView:
    """The map's view: ``center`` (lat, lon) and ``zoom`` as the link gives them (None: the
    default opening view), and the ``bounds`` the browser last reported (None before the
    first report, and in AppTest, which has no browser)."""

    center: tuple[float, float] | None = None
    zoom: int | None = None
    bounds: Box | None = None

    @property
    def effective_zoom(self) -> int:
        """The zoom the map is drawn at: the reported or asked-for one, else the default."""
        return int(self.zoom) if self.zoom is not None else DEFAULT_ZOOM


def clamp_zoom(zoom: int) -> int:
    return max(MIN_ZOOM, min(MAX_ZOOM, int(zoom)))


def view_fitting(box: Box, *, width_px: int = 900, height_px: int = 600,
                 pad: float = 0.15) -> tuple[tuple[float, float], int]:
    """The centre and the largest zoom (within the limits) at which a map of ``width_px`` ×
    ``height_px`` shows ``box`` with a margin of ``pad`` on each side."""
    south, west, north, east = box
    center = ((south + north) / 2, (west + east) / 2)

    def y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    span_x = max((east - west) / 360.0, 1e-6) * (1 + 2 * pad)
    span_y = max(abs(y(north) - y(south)) / (2 * math.pi), 1e-6) * (1 + 2 * pad)
    zoom = math.floor(min(math.log2(width_px / 256 / span_x), math.log2(height_px / 256 / span_y)))
    return (round(center[0], 4), round(center[1], 4)), clamp_zoom(zoom)
