"""One view of each run: everything the page, the map and the exports show, built once.

:func:`build_run_view` turns the view state (the link's fields: day, window, filters, layers,
map position) and what the map last reported into a :class:`RunView`. The map layers, the
panels and every export read that object; none of them reads session state or the clock
again. Pure: no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd

from view.areas import areas_on
from view.catalog import Catalog
from view.clock import Clock, caption_milestones, milestones_in_view
from view.control import subdistrict_shading
from view.map_view import MapView
from view.url_state import ViewState


@dataclass(frozen=True)
class BrowserClock:
    """What the browser needs to move the map by itself, without a server round trip.

    Only the live app has one (``ui.map_panel.event_slabs`` publishes the slabs and
    ``ui.controls.browser_clock`` adds the play settings); the exports draw every layer from the
    server's view, so a standalone HTML file needs nothing.
    """

    slabs_url: str  # the manifest of the events' binary slabs (view.event_slabs)
    slab_rows: np.ndarray  # index positions of the slabs' events: browser row r is slab_rows[r]
    playing: bool = False
    play_step_days: int = 7
    play_interval_ms: int = 1000
    play_hold: bool = True  # pause at milestones
    play_until: date | None = None
    briefing: bool = False  # previous/next step through scenes: the server decides the day
    detail_rows: tuple[int, ...] = ()  # browser rows whose popup text the map asked for


@dataclass(frozen=True)
class RunView:
    """The view of one run.

    Attributes
    ----------
    catalog
        The loaded data (shared, read-only).
    state
        The view state a link reproduces (day, window, factions, layers, centre, zoom...).
    clock
        The clock of ``state`` over the catalog's span.
    map
        Where the map looks (the zoom and bounds events are aggregated for).
    rows
        Positions in ``catalog.index`` of the events in the window, after the faction filter,
        without the events only the hidden stored datasets hold (``state.hidden``).
    areas
        The areas (zones and user areas) in force on the day, with their ``state``.
    milestones
        The milestones dated inside the window (the pins).
    caption_milestones
        The milestones that make the caption (those of the day, or the latest in the window).
    """

    catalog: Catalog
    state: ViewState
    clock: Clock
    map: MapView
    rows: np.ndarray
    areas: gpd.GeoDataFrame
    milestones: pd.DataFrame
    caption_milestones: pd.DataFrame
    control_state: pd.DataFrame  # every tracked place's state on the day (view.control)
    browser_clock: BrowserClock | None = None  # the live map moves with the clock by itself

    @cached_property  # read by the layer, its legend and the export: computed once a run
    def control_shading(self) -> pd.DataFrame:
        """The sub-districts shaded by the places' state on the day (approximate)."""
        return subdistrict_shading(self.control_state)

    @property
    def layers(self) -> tuple[str, ...]:
        return tuple(self.state.layers)

    def shows(self, layer: str) -> bool:
        """True when the layer ``layer`` (a registry key) is switched on."""
        return layer in self.state.layers

    @property
    def caption(self) -> str:
        """The caption's milestone titles in one line (plain text)."""
        return "; ".join(self.caption_milestones["title"].astype(str))

    def on_day(self, day: date) -> RunView:
        """The same view moved to ``day`` (same window length, filters, layers and map):
        a frame of a GIF, a step of play."""
        state = replace(self.state, day=day, range_start=None)
        return build_run_view(self.catalog, state, self.map)


def state_shows_control(state: ViewState) -> bool:
    return bool({"control", "control_areas"} & set(state.layers))


def shown_rows(catalog: Catalog, hidden: tuple[str, ...]) -> np.ndarray | None:
    """The catalog's mask of the events a view hiding ``hidden`` shows (shared, read-only);
    None when the view hides nothing the store holds.

    Raises ``ValueError`` when the catalog was never told its store (``catalog.stored
    .use_store``): the page would otherwise claim to hide datasets it does not.
    """
    if not hidden:
        return None
    if catalog.stored.store_dir is None:
        raise ValueError("datasets are hidden, but the catalog does not know its store: call "
                         "catalog.stored.use_store(store_dir) first")
    return catalog.stored.shown(hidden)


def build_run_view(catalog: Catalog, state: ViewState, map_view: MapView) -> RunView:
    """Build the view of a run from the state and the map's position."""
    span_start, span_end = catalog.span
    clock = Clock(state.day, state.window, span_start, span_end, state.range_start)
    rows = catalog.index.window(clock.start, clock.end, factions=state.factions or None,
                                exact_only=state.exact_only)
    if (shown := shown_rows(catalog, state.hidden)) is not None:
        rows = rows[shown[rows]]  # the window's rows only: the catalog is never filtered
    return RunView(
        catalog=catalog,
        state=state,
        clock=clock,
        map=map_view,
        rows=rows,
        areas=areas_on(catalog.areas, pd.Timestamp(clock.day)),
        milestones=milestones_in_view(catalog.milestones, clock),
        caption_milestones=caption_milestones(catalog.milestones, clock),
        # Only when a control layer is on: not work added to every rerun for nothing.
        control_state=(catalog.control.on(clock.day)
                       if state_shows_control(state) else catalog.control.no_state()),
    )
