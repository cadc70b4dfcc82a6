"""The script itself, run by Streamlit's AppTest with the real UCDP file loaded.

st_folium has no browser here: it returns its defaults, and what it would send (the base map
script, the date's feature groups, the asset links) is inspected in the component's
``json_args``.
"""

from __future__ import annotations

import csv
import json
import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
UCDP = SHARED / "ucdp-ged-syria-2016-2019" / "ged_syria_652.1601.1911.csv"
BOUNDARIES = SHARED / "ocha-cod-ab-syria"
ZONE_LABELS = ("Idlib de-escalation zone", "Northern Homs de-escalation zone",
               "Eastern Ghouta de-escalation zone",
               "Daraa–Quneitra de-escalation zone")


@pytest.fixture(scope="module", autouse=True)
def _environment(tmp_path_factory):
    assert UCDP.is_file(), f"missing {UCDP}"
    saved = {k: os.environ.get(k) for k in ("CONFLICT_MAP_EVENTS", "CONFLICT_MAP_BOUNDARIES",
                                            "CONFLICT_MAP_STORE", "CONFLICT_MAP_TILES")}
    os.environ.update({
        "CONFLICT_MAP_EVENTS": str(UCDP),
        "CONFLICT_MAP_BOUNDARIES": str(BOUNDARIES),
        "CONFLICT_MAP_STORE": str(tmp_path_factory.mktemp("store")),
        "CONFLICT_MAP_TILES": "none",
    })
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def run_app(**params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def component_args(at: AppTest) -> dict:
    components = at.get("component_instance")
    maps = [c for c in components if "feature_group" in json.loads(c.proto.json_args)]
    assert len(maps) == 1, "exactly one map on the page"
    return json.loads(maps[0].proto.json_args)


def param(at: AppTest, key: str) -> str:
    value = at.query_params[key]
    return value[-1] if isinstance(value, list) else value


def markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def ucdp_is_events(first: date, last: date) -> int:
    """Events involving IS by date_start, counted straight from the raw file."""
    n = 0
    with UCDP.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            d = date.fromisoformat(row["date_start"][:10])
            if first <= d <= last and "IS" in (row["side_a"], row["side_b"]):
                n += 1
    return n


@pytest.mark.parametrize("day", ["2011-03-15", "2016-06-01", "2017-04-01", "2017-12-06",
                                 "2019-03-23", "2024-12-08"])
def test_runs_at_several_dates(day):
    at = run_app(date=day)
    assert param(at, "date") == day
    args = component_args(at)
    links = args["js_links"] + args["css_links"]
    assert links, "the map needs Leaflet"
    assert all(u.startswith("/app/static/") for u in links), links


def test_claim_date_shows_the_claim_and_the_figures_from_the_data():
    at = run_app(date="2017-12-06")
    text = markdown_text(at)
    assert "fully liberated" in text or "liberated" in text.lower()
    assert "Claim" in text
    claim = date(2017, 12, 6)
    before = ucdp_is_events(claim - timedelta(days=90), claim - timedelta(days=1))
    after = ucdp_is_events(claim + timedelta(days=1), claim + timedelta(days=90))
    # The largest dataset (UCDP) gets the big figures; datasets are never added up.
    assert "in UCDP GED 19.1, by start date" in text
    assert f'data-fig="before">{before:,}<' in text
    assert f'data-fig="after">{after:,}<' in text
    assert before > after > 0  # the data records IS events on both sides of the claim


def _clock_groups(script: str) -> list[tuple[list, str]]:
    """The (spans, mode) of each L.cmClockGroup call in the map's layers."""
    decoder, out, at = json.JSONDecoder(), [], 0
    while (at := script.find("L.cmClockGroup(", at)) >= 0:
        at = script.index(", ", at) + 2
        spans, end = decoder.raw_decode(script, at)
        mode, at = decoder.raw_decode(script, end + 2)
        out.append((spans, mode))
    return out


def test_zones_follow_the_clock():
    # The live map gets the zones' stretches of one state within a margin of days around the
    # view and shows those of its day: four zones hold 6 Dec 2017, none holds 1 Apr 2017.
    for day, shown in (("2017-12-06", 4), ("2017-04-01", 0)):
        script = component_args(run_app(date=day))["feature_group"]
        if shown:
            for label in ZONE_LABELS:
                assert label in script
        (spans, _mode), = [g for g in _clock_groups(script) if g[1] == "day"]
        number = (date.fromisoformat(day) - date(1970, 1, 1)).days
        # A zone and its label each hold a span: halve for the zones themselves.
        assert sum(first <= number <= last for first, last in spans) == 2 * shown, day


def test_base_map_is_identical_across_dates():
    a = component_args(run_app(date="2017-12-06"))
    b = component_args(run_app(date="2018-06-01"))
    assert a["script"] == b["script"]
    assert a["feature_group"] != b["feature_group"]


def test_slider_and_milestone_buttons_move_the_clock_and_the_url():
    at = run_app(date="2017-12-06")
    at.slider(key="day").set_value(date(2018, 4, 14)).run()
    assert not at.exception
    assert param(at, "date") == "2018-04-14"
    at.button(key="step_next").click().run()
    assert not at.exception
    moved = date.fromisoformat(param(at, "date"))
    assert moved > date(2018, 4, 14)
    at.button(key="step_previous").click().run()
    assert param(at, "date") == "2018-04-14"


def test_window_keys_and_a_bad_link_are_reported_not_fatal():
    at = run_app(date="06/12/2017", window="fortnight")
    warnings = " ".join(w.value for w in at.warning)
    assert "06/12/2017" in warnings and "fortnight" in warnings
    at.button(key="window_wider").click().run()
    assert param(at, "window") == "quarter"


def test_the_milestone_list_jumps_to_a_milestone():
    at = run_app(date="2016-06-01")
    picker = at.selectbox(key="milestone_jump")
    target = date(2018, 4, 7)  # Douma chemical attack
    assert any(o.startswith("7 Apr 2018 — ") and "Douma" in o for o in picker.options)
    picker.set_value(target).run()
    assert not at.exception
    assert param(at, "date") == "2018-04-07"


def test_with_the_events_layer_the_map_plays_and_the_server_does_not_tick():
    at = run_app(date="2017-10-01")
    at.selectbox(key="play_speed").set_value("very fast")
    at.button(key="play").click().run()
    for _ in range(3):
        at.run()
        assert param(at, "date") == "2017-10-01"  # the browser plays (event_clock.js)
    settings = _clock_settings(component_args(at)["feature_group"])
    assert settings["play"] == {"playing": True, "stepDays": 7, "intervalMs": 100, "hold": True,
                                "until": None}


def _clock_settings(script: str) -> dict:
    start = script.index("L.conflictClock(") + len("L.conflictClock(")
    settings, _ = json.JSONDecoder().raw_decode(script, start)
    return settings


def test_play_runs_from_the_date_to_the_chosen_end_and_stops():
    # Without the events layer there is no map clock: the server plays, a rerun a tick.
    at = run_app(date="2017-10-01", layers="zones,milestones")
    at.checkbox(key="play_hold").uncheck()
    at.date_input(key="play_until").set_value(date(2017, 10, 20))
    at.selectbox(key="play_step").set_value("week")
    at.button(key="play").click().run()  # the run after the click is the first tick
    seen = [param(at, "date")]
    for _ in range(5):  # AppTest has no timer: each further run is one more tick
        at.run()
        assert not at.exception
        seen.append(param(at, "date"))
    assert seen[:3] == ["2017-10-08", "2017-10-15", "2017-10-20"], seen
    assert set(seen[3:]) == {"2017-10-20"}  # stopped at the chosen end


def test_outside_the_loaded_data_the_page_says_only_key_events_cover_it():
    inside = run_app(date="2017-12-06")
    assert not any("Only the project's key events" in c.value for c in inside.caption)
    outside = run_app(date="2013-08-21")
    notes = [c.value for c in outside.caption if "Only the project's key events" in c.value]
    assert len(notes) == 1 and "UCDP GED 19" in notes[0] and "2019" in notes[0], notes


def test_the_sidebar_lists_the_registry_s_layers_and_the_link_follows_them():
    from layers.registry import LAYER_KEYS, label

    at = run_app(date="2017-12-06")
    picker = at.multiselect(key="layers")
    assert [label(k) for k in LAYER_KEYS.keys] == picker.options
    assert set(picker.value) == set(LAYER_KEYS.defaults)
    picker.set_value(["events", "control_areas"]).run()
    assert not at.exception
    assert param(at, "layers") == "control_areas,events"
    groups = component_args(at)["feature_group"]
    assert "L.controlAreas(" in groups and "L.controlPlaces(" not in groups


def test_the_claim_is_held_against_the_control_record():
    from sources.control import load_shipped
    from view.control import ControlRecord, territorial_claim

    at = run_app(date="2017-12-06")
    text = markdown_text(at)
    held = territorial_claim(ControlRecord(load_shipped()), "is", date(2017, 12, 6)).held
    assert f'data-fig="places">{len(held):,}<' in text
    assert "A claim set beside a sourced record of places" in text
    assert "Hajin: held since" in text
    at.button(key="claim_places_0").click().run()
    assert not at.exception
    # The control layer is on by default, so the link leaves the layers out; the map moves.
    assert "layers" not in at.query_params
    assert component_args(at)["zoom"] >= 7


def test_a_step_sends_the_day_s_state_not_the_record():
    args = component_args(run_app(date="2017-06-01"))
    assert "L.controlPlaces(" in args["feature_group"]
    assert len(args["feature_group"]) < 400_000
    # The record is a file the browser fetches once; the base map only names it.
    assert "L.cmControlRecordUrl(" in args["script"] and "Hajin" not in args["script"]


def test_hiding_approximate_places_is_in_the_link():
    at = run_app(date="2017-12-06", places="exact")
    assert at.checkbox(key="exact_only").value is True
    assert param(at, "places") == "exact"
    approximate = run_app(date="2017-12-06")
    assert approximate.checkbox(key="exact_only").value is False


def _events_metric(at: AppTest) -> int:
    return int(next(m for m in at.metric if m.label == "Events").value.replace(",", ""))


def test_a_stored_dataset_can_be_hidden_from_this_view_and_the_link_hides_it_too():
    from sources.catalog import KEY_EVENTS
    from sources.load import read_events_file
    from view.clock import Clock
    from view.event_index import EventIndex

    at = run_app(date="2017-12-06")
    toggles = [t for t in at.toggle if t.key.startswith("show_dataset_")]
    assert [t.value for t in toggles] == [True]  # the UCDP file, imported into the store
    dataset_id = toggles[0].key.removeprefix("show_dataset_")
    everything = _events_metric(at)
    toggles[0].set_value(False).run()
    assert not at.exception
    # Left: the shipped key events of the window, nothing of the hidden file.
    clock = Clock(date(2017, 12, 6), "month", date(2011, 1, 1), date(2024, 12, 31))
    key_events = EventIndex.from_events(read_events_file(KEY_EVENTS).events)
    only_key_events = len(key_events.window(clock.start, clock.end))
    assert _events_metric(at) == only_key_events < everything
    assert param(at, "hide") == dataset_id
    said = " ".join(i.value for i in at.info)
    assert "Hidden from this view" in said and "1911" in said and dataset_id in said
    assert any("hidden from this view" in e.label for e in at.expander)
    # The map and its header count the same events as the statistics.
    assert f"<b>{only_key_events:,} events</b>" in markdown_text(at)

    receiver = run_app(date="2017-12-06", hide=dataset_id)  # the link shows the same view
    assert _events_metric(receiver) == only_key_events
    assert receiver.toggle(key=f"show_dataset_{dataset_id}").value is False

    at.toggle(key=f"show_dataset_{dataset_id}").set_value(True).run()
    assert _events_metric(at) == everything and "hide" not in at.query_params


def test_a_link_hiding_a_dataset_this_store_lacks_says_so_and_hides_nothing():
    at = run_app(date="2017-12-06", hide="abcdefabcdef")
    warnings = " ".join(w.value for w in at.warning)
    assert "abcdefabcdef" in warnings and "holds no dataset" in warnings
    assert "hide" not in at.query_params
    assert _events_metric(at) == _events_metric(run_app(date="2017-12-06"))


# -- broken inputs beside good ones ------------------------------------------------------------
def _plain(text: str) -> str:
    """Element text without Markdown's backslash escapes (file names are escaped on the page)."""
    return text.replace("\\", "")


def _sidebar_says(at: AppTest) -> str:
    return _plain(" ".join(e.value for e in [*at.error, *at.warning, *at.markdown]))


def _run_with(monkeypatch, events: Path, store_dir: Path) -> AppTest:
    monkeypatch.setenv("CONFLICT_MAP_EVENTS", str(events))
    monkeypatch.setenv("CONFLICT_MAP_STORE", str(store_dir))
    monkeypatch.setenv("CONFLICT_MAP_BOUNDARIES", "")  # not needed here; faster
    return run_app(date="2017-12-06")


def _key_events() -> int:
    from sources.catalog import KEY_EVENTS
    from sources.load import read_events_file

    return len(read_events_file(KEY_EVENTS).events)


def _good_csv(path: Path, dataset: str, n: int, day: str = "2017-12-01") -> Path:
    from sources.canonical import write_canonical
    from tests.factories import make_events

    return write_canonical(make_events(
        [{"date_start": day, "source_dataset": dataset, "event_id": f"{dataset}-{i}"}
         for i in range(n)]), path)


def test_broken_files_and_a_damaged_store_entry_are_named_and_the_rest_loads(
        tmp_path, monkeypatch):
    from sources.load import import_events_file

    events = tmp_path / "events"
    events.mkdir()
    good = _good_csv(events / "good.csv", "Folder log", 3)
    (events / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    header = good.read_text(encoding="utf-8").splitlines()[0]
    (events / "blob.csv").write_bytes(header.encode() + b"\n" + bytes(range(256)) * 40)
    store_dir = tmp_path / "store"
    imported = _good_csv(tmp_path / "imported.csv", "Imported log", 4, day="2017-11-20")
    assert import_events_file(imported, store_dir).reports[0].error is None
    whole = next(store_dir.glob("*.parquet")).read_bytes()
    (store_dir / ("f" * 64 + ".parquet")).write_bytes(whole[:200])  # a truncated copy

    at = _run_with(monkeypatch, events, store_dir)
    assert any(e.label == f"Data: {_key_events() + 3 + 4:,} events loaded" for e in at.expander)
    said = _sidebar_says(at)
    assert "**Folder log**: 3 events" in said and "**Imported log**: 4 events" in said
    errors = _plain(" ".join(e.value for e in at.error))
    assert "deep.json is nested too deeply" in errors
    assert "blob.csv is a binary file" in errors
    warnings = _plain(" ".join(w.value for w in at.warning))
    assert "Store entry ffffffffffff" in warnings and "could not be read" in warnings


def test_a_damaged_store_entry_is_listed_so_that_it_can_be_removed(tmp_path):
    from sources.inventory import list_datasets
    from sources.load import import_events_file

    store_dir = tmp_path / "store"
    imported = _good_csv(tmp_path / "imported.csv", "Imported log", 4)
    import_events_file(imported, store_dir)
    whole = next(store_dir.glob("*.parquet")).read_bytes()
    (store_dir / ("f" * 64 + ".parquet")).write_bytes(whole[:200])
    assert {d.id for d in list_datasets(store_dir)} >= {"f" * 12}


def test_a_store_that_is_a_file_is_said_not_raised(tmp_path, monkeypatch):
    events = tmp_path / "events"
    events.mkdir()
    _good_csv(events / "good.csv", "Folder log", 3)
    store_file = tmp_path / "store"
    store_file.write_text("not a folder", encoding="utf-8")
    at = _run_with(monkeypatch, events, store_file)
    warnings = _plain(" ".join(w.value for w in at.warning))
    assert str(store_file) in warnings, warnings


def test_a_read_only_store_is_said_not_raised(tmp_path, monkeypatch):
    from sources import store

    events = tmp_path / "events"
    events.mkdir()
    _good_csv(events / "good.csv", "Folder log", 3)
    store_dir = tmp_path / "store"
    store_dir.mkdir()

    # Tests run as root, for whom chmod does not stop a write: the write is made to fail the
    # way a read-only folder fails it (the CLI test below uses a real one).
    def refused(target, write):
        raise PermissionError(13, "Permission denied", str(target))

    monkeypatch.setattr(store, "write_atomic", refused)
    at = _run_with(monkeypatch, events, store_dir)
    warnings = _plain(" ".join(w.value for w in at.warning))
    assert "Permission denied" in warnings and str(store_dir) in warnings, warnings


def _cli(args: list[str], *, as_nobody: bool = False):
    import subprocess
    import sys

    prefix = (["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
              if as_nobody and os.geteuid() == 0 else [])
    return subprocess.run([*prefix, sys.executable, "-m", "sources", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_the_import_command_says_a_store_is_a_file_in_one_line(tmp_path):
    good = _good_csv(tmp_path / "good.csv", "Folder log", 3)
    store_file = tmp_path / "store"
    store_file.write_text("not a folder", encoding="utf-8")
    done = _cli(["import", str(good), "--store", str(store_file)])
    out = done.stdout + done.stderr
    assert done.returncode == 1 and "Traceback" not in out
    assert str(store_file) in out.strip().splitlines()[-1], out


def test_the_import_command_says_a_store_is_read_only_in_one_line():
    import shutil
    import tempfile

    # Outside pytest's own (private) temporary folder, so that the unprivileged user the
    # command runs as can read the file.
    folder = Path(tempfile.mkdtemp(prefix="cm-readonly-"))
    try:
        folder.chmod(0o755)
        good = _good_csv(folder / "good.csv", "Folder log", 3)
        good.chmod(0o644)
        store_dir = folder / "store"
        store_dir.mkdir(mode=0o555)
        store_dir.chmod(0o555)
        done = _cli(["import", str(good), "--store", str(store_dir)], as_nobody=True)
        out = done.stdout + done.stderr
        assert done.returncode == 1 and "Traceback" not in out
        last = out.strip().splitlines()[-1]
        assert "Permission denied" in last and str(store_dir) in last, out
        assert not list(store_dir.iterdir())
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_file_names_and_link_parameters_with_addresses_are_never_links(tmp_path, monkeypatch):
    from tests.test_escape import gfm_autolinks

    events = tmp_path / "events"
    events.mkdir()
    _good_csv(events / "someone@evil.example.csv", "www.evil.example log", 2)
    (events / "www.evil.example.json").write_text('{"data": [', encoding="utf-8")
    monkeypatch.setenv("CONFLICT_MAP_EVENTS", str(events))
    monkeypatch.setenv("CONFLICT_MAP_STORE", str(tmp_path / "store"))
    monkeypatch.setenv("CONFLICT_MAP_BOUNDARIES", "")
    at = run_app(date="2017-12-06", window="https://evil.example", factions="x@evil.example")
    toggle = next(t for t in at.toggle if t.key.startswith("show_dataset_"))
    toggle.set_value(False).run()  # the hidden dataset is named too
    elements = [*at.error, *at.warning, *at.info, *at.caption, *at.markdown]
    quoting = [e.value for e in elements if "evil" in e.value]
    # Each place the page quotes them: the broken file, the good file, its dataset, both link
    # parameters, the hidden dataset (sidebar and stored datasets).
    assert len(quoting) >= 6, quoting
    assert [q for q in quoting if gfm_autolinks(q)] == []
