"""Every hostile file of ``tests/hostile_files.py``, through the command line and the loader.

As a user would: ``python -m sources check --json FILE`` in a subprocess -- exit status 0 for a
usable file and 1 for a refused one, never a traceback, the last line one JSON object whose
counts add up (``total == accepted + rejected + duplicates + filtered``), the error naming the
file, the rejected rows named by their row. And through :func:`sources.load.read_events_file`:
the same counts, the rows' reasons, the report's notices, and Arabic text read back exactly.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from sources.load import load_events, read_events_file
from tests import hostile_files
from tests.hostile_files import ARABIC_NOTES, ARABIC_PLACE, CASES, Case

ROOT = Path(__file__).resolve().parents[1]
BY_NAME = {case.name: case for case in CASES}


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("hostile")
    hostile_files.write_all(out)
    return out


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sources", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=180)


def last_json(done: subprocess.CompletedProcess[str]) -> dict:
    lines = done.stdout.strip().splitlines()
    assert lines, f"no output; stderr: {done.stderr[-2000:]}"
    return json.loads(lines[-1])


def assert_counts(counts: dict, case: Case) -> None:
    """The counts of a report (as a dict) against the case."""
    assert counts["total"] == (counts["accepted"] + counts["rejected"] + counts["duplicates"]
                               + counts["filtered"]), counts
    assert counts["rows"] == counts["accepted"] + counts["rejected"] + counts["duplicates"]
    assert sum(counts["reasons"].values()) == counts["rejected"], counts
    if case.accepted is not None:
        assert counts["accepted"] == case.accepted, counts
    if case.rejected is not None:
        assert counts["rejected"] == case.rejected, counts
    assert counts["duplicates"] == case.duplicates, counts
    assert counts["filtered"] == case.filtered, counts
    if case.reasons is not None:
        assert counts["reasons"] == case.reasons, counts
    for row, reason in case.rows.items():
        assert row in counts["examples"].get(reason, []), (row, reason, counts["examples"])
    if case.format:
        assert counts["format"] == case.format
    if case.notice:
        assert any(case.notice in n for n in counts["notices"]), counts["notices"]


def test_there_is_a_case_for_every_class_of_failure():
    names = set(BY_NAME)
    for needed in ("utf16le_bom.csv", "utf16be_bom.csv", "utf16le_nobom.csv",
                   "utf16be_nobom.csv", "preamble.csv", "late_columns_wide.csv",
                   "control_characters.csv", "bidi_overrides.csv", "duplicates.csv",
                   "numbers_out_of_range.csv", "impossible_dates.csv",
                   "coordinates_out_of_range.csv", "blank_lines.csv", "crlf.csv", "lf.csv",
                   "cr_only.csv", "multiline_fields.csv", "header_only.csv", "long_field.csv",
                   "deep.json", "number.json", "ucdp_counts.csv"):
        assert needed in names


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_check_json_as_a_user_runs_it(folder, name, tmp_path):
    case = BY_NAME[name]
    path = folder / name
    rejected_csv = tmp_path / "rejected.csv"
    done = run_cli("check", str(path), "--json", "--rejected-csv", str(rejected_csv))
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout, done.stderr
    summary = last_json(done)
    assert done.returncode == (0 if case.usable else 1), summary
    if not case.usable:
        assert summary["error"], summary
        assert name in summary["error"]
        for words in case.error:
            assert words in summary["error"], summary["error"]
        return
    assert summary["error"] is None, summary["error"]
    assert_counts(summary, case)
    if summary["rejected"]:
        with rejected_csv.open(encoding="utf-8", newline="") as handle:
            rejected = list(csv.DictReader(handle))
        assert len(rejected) == summary["rejected"]
        reasons = {int(r["row"]): r["reason"] for r in rejected}
        assert {row: reasons.get(row) for row in case.rows} == case.rows
        if case.arabic:  # the rejected rows keep their Arabic too, byte for byte
            texts = {v for r in rejected for v in r.values()}
            assert ARABIC_NOTES in texts or ARABIC_PLACE in texts, rejected[:2]
    else:
        assert not rejected_csv.exists()


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_the_loader_reads_the_same(folder, name):
    case = BY_NAME[name]
    result = read_events_file(folder / name)
    report = result.reports[0]
    if not case.usable:
        assert report.error and name in report.error
        assert len(result.events) == 0
        return
    assert report.error is None, report.error
    counts = {**report.to_dict(), "total": report.total}
    assert_counts(counts, case)
    assert len(result.events) == report.accepted
    assert len(result.rejected) == report.rejected
    assert len(result.duplicates) == report.duplicates
    assert set(result.rejected["row"]).isdisjoint(result.duplicates["row"])
    if case.arabic:
        notes = set(result.events["notes"])
        places = set(result.events["place"])
        assert ARABIC_NOTES in notes and ARABIC_PLACE in places, (notes, places)
    for text in case.notes:
        assert text in set(result.events["notes"]), text
    for column in ("event_id", "notes", "place", "actor1", "actor2"):
        values = result.events[column].astype(str)
        assert not values.str.contains("\ufffd", regex=False).any()
        assert not values.str.contains("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e"
                                       "\u2066-\u2069]", regex=True).any()
    assert not (result.events["event_id"].astype(str).str.lower() == "nan").any()


def test_counts_add_up_with_duplicates_rejects_and_other_countries(folder):
    done = run_cli("check", str(folder / "ucdp_counts.csv"), "--json")
    summary = last_json(done)
    assert done.returncode == 0
    # 10 data rows: 5 Syria rows accepted, 1 exact repeat merged, 1 rejected, 3 of Iraq
    assert (summary["total"], summary["accepted"], summary["duplicates"], summary["rejected"],
            summary["filtered"]) == (10, 5, 1, 1, 3)
    assert summary["examples"] == {"coordinates out of range": [7], "merged duplicate": [6]}


def test_the_text_report_names_rows_and_notices(folder):
    done = run_cli("check", str(folder / "duplicates.csv"))
    assert done.returncode == 0
    assert "merged duplicates (identical to an earlier row): 2 (rows 7, 8)" in done.stdout
    assert "duplicate id with different values (row 9)" in done.stdout
    done = run_cli("check", str(folder / "utf16be_nobom.csv"))
    assert "note: utf16be_nobom.csv is UTF-16 BE text (without a byte-order mark)" in done.stdout


def test_a_folder_of_every_hostile_file_loads_what_can_be_loaded(folder):
    result = load_events(folder)
    by_name = {Path(r.path).name: r for r in result.reports}
    assert set(by_name) == set(BY_NAME)
    for name, report in by_name.items():
        assert (report.error is None) == BY_NAME[name].usable, (name, report.error)
    assert len(result.events) == sum(r.accepted for r in result.reports)
    assert len(result.rejected) == sum(r.rejected for r in result.reports)


def test_import_counts_duplicates_and_events_already_in_the_store(folder, tmp_path):
    store = tmp_path / "store"
    done = run_cli("import", str(folder / "duplicates.csv"), "--store", str(store), "--json")
    first = last_json(done)
    assert done.returncode == 0 and first["duplicates"] == 2 and first["already_stored"] == 0
    # lf.csv holds the same six events (same dataset and ids): merged at load, and said so
    done = run_cli("import", str(folder / "lf.csv"), "--store", str(store), "--json")
    second = last_json(done)
    assert second["accepted"] == 6 and second["already_stored"] == 6
    assert "6 of them are already in the store from another import" in done.stdout
    # the stored report keeps the merged duplicates and their rows
    stored = load_events(folder / "duplicates.csv", store_dir=store).reports[0]
    assert stored.stored and stored.duplicates == 2
    assert stored.examples["merged duplicate"] == [7, 8]
    assert stored.total == stored.accepted + stored.rejected + stored.duplicates


def test_the_generator_writes_every_case(tmp_path):
    done = subprocess.run([sys.executable, "-m", "tests.hostile_files", str(tmp_path / "out")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert {p.name for p in (tmp_path / "out").iterdir()} == set(BY_NAME)
    assert len(done.stdout.strip().splitlines()) == len(CASES)
