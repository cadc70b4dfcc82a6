"""The catalog, loaded once per process and shared by every session (``st.cache_resource``:
one copy in memory for all viewers, never copied per session).

The cache key is the configuration plus the list of imported files and added area files, so
an upload, a download or a ``python -m sources import`` is picked up on the next run without a
restart. The work itself is :func:`sources.catalog.assemble` (no Streamlit).
"""

from __future__ import annotations

import streamlit as st

from sources.catalog import Config, assemble
from view.catalog import Catalog


@st.cache_resource(show_spinner="Loading events, zones and milestones…", max_entries=2)
def load_catalog(config: Config, imported: tuple[str, ...]) -> Catalog:
    """Load and index everything; ``imported`` is only part of the cache key."""
    del imported  # the store is read by assemble; the argument only keys the cache
    catalog = Catalog.from_loaded(assemble(config))
    catalog.stored.use_store(config.store_dir)  # so a view can hide stored datasets
    return catalog
