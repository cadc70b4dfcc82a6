"""Loaders for the datasets the dashboard ships in ``data/`` (milestones and zones).

Pure functions: no Streamlit, no network. Each loader validates what it reads and raises
``ValueError`` naming the file, the row (or feature) and the problem, so a bad edit to a
shipped file fails loudly instead of drawing something wrong. ``data/key_events.csv`` is in
the canonical event layout and is read by the canonical CSV reader, not here; its event_type
vocabulary is :data:`KEY_EVENT_TYPES`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import shape

from sources.schema import AREA_COLUMNS, AREA_DTYPES

DATA_DIR: Path = Path(__file__).resolve().parent.parent / "data"
# The source_dataset of every row of data/key_events.csv.
KEY_EVENTS_DATASET = "Key events (conflict-map project)"

MILESTONE_CATEGORIES: tuple[str, ...] = (
    "military",
    "diplomatic",
    "humanitarian",
    "political",
    "claim",
)
MILESTONE_COLUMNS: tuple[str, ...] = (
    "milestone_id",
    "date",
    "date_precision",
    "title",
    "category",
    "place",
    "lat",
    "lon",
    "source_title",
    "source_url",
    "claim_faction",
    "claim_statement",
    "note",
)
ZONE_STATES: tuple[str, ...] = ("in force", "under offensive")
# The event_type vocabulary of data/key_events.csv (documented in data/SOURCES.md).
KEY_EVENT_TYPES: tuple[str, ...] = (
    "battle",
    "siege",
    "capture",
    "offensive",
    "massacre",
    "chemical attack",
    "airstrike",
    "missile strike",
    "bombing",
    "raid",
    "shootdown",
)

_MILESTONE_STRING_COLUMNS = tuple(
    c for c in MILESTONE_COLUMNS if c not in ("date", "lat", "lon")
)


def _is_http_url(value: Any) -> bool:
    """Say whether ``value`` is a non-empty http(s) URL string."""
    return isinstance(value, str) and value.strip().lower().startswith(("http://", "https://"))


def load_milestones(path: Path = DATA_DIR / "milestones.csv") -> pd.DataFrame:
    """Read the dated milestones.

    Parameters
    ----------
    path : Path
        A CSV with exactly :data:`MILESTONE_COLUMNS`.

    Returns
    -------
    pandas.DataFrame
        ``date`` as ``datetime64[ns]``, ``lat``/``lon`` as float64, every other column as
        pandas ``"string"``; sorted by date, then milestone_id, with a fresh index.

    Raises
    ------
    ValueError
        Naming the file, the row and the problem, for a missing or extra column, a bad date,
        an unknown category, a missing or non-http source_url, bad coordinates, a duplicate
        milestone_id, or a claim row without claim_faction and claim_statement.
    """
    path = Path(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    if tuple(raw.columns) != MILESTONE_COLUMNS:
        raise ValueError(
            f"{path}: columns {list(raw.columns)} are not the milestone columns "
            f"{list(MILESTONE_COLUMNS)}"
        )
    dates = pd.to_datetime(raw["date"], format="%Y-%m-%d", errors="coerce")
    lats = pd.to_numeric(raw["lat"], errors="coerce")
    lons = pd.to_numeric(raw["lon"], errors="coerce")
    seen: set[str] = set()
    for i, row in raw.iterrows():
        # Data rows are counted from 1 (the header is not a row); quoted fields may span lines.
        where = f"{path}, row {int(i) + 1} ({row['milestone_id']!r})"
        if not row["milestone_id"]:
            raise ValueError(f"{where}: empty milestone_id")
        if row["milestone_id"] in seen:
            raise ValueError(f"{where}: duplicate milestone_id {row['milestone_id']!r}")
        seen.add(row["milestone_id"])
        if pd.isna(dates[i]):
            raise ValueError(f"{where}: bad date {row['date']!r} (expected YYYY-MM-DD)")
        if row["category"] not in MILESTONE_CATEGORIES:
            raise ValueError(
                f"{where}: unknown category {row['category']!r}, "
                f"expected one of {MILESTONE_CATEGORIES}"
            )
        if not _is_http_url(row["source_url"]):
            raise ValueError(f"{where}: missing or non-http source_url {row['source_url']!r}")
        if not (-90 <= lats[i] <= 90 and -180 <= lons[i] <= 180):
            raise ValueError(f"{where}: bad coordinates lat={row['lat']!r} lon={row['lon']!r}")
        if row["category"] == "claim" and not (row["claim_faction"] and row["claim_statement"]):
            raise ValueError(f"{where}: a claim needs claim_faction and claim_statement")
    milestones = pd.DataFrame(
        {
            name: (
                dates.astype("datetime64[ns]")
                if name == "date"
                else lats.astype("float64")
                if name == "lat"
                else lons.astype("float64")
                if name == "lon"
                else raw[name].astype("string")
            )
            for name in MILESTONE_COLUMNS
        }
    )
    return milestones.sort_values(["date", "milestone_id"], kind="stable").reset_index(drop=True)


def _parse_day(value: Any, where: str, field: str, *, allow_null: bool) -> pd.Timestamp:
    """Parse a YYYY-MM-DD property into a Timestamp (NaT for null when allowed)."""
    if value is None:
        if allow_null:
            return pd.NaT
        raise ValueError(f"{where}: {field} is missing")
    parsed = pd.to_datetime(value, format="%Y-%m-%d", errors="coerce")
    if pd.isna(parsed):
        raise ValueError(f"{where}: bad {field} {value!r} (expected YYYY-MM-DD)")
    return parsed


def _check_phases(phases: Any, where: str) -> list[dict[str, Any]]:
    """Validate a zone's phases: a non-empty list, dated in order, states from ZONE_STATES."""
    if not isinstance(phases, list) or not phases:
        raise ValueError(f"{where}: phases must be a non-empty list")
    previous = None
    for n, phase in enumerate(phases):
        if not isinstance(phase, dict):
            raise ValueError(f"{where}: phase {n} is not an object")
        day = _parse_day(phase.get("from"), where, f"phase {n} 'from'", allow_null=False)
        if previous is not None and day < previous:
            raise ValueError(f"{where}: phase {n} starts before the phase before it")
        previous = day
        if phase.get("state") not in ZONE_STATES:
            raise ValueError(
                f"{where}: phase {n} has unknown state {phase.get('state')!r}, "
                f"expected one of {ZONE_STATES}"
            )
    return phases


def load_zones(path: Path = DATA_DIR / "zones.geojson") -> gpd.GeoDataFrame:
    """Read the de-escalation zones into the canonical area table.

    Parameters
    ----------
    path : Path
        A GeoJSON FeatureCollection written by ``scripts/build_zones.py``.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns exactly :data:`sources.schema.AREA_COLUMNS`, dtypes as in
        :data:`sources.schema.AREA_DTYPES` (``valid_to`` NaT while open, ``phases`` as lists),
        EPSG:4326.

    Raises
    ------
    ValueError
        Naming the file, the feature and the problem: bad dates, valid_to before valid_from,
        unknown phase states, a missing source_url, an invalid geometry.
    """
    path = Path(path)
    collection = json.loads(path.read_text(encoding="utf-8"))
    if collection.get("type") != "FeatureCollection":
        raise ValueError(f"{path}: not a GeoJSON FeatureCollection")
    records: list[dict[str, Any]] = []
    geometries = []
    for n, feature in enumerate(collection.get("features", [])):
        props = feature.get("properties") or {}
        where = f"{path}, feature {n} ({props.get('area_id')!r})"
        valid_from = _parse_day(props.get("valid_from"), where, "valid_from", allow_null=False)
        valid_to = _parse_day(props.get("valid_to"), where, "valid_to", allow_null=True)
        if not pd.isna(valid_to) and valid_to < valid_from:
            raise ValueError(f"{where}: valid_to is before valid_from")
        if not _is_http_url(props.get("source_url")):
            raise ValueError(f"{where}: missing or non-http source_url")
        if not isinstance(props.get("approximate"), bool):
            raise ValueError(f"{where}: approximate must be true or false")
        geometry = shape(feature.get("geometry"))
        if geometry.is_empty or not geometry.is_valid:
            raise ValueError(f"{where}: empty or invalid geometry")
        records.append(
            {
                "area_id": props.get("area_id"),
                "layer": props.get("layer"),
                "label": props.get("label"),
                "valid_from": valid_from,
                "valid_to": valid_to,
                "approximate": props["approximate"],
                "style_value": props.get("style_value"),
                "phases": _check_phases(props.get("phases"), where),
                "source": props.get("source"),
                "source_url": props.get("source_url"),
            }
        )
        geometries.append(geometry)
    table = pd.DataFrame.from_records(records, columns=list(AREA_DTYPES))
    for name, dtype in AREA_DTYPES.items():
        if name == "phases":
            # Keep the lists as they are: astype("object") would not copy them into arrays.
            table[name] = pd.Series(
                [r["phases"] for r in records], index=table.index, dtype="object"
            )
        else:
            table[name] = table[name].astype(dtype)
    zones = gpd.GeoDataFrame(table, geometry=geometries, crs="EPSG:4326")
    return zones[AREA_COLUMNS]
