"""The PNG looks like the map it exports: the same view drawn both ways uses the same colours,
shapes and radii, because both take them from ``layers.palette``."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from exports.png import render_image
from exports.view import export_view
from layers import control, events
from sources.catalog import Config, assemble
from view.catalog import Catalog
from view.map_view import MapView
from view.run import build_run_view
from view.url_state import ViewState

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
UCDP = SHARED / "ucdp-ged-syria-2016-2019" / "ged_syria_652.1601.1911.csv"


@pytest.fixture(scope="module")
def view(tmp_path_factory):
    store = tmp_path_factory.mktemp("store")
    config = Config(events=str(UCDP), boundaries=str(SHARED / "ocha-cod-ab-syria"),
                    store_dir=str(store), tiles="none")
    catalog = Catalog.from_loaded(assemble(config))
    state = ViewState(day=date(2017, 12, 6), window="week",
                      layers=("events", "control", "boundaries"))
    return build_run_view(catalog, state, MapView())


def _call_args(group, function: str) -> list:
    """The JSON arguments of the one ``L.<function>(...)`` call a layer group holds."""
    child = next(iter(group._children.values()))
    script = child._template.module.script(child)
    match = re.search(rf"L\.{function}\((.*)\)\.addTo", script, flags=re.S)
    return json.loads(f"[{match.group(1)}]")


def _js_radius(deaths, scale: dict) -> float:
    """event_layer.js's eventRadius, in Python."""
    d = max(deaths or 0, 0)
    return min(scale["min"] + scale["perSqrtDeath"] * math.sqrt(d), scale["max"])


def test_events_have_the_same_colours_shapes_and_radii_on_the_map_and_in_the_png(view):
    data, options = _call_args(events.build(view), "conflictEvents")
    assert data["kind"] == "events" and len(data["lat"]) > 50
    on_map = Counter(
        (options["shapes"][f], options["colours"][f], round(_js_radius(d, options["radius"]), 3),
         bool(ap))
        for f, d, ap in zip(data["f"], data["d"], data["ap"], strict=True))
    marks = []
    render_image(export_view(view), width=1600, marks=marks)
    in_png = Counter((m.shape, m.colour, round(m.radius, 3), m.hollow)
                     for m in marks if m.layer == "events")
    assert in_png == on_map


def test_places_have_the_same_colours_and_shapes_on_the_map_and_in_the_png(view):
    state, options = _call_args(control.build(view), "controlPlaces")
    on_map = Counter((options["shapes"][c], options["colours"][c]) for c in state["c"] if c >= 0)
    marks = []
    render_image(export_view(view), width=1600, marks=marks)
    in_png = Counter((m.shape, m.colour) for m in marks if m.layer == "control" and not m.hollow)
    assert in_png == on_map
    sizes = {(m.colour, m.radius) for m in marks if m.layer == "control" and not m.hollow}
    assert {r for _, r in sizes} <= set(options["kindRadius"])
