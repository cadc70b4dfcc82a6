"""Stored datasets hidden from one view: the shared catalog stays whole, the view's rows,
figures and exports leave out what only the hidden files hold."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from sources.canonical import write_canonical
from sources.catalog import Config, assemble
from sources.load import import_events_file
from tests.factories import make_events
from view.catalog import Catalog
from view.map_view import MapView
from view.run import build_run_view
from view.url_state import ViewState

DAY = date(2017, 12, 6)


def _write(tmp: Path, name: str, rows: list[dict]) -> Path:
    return write_canonical(make_events(rows), tmp / name)


@pytest.fixture()
def two_files(tmp_path):
    """A store with two imported files that share one event (``shared-1``), and the catalog
    assembled from it; returns (catalog, id of file A, id of file B)."""
    day = {"date_start": "2017-12-01"}
    a = _write(tmp_path, "a.csv", [
        {**day, "event_id": "a-1", "source_dataset": "Field log"},
        {**day, "event_id": "a-2", "source_dataset": "Field log"},
        {**day, "event_id": "shared-1", "source_dataset": "Field log"},
    ])
    b = _write(tmp_path, "b.csv", [
        {**day, "event_id": "shared-1", "source_dataset": "Field log"},
        {**day, "event_id": "b-1", "source_dataset": "Other log"},
    ])
    store_dir = tmp_path / "store"
    for path in (a, b):
        assert import_events_file(path, store_dir).reports[0].error is None
    config = Config(events=str(tmp_path / "none"), boundaries="", store_dir=str(store_dir),
                    tiles="none")
    catalog = Catalog.from_loaded(assemble(config))
    catalog.stored.use_store(store_dir)
    ids = catalog.stored.ids()
    by_name = {name: key for key, name in ids.items()}
    return catalog, by_name["a.csv"], by_name["b.csv"]


def _ids(catalog: Catalog, rows: np.ndarray) -> set[str]:
    return set(catalog.index.rows(rows)["event_id"])


def _view(catalog: Catalog, hidden=()):
    return build_run_view(catalog, ViewState(day=DAY, window="month", layers=("events",),
                                             hidden=tuple(hidden)), MapView())


def test_hiding_a_file_leaves_out_only_what_it_alone_holds(two_files):
    catalog, a, b = two_files
    everything = _ids(catalog, _view(catalog).rows)
    assert {"a-1", "a-2", "shared-1", "b-1"} <= everything
    without_a = _ids(catalog, _view(catalog, [a]).rows)
    assert without_a == everything - {"a-1", "a-2"}  # shared-1 is in b.csv too: it stays
    without_b = _ids(catalog, _view(catalog, [b]).rows)
    assert without_b == everything - {"b-1"}
    without_both = _ids(catalog, _view(catalog, [a, b]).rows)
    assert without_both == everything - {"a-1", "a-2", "shared-1", "b-1"}


def test_the_catalog_is_never_filtered_and_masks_are_shared(two_files):
    catalog, a, _ = two_files
    n = len(catalog.index)
    _view(catalog, [a])
    assert len(catalog.index) == len(catalog.events) == n
    first = catalog.stored.shown([a])
    assert first is catalog.stored.shown((a,))  # one mask for every session hiding a
    assert not first.flags.writeable
    assert catalog.stored.shown([]) is None


def test_what_is_hidden_is_named_and_counted(two_files):
    catalog, a, b = two_files
    hidden = catalog.stored.hidden([a])
    assert [(h.id, h.name, h.events) for h in hidden] == [(a, "a.csv", 2)]
    assert [h.name for h in catalog.stored.hidden([b, a])] == ["a.csv", "b.csv"]
    # Only Other log's one event is in b.csv alone; Field log keeps shared-1 from a.csv.
    assert set(catalog.stored.shown_datasets([b])) == set(catalog.datasets) - {"Other log"}
    assert set(catalog.stored.shown_datasets([a])) == set(catalog.datasets)


def test_unknown_ids_hide_nothing(two_files):
    catalog, _, _ = two_files
    assert catalog.stored.shown(["abcdefabcdef"]) is None
    assert len(_view(catalog, ["abcdefabcdef"]).rows) == len(_view(catalog).rows)


def test_a_catalog_that_does_not_know_its_store_refuses_to_pretend(two_files):
    catalog, a, _ = two_files
    fresh = Catalog.from_loaded(assemble(Config(events="/nonexistent", boundaries="",
                                                store_dir=str(catalog.stored.store_dir),
                                                tiles="none")))
    with pytest.raises(ValueError, match="use_store"):
        _view(fresh, [a])
    assert len(_view(fresh).rows)  # hiding nothing needs no store


def test_a_damaged_store_entry_is_no_dataset_to_hide(two_files):
    catalog, a, _ = two_files
    store_dir = catalog.stored.store_dir
    (store_dir / ("f" * 64 + ".parquet")).write_bytes(b"PAR1 not really")
    catalog.stored.use_store(store_dir.parent)  # another store: what was read is dropped
    assert catalog.stored.ids() == {}
    catalog.stored.use_store(store_dir)
    assert a in catalog.stored.ids() and "f" * 12 not in catalog.stored.ids()


def test_the_gif_frames_and_the_export_keep_the_hidden_set(two_files):
    from exports.view import export_view

    catalog, _, b = two_files
    view = _view(catalog, [b])
    assert view.on_day(date(2017, 12, 20)).state.hidden == (b,)
    assert "b-1" not in _ids(catalog, view.on_day(date(2017, 12, 20)).rows)
    export = export_view(view)
    assert "b-1" not in set(export.events["event_id"])
    assert "Other log" not in export.source_line and "Field log" in export.source_line
    assert "Other log" in export_view(_view(catalog)).source_line


def _page_note() -> None:
    """An AppTest script: the note above the map for a view hiding file a.csv."""
    import os
    from datetime import date as date_

    from sources.catalog import Config as Config_
    from sources.catalog import assemble as assemble_
    from ui import hidden
    from view.catalog import Catalog as Catalog_
    from view.map_view import MapView as MapView_
    from view.run import build_run_view as build
    from view.url_state import ViewState as ViewState_

    store_dir = os.environ["TEST_HIDDEN_STORE"]
    catalog = Catalog_.from_loaded(assemble_(Config_("/nonexistent", "", store_dir, "none")))
    catalog.stored.use_store(store_dir)
    ids = {name: key for key, name in catalog.stored.ids().items()}
    hide = tuple(ids[n] for n in os.environ["TEST_HIDDEN_NAMES"].split(",") if n)
    hidden.note(build(catalog, ViewState_(day=date_(2017, 12, 6), hidden=hide), MapView_()))


def test_the_page_says_what_the_view_hides(two_files, monkeypatch):
    from streamlit.testing.v1 import AppTest

    catalog, _, _ = two_files
    monkeypatch.setenv("TEST_HIDDEN_STORE", str(catalog.stored.store_dir))
    monkeypatch.setenv("TEST_HIDDEN_NAMES", "a.csv")
    at = AppTest.from_function(_page_note).run()
    assert not at.exception
    assert [c.value for c in at.caption] == ["Not shown in this view: a\\.csv (2 events)."]
    monkeypatch.setenv("TEST_HIDDEN_NAMES", "")
    assert not AppTest.from_function(_page_note).run().caption
