"""User area files (GeoJSON, GeoPackage, zipped Shapefile) -> the canonical area table.

The result has :data:`sources.schema.AREA_COLUMNS` with the dtypes of
:data:`sources.schema.AREA_DTYPES`, in EPSG:4326. The geometries are checked against the
country by :func:`sources.area_checks.check_geometries`: a declared CRS is reprojected, an
undeclared projection or swapped axes are read right or the file refused, features without
geometry or outside Syria are left out and named, invalid geometries are repaired and named.
What was done is in ``gdf.attrs["report"]`` (counts, and ``notes``: one sentence each, which
the loaders below pass on as problems for the page); ``gdf.attrs["repaired"]`` is the count
of repaired features.

User area sets are kept in the store folder: ``<store>/areas/<fingerprint><suffix>`` (the
file's bytes as given) and ``<store>/areas/<fingerprint>.json`` (its name and the fields the
user picked). The sidecar is written last, so an area file counts as added only when both are
there. Files of an areas folder (``CONFLICT_MAP_AREAS``) have no sidecar: their fields are
found by the common names of :data:`FIELD_NAMES`.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd

from sources import store
from sources.area_checks import check_geometries
from sources.detect import SourceError
from sources.schema import AREA_COLUMNS, AREA_DTYPES

_STRING = pd.StringDtype("pyarrow")
AREA_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip")
AREAS_DIR = "areas"  # subfolder of the store holding added area files
# The role of a field -> its common names, most usual first (matched case-insensitively).
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "label": ("name", "label", "title", "area", "zone"),
    "from": ("from", "valid_from", "start", "start_date", "date_from", "begin", "since"),
    "to": ("to", "valid_to", "end", "end_date", "date_to", "until"),
    "style": ("state", "status", "style", "style_value", "kind", "type", "category"),
}


def _open(path: Path, layer: str | None, name: str | None = None) -> gpd.GeoDataFrame:
    name = name or path.name
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
    name: str | None = None,
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
    name : str, optional
        The file's name as the user knows it (a stored copy is named by its fingerprint):
        used in messages, the ``layer``, ``source`` and ``area_id`` columns.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per feature kept (``area_id`` numbers features in file order, so a skipped
        feature leaves a gap); ``attrs["report"]`` is
        :meth:`sources.area_checks.AreaCheck.summary` with ``file`` added.

    Raises
    ------
    SourceError
        Unreadable file, a named field missing, bad dates, no feature with a geometry in
        Syria, coordinates in a projection that cannot be told.
    """
    path = Path(path)
    name = name or path.name
    stem = Path(name).stem
    frame = _open(path, layer, name)
    if frame.empty:
        raise SourceError(f"{name} holds no areas.")
    for field_name, what in ((label_field, "label"), (from_field, "start date"),
                             (to_field, "end date"), (style_field, "style")):
        _field(frame, field_name, what, name)  # a missing field refuses the file first
    check = check_geometries(frame, name, path=path, label_field=label_field)
    number = check.kept + 1  # features keep their number in the file
    frame = frame.iloc[check.kept].reset_index(drop=True)
    geometry = check.geometry
    n = len(frame)
    label = _field(frame, label_field, "label", name)
    valid_from = _field(frame, from_field, "start date", name)
    valid_to = _field(frame, to_field, "end date", name)
    style = _field(frame, style_field, "style", name)
    out = pd.DataFrame(index=pd.RangeIndex(n))
    out["area_id"] = [f"{stem}-{i}" for i in number]
    out["layer"] = stem
    out["label"] = (label.fillna("").astype(str).to_numpy() if label is not None
                    else [f"Area {i}" for i in number])
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
    result.attrs["repaired"] = check.repaired
    result.attrs["report"] = {"file": name, **check.summary()}
    return result


def empty_areas() -> gpd.GeoDataFrame:
    """An empty canonical area table (columns and dtypes of the schema, EPSG:4326)."""
    columns = {name: pd.Series(dtype=_STRING if dtype == "string" else dtype)
               for name, dtype in AREA_DTYPES.items()}
    return gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries([], crs=4326))[AREA_COLUMNS]


def area_fields(path: str | Path, *, layer: str | None = None,
                name: str | None = None) -> list[str]:
    """The property names of an area file, in file order (``geometry`` left out).

    Raises
    ------
    SourceError
        When the file cannot be read as an area file.
    """
    frame = _open(Path(path), layer, name)
    return [str(c) for c in frame.columns if c != frame.geometry.name]


def guess_fields(fields: list[str]) -> dict[str, str | None]:
    """Pick the label, from, to and style fields among ``fields`` by their common names.

    Returns
    -------
    dict
        ``{"label": ..., "from": ..., "to": ..., "style": ...}``, each a name from
        ``fields`` or None when no common name matches (:data:`FIELD_NAMES`).
    """
    by_lower = {f.lower(): f for f in reversed(fields)}  # first of equal lowercase names wins
    chosen: dict[str, str | None] = {}
    for role, names in FIELD_NAMES.items():
        chosen[role] = next((by_lower[n] for n in names if n in by_lower), None)
    return chosen


def _read_with(path: Path, choices: dict, name: str | None = None) -> gpd.GeoDataFrame:
    return read_areas(path, label_field=choices.get("label"), from_field=choices.get("from"),
                      to_field=choices.get("to"), style_field=choices.get("style"),
                      layer=choices.get("layer"), name=name)


def area_notes(areas: gpd.GeoDataFrame) -> list[str]:
    """What :func:`read_areas` did to the file's features (reprojected, swapped, skipped,
    repaired), one sentence each; empty when the file loaded as given."""
    return list(areas.attrs.get("report", {}).get("notes", []))


def concat_areas(tables: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Several canonical area tables as one (dtypes kept; an empty list gives no rows)."""
    tables = [t for t in tables if len(t)]
    if not tables:
        return empty_areas()
    frame = pd.concat(tables, ignore_index=True)
    for column, dtype in AREA_DTYPES.items():
        if dtype == "string":
            frame[column] = frame[column].astype(_STRING)
        elif dtype != "object":
            frame[column] = frame[column].astype(dtype)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=4326)[AREA_COLUMNS]


def is_area_file(path: str | Path) -> bool:
    """Whether ``path`` is read as an area file by ``python -m sources check/import``: a
    ``.geojson`` or ``.gpkg``, a ``.zip`` holding a Shapefile, or a ``.json`` that is a GeoJSON
    FeatureCollection (other ``.json`` and ``.zip`` files are events)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".gpkg"):
        return True
    try:
        if suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                return any(n.lower().endswith(".shp") for n in archive.namelist())
        if suffix == ".json":
            with path.open("rb") as handle:
                head = handle.read(64 * 1024).decode("utf-8", errors="replace")
            return re.search(r'"type"\s*:\s*"FeatureCollection"', head) is not None
    except (OSError, zipfile.BadZipFile):
        return False
    return False


def check_area_file(path: str | Path, *, store_dir: str | Path | None = None,
                    name: str | None = None) -> dict[str, object]:
    """Read an area file as the areas folder does (fields by :func:`guess_fields`), and with
    ``store_dir`` add it to the store: what ``python -m sources check/import`` reports.

    Returns
    -------
    dict
        ``file``, ``format`` ("areas"), ``fields`` (the guessed choices), the counts of
        :meth:`sources.area_checks.AreaCheck.summary` (``features``, ``loaded``, ``repaired``,
        ``skipped`` by reason, ``crs``, ``swapped``, ``notes``), the same counts under the
        names events files use (``total``, ``rows``, ``accepted``, ``rejected``, ``reasons``;
        ``duplicates`` and ``filtered`` 0), ``stored`` and ``error`` (None when the file is
        usable).
    """
    path = Path(path)
    name = name or path.name
    report: dict[str, object] = {"file": str(path), "format": "areas", "fields": {},
                                 "features": 0, "loaded": 0, "repaired": 0, "skipped": {},
                                 "crs": None, "swapped": False, "notes": [], "stored": False,
                                 "error": None}
    try:
        frame = _open(path, None, name)
        report["features"] = len(frame)
        choices = guess_fields([str(c) for c in frame.columns if c != frame.geometry.name])
        report["fields"] = choices
        # Read even without a start date: the geometry checks are reported either way.
        report.update(_read_with(path, choices, name).attrs["report"], file=str(path))
        if choices["from"] is None:
            report["error"] = (f"{name}: no start-date field found (name one "
                               f"{', '.join(FIELD_NAMES['from'][:3])} or start), so its areas "
                               f"would not be shown.")
        elif store_dir is not None:
            add_area_file(path, store_dir, name=name, choices=choices)
            report["stored"] = True
    except SourceError as exc:
        report["error"] = str(exc)
    # As for an events file, every feature is in one count (total = accepted + rejected): a
    # refused file accepts none.
    features, loaded = int(str(report["features"])), int(str(report["loaded"]))
    accepted = 0 if report["error"] else loaded
    report.update(total=features, rows=features, accepted=accepted, rejected=features - accepted,
                  duplicates=0, filtered=0, reasons=report["skipped"])
    return report


def _write_bytes(data: bytes, target: Path) -> None:
    store.write_atomic(target, lambda tmp: Path(tmp).write_bytes(data))


def add_area_file(
    path: str | Path,
    store_dir: str | Path,
    *,
    name: str,
    choices: dict[str, str | None],
) -> gpd.GeoDataFrame:
    """Check an area file with the user's field choices and keep it in the store.

    Parameters
    ----------
    path : str or pathlib.Path
        The file (e.g. a temporary copy of an upload).
    store_dir : path
        The store; the file goes to ``<store_dir>/areas/``.
    name : str
        The file's name as the user knows it.
    choices : dict
        ``label``, ``from``, ``to``, ``style`` (field names or None) and optionally ``layer``.

    Returns
    -------
    geopandas.GeoDataFrame
        The canonical area table read with those choices.

    Raises
    ------
    SourceError
        When the file cannot be used (nothing is kept then).
    """
    path = Path(path)
    suffix = Path(name).suffix.lower() or path.suffix.lower()
    if suffix not in AREA_SUFFIXES:
        raise SourceError(f"{name}: area files must be GeoJSON, GeoPackage or a zipped "
                          f"Shapefile ({', '.join(AREA_SUFFIXES)}).")
    areas = _read_with(path, choices, name)
    fp = store.fingerprint(path)
    folder = Path(store_dir) / AREAS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    _write_bytes(path.read_bytes(), folder / f"{fp}{suffix}")
    sidecar = {"name": name, "suffix": suffix,
               **{k: choices.get(k) for k in ("label", "from", "to", "style", "layer")}}
    _write_bytes(json.dumps(sidecar, indent=1).encode(), folder / f"{fp}.json")
    return areas


def stored_area_keys(store_dir: str | Path) -> tuple[str, ...]:
    """The fingerprints of the area files added to the store (sidecars present), sorted."""
    folder = Path(store_dir) / AREAS_DIR
    if not folder.is_dir():
        return ()
    return tuple(sorted(p.stem for p in folder.glob("*.json") if not p.name.startswith(".")))


def load_stored_areas(store_dir: str | Path) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Every area file added to the store, read with its saved field choices.

    Returns
    -------
    (geopandas.GeoDataFrame, list of str)
        One canonical area table, and one sentence per file that could not be used or per
        thing done to a file's features (:func:`area_notes`).
    """
    folder = Path(store_dir) / AREAS_DIR
    tables, problems = [], []
    for fp in stored_area_keys(store_dir):
        try:
            sidecar = json.loads((folder / f"{fp}.json").read_text(encoding="utf-8"))
            name = str(sidecar.get("name") or fp)
            table = _read_with(folder / f"{fp}{sidecar.get('suffix', '')}", sidecar, name)
            tables.append(table)
            problems += area_notes(table)
        except Exception as exc:  # one damaged entry is named and skipped, the rest loads
            problems.append(f"Added area file {fp[:12]}… not loaded: {exc}")
    return concat_areas(tables), problems


def area_files(path: str | Path) -> list[Path]:
    """The area files named: a file, or a folder's ``.geojson``/``.json``/``.gpkg``/``.zip``."""
    path = Path(path)
    if path.is_dir():
        return sorted(p for p in path.iterdir()
                      if p.is_file() and p.suffix.lower() in AREA_SUFFIXES)
    return [path]


def load_area_folder(path: str | Path) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The area files of a file or folder, their fields found by :func:`guess_fields`.

    A file whose start-date field cannot be found, or that cannot be read, gives one sentence
    in the returned problems and no areas; the other files still load. What was done to the
    features of a file that loads (:func:`area_notes`) is in the problems too.
    """
    tables, problems = [], []
    for file in area_files(path):
        try:
            choices = guess_fields(area_fields(file))
            if choices["from"] is None:
                problems.append(
                    f"{file.name}: no start-date field found (name one "
                    f"{', '.join(FIELD_NAMES['from'][:3])} or start), so its areas are not shown."
                )
                continue
            table = _read_with(file, choices)
            tables.append(table)
            problems += area_notes(table)
        except SourceError as exc:
            problems.append(str(exc))
        except Exception as exc:  # one bad file is named and skipped, the rest loads
            problems.append(f"{file.name} could not be read ({type(exc).__name__}: "
                            f"{str(exc)[:200]}); its areas are not shown.")
    return concat_areas(tables), problems
