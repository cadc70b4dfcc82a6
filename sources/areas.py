"""User area files (GeoJSON, GeoPackage, zipped Shapefile) -> the canonical area table.

The result has :data:`sources.schema.AREA_COLUMNS` with the dtypes of
:data:`sources.schema.AREA_DTYPES`, in EPSG:4326. Invalid geometries are repaired with
``make_valid`` and counted (``gdf.attrs["repaired"]``); rows without geometry are refused.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from sources.detect import SourceError
from sources.schema import AREA_COLUMNS, AREA_DTYPES

_STRING = pd.StringDtype("pyarrow")


def _open(path: Path, layer: str | None) -> gpd.GeoDataFrame:
    name = path.name
    if not path.is_file():
        raise SourceError(f"{path} does not exist or is not a file.")
    target = f"zip://{path}" if path.suffix.lower() == ".zip" else str(path)
    try:
        return gpd.read_file(target, layer=layer) if layer else gpd.read_file(target)
    except Exception as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SourceError(f"{name} cannot be read as an area file: {first}.") from exc


def _field(frame: gpd.GeoDataFrame, name: str | None, what: str, file: str) -> pd.Series | None:
    if name is None:
        return None
    if name not in frame.columns:
        fields = ", ".join(c for c in frame.columns if c != "geometry")
        raise SourceError(f"{file} has no field {name!r} for the {what} (fields: {fields}).")
    return frame[name]


def _dates(values: pd.Series, what: str, file: str) -> pd.Series:
    text = values.fillna("").astype(str).str.strip()
    parsed = pd.to_datetime(text.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    bad = parsed.isna() & (text != "")
    if bad.any():
        raise SourceError(
            f"{file}: {bad.sum()} value(s) of the {what} field are not dates YYYY-MM-DD "
            f"(e.g. {text[bad].iloc[0]!r})."
        )
    return parsed.astype("datetime64[ns]")


def read_areas(
    path: str | Path,
    *,
    label_field: str | None = None,
    from_field: str | None = None,
    to_field: str | None = None,
    style_field: str | None = None,
    layer: str | None = None,
) -> gpd.GeoDataFrame:
    """Read an area file into the canonical area table.

    Parameters
    ----------
    path : str or pathlib.Path
        ``.geojson``/``.json``, ``.gpkg``, or a ``.zip`` holding a Shapefile.
    label_field, from_field, to_field, style_field : str, optional
        The properties holding the label, the first and last day (``YYYY-MM-DD``; empty
        ``to`` = still in force) and the value areas are styled by. Without ``label_field``
        areas are labelled "Area 1", "Area 2"...; without ``from_field`` they are valid from
        1989-01-01.
    layer : str, optional
        The layer of a GeoPackage.

    Raises
    ------
    SourceError
        Unreadable file, a named field missing, bad dates, missing geometries.
    """
    path = Path(path)
    name = path.name
    frame = _open(path, layer)
    if frame.empty:
        raise SourceError(f"{name} holds no areas.")
    if frame.geometry.isna().any() or frame.geometry.is_empty.any():
        count = int((frame.geometry.isna() | frame.geometry.is_empty).sum())
        raise SourceError(f"{name}: {count} feature(s) have no geometry.")
    frame = frame.set_crs(4326) if frame.crs is None else frame.to_crs(4326)
    geometry = frame.geometry.to_numpy()
    invalid = ~shapely.is_valid(geometry)
    repaired = int(invalid.sum())
    if repaired:
        geometry = geometry.copy()
        geometry[invalid] = shapely.make_valid(geometry[invalid])
    n = len(frame)
    label = _field(frame, label_field, "label", name)
    valid_from = _field(frame, from_field, "start date", name)
    valid_to = _field(frame, to_field, "end date", name)
    style = _field(frame, style_field, "style", name)
    out = pd.DataFrame(index=pd.RangeIndex(n))
    out["area_id"] = [f"{path.stem}-{i + 1}" for i in range(n)]
    out["layer"] = path.stem
    out["label"] = (label.fillna("").astype(str).to_numpy() if label is not None
                    else [f"Area {i + 1}" for i in range(n)])
    out["valid_from"] = (_dates(valid_from, "start date", name).to_numpy()
                         if valid_from is not None else pd.Timestamp("1989-01-01"))
    out["valid_to"] = (_dates(valid_to, "end date", name).to_numpy()
                       if valid_to is not None else pd.NaT)
    ends_early = out["valid_to"].notna() & (out["valid_to"] < out["valid_from"])
    if ends_early.any():
        raise SourceError(f"{name}: {int(ends_early.sum())} area(s) end before they start.")
    out["approximate"] = False
    out["style_value"] = style.fillna("").astype(str).to_numpy() if style is not None else ""
    out["phases"] = None
    out["source"] = name
    out["source_url"] = ""
    for column, dtype in AREA_DTYPES.items():
        if dtype == "string":
            out[column] = out[column].astype(_STRING)
        elif dtype != "object":
            out[column] = out[column].astype(dtype)
    result = gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geometry, crs=4326))
    result = result[AREA_COLUMNS]
    result.attrs["repaired"] = repaired
    return result
