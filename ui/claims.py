"""The claim panels beside the map: each claim of the caption held against the loaded events
and against the control record (``view.claims``, ``view.control``), cached per claim."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import header
from view.catalog import Catalog
from view.claims import claim_figures_by_dataset
from view.control import bounds_of, territorial_claim
from view.map_view import view_fitting
from view.run import shown_rows


@st.cache_data(max_entries=32, show_spinner=False)
def _claim_figures(_catalog: Catalog, events_key: tuple, hidden: tuple[str, ...], day,
                   faction: str):
    del events_key  # identifies _catalog's events in the cache key (with ``hidden``)
    shown = shown_rows(_catalog, hidden)
    events = _catalog.events if shown is None else _catalog.events[shown]
    return claim_figures_by_dataset(events, day, faction)


@st.cache_data(max_entries=32, show_spinner=False)
def _territory(_record, record_key: tuple, day, faction: str):
    del record_key  # identifies _record in the cache key
    figures = territorial_claim(_record, faction, day)
    box = bounds_of(figures.held)
    return figures, (view_fitting(box) if box else None)


def claim_panels(catalog: Catalog, caption_rows: pd.DataFrame,
                 hidden: tuple[str, ...] = ()) -> None:
    """A panel per (day, faction) claimed about: what the data and the record say (without
    the stored datasets the view hides)."""
    claims = caption_rows[(caption_rows["category"] == "claim")
                          & caption_rows["claim_faction"].fillna("").astype(bool)]
    events_key = tuple(catalog.dataset_counts.items())
    record_key = (len(catalog.control.places), len(catalog.control.changes))
    for i, ((day, faction), group) in enumerate(claims.groupby(["date", "claim_faction"])):
        day = pd.Timestamp(day).date()
        figures = _claim_figures(catalog, events_key, hidden, day, faction)
        territory, show = _territory(catalog.control, record_key, day, faction)
        header.claim_panel(list(group.itertuples(index=False)), figures, key=str(i),
                           territory=territory, show_places=show)
