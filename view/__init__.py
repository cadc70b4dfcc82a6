"""Pure functions of the date: the clock, the event index, control on a day, the view of a run.

No Streamlit here. The names callers use; the work is in the modules.
"""

# The names are loaded on first use (PEP 562), so that importing one module of the package
# (``view.clock``, say) does not import the whole package, and no import can go in a circle.
from importlib import import_module

_NAMES: dict[str, str] = {
    "Briefing": "view.briefing",
    "Catalog": "view.catalog",
    "Clock": "view.clock",
    "ControlRecord": "view.control",
    "EventIndex": "view.event_index",
    "LayerKeys": "view.url_state",
    "MapView": "view.map_view",
    "RunView": "view.run",
    "ViewState": "view.url_state",
    "build_run_view": "view.run",
    "from_query": "view.url_state",
    "list_briefings": "view.briefing",
    "load_briefing": "view.briefing",
    "territorial_claim": "view.control",
    "to_query": "view.url_state",
}

__all__ = sorted(_NAMES)


def __getattr__(name: str):
    module = _NAMES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(module), name)
