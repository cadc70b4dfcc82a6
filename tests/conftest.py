"""Fixtures shared by every test module: where the repository and the shared data are."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``; fails (does not skip) when it is missing."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"shared data folder {SHARED_DATA} is missing; clone ../shared beside the repo")
    return SHARED_DATA


@pytest.fixture(scope="session")
def boundaries_folder(shared_data: Path) -> Path:
    """The OCHA COD-AB shapefile folder (``CONFLICT_MAP_BOUNDARIES`` in the app)."""
    folder = shared_data / "ocha-cod-ab-syria"
    if not (folder / "syr_admin1.shp").is_file():
        pytest.fail(f"{folder} lacks syr_admin1.shp")
    return folder
