"""The control-of-terrain record: which side held which place, from which day, on what source.

Two tables, each a CSV (the shipped record is ``data/control/places.csv`` and
``data/control/changes.csv``; the layout is documented in the README and ``data/SOURCES.md``):

- **places**: ``place_id, name_en, name_ar, latitude, longitude, admin3_pcode, kind`` (plus
  ``coord_source``): one row per tracked place;
- **changes**: ``place_id, date, date_precision, controller, besieged_by, source_title,
  source_url, source_checked, note``: one row per change of control. The controller of a place
  on a day is its last change on or before that day; before its first change the record says
  nothing.

A user's own file may hold either table, or both in one ("a locality-control log": one row per
change, with the place's name and coordinates on each row). Common column names are understood
(``lat``/``lon``, ``controlled_by``, ``held_by``, ``locality``...), and controllers may be written
as the sources write them ("ISIS", "SAA", "YPG", "HTS"): they are coded with the project's
faction rules. Every row is checked; a rejected row is kept with its reason, and the rest
loads. Pure pandas, no Streamlit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sources.detect import Sniffed, SourceError, read_raw, sniff
from sources.factions import faction_of
from sources.readers import detect_format
from sources.schema import FACTIONS
from sources.validate import inside_country

CONTROL_DIR = Path(__file__).resolve().parent.parent / "data" / "control"
SHIPPED_DATASET = "Control record (conflict-map project)"

PLACE_COLUMNS: tuple[str, ...] = ("place_id", "name_en", "name_ar", "latitude", "longitude",
                                  "admin3_pcode", "kind", "coord_source", "dataset")
CHANGE_COLUMNS: tuple[str, ...] = ("place_id", "date", "date_precision", "controller",
                                   "besieged_by", "source_title", "source_url",
                                   "source_checked", "note", "dataset")
KINDS: tuple[str, ...] = ("city", "town", "village", "base", "airport", "dam", "oil_field",
                          "gas_field", "border_crossing", "camp")
CONTESTED = "contested"
# Who can hold a place: the faction taxonomy (civilians hold nothing) plus "contested".
CONTROLLERS: tuple[str, ...] = (*(k for k in FACTIONS if k != "civilians"), CONTESTED)
CONTROL_DATE_PRECISIONS: tuple[str, ...] = ("day", "week", "month", "year")
FIRST_DAY = pd.Timestamp("2011-01-01")
LAST_DAY = pd.Timestamp("2024-12-31")  # the record covers the war to the fall of the government

# Column names an organisation's own log may use, mapped to ours (lower-cased, spaces to _).
_ALIASES: dict[str, str] = {
    "id": "place_id", "place": "place_id", "place_code": "place_id", "locality_id": "place_id",
    "location_id": "place_id", "site_id": "place_id",
    "name": "name_en", "place_name": "name_en", "locality": "name_en", "location": "name_en",
    "name_english": "name_en", "english_name": "name_en", "town": "name_en",
    "name_arabic": "name_ar", "arabic_name": "name_ar", "arabic": "name_ar",
    "lat": "latitude", "y": "latitude", "lon": "longitude", "lng": "longitude",
    "long": "longitude", "x": "longitude",
    "pcode": "admin3_pcode", "adm3_pcode": "admin3_pcode", "subdistrict_pcode": "admin3_pcode",
    "type": "kind", "place_type": "kind",
    "control": "controller", "controlled_by": "controller", "held_by": "controller",
    "holder": "controller", "faction": "controller", "control_status": "controller",
    "from": "date", "since": "date", "valid_from": "date", "date_from": "date",
    "change_date": "date", "precision": "date_precision",
    "besieger": "besieged_by", "siege_by": "besieged_by", "under_siege_by": "besieged_by",
    "source": "source_title", "source_name": "source_title", "url": "source_url",
    "link": "source_url", "checked": "source_checked", "notes": "note", "comment": "note",
}
_KIND_WORDS: dict[str, str] = {
    "base or airport": "base", "airbase": "base", "air base": "base", "military base": "base",
    "airfield": "airport", "oil field": "oil_field", "gas field": "gas_field",
    "oil or gas field": "oil_field", "border crossing": "border_crossing",
    "crossing": "border_crossing", "refugee camp": "camp", "idp camp": "camp",
    "neighbourhood": "town", "neighborhood": "town",
}
_CONTROLLER_WORDS: dict[str, str] = {
    "contested": CONTESTED, "disputed": CONTESTED, "frontline": CONTESTED,
    "divided": CONTESTED, "split": CONTESTED,
}


@dataclass
class ControlTables:
    """Places and changes, each row checked; rejected rows kept with their reasons."""

    places: pd.DataFrame
    changes: pd.DataFrame
    rejected: pd.DataFrame  # file, table, row, reason, the row's fields
    problems: list[str] = field(default_factory=list)


def empty_places() -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series(dtype="string") for c in PLACE_COLUMNS})
    out["latitude"] = out["latitude"].astype("float64")
    out["longitude"] = out["longitude"].astype("float64")
    return out


def empty_changes() -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series(dtype="string") for c in CHANGE_COLUMNS})
    out["date"] = out["date"].astype("datetime64[ns]")
    return out


def _empty_rejected() -> pd.DataFrame:
    return pd.DataFrame({"file": pd.Series(dtype="string"), "table": pd.Series(dtype="string"),
                         "row": pd.Series(dtype="int64"), "reason": pd.Series(dtype="string")})


def _normal(name: str) -> str:
    key = re.sub(r"[\s\-]+", "_", str(name).strip().lower())
    return _ALIASES.get(key, key)


def table_kind(header: list[str]) -> str | None:
    """Which control table a header is: ``places``, ``changes``, ``log`` (both), or None."""
    names = {_normal(h) for h in header}
    has_place = {"place_id", "latitude", "longitude"} <= names or (
        {"name_en", "latitude", "longitude"} <= names)
    has_change = {"controller", "date"} <= names and bool({"place_id", "name_en"} & names)
    if has_place and has_change:
        return "log"
    if has_change:
        return "changes"
    # A places table says what kind of place, or where (P-code), or its Arabic name: a name
    # and coordinates alone are also what an events file has (ACLED's "location").
    if has_place and bool({"kind", "admin3_pcode", "name_ar"} & names):
        return "places"
    return None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def code_controller(value: object) -> str | None:
    """The project's controller key for a value as a file writes it, or None if unknown."""
    text = "" if pd.isna(value) else str(value).strip()
    if not text:
        return None
    key = text.lower()
    if key in CONTROLLERS:
        return key
    if key in _CONTROLLER_WORDS:
        return _CONTROLLER_WORDS[key]
    coded = faction_of(text)
    return coded if coded in CONTROLLERS and coded != "other" else None


def _kind(value: str) -> str | None:
    key = value.strip().lower().replace("-", " ")
    if not key:
        return "town"  # a log without kinds: drawn at the town size
    key = _KIND_WORDS.get(key, key.replace(" ", "_"))
    return key if key in KINDS else None


def _reject(rejected: list[dict], file: str, table: str, row: int, reason: str,
            raw: pd.Series) -> None:
    rejected.append({"file": file, "table": table, "row": row, "reason": reason,
                     **{str(k): str(v) for k, v in raw.items()}})


def _texts(raw: pd.DataFrame) -> pd.DataFrame:
    """The raw table with our column names (first of repeated names wins, and is reported)."""
    renamed = [_normal(c) for c in raw.columns]
    out = raw.copy()
    out.columns = renamed
    return out.loc[:, ~pd.Index(renamed).duplicated()]


def check_places(raw: pd.DataFrame, *, file: str, dataset: str, boundaries=None,
                 first_row: int = 1) -> tuple[pd.DataFrame, list[dict]]:
    """Check place rows; return the accepted places and the rejected rows.

    ``first_row`` is the number of the row at index 0: rows are counted from 1 under the header,
    as for events files, so that a rejected row names the row a person finds.
    """
    t = _texts(raw).fillna("")
    rejected: list[dict] = []
    rows: list[dict] = []
    seen: set[str] = set()
    get = lambda r, c: str(r.get(c, "")).strip()  # noqa: E731
    lat = pd.to_numeric(t.get("latitude", pd.Series("", index=t.index)), errors="coerce")
    lon = pd.to_numeric(t.get("longitude", pd.Series("", index=t.index)), errors="coerce")
    finite = np.isfinite(lat.to_numpy(dtype=float)) & np.isfinite(lon.to_numpy(dtype=float))
    inside = np.zeros(len(t), dtype=bool)
    inside[finite] = inside_country(lon.to_numpy(dtype=float)[finite],
                                    lat.to_numpy(dtype=float)[finite], boundaries)
    pcodes = _pcodes_of(lon.to_numpy(dtype=float), lat.to_numpy(dtype=float), boundaries)
    for i, (_, r) in enumerate(t.iterrows()):
        line = first_row + int(raw.index[i])  # the file's own row, also for a log
        name = get(r, "name_en")
        place_id = get(r, "place_id") or _slug(name)
        reason = None
        if not place_id:
            reason = "missing place id and name"
        elif place_id in seen:
            reason = f"place id {place_id!r} appears twice"
        elif not finite[i]:
            reason = ("missing coordinates" if not (get(r, "latitude") and get(r, "longitude"))
                      else "coordinates not numeric")
        elif not inside[i]:
            reason = "outside the country"
        kind = _kind(get(r, "kind"))
        if reason is None and kind is None:
            reason = f"unknown kind {get(r, 'kind')!r} (one of {', '.join(KINDS)})"
        given_pcode = get(r, "admin3_pcode")
        pcode = pcodes[i] if pcodes is not None else given_pcode
        if reason is None and given_pcode and pcodes is not None and pcode != given_pcode:
            reason = (f"sub-district P-code {given_pcode} does not match the point "
                      f"(it lies in {pcode or 'no sub-district'})")
        if reason is not None:
            _reject(rejected, file, "places", line, reason, raw.iloc[i])
            continue
        seen.add(place_id)
        rows.append({"place_id": place_id, "name_en": name or place_id,
                     "name_ar": get(r, "name_ar"), "latitude": round(float(lat.iloc[i]), 5),
                     "longitude": round(float(lon.iloc[i]), 5), "admin3_pcode": pcode or "",
                     "kind": kind, "coord_source": get(r, "coord_source"), "dataset": dataset})
    places = pd.DataFrame(rows, columns=list(PLACE_COLUMNS)) if rows else empty_places()
    return _typed_places(places), rejected


def _typed_places(places: pd.DataFrame) -> pd.DataFrame:
    out = places.copy()
    for c in PLACE_COLUMNS:
        if c not in ("latitude", "longitude"):
            out[c] = out[c].astype("string")
    out["latitude"] = out["latitude"].astype("float64")
    out["longitude"] = out["longitude"].astype("float64")
    return out.reset_index(drop=True)


def _pcodes_of(lon: np.ndarray, lat: np.ndarray, boundaries) -> list[str] | None:
    """The sub-district P-code each point lies in ("" outside all), or None without them."""
    subdistricts = getattr(boundaries, "subdistricts", None)
    if subdistricts is None:
        return None
    import geopandas as gpd

    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
    areas = subdistricts[["adm3_pcode", "geometry"]]
    joined = gpd.sjoin(points, areas, how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    pcodes = [str(p) if isinstance(p, str) else "" for p in joined["adm3_pcode"]]
    # A border town whose point falls just outside every sub-district (Ras al-Ain lies on the
    # line): the nearest one within 3 km.
    outside = [i for i, p in enumerate(pcodes) if not p]
    if outside:
        near = gpd.sjoin_nearest(points.iloc[outside].to_crs(32637), areas.to_crs(32637),
                                 how="left", max_distance=3000)
        near = near[~near.index.duplicated(keep="first")]
        for i, p in zip(outside, near["adm3_pcode"], strict=True):
            pcodes[i] = str(p) if isinstance(p, str) else ""
    return pcodes


def parse_change_dates(text: pd.Series) -> pd.Series:
    """ISO days (``YYYY-MM-DD``); ``YYYY-MM`` and ``YYYY`` are read as their first day."""
    text = text.fillna("").astype(str).str.strip()
    full = pd.to_datetime(text.where(text.str.match(r"^\d{4}-\d{2}-\d{2}$")), errors="coerce",
                          format="%Y-%m-%d")
    month = pd.to_datetime(text.where(text.str.match(r"^\d{4}-\d{2}$")) + "-01", errors="coerce",
                           format="%Y-%m-%d")
    year = pd.to_datetime(text.where(text.str.match(r"^\d{4}$")) + "-01-01", errors="coerce",
                          format="%Y-%m-%d")
    return full.fillna(month).fillna(year)


def check_changes(raw: pd.DataFrame, *, file: str, dataset: str, place_ids: set[str],
                  first_row: int = 1) -> tuple[pd.DataFrame, list[dict]]:
    """Check change rows against the known place ids; return accepted changes and rejects."""
    t = _texts(raw).fillna("")
    rejected: list[dict] = []
    rows: list[dict] = []
    seen: set[tuple[str, pd.Timestamp]] = set()
    dates = parse_change_dates(t["date"]) if "date" in t else pd.Series(pd.NaT, index=t.index)
    get = lambda r, c: str(r.get(c, "")).strip()  # noqa: E731
    for i, (_, r) in enumerate(t.iterrows()):
        line = first_row + int(raw.index[i])  # the file's own row, also for a log
        place_id = get(r, "place_id") or _slug(get(r, "name_en"))
        day = dates.iloc[i]
        text_date = get(r, "date")
        precision = get(r, "date_precision").lower() or (
            "day" if re.match(r"^\d{4}-\d{2}-\d{2}$", text_date) else
            "month" if re.match(r"^\d{4}-\d{2}$", text_date) else "year")
        controller = code_controller(get(r, "controller"))
        besieged_text = get(r, "besieged_by")
        besieged = code_controller(besieged_text) if besieged_text else ""
        if not place_id:
            reason = "missing place id"
        elif place_id not in place_ids:
            reason = f"unknown place id {place_id!r}"
        elif not text_date:
            reason = "missing date"
        elif pd.isna(day):
            reason = f"invalid date {text_date!r} (expected YYYY-MM-DD)"
        elif not FIRST_DAY <= day <= LAST_DAY:
            reason = (f"date out of range {text_date} (the record covers "
                      f"{FIRST_DAY:%Y-%m-%d} to {LAST_DAY:%Y-%m-%d})")
        elif precision not in CONTROL_DATE_PRECISIONS:
            reason = f"unknown date precision {precision!r}"
        elif controller is None:
            reason = (f"unknown controller {get(r, 'controller')!r} (one of "
                      f"{', '.join(CONTROLLERS)}, or a force the faction rules know)")
        elif besieged is None:
            reason = f"unknown besieger {besieged_text!r}"
        elif (place_id, day) in seen:
            reason = f"a second change for {place_id} on {day:%Y-%m-%d}"
        else:
            reason = None
        if reason is not None:
            _reject(rejected, file, "changes", line, reason, raw.iloc[i])
            continue
        seen.add((place_id, day))
        url = get(r, "source_url")
        rows.append({"place_id": place_id, "date": day, "date_precision": precision,
                     "controller": controller, "besieged_by": besieged,
                     "source_title": get(r, "source_title"),
                     # Only web links become links (anything else is kept as text below).
                     "source_url": url if re.match(r"^https?://\S+$", url, re.I) else "",
                     "source_checked": get(r, "source_checked"),
                     "note": get(r, "note") if re.match(r"^https?://", url, re.I) or not url
                     else (get(r, "note") + f" (source given as {url})").strip(),
                     "dataset": dataset})
    if not rows:
        return empty_changes(), rejected
    changes = pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))
    for c in CHANGE_COLUMNS:
        if c != "date":
            changes[c] = changes[c].astype("string")
    changes["date"] = changes["date"].astype("datetime64[ns]")
    return changes, rejected


def read_raw_table(path: Path, sniffed: Sniffed | None = None) -> tuple[pd.DataFrame, Sniffed]:
    sniffed = sniffed or sniff(path)
    if sniffed.kind != "csv":
        raise SourceError(f"{path.name}: a control table must be CSV.")
    return read_raw(sniffed), sniffed


def read_control_file(path: str | Path, *, known_places: pd.DataFrame | None = None,
                      boundaries=None, name: str | None = None,
                      dataset: str | None = None) -> ControlTables:
    """Read one control file (places, changes, or a log with both) and check every row.

    ``known_places`` are the places changes may refer to besides the file's own (the shipped
    record's, for a user's changes file).
    """
    path = Path(path)
    file = name or path.name
    raw, sniffed = read_raw_table(path)
    kind = table_kind(sniffed.header)
    if kind is None:
        raise SourceError(f"{file} is not a control table: its header needs place_id, "
                          "latitude and longitude (places), or place_id, date and controller "
                          "(changes).")
    dataset = dataset or Path(file).stem
    known = known_places if known_places is not None else empty_places()
    places, rejected = empty_places(), []
    if kind in ("places", "log"):
        table = raw
        if kind == "log":  # one row per change: each place once (its first row)
            names = _texts(raw)
            ids = names.get("place_id", pd.Series("", index=raw.index)).astype(str).str.strip()
            ids = ids.where(ids != "", names.get("name_en", ids).astype(str).map(_slug))
            table = raw.loc[~ids.duplicated()]
        places, rejected = check_places(table, file=file, dataset=dataset,
                                        boundaries=boundaries)
    changes = empty_changes()
    if kind in ("changes", "log"):
        ids = set(known["place_id"].astype(str)) | set(places["place_id"].astype(str))
        changes, more = check_changes(raw, file=file, dataset=dataset, place_ids=ids)
        rejected += more
    frame = pd.DataFrame(rejected) if rejected else _empty_rejected()
    return ControlTables(places, changes, frame)


def load_shipped(boundaries=None, folder: Path = CONTROL_DIR) -> ControlTables:
    """The shipped control record (``data/control/``), checked like any other file."""
    places = read_control_file(folder / "places.csv", boundaries=boundaries,
                               dataset=SHIPPED_DATASET)
    changes = read_control_file(folder / "changes.csv", known_places=places.places,
                                boundaries=boundaries, dataset=SHIPPED_DATASET)
    return merge([places, changes])


def merge(tables: list[ControlTables]) -> ControlTables:
    """Several control files as one record; a later file's place with a known id is reported
    and left out (its changes still apply to the known place)."""
    places = [t.places for t in tables if len(t.places)]
    changes = [t.changes for t in tables if len(t.changes)]
    rejected = [t.rejected for t in tables if len(t.rejected)]
    problems = [p for t in tables for p in t.problems]
    all_places = pd.concat(places, ignore_index=True) if places else empty_places()
    repeated = all_places["place_id"].duplicated()
    if repeated.any():
        problems.append(f"{int(repeated.sum())} place(s) defined again in a later control file "
                        "were left out: " + ", ".join(all_places.loc[repeated, "place_id"]
                                                      .astype(str).head(5)))
    all_changes = pd.concat(changes, ignore_index=True) if changes else empty_changes()
    twice = all_changes.duplicated(["place_id", "date"], keep="last")
    if twice.any():
        problems.append(f"{int(twice.sum())} change(s) repeated for the same place and day in "
                        "another control file: the later file's row is used.")
    all_changes = all_changes.loc[~twice].sort_values(["place_id", "date"], ignore_index=True)
    return ControlTables(all_places.loc[~repeated].reset_index(drop=True), all_changes,
                         pd.concat(rejected, ignore_index=True) if rejected
                         else _empty_rejected(), problems)


# -- user files: the events folder, the store, the command line -------------------------------
def is_control_file(path: str | Path) -> bool:
    """True when ``path`` is a CSV whose header is a control table.

    A header with a controller column is a control table (no events format has one); a places
    table without one must also be no events format's (an events file too has names and
    coordinates).
    """
    try:
        sniffed = sniff(Path(path))
    except (SourceError, OSError):
        return False
    kind = table_kind(sniffed.header) if sniffed.kind == "csv" else None
    if kind in ("changes", "log"):
        return True
    if kind != "places":
        return False
    try:
        detect_format(sniffed)
    except SourceError:
        return True
    return False


def control_format(path: str | Path) -> str:
    """``control-places``, ``control-changes`` or ``control-log``."""
    return f"control-{table_kind(sniff(Path(path)).header)}"


def summarise_rejected(rejected: pd.DataFrame) -> dict[str, int]:
    """Reason -> count; reasons that name a value ("unknown place id 'x'") are grouped by
    their first words so that the counts stay readable."""
    if not len(rejected):
        return {}
    keys = rejected["reason"].astype(str).str.replace(r"\s*[('\"].*$", "", regex=True)
    return {str(k): int(v) for k, v in keys.value_counts().items()}


def _store_folder(store_dir: str | Path) -> Path:
    return Path(store_dir) / "control"


def stored_control_files(store_dir: str | Path) -> list[tuple[str, Path, dict]]:
    """(fingerprint, file, metadata) of every control file imported into the store, oldest
    import first (so later files may refer to earlier files' places)."""
    import json

    folder = _store_folder(store_dir)
    if not folder.is_dir():
        return []
    out = []
    for path in folder.glob("*.csv"):
        try:
            meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {"name": path.name, "imported_at": ""}
        out.append((path.stem, path, meta))
    return sorted(out, key=lambda item: (str(item[2].get("imported_at", "")), item[0]))


def import_control_file(path: str | Path, store_dir: str | Path, *, name: str | None = None,
                        known_places: pd.DataFrame | None = None, boundaries=None
                        ) -> ControlTables:
    """Check a control file and keep a copy in the store (``store/control/<fp>.csv``), where
    the dashboard reads it with the shipped record. The same file twice is kept once."""
    import datetime as dt
    import json
    import shutil

    from sources import store

    path = Path(path)
    tables = read_control_file(path, known_places=known_places, boundaries=boundaries,
                               name=name)
    if not len(tables.places) and not len(tables.changes):
        return tables
    fp = store.fingerprint(path)
    folder = _store_folder(store_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{fp}.csv"
    if not target.exists():
        store.write_atomic(target, lambda tmp: shutil.copyfile(path, tmp))
        meta = {"name": name or path.name,
                "imported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        store.write_atomic(target.with_suffix(".json"),
                           lambda tmp: Path(tmp).write_text(json.dumps(meta), encoding="utf-8"))
    return tables
