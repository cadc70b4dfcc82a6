"""Syria conflict map: events, de-escalation zones and milestones on one clock.

This script only wires the page; the work is in ``sources`` (data), ``view`` (pure functions
of the date), ``layers`` (map layers) and ``ui`` (Streamlit pieces). See ARCHITECTURE.md.
"""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from layers import assets
from layers.escape import markdown_text
from ui import controls, exports_panel, header, map_panel, panels, present, sidebar, state
from ui.catalog import Config, load_catalog, store_fingerprints
from view.briefing import list_briefings
from view.claims import claim_figures_by_dataset
from view.clock import caption_milestones
from view.stats import by_faction

st.set_page_config(page_title="Syria conflict map", page_icon="🗺️", layout="wide",
                   initial_sidebar_state="expanded")
assets.install()

config = Config.from_env()
catalog = load_catalog(config, store_fingerprints(config.store_dir))
briefing_list, briefing_errors = list_briefings()
briefings = {b.briefing_id: b for b in briefing_list}

state.init_state(catalog.span)
state.open_linked_scene(briefings)

with st.sidebar:
    st.title("Syria conflict map")
    tiles = sidebar.view_controls(briefings, config)
    sidebar.data_status(catalog)
    sidebar.upload(config, catalog)
    sidebar.add_areas(config)
    for error in briefing_errors:
        st.error(markdown_text(error))
state.mark_app_run()

is_present = bool(st.session_state.get("present"))
present.page_style(is_present)
present.window_keys()
if is_present:
    present.exit_button()
# Said once, on opening the link (not on every later run: the room would see it all along).
for problem in st.session_state.pop("_link_problems", []):
    st.warning(markdown_text(problem))  # quotes the link's own text


@st.cache_data(max_entries=32, show_spinner=False)
def _claim_figures(_events: pd.DataFrame, events_key: tuple, day, faction: str):
    del events_key  # identifies _events in the cache key
    return claim_figures_by_dataset(_events, day, faction)


def _speed() -> float | None:
    if not st.session_state.get("playing"):
        return None
    return controls.PLAY_SPEEDS[st.session_state.get("play_speed", "normal")]


def _claims(caption_rows: pd.DataFrame) -> None:
    """A panel per (day, faction) claimed about: what the loaded data records around it."""
    claims = caption_rows[(caption_rows["category"] == "claim")
                          & caption_rows["claim_faction"].fillna("").astype(bool)]
    events_key = tuple(catalog.dataset_counts.items())
    for i, ((day, faction), group) in enumerate(claims.groupby(["date", "claim_faction"])):
        figures = _claim_figures(catalog.events, events_key, pd.Timestamp(day).date(), faction)
        header.claim_panel(list(group.itertuples(index=False)), figures, key=str(i))


@st.fragment(run_every=_speed())
def dashboard() -> None:
    """Everything that moves with the clock; reruns alone when the clock moves."""
    ss = st.session_state
    state.rerun_app_if_needed()
    controls.advance_play(catalog.milestones, catalog.span)
    clock = state.current_clock(catalog.span)
    briefing = briefings.get(ss.get("briefing") or "")
    layers = list(ss.get("layers") or [])
    rows = catalog.index.window(clock.start, clock.end, factions=ss.get("factions") or None)
    built = map_panel.build_layers(catalog, clock, rows, layers, map_panel.current_zoom(),
                                   ss.get("map_bounds"))

    date_col, caption_col = st.columns([1, 2.3], vertical_alignment="center")
    with date_col:
        header.date_banner(clock, built.summary)
        header.coverage_note(catalog.dataset_spans, catalog.key_dataset, clock)
    with caption_col:
        header_milestones = caption_milestones(catalog.milestones, clock)
        if briefing is not None and ss.get("scene"):
            scene = briefing.scenes[ss["scene"] - 1]
            header.scene_line(briefing.title, ss["scene"], len(briefing.scenes), scene.caption)
        header.caption(header_milestones, clock)
    controls.clock_controls(catalog.milestones, briefing, catalog.span)
    if ss.get("range_start"):
        st.info(f"Showing a custom range: {clock.describe()}. Move the slider or pick a "
                "window to return to the trailing window.")

    table = by_faction(catalog.index, rows)
    map_col, side_col = st.columns([3, 1.25])
    with map_col:
        map_panel.draw_map(map_panel.base_map(catalog, layers, tiles), built,
                           height=660 if is_present else 640)
    with side_col:
        drawn_areas = built.zones if "zones" in layers else built.zones.iloc[0:0]
        if is_present:  # the room reads the legend first; the presenter steps with the keys
            panels.legend(table, built.summary, drawn_areas)
            _claims(header_milestones)
        else:
            panels.milestone_picker(catalog.milestones, catalog.span)
            _claims(header_milestones)
            panels.legend(table, built.summary, drawn_areas)
        if not is_present:
            panels.statistics(catalog.index, rows, table)
    if briefing is not None and ss.get("scene") and not is_present:
        with st.expander("Speaker notes", expanded=True):
            st.write(briefing.scenes[ss["scene"] - 1].notes)
    panels.timeline(catalog.index, catalog.milestones, clock)
    if is_present:
        panels.statistics(catalog.index, rows, table)
    view_state = state.current_state()
    caption_text = "; ".join(header_milestones["title"].astype(str))
    exports_panel.share_and_export(
        catalog, clock, rows, caption_text, view_state,
        partial(map_panel.standalone_map, catalog, clock, rows, layers,
                map_panel.current_zoom(), ss.get("map_bounds")),
    )
    state.sync_url(view_state)


dashboard()
