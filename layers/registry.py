"""The map's layers: one table, read by the map, the sidebar, links, briefings, the legend and
every export.

Built-in layers are registered here the way a new one would be (compare datasette's
``DEFAULT_PLUGINS``): adding a layer is one module in ``layers/`` with ``build(view)`` and
``legend(view)``, plus one :class:`MapLayer` entry in :data:`REGISTRY`. ARCHITECTURE.md shows
the steps; ``tests/test_layer_registry.py`` holds every entry to the same shape.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import folium

from layers import control, control_areas, events, milestones, zones
from layers.palette import LegendItem
from view.run import RunView
from view.url_state import LayerKeys


@dataclass(frozen=True)
class MapLayer:
    """One layer of the map.

    Attributes
    ----------
    key
        Its name in links (``?layers=events,zones``) and briefing files.
    label
        Its name in the sidebar.
    build
        ``build(view) -> FeatureGroup`` (a :class:`layers.base.LayerGroup`): the layer for the
        view, pure (no Streamlit, no I/O). None for a part of the base map.
    legend
        ``legend(view) -> list[LegendItem]``: what the legend says about it for the view.
    default
        Switched on when a link or scene does not say.
    exported
        Drawn by the PNG, GIF and standalone HTML exports when switched on.
    base_map
        Drawn into the base map (date-independent; switching it re-creates the map) rather
        than sent with each step.
    """

    key: str
    label: str
    build: Callable[[RunView], folium.FeatureGroup] | None
    legend: Callable[[RunView], list[LegendItem]]
    default: bool = True
    exported: bool = True
    base_map: bool = False


def _no_legend(view: RunView) -> list[LegendItem]:
    del view
    return []


# In drawing order, bottom first: areas under events, pins on top.
REGISTRY: tuple[MapLayer, ...] = (
    MapLayer("control_areas", "Control by sub-district (approx.)", control_areas.build,
             control_areas.legend, default=False),
    MapLayer("zones", "Zones (approx.)", zones.build, zones.legend),
    MapLayer("events", "Events", events.build, events.legend),
    MapLayer("control", "Control of places", control.build, control.legend),
    MapLayer("milestones", "Milestones", milestones.build, milestones.legend),
    MapLayer("boundaries", "Governorates", None, _no_legend, base_map=True),
)

_BY_KEY = {layer.key: layer for layer in REGISTRY}
assert len(_BY_KEY) == len(REGISTRY), "layer keys are unique"

LAYER_KEYS = LayerKeys(keys=tuple(_BY_KEY), defaults=tuple(k for k, v in _BY_KEY.items()
                                                            if v.default))


def label(key: str) -> str:
    return _BY_KEY[key].label


def date_layers(view: RunView, *, exported_only: bool = False) -> list[MapLayer]:
    """The switched-on layers sent with each step, in drawing order."""
    return [layer for layer in REGISTRY if view.shows(layer.key) and not layer.base_map
            and (layer.exported or not exported_only)]


def build_groups(view: RunView, *, exported_only: bool = False) -> list[folium.FeatureGroup]:
    """The FeatureGroups of the view's switched-on date layers, in drawing order."""
    return [layer.build(view) for layer in date_layers(view, exported_only=exported_only)]


def legend_items(view: RunView, *, exported_only: bool = False) -> list[LegendItem]:
    """The legend of the view: each switched-on layer's items, in registry order."""
    return [item for layer in REGISTRY if view.shows(layer.key)
            and (layer.exported or not exported_only) for item in layer.legend(view)]


def summaries(groups: list[folium.FeatureGroup]) -> list[str]:
    """What the groups say they draw, for the header."""
    return [text for g in groups if (text := getattr(g, "summary", None))]
