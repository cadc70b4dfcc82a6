"""Pure functions of the date: the clock, the event index, control on a day, the view of a run.

No Streamlit here. The names callers use; the work is in the modules.
"""

from sources.front_door import lazy_names

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

__getattr__ = lazy_names(__name__, _NAMES)  # loaded on first use: sources/front_door.py
