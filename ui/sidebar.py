"""The sidebar: present view, briefings, filters, layers, and the data (status, upload,
rejected rows). Hidden in present view."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from layers import registry
from layers.escape import markdown_text as md
from sources import store
from sources.areas import add_area_file, area_fields, area_notes, guess_fields
from sources.catalog import Config, imported_events
from sources.control import (
    import_control_file,
    is_control_file,
    stored_control_files,
    summarise_rejected,
)
from sources.detect import SourceError
from sources.download import DEFAULT_UCDP_URL, SourceDownloadError, download_ucdp
from sources.inventory import ID_CHARS, list_datasets
from sources.inventory import remove as remove_dataset
from sources.load import import_events_file
from sources.schema import FACTIONS
from ui import state
from view.briefing import Briefing
from view.catalog import Catalog
from view.stored import DATASET_ID, HiddenDataset


def view_controls(briefings: dict[str, Briefing], config: Config) -> str:
    """Present view, briefing picker, filters and layers. Returns the tile choice."""
    st.toggle("Present view (hide this sidebar; large type)", key=state.PRESENT)
    st.selectbox(
        "Briefing", ["", *briefings], key=state.BRIEFING,
        format_func=lambda b: "— none: explore freely —" if not b else briefings[b].title,
        on_change=state.open_briefing, args=(briefings,),
        help="A briefing steps through prepared scenes with the arrow keys.",
    )
    st.multiselect(
        "Factions involved (empty: all)", list(FACTIONS), key=state.FACTIONS,
        format_func=lambda k: FACTIONS[k],
        help="Shows events in which either side belongs to one of these factions.",
    )
    st.checkbox("Only events with an exact place", key=state.EXACT_ONLY,
                help="Hides events whose place the source gives only approximately (near a "
                     "place, a district or a governorate); on the map they are hollow.")
    st.multiselect("Layers", list(registry.LAYER_KEYS.keys), key=state.LAYERS,
                   format_func=registry.label)
    osm = st.toggle("OpenStreetMap tiles (needs internet)", value=config.tiles == "osm",
                    key=state.TILES_OSM)
    return "osm" if osm else "none"


def data_status(catalog: Catalog) -> None:
    """What is loaded, what was rejected and why, with the rejected rows to download; and
    which stored datasets this view hides."""
    hidden = catalog.stored.hidden(state.hidden_datasets())
    label = f"Data: {len(catalog.events):,} events loaded"
    if hidden:
        label += f", {sum(h.events for h in hidden):,} hidden from this view"
    with st.expander(label, expanded=False):
        for dataset, n in catalog.dataset_counts.items():
            st.markdown(f"- **{md(dataset)}**: {n:,} events")
        for report in catalog.reports:
            name = Path(report.path).name
            if report.error:
                st.error(md(report.error))
                continue
            line = (f"**{md(name)}** ({md(report.format)}): {report.accepted:,} of "
                    f"{report.rows:,} rows loaded")
            if report.rejected:
                reasons = "; ".join(f"{md(r)}: {n:,}" for r, n in report.reasons.items())
                line += f", **{report.rejected:,} rejected** ({reasons})"
            if report.duplicates:  # every row is in one count: say where the rest went
                line += (f", {report.duplicates:,} merged into identical earlier rows "
                         "(exact repeats)")
            if report.filtered:
                line += f", {report.filtered:,} rows of other countries left out"
            st.markdown(line)
            for notice in report.notices:
                st.caption(md(notice))
        if len(catalog.rejected):
            st.download_button(
                f"Download the {len(catalog.rejected):,} rejected rows (CSV)",
                data=catalog.rejected.to_csv(index=False).encode("utf-8-sig"),
                file_name="rejected_rows.csv", mime="text/csv", key="rejected_csv",
            )
        user_areas = catalog.areas[catalog.areas["source_url"].fillna("") == ""]
        for layer, group in user_areas.groupby("layer", sort=True):
            st.markdown(f"- Areas **{md(layer)}**: {len(group):,} area(s)")
        for problem in catalog.problems:
            st.warning(md(problem))
    if hidden:
        st.info(hidden_sentence(hidden))


def dataset_id(text: str) -> str:
    """Markdown for a stored dataset's id: code when it is one (hex digits), else escaped
    text. The id is read from a file name in the store folder, which anyone may drop there."""
    return f"`{text}`" if DATASET_ID.match(text) else md(text)


def hidden_sentence(hidden: list[HiddenDataset]) -> str:
    """Markdown: the stored datasets a view hides, by name (escaped: file names are untrusted
    text) and id, with the events left out because of each."""
    names = "; ".join(f"**{md(h.name)}** (id {dataset_id(h.id)}, {h.events:,} events)"
                      for h in hidden)
    return (f"Hidden from this view: {names}. They stay in the store; *Stored datasets* shows "
            "them again, and a link to this view hides them too.")


def stored_datasets(config: Config) -> None:
    """The datasets imported into the store, each with a button that takes it out (for every
    viewer of this dashboard: the store is shared), and, for events, a toggle that hides it
    from this view only."""
    # Ids of the events files the store holds, read from the file names: a damaged entry
    # that cannot be listed below is still known, so a link hiding it is not misreported.
    state.keep_known_hidden({fp[:ID_CHARS]: fp for fp in imported_events(config.store_dir)})
    try:
        datasets = list_datasets(config.store_dir)
    except Exception as exc:  # a damaged entry must not take the sidebar down
        st.warning(md(f"The store {config.store_dir} could not be listed: "
                      f"{type(exc).__name__}: {str(exc)[:200]}"))
        return
    if not datasets:
        return
    hidden = set(state.hidden_datasets())
    title = f"Stored datasets ({len(datasets)}" + (f", {len(hidden)} hidden)" if hidden else ")")
    with st.expander(title, expanded=False):
        st.caption("Imported files this dashboard loads for every viewer. *Show on the map* "
                   "hides an events file from your view only (map, figures, exports and the "
                   "link); removing one takes it out of the store for everyone "
                   "(`python -m sources list` / `remove` do the same).")
        for d in datasets:
            rows = f", {d.rows:,} rows" if d.rows is not None else ""
            span = f", {d.first} to {d.last}" if d.first else ""
            st.markdown(f"**{md(d.name)}** ({md(d.kind)}{md(rows)}{md(span)}) · id "
                        f"{dataset_id(d.id)}")
            if d.kind == "events":
                state.seed_dataset_toggle(d.id)
                st.toggle("Show on the map", key=state.show_dataset_key(d.id),
                          on_change=state.set_dataset_shown, args=(d.id,),
                          help="Off: this file's events leave your view (an event that a "
                               "shown file also holds stays). The store keeps it.")
            st.button("Remove from the store", key=f"remove_{d.id}",
                      on_click=_remove_dataset, args=(config.store_dir, d.id))
    done = state.outcome("removed")
    if done:
        _show(done)


def _remove_dataset(store_dir: str, dataset_id: str) -> None:
    try:
        removed = remove_dataset(store_dir, dataset_id)
    except (KeyError, OSError) as exc:
        state.set_outcome("removed", {"kind": "error", "message": f"Not removed: {exc}"})
        return
    state.set_outcome("removed", {"kind": "success", "message":
                                  f"{removed.name} was removed from the store."})


def _remember(name: str, file_id: str, kind: str, message: str, **extra) -> None:
    # What happened to an upload, kept across the rerun that reloads the catalog: the file
    # stays in its uploader, and must not then be reported as "already loaded".
    state.set_outcome(name, {"file_id": file_id, "kind": kind, "message": message, **extra})


def _show(outcome: dict) -> None:
    # Messages quote file names: plain text, never Markdown.
    getattr(st, outcome["kind"])(md(outcome["message"]))


def _rejected_button(fp: str, store_dir: Path, name: str, key: str) -> None:
    rejected = store.load_rejected(fp, store_dir)
    if len(rejected):
        st.download_button(
            f"Download the {len(rejected):,} rejected rows (CSV)",
            data=rejected.to_csv(index=False).encode("utf-8-sig"),
            file_name=f"rejected_{Path(name).stem}.csv", mime="text/csv", key=key,
        )


def upload(config: Config, catalog: Catalog | None = None) -> None:
    """Add an events file: validated by the same pipeline as the folder and the command line,
    then kept in the store (for every viewer of this dashboard), with its rejected rows."""
    store_dir = Path(config.store_dir)
    with st.expander("Add your own events or control file", expanded=False):
        st.caption("UCDP GED CSV, ACLED CSV or JSON, the canonical CSV, or a control-of-"
                   "terrain table (places, changes, or a log of both; see README). The file "
                   "is checked row by row; rejected rows are counted and can be downloaded. "
                   "It is added to this dashboard's store for every viewer.")
        uploaded = st.file_uploader("Events file", type=["csv", "json", "txt"],
                                    key="upload_file")
        if uploaded is not None:
            _events_upload(uploaded, store_dir, catalog)
        ucdp_download(config)


def _events_upload(uploaded, store_dir: Path, catalog: Catalog | None) -> None:
    done = state.outcome("events_upload")
    if done and done["file_id"] == uploaded.file_id:
        _show(done)
        if done.get("fp"):
            _rejected_button(done["fp"], store_dir, uploaded.name, "upload_rejected_csv")
        return
    name = Path(uploaded.name).name
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(uploaded.getvalue())
        fp = store.fingerprint(path)
        if store.has(fp, store_dir) or fp in {f for f, _, _ in stored_control_files(store_dir)}:
            st.info(md(f"{name} is already loaded; nothing added."))
            return
        if is_control_file(path):
            _control_upload(uploaded, path, store_dir, catalog)
            return
        result = import_events_file(path, store_dir, name=name,
                                    boundaries=catalog.boundaries if catalog else None)
    report = result.reports[0]
    if report.error:
        st.error(md(f"{report.error} The data already shown is unchanged."))
        return
    rejected = {0: "no rows rejected", 1: "1 row rejected"}.get(
        report.rejected, f"{report.rejected:,} rows rejected")
    message = f"{name}: {report.accepted:,} events added; {rejected}."
    _remember("events_upload", uploaded.file_id, "success", message, fp=fp)
    st.rerun()  # reload the catalog (its cache key now holds this file) and show the events


def _control_upload(uploaded, path: Path, store_dir: Path, catalog: Catalog | None) -> None:
    """A control table: checked against the places already known, kept in the store."""
    name = Path(uploaded.name).name
    known = catalog.control.places if catalog is not None else None
    try:
        tables = import_control_file(path, store_dir, name=name, known_places=known,
                                     boundaries=catalog.boundaries if catalog else None)
    except (SourceError, OSError) as exc:
        st.error(md(f"{name}: {exc} The data already shown is unchanged."))
        return
    if not len(tables.places) and not len(tables.changes):
        reasons = "; ".join(f"{r}: {n}" for r, n in summarise_rejected(tables.rejected).items())
        st.error(md(f"{name} has no usable rows ({len(tables.rejected):,} rejected: "
                    f"{reasons}). The data already shown is unchanged."))
        return
    message = (f"{name}: {len(tables.places):,} places and {len(tables.changes):,} changes of "
               f"control added; {len(tables.rejected):,} rows rejected (see Data above).")
    _remember("events_upload", uploaded.file_id, "success", message)
    st.rerun()  # reload the catalog with the control file


def ucdp_download(config: Config) -> None:
    """The UCDP GED download: progress bar, one-sentence error, reload on success."""
    done = state.outcome("ucdp_download")
    clicked = st.button("Download UCDP GED (needs internet)", key="ucdp_download",
                        help="Downloads the UCDP Georeferenced Event Dataset (global CSV zip), "
                             "keeps the Syria rows and adds them to the store.")
    if not clicked:
        if done:
            _show(done)
        return
    url = os.environ.get("CONFLICT_MAP_UCDP_URL") or DEFAULT_UCDP_URL
    bar = st.progress(0.0, text="Connecting…")
    shown = {"percent": -1}

    def progress(done_bytes: int, total: int | None) -> None:
        # Redraw only when the shown number changes: a big zip gives thousands of calls.
        if total:
            percent = min(100, done_bytes * 100 // max(total, 1))
            if percent != shown["percent"]:
                shown["percent"] = percent
                bar.progress(percent / 100, text=f"Downloading UCDP GED: {percent} % "
                             f"of {total / 1e6:.1f} MB")
        elif done_bytes // 1_000_000 != shown["percent"]:
            shown["percent"] = done_bytes // 1_000_000
            bar.progress(0.0, text=f"Downloading UCDP GED: {done_bytes / 1e6:.0f} MB")

    try:
        report = download_ucdp(url, config.store_dir, progress)
    except (SourceDownloadError, OSError, ValueError) as exc:
        bar.empty()
        state.clear_outcome("ucdp_download")
        st.error(md(f"UCDP GED was not downloaded: {exc}. The data already shown is "
                    "unchanged."))
        return
    bar.empty()
    if report.error:
        st.error(md(f"{report.error} The data already shown is unchanged."))
        return
    if report.stored and not report.rows:
        message = "UCDP GED: this release is already loaded; nothing added."
        _remember("ucdp_download", "", "info", message)
        _show(state.outcome("ucdp_download"))
        return
    message = f"UCDP GED downloaded: {report.accepted:,} events added" + (
        f"; {report.rejected:,} row(s) rejected (see Data above)." if report.rejected else ".")
    _remember("ucdp_download", "", "success", message)
    st.rerun()


NONE = "(none)"
ROLE_LABELS = {"label": "Label field", "from": "From-date field (first day)",
               "to": "To-date field (last day; empty = still in force)",
               "style": "Style field (areas are coloured by its value)"}


def add_areas(config: Config) -> None:
    """Add an area file: pick its label, from, to and style fields, then keep it in the store
    so it is drawn on the same clock as the zones."""
    store_dir = Path(config.store_dir)
    with st.expander("Add an area file", expanded=False):
        st.caption("GeoJSON, GeoPackage or a zipped Shapefile. Each area is drawn from its "
                   "from-date to its to-date (YYYY-MM-DD), coloured by the style field.")
        uploaded = st.file_uploader("Area file", type=["geojson", "json", "gpkg", "zip"],
                                    key="upload_areas")
        if uploaded is None:
            return
        done = state.outcome("areas_upload")
        if done and done["file_id"] == uploaded.file_id:
            _show(done)
            return
        name = Path(uploaded.name).name
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            path.write_bytes(uploaded.getvalue())
            try:
                fields = area_fields(path, name=name)
            except SourceError as exc:
                st.error(md(f"{exc} The areas already shown are unchanged."))
                return
            if not fields:
                st.error(md(f"{name} has no fields, so it has no from-date; nothing added."))
                return
            guess = guess_fields(fields)
            st.markdown(f"**{md(name)}** fields: " + ", ".join(md(f) for f in fields))
            choices: dict[str, str | None] = {}
            for role, label in ROLE_LABELS.items():
                options = fields if role == "from" else [NONE, *fields]
                preset = guess[role] if guess[role] in options else options[0]
                picked = st.selectbox(label, options, index=options.index(preset),
                                      key=f"area_field_{role}_{uploaded.file_id}")
                choices[role] = None if picked == NONE else picked
            if not st.button("Add areas", key="add_areas", type="primary"):
                return
            try:
                areas = add_area_file(path, store_dir, name=name, choices=choices)
            except SourceError as exc:
                st.error(md(f"{exc} The areas already shown are unchanged."))
                return
        first, last = areas["valid_from"].min(), areas["valid_to"].max()
        until = "still in force" if areas["valid_to"].isna().any() or pd.isna(last) else (
            f"to {last:%Y-%m-%d}")
        message = (f"{name}: {len(areas):,} area(s) added, from {first:%Y-%m-%d} {until}; "
                   f"coloured by {choices['style'] or 'one colour'}.")
        notes = area_notes(areas)  # reprojected, swapped, skipped, repaired: said here too
        _remember("areas_upload", uploaded.file_id, "warning" if notes else "success",
                  " ".join([message, *notes]))
        st.rerun()
