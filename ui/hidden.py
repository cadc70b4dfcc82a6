"""The line above the map that says which stored datasets the view hides.

The sidebar says it too, but present view hides the sidebar, and a room reading the map must
not take a view without a dataset for the whole of the data.
"""

from __future__ import annotations

import streamlit as st

from layers.escape import markdown_text as md
from view.run import RunView


def note(view: RunView) -> None:
    """A caption naming the hidden stored datasets and the events left out; nothing when the
    view hides none."""
    hidden = view.catalog.stored.hidden(view.state.hidden)
    if not hidden:
        return
    names = "; ".join(f"{md(h.name)} ({h.events:,} events)" for h in hidden)
    st.caption(f"Not shown in this view: {names}.")
