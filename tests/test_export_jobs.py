"""A download button's deferred export holds the view's state, not the view: a session that
has gone (Streamlit keeps its callables) pins neither its rows nor a replaced catalog."""

from __future__ import annotations

import gc
from datetime import date

import numpy as np
import pytest

from layers.registry import LAYER_KEYS
from sources.catalog import Config, assemble
from ui.exports_panel import _ViewJob
from view.catalog import Catalog
from view.map_view import MapView
from view.run import build_run_view
from view.url_state import ViewState


def _catalog(tmp_path) -> Catalog:
    config = Config(events=str(tmp_path / "none"), boundaries="", store_dir=str(tmp_path),
                    tiles="none")
    return Catalog.from_loaded(assemble(config))


def test_the_job_rebuilds_the_same_view_and_lets_the_catalog_go(tmp_path):
    catalog = _catalog(tmp_path)
    view = build_run_view(catalog, ViewState(day=date(2017, 12, 6), window="year",
                                             layers=tuple(LAYER_KEYS.keys)), MapView())
    job = _ViewJob.of(view)
    again = job.view()
    np.testing.assert_array_equal(again.rows, view.rows)
    assert (again.state, again.map, again.clock) == (view.state, view.map, view.clock)
    del view, again, catalog
    gc.collect()
    with pytest.raises(RuntimeError, match="reload the page"):
        job.view()  # the catalog went with the cache: the job did not keep it alive
