"""Every registered layer has the same shape, and every part of the page reads the registry.

A layer is a module with ``build(view) -> FeatureGroup`` and ``legend(view) -> [LegendItem]``
plus one entry in ``layers.registry.REGISTRY``. This file holds each entry to that shape (data
for the view in, one FeatureGroup out, no Streamlit, no I/O) and checks that each one reaches
links, briefing files, the sidebar, the legend and the exports.
"""

from __future__ import annotations

import builtins
import io
import pathlib
import socket
from datetime import date
from pathlib import Path

import folium
import pytest
import yaml

from exports.view import export_view, standalone_map
from layers import registry
from layers.base import LayerGroup
from layers.palette import LegendItem
from sources.catalog import Config, assemble
from view.briefing import load_briefing
from view.catalog import Catalog
from view.map_view import MapView
from view.run import build_run_view
from view.url_state import ViewState, from_query, to_query

ROOT = Path(__file__).resolve().parent.parent
BOUNDARIES = ROOT.parent / "shared" / "data" / "ocha-cod-ab-syria"
CLAIM_DAY = date(2017, 12, 6)
DATE_LAYERS = [layer for layer in registry.REGISTRY if not layer.base_map]


@pytest.fixture(scope="module")
def catalog(tmp_path_factory) -> Catalog:
    store = tmp_path_factory.mktemp("store")
    config = Config(events=str(store / "no-events"), boundaries=str(BOUNDARIES),
                    store_dir=str(store), tiles="none")
    return Catalog.from_loaded(assemble(config))


def view_on(catalog: Catalog, day: date = CLAIM_DAY, layers=registry.LAYER_KEYS.keys,
            window: str = "year"):
    return build_run_view(catalog, ViewState(day=day, window=window, layers=tuple(layers)),
                          MapView())


@pytest.fixture
def no_io(monkeypatch):
    """Fail on any file or network access while a layer builds."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"a layer did I/O: {args[:1]}")

    for target, name in ((builtins, "open"), (io, "open"), (pathlib.Path, "open"),
                         (pathlib.Path, "read_text"), (pathlib.Path, "read_bytes"),
                         (socket, "socket")):
        monkeypatch.setattr(target, name, refuse)


def test_keys_labels_and_defaults_are_one_table() -> None:
    keys = [layer.key for layer in registry.REGISTRY]
    assert len(keys) == len(set(keys))
    assert registry.LAYER_KEYS.keys == tuple(keys)
    assert set(registry.LAYER_KEYS.defaults) <= set(keys)
    for layer in registry.REGISTRY:
        assert layer.label and registry.label(layer.key) == layer.label
        assert (layer.build is None) == layer.base_map, layer.key
        assert callable(layer.legend)


@pytest.mark.parametrize("layer", DATE_LAYERS, ids=lambda layer: layer.key)
def test_each_layer_is_one_feature_group_from_the_view_without_io(catalog, layer, no_io) -> None:
    view = view_on(catalog)
    group = layer.build(view)
    assert isinstance(group, folium.FeatureGroup) and isinstance(group, LayerGroup)
    assert group.summary is None or isinstance(group.summary, str)
    items = layer.legend(view)
    assert all(isinstance(item, LegendItem) for item in items)


@pytest.mark.parametrize("layer", DATE_LAYERS, ids=lambda layer: layer.key)
def test_each_layer_draws_something_on_the_claim_day_and_says_so_in_the_legend(
        catalog, layer) -> None:
    view = view_on(catalog)
    group = layer.build(view)
    assert group._children, f"{layer.key} draws nothing on {CLAIM_DAY}"
    assert layer.legend(view), f"{layer.key} has no legend on {CLAIM_DAY}"
    only = view_on(catalog, layers=[layer.key])
    legend = registry.legend_items(only)
    assert [i for i in legend if i in layer.legend(only)] == legend


@pytest.mark.parametrize("layer", registry.REGISTRY, ids=lambda layer: layer.key)
def test_each_layer_reaches_links_and_briefings(layer, tmp_path) -> None:
    state = ViewState(day=CLAIM_DAY, layers=(layer.key,))
    query = to_query(state, registry.LAYER_KEYS)
    assert query["layers"] == layer.key
    assert from_query(query, CLAIM_DAY, registry.LAYER_KEYS).state.layers == (layer.key,)
    path = tmp_path / "b.yaml"
    path.write_text(yaml.safe_dump({"title": "t", "scenes": [
        {"date": "2017-12-06", "caption": "c", "layers": [layer.key]}]}), encoding="utf-8")
    assert load_briefing(path, registry.LAYER_KEYS).scenes[0].layers == (layer.key,)


@pytest.mark.parametrize("layer", DATE_LAYERS, ids=lambda layer: layer.key)
def test_each_exported_layer_reaches_the_exports(catalog, layer) -> None:
    only = view_on(catalog, layers=[layer.key])
    export = export_view(only)
    if layer.exported:
        assert export.legend == layer.legend(only)
        page = standalone_map(only).get_root().render()
        none = standalone_map(view_on(catalog, layers=[])).get_root().render()
        assert page.count("L.featureGroup(") == none.count("L.featureGroup(") + 1
    else:
        assert export.legend == []


def test_layers_switched_off_are_not_built(catalog) -> None:
    view = view_on(catalog, layers=["events"])
    groups = registry.build_groups(view)
    assert [g.layer_name for g in groups] == ["Events"]
    assert registry.summaries(groups) and "event" in registry.summaries(groups)[0]


def test_the_briefing_format_lists_every_layer_key() -> None:
    """The briefing format's documentation names every registered layer (docs and code agree)."""
    text = (ROOT / "data" / "briefings" / "README.md").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `layers` |"))
    for key in registry.LAYER_KEYS.keys:
        assert f"`{key}`" in row, key
