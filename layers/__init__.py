"""The map's layers, one module each, listed in ``layers.registry``; how they look is
``layers.palette``. The names callers use."""

from sources.front_door import lazy_names

_NAMES: dict[str, str] = {
    "LAYER_KEYS": "layers.registry",
    "LayerGroup": "layers.base",
    "LegendItem": "layers.palette",
    "MapLayer": "layers.registry",
    "REGISTRY": "layers.registry",
    "build_base_map": "layers.base",
    "legend_html": "layers.legend",
}

__all__ = sorted(_NAMES)

__getattr__ = lazy_names(__name__, _NAMES)  # loaded on first use: sources/front_door.py
