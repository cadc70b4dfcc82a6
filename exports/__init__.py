"""Exports of a view for slides and rooms with no internet: PNG, standalone HTML, CSV, GIF."""

from sources.front_door import lazy_names

_NAMES: dict[str, str] = {
    "events_csv": "exports.csv",
    "export_view": "exports.view",
    "render_gif": "exports.gif",
    "render_png": "exports.png",
    "render_standalone_html": "exports.html",
    "standalone_map": "exports.view",
}

__all__ = sorted(_NAMES)

__getattr__ = lazy_names(__name__, _NAMES)  # loaded on first use: sources/front_door.py
