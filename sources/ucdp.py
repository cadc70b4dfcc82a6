"""UCDP Georeferenced Event Dataset (GED) CSV -> canonical event table.

Two layouts are read:

* the 41-column GED 19.1 layout (e.g. UCDP's Syria file 652.1601.1911), dataset name
  ``"UCDP GED 19.1"``;
* the 49-column GED 21+ layout (adds ``relid``, ``code_status``, ``*_dset_id``,
  ``where_description``, ``gwnoa``), dataset name ``"UCDP GED 21+"``. Its dates may be
  ``YYYY-MM-DD`` or ``YYYY-MM-DD 00:00:00.000``.

The file is read in chunks and only rows whose ``country`` is ``country`` (default
``"Syria"``) are kept, so the ~400,000-row global GED file is never held in memory whole.
Rows of other countries are not "rejected": they are counted as ``filtered``.

Mapping: id -> event_id; where_prec 1 exact, 2 near, 3 district, 4 governorate, 5-7 country;
date_prec 1 day, 2 days, 3 week, 4 month, 5 year; type_of_violence 1 state-based,
2 non-state, 3 one-sided violence; side_a/side_b -> actor1/actor2 and factions
(:func:`sources.factions.faction_of`); low/best/high; adm_1 -> OCHA governorate;
where_coordinates -> place; source_headline (+ where_description) -> notes;
source_office (else source_article) -> source.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sources.canonical import parse_dates
from sources.detect import Sniffed, SourceError, as_source_error, header_set, read_raw, sniff
from sources.factions import factions_of
from sources.governorates import governorate_names
from sources.schema import COLUMNS
from sources.validate import Draft

REQUIRED: tuple[str, ...] = (
    "id", "type_of_violence", "side_a", "side_b", "where_prec", "latitude", "longitude",
    "date_prec", "date_start", "date_end", "low", "best", "high",
)
OPTIONAL: tuple[str, ...] = (
    "country", "adm_1", "where_coordinates", "where_description", "source_headline",
    "source_article", "source_office", "relid",
)
CHUNK_ROWS = 100_000
PLACE_PRECISION = {"1": "exact", "2": "near", "3": "district", "4": "governorate",
                   "5": "country", "6": "country", "7": "country"}
DATE_PRECISION = {"1": "day", "2": "days", "3": "week", "4": "month", "5": "year"}
VIOLENCE = {"1": "state-based", "2": "non-state", "3": "one-sided violence"}


def layout_name(columns) -> str:
    """``"UCDP GED 21+"`` when the header has GED 21+ columns, else ``"UCDP GED 19.1"``."""
    cols = {c.strip().lower() for c in columns}
    return "UCDP GED 21+" if {"relid", "where_description"} & cols else "UCDP GED 19.1"


def _map_codes(text: pd.Series, table: dict[str, str]) -> pd.Series:
    key = text.str.strip().str.replace(r"\.0$", "", regex=True)
    return key.map(table).fillna("")


def draft_from_ucdp(raw: pd.DataFrame, *, dataset: str, first_row: int = 1) -> Draft:
    """Map a table of UCDP GED strings (lower-case column names) to a :class:`Draft`."""
    empty = pd.Series("", index=raw.index, dtype=object)

    def col(name: str) -> pd.Series:
        return raw[name] if name in raw.columns else empty

    ev = pd.DataFrame(index=raw.index)
    ev["event_id"] = col("id").str.strip()
    ev["source_dataset"] = dataset
    ev["date_start"] = parse_dates(col("date_start"), name=dataset)
    ev["date_end"] = parse_dates(col("date_end"), name=dataset, column="date_end")
    ev["latitude"] = pd.to_numeric(col("latitude").str.strip(), errors="coerce").astype(float)
    ev["longitude"] = pd.to_numeric(col("longitude").str.strip(), errors="coerce").astype(float)
    ev["place_precision"] = _map_codes(col("where_prec"), PLACE_PRECISION)
    ev["date_precision"] = _map_codes(col("date_prec"), DATE_PRECISION)
    ev["event_type"] = _map_codes(col("type_of_violence"), VIOLENCE)
    ev["actor1"] = col("side_a").str.strip()
    ev["actor2"] = col("side_b").str.strip()
    ev["faction1"] = factions_of(ev["actor1"], ev["date_start"]).astype(object)
    ev["faction2"] = factions_of(ev["actor2"], ev["date_start"]).astype(object)
    for source, target in (("low", "fatalities_low"), ("best", "fatalities_best"),
                           ("high", "fatalities_high")):
        ev[target] = pd.to_numeric(col(source).str.strip(), errors="coerce").astype(float)
    ev["governorate"] = governorate_names(col("adm_1")).astype(object)
    ev["place"] = col("where_coordinates").str.strip()
    headline = col("source_headline").str.strip()
    where = col("where_description").str.strip()
    both = (headline != "") & (where != "")
    ev["notes"] = (headline + np.where(both, " — ", "") + where).str.strip()
    office = col("source_office").str.strip()
    ev["source"] = office.where(office != "", col("source_article").str.strip())
    ev["source_url"] = ""
    texts = {
        "event_id": col("id"), "date_start": col("date_start"), "date_end": col("date_end"),
        "latitude": col("latitude"), "longitude": col("longitude"),
        "fatalities_low": col("low"), "fatalities_best": col("best"),
        "fatalities_high": col("high"),
    }
    rows = np.arange(first_row, first_row + len(raw), dtype="int64")
    return Draft(events=ev[COLUMNS], texts=texts, raw=raw, rows=rows)


def read_ucdp_draft(
    path: str | Path, *, country: str | None = "Syria", sniffed: Sniffed | None = None,
    max_bytes: int | None = None, chunksize: int = CHUNK_ROWS,
) -> tuple[Draft, int]:
    """Read a UCDP GED CSV (either layout) in chunks, keeping one country's rows.

    Parameters
    ----------
    path : str or pathlib.Path
    country : str or None
        Keep rows whose ``country`` equals this (case-insensitive); ``None`` keeps all.
    chunksize : int
        Rows parsed at a time.

    Returns
    -------
    draft : Draft
        The kept rows (row numbers are their 1-based positions in the whole file).
    filtered : int
        Rows of other countries, left out.

    Raises
    ------
    SourceError
        When a required column is missing or the CSV cannot be parsed.
    """
    sniffed = sniffed or sniff(path, max_bytes=max_bytes)
    name = sniffed.path.name
    cols = header_set(sniffed)
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        raise SourceError(
            f"{name} lacks the UCDP GED column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}."
        )
    dataset = layout_name(sniffed.header)
    wanted = set(REQUIRED) | set(OPTIONAL)
    usecols = [h for h in sniffed.header if h.strip().lower() in wanted]
    drafts: list[Draft] = []
    filtered = 0
    position = 1
    tail, tail_kept = None, True
    reader = read_raw(sniffed, usecols=usecols, chunksize=chunksize)
    try:
        for chunk in reader:
            chunk.columns = [c.strip().lower() for c in chunk.columns]
            rows = np.arange(position, position + len(chunk), dtype="int64")
            position += len(chunk)
            tail, tail_kept = chunk.iloc[-1:], True
            if country is not None and "country" in chunk.columns:
                named = chunk["country"].str.strip().str.lower()
                # A row without a country (e.g. cut short) is validated, not filtered away.
                keep = ((named == country.lower()) | (named == "")).to_numpy()
                filtered += int((~keep).sum())
                tail_kept = bool(keep[-1]) if len(keep) else True
                chunk, rows = chunk.loc[keep], rows[keep]
            if len(chunk):
                draft = draft_from_ucdp(chunk, dataset=dataset)
                draft.rows = rows
                drafts.append(draft)
    except (pd.errors.ParserError, ValueError) as exc:
        if isinstance(exc, SourceError):
            raise
        raise as_source_error(sniffed, exc) from exc
    finally:
        reader.close()
    if sniffed.truncated_last_row and position > 1 and not tail_kept:
        # The cut-off last row lost its country: report it as truncated, not as filtered.
        filtered -= 1
        last = draft_from_ucdp(tail, dataset=dataset)
        last.rows = np.array([position - 1], dtype="int64")
        drafts.append(last)
    if not drafts:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in usecols})
        empty.columns = [c.strip().lower() for c in empty.columns]
        return draft_from_ucdp(empty, dataset=dataset), filtered
    draft = _concat(drafts)
    if sniffed.truncated_last_row and position - 1 == draft.rows[-1]:
        draft.pre_reasons.iloc[-1] = "truncated row"
    return draft, filtered


def _concat(drafts: list[Draft]) -> Draft:
    if len(drafts) == 1:
        return drafts[0]
    events = pd.concat([d.events for d in drafts], ignore_index=True)
    raw = pd.concat([d.raw for d in drafts], ignore_index=True)
    texts = {k: pd.concat([d.texts[k] for d in drafts], ignore_index=True)
             for k in drafts[0].texts}
    rows = np.concatenate([d.rows for d in drafts])
    return Draft(events=events, texts=texts, raw=raw, rows=rows)


def read_ucdp(
    path: str | Path, *, country: str | None = "Syria", boundaries=None,
) -> pd.DataFrame:
    """Read a UCDP GED CSV and return its accepted rows as a canonical event table.

    Use :func:`sources.load.read_events_file` to also get the rejected rows and a report.
    """
    from sources.validate import validate

    draft, _ = read_ucdp_draft(path, country=country)
    accepted, _ = validate(draft, boundaries=boundaries)
    return accepted
