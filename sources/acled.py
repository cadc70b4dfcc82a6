"""ACLED -> canonical event table: CSV (current and older layouts) and API JSON.

* Current CSV layout: lower-case names (``event_id_cnty``, ``event_date`` ISO,
  ``time_precision``, ``event_type``, ``actor1``, ``actor2``, ``admin1``, ``location``,
  ``latitude``, ``longitude``, ``geo_precision``, ``source``, ``notes``, ``fatalities``...).
* Older UPPER-CASE layout (``EVENT_DATE`` like ``01-Jan-22``, no ``EVENT_ID_CNTY``): names
  are matched case-insensitively; dates are read with ``%d-%b-%y`` (month names are never
  ambiguous). Without an id column, each row gets a *derived* id: ``"acled-"`` and the
  64-bit hash (pandas ``hash_pandas_object``, fixed key) of the row's fields, so the same
  row always gets the same id and identical rows are reported as "duplicate id".
* API JSON: ``{"status": 200, "data": [{...lower-case fields...}]}`` or a bare list.

ACLED gives one fatalities figure: low = best = high. ``time_precision`` 1 day, 2 week,
3 month (absent: day); ``geo_precision`` 1 exact, 2 near, 3 district (absent: exact).
``date_end`` = ``date_start``; dataset name ``"ACLED"``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from sources.canonical import parse_dates
from sources.detect import Sniffed, SourceError, decode_text, read_raw, sniff
from sources.factions import factions_of
from sources.governorates import governorate_names
from sources.schema import COLUMNS
from sources.validate import Draft

DATASET = "ACLED"
REQUIRED: tuple[str, ...] = ("event_date", "actor1", "latitude", "longitude", "fatalities")
TIME_PRECISION = {"1": "day", "2": "week", "3": "month"}
GEO_PRECISION = {"1": "exact", "2": "near", "3": "district"}


def _codes(text: pd.Series, table: dict[str, str], default: str) -> pd.Series:
    key = text.fillna("").astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    return key.map(table).where(key != "", default).fillna("")


def draft_from_acled(
    raw: pd.DataFrame, *, name: str, date_format: str | None = None
) -> Draft:
    """Map a table of ACLED strings (any case of column names) to a :class:`Draft`.

    Raises
    ------
    SourceError
        When a required column is missing.
    """
    raw = raw.copy()
    raw.columns = [str(c).strip() for c in raw.columns]
    lower = {c.lower(): c for c in raw.columns}
    missing = [c for c in REQUIRED if c not in lower]
    if missing:
        raise SourceError(
            f"{name} lacks the ACLED column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}."
        )
    empty = pd.Series("", index=raw.index, dtype=object)

    def col(key: str) -> pd.Series:
        return raw[lower[key]].fillna("").astype(str) if key in lower else empty

    ev = pd.DataFrame(index=raw.index)
    if "event_id_cnty" in lower:
        ids = col("event_id_cnty").str.strip()
        id_text = col("event_id_cnty")
    else:
        hashed = pd.util.hash_pandas_object(raw.astype(str), index=False).to_numpy()
        ids = pd.Series(np.char.add("acled-", np.char.mod("%016x", hashed)), index=raw.index)
        id_text = ids
    ev["event_id"] = ids
    ev["source_dataset"] = DATASET
    ev["date_start"] = parse_dates(col("event_date"), date_format=date_format, name=name,
                                   column="event_date")
    ev["date_end"] = ev["date_start"]
    ev["latitude"] = pd.to_numeric(col("latitude").str.strip(), errors="coerce").astype(float)
    ev["longitude"] = pd.to_numeric(col("longitude").str.strip(), errors="coerce").astype(float)
    ev["place_precision"] = _codes(col("geo_precision"), GEO_PRECISION, "exact")
    ev["date_precision"] = _codes(col("time_precision"), TIME_PRECISION, "day")
    ev["event_type"] = col("event_type").str.strip()
    ev["actor1"] = col("actor1").str.strip()
    ev["actor2"] = col("actor2").str.strip()
    ev["faction1"] = factions_of(ev["actor1"], ev["date_start"]).astype(object)
    ev["faction2"] = factions_of(ev["actor2"], ev["date_start"]).astype(object)
    fatalities = pd.to_numeric(col("fatalities").str.strip(), errors="coerce").astype(float)
    for target in ("fatalities_low", "fatalities_best", "fatalities_high"):
        ev[target] = fatalities
    ev["governorate"] = governorate_names(col("admin1")).astype(object)
    ev["place"] = col("location").str.strip()
    ev["notes"] = col("notes")
    ev["source"] = col("source").str.strip()
    ev["source_url"] = ""
    texts = {
        "event_id": id_text, "date_start": col("event_date"), "date_end": col("event_date"),
        "latitude": col("latitude"), "longitude": col("longitude"),
        "fatalities_low": col("fatalities"), "fatalities_best": col("fatalities"),
        "fatalities_high": col("fatalities"),
    }
    rows = np.arange(1, len(raw) + 1, dtype="int64")
    return Draft(events=ev[COLUMNS], texts=texts, raw=raw, rows=rows)


def _json_table(sniffed: Sniffed) -> pd.DataFrame:
    name = sniffed.path.name
    try:
        payload = json.loads(decode_text(sniffed))
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from exc
    if isinstance(payload, dict):
        status = payload.get("status", 200)
        if str(status) != "200" and not payload.get("success", False):
            message = payload.get("error") or payload.get("message") or f"status {status}"
            raise SourceError(f"{name} is an ACLED API error response ({message}).")
        records = payload.get("data")
    else:
        records = payload
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        if isinstance(records, list):
            k, bad = next((k, r) for k, r in enumerate(records) if not isinstance(r, dict))
            found = f"item {k + 1} of its list is {_kind(bad)}, not an object"
        elif isinstance(payload, dict):
            found = f'its "data" is {_kind(records)}' if "data" in payload else (
                'it is an object without "data"')
        else:
            found = f"it holds {_kind(payload)}"
        raise SourceError(
            f"{name} is JSON but not ACLED API data: expected a list of events or "
            f'{{"status": 200, "data": [...]}}, but {found}.'
        )
    # Column by column from the records themselves: a key missing from a record, or null, is
    # missing (""), never the text "nan"; a value the file does write -- NaN, Infinity, a
    # number, a list -- is kept as text, so that validation names it (NaN is "invalid", not
    # "no figure").
    columns = list(dict.fromkeys(key for record in records for key in record))
    return pd.DataFrame({str(c): [_text(r.get(c)) for r in records] for c in columns},
                        dtype=object)


def _kind(value) -> str:
    """What a JSON value is, in words."""
    if value is None:
        return "null"
    for kind, words in ((bool, "a boolean"), (str, "a string"), (int, "a number"),
                        (float, "a number"), (list, "a list"), (dict, "an object")):
        if isinstance(value, kind):
            return words
    return type(value).__name__


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)  # nan, inf, 1e+400 read back as inf: all named by validation
    return json.dumps(value, ensure_ascii=False)


def read_acled_draft(
    path: str | Path, *, sniffed: Sniffed | None = None, date_format: str | None = None,
    max_bytes: int | None = None,
) -> Draft:
    """Read an ACLED CSV or API JSON file into a :class:`Draft`."""
    sniffed = sniffed or sniff(path, max_bytes=max_bytes)
    name = sniffed.path.name
    if sniffed.kind == "json":
        table = _json_table(sniffed)
        if table.empty:
            table = pd.DataFrame({c: pd.Series(dtype=object) for c in REQUIRED})
        return draft_from_acled(table, name=name, date_format=date_format)
    draft = draft_from_acled(read_raw(sniffed), name=name, date_format=date_format)
    if sniffed.truncated_last_row and len(draft.events):
        draft.pre_reasons.iloc[-1] = "truncated row"
    return draft


def read_acled(path: str | Path, *, boundaries=None, date_format: str | None = None):
    """Read an ACLED file and return its accepted rows as a canonical event table."""
    from sources.validate import validate

    accepted, _ = validate(read_acled_draft(path, date_format=date_format),
                           boundaries=boundaries)
    return accepted
