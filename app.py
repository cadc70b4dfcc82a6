"""Syria conflict map: events, de-escalation zones and milestones on one clock.

This script only wires the page; the work is in ``sources`` (data), ``view`` (pure functions
of the date), ``layers`` (map layers) and ``ui`` (Streamlit pieces). See ARCHITECTURE.md.
"""

from __future__ import annotations

import streamlit as st

from layers import assets, registry
from layers.escape import markdown_text
from sources.catalog import Config, store_fingerprints
from ui import (
    claims,
    controls,
    exports_panel,
    header,
    hidden,
    map_panel,
    panels,
    present,
    sidebar,
    state,
)
from ui.catalog import load_catalog
from view.briefing import list_briefings
from view.run import build_run_view, shown_rows, state_shows_control
from view.stats import by_faction

st.set_page_config(page_title="Syria conflict map", page_icon="🗺️", layout="wide",
                   initial_sidebar_state="expanded")
assets.install()
if asset_problems := assets.problems():  # a missing Leaflet says so instead of a blank map
    st.error("\n\n".join(markdown_text(p) for p in asset_problems))
    st.stop()

config = Config.from_env()
catalog = load_catalog(config, store_fingerprints(config.store_dir))
briefing_list, briefing_errors = list_briefings(registry.LAYER_KEYS)
briefings = {b.briefing_id: b for b in briefing_list}

state.init_state(catalog.span)
state.open_linked_scene(briefings)

with st.sidebar:
    st.title("Syria conflict map")
    tiles = sidebar.view_controls(briefings, config)
    sidebar.data_status(catalog)
    sidebar.upload(config, catalog)
    sidebar.add_areas(config)
    sidebar.stored_datasets(config)
    for error in briefing_errors:
        st.error(markdown_text(error))
state.mark_app_run()

is_present = state.present()
present.page_style(is_present)
present.window_keys()
if is_present:
    present.exit_button()
for problem in state.pop_link_problems():
    st.warning(markdown_text(problem))  # quotes the link's own text


@st.fragment(run_every=controls.play_interval())
def dashboard() -> None:
    """Everything that moves with the clock; reruns alone when the clock moves."""
    state.rerun_app_if_needed()
    controls.advance_play(catalog.milestones, catalog.span)
    view = build_run_view(catalog, state.view_state(), state.map_view())
    briefing = briefings.get(state.briefing_id())
    view = controls.browser_clock(view, map_panel.event_slabs(view), briefing)
    scene = briefing.scenes[state.scene() - 1] if briefing and state.scene() else None
    groups = registry.build_groups(view)
    summaries = map_panel.header_summary(groups, view)

    date_col, caption_col = st.columns([1, 2.3], vertical_alignment="center")
    with date_col:
        header.date_banner(view.clock, summaries)
        header.coverage_note(catalog.dataset_spans, catalog.key_dataset, view.clock)
        hidden.note(view)
    with caption_col:
        if scene is not None:
            header.scene_line(briefing.title, state.scene(), len(briefing.scenes), scene.caption)
        header.caption(view.caption_milestones, view.clock)
    controls.clock_controls(catalog.milestones, briefing, catalog.span)
    if view.state.range_start:
        st.info(f"Showing a custom range: {view.clock.describe()}. Move the slider or pick a "
                "window to return to the trailing window.")

    table = by_faction(catalog.index, view.rows)
    map_col, side_col = st.columns([3, 1.25])
    with map_col:
        map_panel.draw_map(map_panel.base_map(view, tiles), groups,
                           height=660 if is_present else 640)
    with side_col:
        if is_present:  # the room reads the legend first; the presenter steps with the keys
            panels.legend(view, summaries[0])
            claims.claim_panels(catalog, view.caption_milestones, view.state.hidden)
        else:
            panels.milestone_picker(catalog.milestones, catalog.span)
            claims.claim_panels(catalog, view.caption_milestones, view.state.hidden)
            panels.legend(view, summaries[0])
            panels.statistics(catalog.index, view.rows, table)
    if scene is not None and not is_present:
        with st.expander("Speaker notes", expanded=True):
            st.write(scene.notes)
    panels.timeline(catalog.index, catalog.milestones, view.clock,
                    shown_rows(catalog, view.state.hidden))
    if state_shows_control(view.state):
        panels.control_timeline(catalog.control, catalog.milestones, view.clock)
    if is_present:
        panels.statistics(catalog.index, view.rows, table)
    exports_panel.share_and_export(view)
    state.sync_url(view.state)


dashboard()
