"""Grid aggregation: cells add up exactly to the events they hold."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.test_event_index import synthetic_events
from view import aggregate as agg
from view.event_index import FACTION_KEYS, EventIndex


@pytest.fixture(scope="module")
def index() -> EventIndex:
    return EventIndex.from_events(synthetic_events(30_000, seed=11))


def test_cell_size_halves_with_zoom():
    assert agg.cell_degrees(0) == 45.0
    assert agg.cell_degrees(7) == pytest.approx(360 / 1024)
    assert agg.cell_degrees(8) == agg.cell_degrees(7) / 2


@pytest.mark.parametrize("zoom", [3, 6, 7, 9, 12, 16])
def test_cells_preserve_counts_and_fatalities(index, zoom):
    rng = np.random.default_rng(zoom)
    for _ in range(5):
        rows = np.sort(rng.choice(len(index), size=int(rng.integers(1, 20_000)), replace=False))
        cells = agg.aggregate(index, rows, zoom=zoom)
        assert cells.count.sum() == len(rows)
        assert cells.fatalities.sum() == int(index.fatalities[rows].astype(np.int64).sum())
        assert (cells.count > 0).all()
        assert np.array_equal(cells.by_faction.sum(axis=1), cells.count)
        assert np.array_equal(
            cells.by_faction.sum(axis=0),
            np.bincount(index.principal[rows], minlength=len(FACTION_KEYS)),
        )
        assert np.array_equal(cells.dominant, cells.by_faction.argmax(axis=1))


@pytest.mark.parametrize("zoom", [5, 8, 11])
def test_cells_match_a_groupby(index, zoom):
    # The same grouping done the slow, obvious way with pandas.
    rng = np.random.default_rng(100 + zoom)
    rows = np.sort(rng.choice(len(index), size=5_000, replace=False))
    size = agg.cell_degrees(zoom)
    lat = index.lat[rows].astype(np.float64)
    lon = index.lon[rows].astype(np.float64)
    frame = pd.DataFrame({"gy": np.floor(lat / size), "gx": np.floor(lon / size), "lat": lat,
                          "lon": lon, "fat": index.fatalities[rows].astype(np.int64)})
    grouped = frame.groupby(["gy", "gx"]).agg(n=("lat", "size"), lat=("lat", "mean"),
                                             lon=("lon", "mean"), fat=("fat", "sum"))
    cells = agg.aggregate(index, rows, zoom=zoom)
    assert len(cells) == len(grouped)
    ours = pd.DataFrame({"lat": cells.lat, "lon": cells.lon, "n": cells.count,
                         "fat": cells.fatalities}).sort_values(["lat", "lon"], ignore_index=True)
    theirs = grouped.reset_index(drop=True)[["lat", "lon", "n", "fat"]]
    theirs = theirs.sort_values(["lat", "lon"], ignore_index=True)
    np.testing.assert_allclose(ours[["lat", "lon"]], theirs[["lat", "lon"]], rtol=0, atol=1e-9)
    assert ours["n"].tolist() == theirs["n"].tolist()
    assert ours["fat"].tolist() == theirs["fat"].tolist()


def test_sparse_path_matches_dense(index, monkeypatch):
    rows = np.arange(0, len(index), 3)
    dense = agg.aggregate(index, rows, zoom=10)
    monkeypatch.setattr(agg, "_DENSE_LIMIT", 0)
    sparse = agg.aggregate(index, rows, zoom=10)
    for name in ("lat", "lon", "count", "fatalities", "dominant", "by_faction"):
        np.testing.assert_array_equal(getattr(dense, name), getattr(sparse, name))


def test_bounds(index):
    rows = np.arange(len(index))
    box = ((34.0, 36.0), (35.0, 37.5))
    inside = agg.in_bounds(index, rows, box)
    lat, lon = index.lat[inside], index.lon[inside]
    assert ((lat >= 34) & (lat <= 35) & (lon >= 36) & (lon <= 37.5)).all()
    outside = np.setdiff1d(rows, inside)
    lat, lon = index.lat[outside], index.lon[outside]
    assert not ((lat >= 34) & (lat <= 35) & (lon >= 36) & (lon <= 37.5)).any()
    flat = (34.0, 36.0, 35.0, 37.5)  # (south, west, north, east), as MapView.bounds holds it
    assert np.array_equal(agg.in_bounds(index, rows, flat), inside)
    cells = agg.aggregate(index, rows, zoom=9, bounds=box)
    assert cells.count.sum() == len(inside)
    padded = agg.in_bounds(index, rows, box, pad=0.5)
    assert len(padded) > len(inside)
    assert agg.normalise_bounds(None) is None


def test_empty(index):
    cells = agg.aggregate(index, np.empty(0, dtype=np.int64), zoom=7)
    assert len(cells) == 0
    assert cells.by_faction.shape == (0, len(FACTION_KEYS))
