"""The sidebar: present view, briefings, filters, layers, and the data (status, upload,
rejected rows). Hidden in present view."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import streamlit as st
from sources.load import read_events_file

from sources import store
from sources.schema import FACTIONS
from ui.catalog import Catalog, Config
from ui.controls import apply_scene
from view.briefing import Briefing
from view.url_state import LAYERS

LAYER_LABELS = {
    "events": "Events",
    "zones": "De-escalation zones (approximate)",
    "milestones": "Milestone pins",
    "boundaries": "Governorate boundaries",
}


def _open_briefing(briefings: dict[str, Briefing]) -> None:
    chosen = st.session_state.get("briefing") or ""
    if chosen in briefings:
        apply_scene(briefings[chosen], 1)
    else:
        st.session_state["scene"] = None


def view_controls(briefings: dict[str, Briefing], config: Config) -> str:
    """Present view, briefing picker, filters and layers. Returns the tile choice."""
    st.toggle("Present view (hide this sidebar; large type)", key="present")
    st.selectbox(
        "Briefing", ["", *briefings], key="briefing",
        format_func=lambda b: "— none: explore freely —" if not b else briefings[b].title,
        on_change=_open_briefing, args=(briefings,),
        help="A briefing steps through prepared scenes with the arrow keys.",
    )
    st.multiselect(
        "Factions involved (empty: all)", list(FACTIONS), key="factions",
        format_func=lambda k: FACTIONS[k],
        help="Shows events in which either side belongs to one of these factions.",
    )
    st.multiselect("Layers", list(LAYERS), key="layers", format_func=LAYER_LABELS.get)
    osm = st.toggle("OpenStreetMap tiles (needs internet)", value=config.tiles == "osm",
                    key="tiles_osm")
    return "osm" if osm else "none"


def data_status(catalog: Catalog) -> None:
    """What is loaded, what was rejected and why, with the rejected rows to download."""
    with st.expander(f"Data: {len(catalog.events):,} events loaded", expanded=False):
        counts = catalog.events["source_dataset"].value_counts()
        for dataset, n in counts.items():
            st.markdown(f"- **{dataset}**: {n:,} events")
        for report in catalog.reports:
            name = Path(report.path).name
            if report.error:
                st.error(report.error)
                continue
            line = f"`{name}` ({report.format}): {report.accepted:,} of {report.rows:,} rows loaded"
            if report.rejected:
                reasons = "; ".join(f"{r}: {n:,}" for r, n in report.reasons.items())
                line += f", **{report.rejected:,} rejected** ({reasons})"
            st.markdown(line)
        if len(catalog.rejected):
            st.download_button(
                f"Download the {len(catalog.rejected):,} rejected rows (CSV)",
                data=catalog.rejected.to_csv(index=False).encode("utf-8-sig"),
                file_name="rejected_rows.csv", mime="text/csv", key="rejected_csv",
            )
        for problem in catalog.problems:
            st.warning(problem)


def upload(config: Config) -> None:
    """Add an events file: validated by the same pipeline as the folder and the command line,
    then kept in the store (for every viewer of this dashboard)."""
    with st.expander("Add your own events file", expanded=False):
        st.caption("UCDP GED CSV, ACLED CSV or JSON, or the canonical CSV (see README). "
                   "The file is checked row by row; rejected rows are counted and can be "
                   "downloaded. It is added to this dashboard's store for every viewer.")
        uploaded = st.file_uploader("Events file", type=["csv", "json", "txt"],
                                    key="upload_file")
        if uploaded is None:
            return
        data = uploaded.getvalue()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / Path(uploaded.name).name
            path.write_bytes(data)
            fp = store.fingerprint(path)
            store_dir = Path(config.store_dir)
            if store.has(fp, store_dir):
                st.info(f"{uploaded.name} is already loaded; nothing added.")
                return
            result = read_events_file(path)
        report = result.reports[0]
        if report.error:
            st.error(f"{report.error} The data already shown is unchanged.")
            return
        store.save(result.events, fp, store_dir, {
            "source_file": uploaded.name, "format": report.format, "rows": report.rows,
            "accepted": report.accepted, "rejected": report.rejected,
            "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        })
        st.success(f"{uploaded.name}: {report.accepted:,} events added"
                   + (f"; {report.rejected:,} rows rejected." if report.rejected else "."))
        if report.rejected:
            st.download_button(
                f"Download the {report.rejected:,} rejected rows (CSV)",
                data=pd.DataFrame(result.rejected).to_csv(index=False).encode("utf-8-sig"),
                file_name=f"rejected_{Path(uploaded.name).stem}.csv", mime="text/csv",
                key="upload_rejected_csv",
            )
