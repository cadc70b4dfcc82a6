"""The map's layers, one module each, listed in ``layers.registry``; how they look is
``layers.palette``. The names callers use."""

# The names are loaded on first use (PEP 562), so that importing one module of the package
# (``layers.palette``, say) does not import the whole package, and no import can go in a circle.
from importlib import import_module

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


def __getattr__(name: str):
    module = _NAMES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(module), name)
