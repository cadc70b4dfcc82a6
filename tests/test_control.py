"""The control record as functions of the date, its readers, and the command line."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from sources.control import (
    CONTROL_DIR,
    check_changes,
    code_controller,
    load_shipped,
    merge,
    read_control_file,
    table_kind,
)
from view.control import (
    MIXED,
    NO_RECORD,
    ControlRecord,
    subdistrict_shading,
    territorial_claim,
)

ROOT = Path(__file__).resolve().parent.parent
BOUNDARIES = ROOT.parent / "shared" / "data" / "ocha-cod-ab-syria"


def write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


PLACES = ["place_id", "name_en", "name_ar", "latitude", "longitude", "kind"]
CHANGES = ["place_id", "date", "date_precision", "controller", "besieged_by", "source_title",
           "source_url", "source_checked", "note"]


@pytest.fixture
def small(tmp_path) -> ControlRecord:
    places = write(tmp_path / "places.csv", PLACES, [
        ["a", "Alpha", "ألف", 35.95, 39.0, "city"],
        ["b", "Beta", "", 35.0, 40.4, "town"],
        ["c", "Gamma", "", 34.5, 40.9, "village"],
    ])
    changes = write(tmp_path / "changes.csv", CHANGES, [
        ["a", "2013-03-04", "day", "opposition", "", "S1", "https://example.org/1", "yes", ""],
        ["a", "2014-01-14", "day", "is", "", "S2", "https://example.org/2", "yes", ""],
        ["a", "2017-10-17", "day", "sdf", "", "S3", "https://example.org/3", "yes", ""],
        ["b", "2015-01-01", "month", "government", "is", "S4", "https://example.org/4", "yes",
         ""],
        ["b", "2017-09-05", "day", "government", "", "S5", "https://example.org/5", "yes", ""],
        ["c", "2017-11-19", "day", "contested", "", "S6", "https://example.org/6", "yes", ""],
        ["c", "2017-12-10", "day", "is", "", "S7", "https://example.org/7", "yes", ""],
        ["c", "2019-03-23", "day", "sdf", "", "S8", "https://example.org/8", "yes", ""],
    ])
    p = read_control_file(places)
    c = read_control_file(changes, known_places=p.places)
    assert not len(p.rejected) and not len(c.rejected)
    return ControlRecord(merge([p, c]))


def state_of(record: ControlRecord, day: str) -> dict[str, tuple[str, str]]:
    state = record.on(pd.Timestamp(day))
    return {r.place_id: (r.controller, r.besieged_by) for r in state.itertuples()}


def test_the_last_change_on_or_before_the_day_holds(small) -> None:
    assert state_of(small, "2012-06-01") == {"a": (NO_RECORD, ""), "b": (NO_RECORD, ""),
                                             "c": (NO_RECORD, "")}
    assert state_of(small, "2013-03-04")["a"] == ("opposition", "")  # the day itself
    assert state_of(small, "2014-01-13")["a"] == ("opposition", "")
    assert state_of(small, "2014-01-14")["a"] == ("is", "")
    assert state_of(small, "2016-06-01")["b"] == ("government", "is")  # besieged
    assert state_of(small, "2017-09-05")["b"] == ("government", "")  # siege lifted
    assert state_of(small, "2017-11-30")["c"] == ("contested", "")
    assert state_of(small, "2030-01-01") == {"a": ("sdf", ""), "b": ("government", ""),
                                             "c": ("sdf", "")}  # open-ended last period
    since = small.on(pd.Timestamp("2016-06-01")).set_index("place_id")["since"]
    assert since["a"] == pd.Timestamp("2014-01-14") and pd.isna(since["c"])


def test_a_place_history_is_its_periods_with_sources(small) -> None:
    periods = small.history("a")
    assert [p.controller for p in periods] == ["opposition", "is", "sdf"]
    assert periods[0].end == pd.Timestamp("2014-01-13")
    assert periods[-1].end is None
    assert [p.source_url for p in periods] == [f"https://example.org/{i}" for i in (1, 2, 3)]


def test_two_changes_of_one_place_on_one_day_are_refused(tmp_path) -> None:
    raw = pd.DataFrame({"place_id": ["a", "a"], "date": ["2014-01-14", "2014-01-14"],
                        "controller": ["is", "sdf"]})
    changes, rejected = check_changes(raw, file="x.csv", dataset="x", place_ids={"a"})
    assert len(changes) == 1
    assert rejected[0]["row"] == 2 and "second change" in rejected[0]["reason"]


def test_sub_districts_are_shaded_where_places_agree_and_hatched_where_not() -> None:
    state = pd.DataFrame({
        "admin3_pcode": ["P1", "P1", "P2", "P2", "P3", "P4", "P5"],
        "controller": ["is", "is", "is", "sdf", "contested", NO_RECORD, "government"],
    })
    shading = subdistrict_shading(state).set_index("admin3_pcode")
    assert shading.loc["P1", "controller"] == "is" and shading.loc["P1", "places"] == 2
    assert shading.loc["P2", "controller"] == MIXED
    assert shading.loc["P3", "controller"] == MIXED  # a contested place: not one side's
    assert "P4" not in shading.index  # nothing with a record: left blank
    assert shading.loc["P5", "controller"] == "government"


def test_a_claim_is_held_against_the_places_of_the_day(small) -> None:
    figures = territorial_claim(small, "is", date(2017, 12, 6))
    assert list(figures.held["place_id"]) == []  # a was lost in Oct, c was contested
    figures = territorial_claim(small, "is", date(2018, 1, 1))
    assert list(figures.held["place_id"]) == ["c"]
    assert figures.last_lost == date(2019, 3, 23) and figures.last_lost_to == "sdf"
    figures = territorial_claim(small, "is", date(2015, 1, 1))
    assert list(figures.held["place_id"]) == ["a"]


def test_the_shipped_claim_figures_agree_with_the_csv_read_by_hand() -> None:
    """6 Dec 2017: computed here from data/control/changes.csv with the csv module alone."""
    day = "2017-12-06"
    last: dict[str, tuple[str, str]] = {}
    with (CONTROL_DIR / "changes.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["date"] <= day and row["date"] >= last.get(row["place_id"], ("", ""))[0]:
                last[row["place_id"]] = (row["date"], row["controller"])
    held = sorted(pid for pid, (_, who) in last.items() if who == "is")
    record = ControlRecord(load_shipped())
    figures = territorial_claim(record, "is", date(2017, 12, 6))
    assert sorted(figures.held["place_id"]) == held
    assert len(held) > 10  # the record's answer to "no territory controlled by ISIS"
    assert figures.last_lost is not None and figures.last_lost >= date(2019, 1, 1)
    assert "hajin" in held


def test_a_locality_log_of_an_organisation_loads_without_code(tmp_path) -> None:
    """One row per change, the place on every row, its own column names and words."""
    path = write(tmp_path / "our-log.csv",
                 ["Locality", "Lat", "Lon", "Date", "Controlled by", "Source", "URL"], [
                     ["Hajin", 34.6926, 40.8256, "2018-12-14", "SDF", "Field log", ""],
                     ["Hajin", 34.6926, 40.8256, "2017-06", "ISIS", "Field log", ""],
                     ["Nowhere", 51.5, -0.1, "2018-01-01", "SDF", "Field log", ""],
                     ["Hajin", 34.6926, 40.8256, "1999-01-01", "SDF", "Field log", ""],
                     ["Hajin", 34.6926, 40.8256, "2018-02-02", "Martians", "Field log", ""],
                     ["Hajin", 34.6926, 40.8256, "2018-03-03", "contested", "Field log",
                      "javascript:alert(1)"],
                 ])
    assert table_kind(["Locality", "Lat", "Lon", "Date", "Controlled by"]) == "log"
    tables = read_control_file(path)
    assert list(tables.places["place_id"]) == ["hajin", "nowhere"][:len(tables.places)]
    assert tables.changes["controller"].tolist() == ["sdf", "is", "contested"]
    assert tables.changes["date_precision"].tolist() == ["day", "month", "day"]
    # the javascript: link is kept as text in the note, never as a link
    assert tables.changes["source_url"].tolist() == ["", "", ""]
    assert "javascript:alert(1)" in tables.changes["note"].iloc[2]
    reasons = " | ".join(tables.rejected["reason"])
    assert "outside the country" in reasons
    assert "date out of range" in reasons and "unknown controller 'Martians'" in reasons
    assert "unknown place id 'nowhere'" in reasons  # its place was refused, so its change is
    assert set(tables.rejected["row"]) == {3, 4, 5}  # data rows, counted from 1


def test_controllers_are_coded_with_the_faction_rules() -> None:
    assert code_controller("ISIS") == "is"
    assert code_controller("Islamic State") == "is"
    assert code_controller("Hayat Tahrir al-Sham") == "jihadist"
    assert code_controller("Syrian Democratic Forces") == "sdf"
    assert code_controller("Contested") == "contested"
    assert code_controller("") is None and code_controller("Martians") is None


def test_a_changes_file_may_refer_to_the_shipped_places(tmp_path) -> None:
    shipped = load_shipped()
    path = write(tmp_path / "changes.csv", ["place_id", "date", "controller"],
                 [["hajin", "2019-06-01", "government"]])
    tables = read_control_file(path, known_places=shipped.places)
    assert len(tables.changes) == 1 and not len(tables.rejected)


def test_the_command_line_says_who_held_what_on_a_day(tmp_path) -> None:
    env = {"CONFLICT_MAP_STORE": str(tmp_path / "store"), "PATH": "/usr/bin:/bin",
           "CONFLICT_MAP_EVENTS": str(tmp_path / "no-events")}
    out = subprocess.run([sys.executable, "-m", "sources", "control", "--on", "2017-06-01",
                          "--json"], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True, timeout=120)
    answer = json.loads(out.stdout.strip().splitlines()[-1])
    assert answer["date"] == "2017-06-01"
    places = {p["id"]: p for p in answer["places"]}
    assert set(places["ar-raqqa"]) == {"id", "name", "latitude", "longitude", "controller",
                                       "since", "source_url"}
    assert places["ar-raqqa"]["controller"] == "is"
    bad = subprocess.run([sys.executable, "-m", "sources", "control", "--on", "06/12/2017",
                          "--json"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert bad.returncode == 1 and "error" in json.loads(bad.stdout.strip().splitlines()[-1])


def test_check_and_import_take_control_files(tmp_path) -> None:
    path = write(tmp_path / "changes.csv", ["place_id", "date", "controller", "source_title"],
                 [["hajin", "2019-06-01", "government", "Our log"],
                  ["atlantis", "2019-06-01", "government", "Our log"]])
    env = {"CONFLICT_MAP_STORE": str(tmp_path / "store"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-m", "sources", "check", str(path), "--json"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert out.returncode == 0
    assert (summary["format"], summary["accepted"], summary["rejected"]) == (
        "control-changes", 1, 1)
    assert summary["reasons"] == {"unknown place id": 1}
    out = subprocess.run([sys.executable, "-m", "sources", "import", str(path), "--store",
                          str(tmp_path / "store")], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert list((tmp_path / "store" / "control").glob("*.csv"))
    answer = subprocess.run([sys.executable, "-m", "sources", "control", "--on", "2019-07-01",
                             "--json", "--store", str(tmp_path / "store")], cwd=ROOT,
                            env={**env, "CONFLICT_MAP_EVENTS": str(tmp_path / "none")},
                            capture_output=True, text=True, timeout=120)
    places = {p["id"]: p for p in json.loads(answer.stdout.strip().splitlines()[-1])["places"]}
    assert places["hajin"]["controller"] == "government"


def test_a_user_place_listed_after_the_shipped_ones_gets_its_state(tmp_path) -> None:
    """The state on a day does not depend on how the place ids sort: a user's places come
    after the shipped ones, whatever their spelling."""
    shipped = load_shipped()
    log = write(tmp_path / "log.csv", ["Locality", "Lat", "Lon", "Date", "Controlled by"],
                [["Mmm Test Village", 33.55, 38.95, "2017-01-01", "ISIS"]])
    mine = read_control_file(log, known_places=shipped.places)
    record = ControlRecord(merge([shipped, mine]))
    state = record.on(pd.Timestamp("2017-06-01")).set_index("place_id")
    assert state.loc["mmm-test-village", "controller"] == "is"
    assert state.loc["ar-raqqa", "controller"] == "is" and state.loc["hajin", "controller"] == "is"
    # ...and every shipped place keeps the state the shipped record alone gives it
    alone = ControlRecord(shipped).on(pd.Timestamp("2017-06-01")).set_index("place_id")
    assert (state.loc[alone.index, "controller"] == alone["controller"]).all()


def test_events_files_are_never_taken_for_control_tables(tmp_path) -> None:
    """ACLED's header has names and coordinates too ("location"): it stays an events file,
    and the events folder loads it."""
    from sources.control import is_control_file
    from sources.load import load_events

    shared = ROOT.parent / "shared" / "data"
    acled = next((shared / "acled-me-2022-sample").glob("*.csv"))
    ucdp = next((shared / "ucdp-ged231-sample").glob("*.csv"))
    assert not is_control_file(acled) and not is_control_file(ucdp)
    assert not is_control_file(ROOT / "data" / "key_events.csv")
    assert is_control_file(CONTROL_DIR / "places.csv")
    assert is_control_file(CONTROL_DIR / "changes.csv")
    folder = tmp_path / "events"
    folder.mkdir()
    (folder / acled.name).symlink_to(acled)
    assert len(load_events(folder).events) > 300
