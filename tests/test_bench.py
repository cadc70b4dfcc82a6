"""A small run of ``python -m bench``: the JSON line's keys, and naive and ours agree."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd

from bench import generate as gen
from sources.canonical import read_canonical
from sources.schema import check_canonical
from tests.conftest import ROOT


def test_generate_resamples_real_rows(shared_data, tmp_path):
    template = gen.load_template(shared_data / "ucdp-ged-syria-2016-2019"
                                 / "ged_syria_652.1601.1911.csv")
    events = gen.resample(template, 5_000, seed=1)
    check_canonical(events)
    assert len(events) == 5_000
    assert events["event_id"].is_unique
    assert (events["source_dataset"] == gen.DATASET).all()
    assert "SYNTHETIC" in gen.DATASET
    assert events["date_start"].min() >= pd.Timestamp(gen.FIRST_DAY)
    assert events["date_start"].max() <= pd.Timestamp(gen.LAST_DAY)
    assert (events["date_end"] >= events["date_start"]).all()
    # text and factions come from the real rows
    assert set(events["actor1"]) <= set(template["actor1"])
    assert set(events["notes"].dropna()) <= set(template["notes"].dropna())
    # the same seed gives the same table; another seed does not
    again = gen.resample(template, 5_000, seed=1)
    pd.testing.assert_frame_equal(events, again)
    assert not gen.resample(template, 5_000, seed=2)["latitude"].equals(events["latitude"])

    path = gen.write_csv(events, tmp_path / gen.default_name(5_000))
    back = read_canonical(path)
    assert len(back) == 5_000
    back = back.set_index("event_id").loc[events["event_id"]]
    assert (back["date_start"].to_numpy() == events["date_start"].to_numpy()).all()
    np.testing.assert_allclose(back["latitude"], events["latitude"])
    assert (back["notes"].fillna("").to_numpy() == events["notes"].fillna("").to_numpy()).all()


def test_jitter_stays_within_about_five_km(shared_data):
    template = gen.load_template()
    one = template.iloc[[0]]
    events = gen.resample(one, 2_000, seed=3)
    dlat_km = (events["latitude"] - one["latitude"].iloc[0]).abs() * 111.32
    assert dlat_km.max() <= 5.01
    assert dlat_km.max() > 4.0  # it does move points


def test_bench_smoke_run(shared_data, tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--events", "2000", "--json", "--steps", "4",
         "--naive-steps", "2", "--workdir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.strip().splitlines()
    result = json.loads(lines[-1])
    expected = {"ingest_s", "cold_start_s", "step_ms", "payload_bytes", "rss_mb_loaded",
                "rss_mb_per_session", "naive_ratio", "naive_window", "machine", "events",
                "within_targets", "targets", "method"}
    assert expected <= set(result)
    assert set(result["step_ms"]) == set(result["payload_bytes"]) == {"week", "quarter", "all"}
    for times in result["step_ms"].values():
        assert 0 < times["p50"] <= times["p95"]
    assert result["events"] == result["accepted"] == 2000
    assert result["naive_window"] == "week"
    assert result["naive_ratio"] > 0
    # naive and ours represent the same events for the same windows
    assert result["naive_events"] == result["ours_events"]
    assert sum(result["naive_events"]) > 0
    assert set(result["machine"]) >= {"nproc", "cpu_model", "ram_gb"}
    assert result["machine"]["nproc"] >= 1
    assert "events" in lines[0]  # the table comes first
