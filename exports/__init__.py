"""Exports of a view for slides and rooms with no internet: PNG, standalone HTML, CSV, GIF."""

# The names are loaded on first use (PEP 562), so that importing one module of the package
# (``exports.csv``, say) does not import the whole package, and no import can go in a circle.
from importlib import import_module

_NAMES: dict[str, str] = {
    "events_csv": "exports.csv",
    "export_view": "exports.view",
    "render_gif": "exports.gif",
    "render_png": "exports.png",
    "render_standalone_html": "exports.html",
    "standalone_map": "exports.view",
}

__all__ = sorted(_NAMES)


def __getattr__(name: str):
    module = _NAMES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(module), name)
