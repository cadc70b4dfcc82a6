"""The store you can manage: list what it holds, take a dataset out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sources.catalog import Config, assemble
from sources.control import import_control_file, load_shipped
from sources.inventory import list_datasets, remove
from sources.load import import_events_file

ROOT = Path(__file__).resolve().parent.parent
UCDP = ROOT.parent / "shared" / "data" / "ucdp-ged-syria-2016-2019" / "ged_syria_652.1601.1911.csv"


def _small_ucdp(path: Path, rows: int = 40) -> Path:
    lines = UCDP.read_text(encoding="utf-8").splitlines()[: rows + 1]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_list_shows_each_dataset_and_remove_takes_one_out(tmp_path) -> None:
    store = tmp_path / "store"
    import_events_file(_small_ucdp(tmp_path / "ucdp-part.csv"), store)
    control = tmp_path / "ours.csv"
    control.write_text("place_id,date,controller\nhajin,2019-06-01,government\n",
                       encoding="utf-8")
    import_control_file(control, store, known_places=load_shipped().places)
    datasets = {d.kind: d for d in list_datasets(store)}
    assert {(d.kind, d.name) for d in datasets.values()} == {("events", "ucdp-part.csv"),
                                                             ("control", "ours.csv")}
    events = datasets["events"]
    assert events.rows == 40 and events.first.startswith("2016-")
    config = Config(events=str(tmp_path / "none"), boundaries="", store_dir=str(store),
                    tiles="none")
    assert "UCDP GED 19.1" in assemble(config).dataset_counts
    removed = remove(store, events.id[:8])
    assert removed == events
    assert [d.kind for d in list_datasets(store)] == ["control"]
    assert "UCDP GED 19.1" not in assemble(config).dataset_counts  # gone from the dashboard


def test_the_command_line_lists_and_removes(tmp_path) -> None:
    store = tmp_path / "store"
    import_events_file(_small_ucdp(tmp_path / "part.csv"), store)
    run = lambda *a: subprocess.run([sys.executable, "-m", "sources", *a, "--store",  # noqa: E731
                                     str(store)], cwd=ROOT, capture_output=True, text=True,
                                    timeout=120)
    listed = json.loads(run("list", "--json").stdout.strip().splitlines()[-1])
    assert [d["name"] for d in listed["datasets"]] == ["part.csv"]
    bad = run("remove", "zzzzzzzz")
    assert bad.returncode == 1 and "error" in json.loads(bad.stdout.strip().splitlines()[-1])
    done = run("remove", listed["datasets"][0]["id"])
    assert done.returncode == 0
    assert json.loads(run("list", "--json").stdout.strip().splitlines()[-1])["datasets"] == []
