"""The project's own event CSV: header = :data:`sources.schema.COLUMNS`, dates ISO ``YYYY-MM-DD``.

Reading is tolerant in documented ways and strict where a guess could be wrong:

* column names are matched case-insensitively, with the aliases of :data:`COLUMN_ALIASES`
  (``lat`` -> ``latitude``, ``date`` -> ``date_start``, ``fatalities`` -> all three
  estimates...); extra columns are ignored, order does not matter;
* required columns: ``event_id``, ``date_start``, ``latitude``, ``longitude`` and
  ``fatalities_best`` (or ``fatalities``). Missing optional columns get documented defaults:
  ``date_end`` = ``date_start``; ``fatalities_low``/``_high`` = best; ``place_precision``
  ``"exact"``; ``date_precision`` ``"day"``; ``source_dataset`` = the file name; factions from
  the actors (:func:`sources.factions.faction_of`); text columns empty;
* dates: ISO (with or without a time), ``YYYY/MM/DD`` and dates with month names
  (``08 Dec 2017``, ``08-Dec-17``, ``Dec 8, 2017``) are read as they are. Dates written with
  two numbers and a year (``08/12/2017``) are ambiguous: reading stops and asks for the
  format (``date_format="%d/%m/%Y"``, CLI ``--date-format %d/%m/%Y``). Day and month are
  never guessed.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from sources.detect import Sniffed, SourceError, read_raw, sniff
from sources.factions import factions_of
from sources.governorates import governorate_names
from sources.schema import COLUMNS, FACTIONS
from sources.validate import Draft

# alias (lower case) -> canonical column. Canonical names map to themselves.
COLUMN_ALIASES: dict[str, str] = {
    "id": "event_id", "eventid": "event_id", "event id": "event_id",
    "dataset": "source_dataset", "source dataset": "source_dataset",
    "date": "date_start", "start_date": "date_start", "start date": "date_start",
    "event_date": "date_start", "end_date": "date_end", "end date": "date_end",
    "lat": "latitude", "y": "latitude",
    "lon": "longitude", "lng": "longitude", "long": "longitude", "x": "longitude",
    "geo_precision": "place_precision", "where_prec": "place_precision",
    "time_precision": "date_precision", "date_prec": "date_precision",
    "type": "event_type", "actor_1": "actor1", "actor_2": "actor2", "side_a": "actor1",
    "side_b": "actor2", "low": "fatalities_low", "best": "fatalities_best",
    "high": "fatalities_high", "fatalities": "fatalities", "deaths": "fatalities",
    "admin1": "governorate", "adm_1": "governorate", "province": "governorate",
    "location": "place", "description": "notes", "url": "source_url",
}
REQUIRED: tuple[str, ...] = ("event_id", "date_start", "latitude", "longitude", "fatalities_best")

_ISO_REST = re.compile(r"^(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_AMBIGUOUS = re.compile(r"^\s*\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}\s*$")
_NAMED_FORMATS = ("%d %b %Y", "%d %B %Y", "%d-%b-%Y", "%d-%b-%y", "%d-%B-%Y", "%b %d, %Y",
                  "%B %d, %Y", "%d %b %y")
_PLACE_WORDS = {"1": "exact", "2": "near", "3": "district", "4": "governorate", "5": "country",
                "6": "country", "7": "country"}
_DATE_WORDS = {"1": "day", "2": "days", "3": "week", "4": "month", "5": "year"}


def canonical_names(header: list[str]) -> dict[str, str]:
    """Header name -> canonical column, for the names that are canonical or an alias.

    A canonical name wins over an alias wherever it stands: in ``x, ..., longitude`` the
    column ``longitude`` is the longitude, not the ``x`` that came first. Among aliases of
    one column, the first wins.
    """
    out: dict[str, str] = {}
    for name in header:
        key = name.strip().lower()
        if key in COLUMNS and key not in out.values():
            out[name] = key
    for name in header:
        key = name.strip().lower()
        target = COLUMN_ALIASES.get(key)
        if name not in out and target and target not in out.values():
            out[name] = target
    return {name: out[name] for name in header if name in out}


class AmbiguousDatesError(SourceError):
    """Dates like 08/12/2017: day and month cannot be told apart without being told."""


def parse_dates(
    text: pd.Series, *, date_format: str | None = None, name: str = "the file",
    column: str = "date_start",
) -> pd.Series:
    """Parse date text: ISO, or ``date_format`` when given (see the module docstring).

    Returns ``NaT`` where a value cannot be parsed; raises :class:`AmbiguousDatesError` when
    values are like ``08/12/2017`` and no ``date_format`` is given.
    """
    text = text.fillna("").astype(str).str.strip()
    if date_format:
        return pd.to_datetime(text, format=date_format, errors="coerce")
    head = text.str.slice(0, 10).str.replace("/", "-", regex=False)
    parsed = pd.to_datetime(head, format="%Y-%m-%d", errors="coerce")
    long_values = text.str.len() > 10
    if long_values.any():
        # "2017-12-08 00:00:00.000" is ISO; "2017-12-08xyz" is not.
        rest_bad = pd.Series(False, index=text.index)
        rest = text[long_values].str.slice(10).str.match(_ISO_REST)
        rest_bad[long_values] = ~rest.to_numpy(dtype=bool)
        parsed[rest_bad] = pd.NaT
    failed = parsed.isna() & (text != "")
    if failed.any():
        ambiguous = text[failed].str.match(_AMBIGUOUS)
        if ambiguous.any():
            example = text[failed][ambiguous].iloc[0]
            raise AmbiguousDatesError(
                f"{name}: the dates in {column} are ambiguous (e.g. {example!r} could be day/"
                f"month or month/day); declare the format, e.g. --date-format %d/%m/%Y "
                f"(date_format='%d/%m/%Y')."
            )
        for fmt in _NAMED_FORMATS:
            still = parsed.isna() & (text != "")
            if not still.any():
                break
            parsed[still] = pd.to_datetime(text[still], format=fmt, errors="coerce")
    return parsed


def _numeric(text: pd.Series) -> pd.Series:
    """Numbers from text; only values that fail at first are retried without spaces."""
    values = pd.to_numeric(text, errors="coerce").astype("float64")
    retry = values.isna() & (text != "")
    if retry.any():
        values[retry] = pd.to_numeric(text[retry].str.strip(), errors="coerce")
    return values


def draft_from_table(
    raw: pd.DataFrame, *, name: str, date_format: str | None = None, first_row: int = 1,
) -> Draft:
    """Map a canonical-layout table of strings (any column order, aliases) to a :class:`Draft`.

    Raises
    ------
    SourceError
        When a required column is missing, or dates are ambiguous.
    """
    names = canonical_names(list(raw.columns))
    col = {target: source for source, target in names.items()}
    if "fatalities" in col and "fatalities_best" not in col:
        col["fatalities_best"] = col["fatalities"]
    missing = [c for c in REQUIRED if c not in col]
    if missing:
        raise SourceError(
            f"{name} lacks the required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} (canonical layout)."
        )
    n = len(raw)
    empty = pd.Series("", index=raw.index, dtype=object)

    def text(column: str, default: pd.Series | None = None) -> pd.Series:
        if column in col:
            return raw[col[column]].fillna("").astype(str)
        return default if default is not None else empty

    texts = {c: text(c) for c in ("event_id", "date_start", "latitude", "longitude",
                                  "fatalities_best")}
    end_text = text("date_end")
    texts["date_end"] = end_text.where(end_text.str.strip() != "", texts["date_start"])
    for c in ("fatalities_low", "fatalities_high"):
        t = text(c)
        texts[c] = t.where(t.str.strip() != "", texts["fatalities_best"])

    ev = pd.DataFrame(index=raw.index)
    ev["event_id"] = texts["event_id"].str.strip()
    dataset = text("source_dataset").str.strip()
    ev["source_dataset"] = dataset.where(dataset != "", name)
    ev["date_start"] = parse_dates(texts["date_start"], date_format=date_format, name=name)
    ev["date_end"] = parse_dates(texts["date_end"], date_format=date_format, name=name,
                                 column="date_end")
    ev["latitude"] = _numeric(texts["latitude"])
    ev["longitude"] = _numeric(texts["longitude"])
    place = text("place_precision").str.strip().str.lower()
    ev["place_precision"] = place.replace(_PLACE_WORDS).where(place != "", "exact")
    date_prec = text("date_precision").str.strip().str.lower()
    ev["date_precision"] = date_prec.replace(_DATE_WORDS).where(date_prec != "", "day")
    ev["event_type"] = text("event_type").str.strip()
    ev["event_type"] = ev["event_type"].where(ev["event_type"] != "", "unspecified")
    ev["actor1"] = text("actor1").str.strip()
    ev["actor2"] = text("actor2").str.strip()
    for side in ("1", "2"):
        given = text(f"faction{side}").str.strip().str.lower()
        derived = factions_of(ev[f"actor{side}"], ev["date_start"]).astype(object)
        ev[f"faction{side}"] = given.where(given != "", derived)
    for c in ("fatalities_low", "fatalities_best", "fatalities_high"):
        ev[c] = _numeric(texts[c])
    gov = text("governorate")
    mapped = governorate_names(gov).astype(object)
    ev["governorate"] = mapped
    for c in ("place", "notes", "source", "source_url"):
        ev[c] = text(c)
    ev = ev[COLUMNS]
    assert set(FACTIONS)  # the vocabulary check itself is in validate()
    return Draft(events=ev, texts=texts, raw=raw,
                 rows=np.arange(first_row, first_row + n, dtype="int64"))


def read_canonical_draft(
    path: str | Path, *, sniffed: Sniffed | None = None, date_format: str | None = None,
    max_bytes: int | None = None,
) -> Draft:
    """Read a canonical CSV into a :class:`Draft` (validate it with :func:`validate`)."""
    sniffed = sniffed or sniff(path, max_bytes=max_bytes)
    raw = read_raw(sniffed)
    raw.columns = [c.strip() for c in raw.columns]
    draft = draft_from_table(raw, name=sniffed.path.name, date_format=date_format)
    if sniffed.truncated_last_row and len(raw):
        draft.pre_reasons.iloc[-1] = "truncated row"
    return draft


def read_canonical(
    path: str | Path, *, date_format: str | None = None, boundaries=None
) -> pd.DataFrame:
    """Read the project's canonical CSV; return the accepted rows (a canonical table).

    Use :func:`sources.load.read_events_file` to also get the rejected rows and a report.
    """
    from sources.validate import validate

    accepted, _ = validate(read_canonical_draft(path, date_format=date_format),
                           boundaries=boundaries)
    return accepted


def write_canonical(events: pd.DataFrame, path: str | Path) -> Path:
    """Write a canonical event table as CSV: header = COLUMNS, dates ``YYYY-MM-DD``, UTF-8.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    path = Path(path)
    out = events[COLUMNS].copy()
    for c in ("date_start", "date_end"):
        out[c] = out[c].dt.strftime("%Y-%m-%d")
    out.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path
