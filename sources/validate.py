"""Row-by-row validation shared by every reader: accepted rows, and rejected rows with a reason.

A reader parses a file into a :class:`Draft` -- the canonical columns with ``NaN``/``NaT``
where a value could not be parsed, the source text behind each parsed value, the raw fields
and the source row numbers -- and :func:`validate` splits it. Nothing is dropped silently:
every source row is either accepted or rejected with one of the fixed :data:`REASONS`.

Row numbers are 1-based *data* row numbers: the first record after the header is row 1
(for JSON, the first object of the list).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from sources.schema import COLUMNS, DATE_PRECISIONS, FACTIONS, PLACE_PRECISIONS, check_canonical

# The reasons a row can be rejected for, in the order they are checked (the first one that
# applies is the row's reason).
REASONS: tuple[str, ...] = (
    "truncated row",
    "bytes that are not UTF-8",
    # Control characters (C0 but tab and line breaks, DEL, C1) and the bidirectional embedding,
    # override and isolate characters that can make a text display reversed or reordered: the
    # row is refused and the reason names the column ("control character in notes"), never
    # stored nor silently stripped. (The marks U+200E, U+200F and U+061C are kept: Arabic
    # text uses them.)
    "control character",
    "bidi control character",
    "repeated header row",
    "missing event id",
    "missing date",
    "invalid date",
    "date out of range",
    "end before start",
    "missing coordinates",
    "coordinates out of range",
    "coordinates not numeric",
    "latitude and longitude swapped?",
    "outside the country",
    "invalid fatalities",
    "fatalities out of range",
    "invalid precision",
    "invalid event type",
    "invalid faction",
    "duplicate id with different values",
)
# A row that repeats an accepted row exactly (same dataset, id and values) is not rejected:
# it is merged into that row and counted apart (``Validated.duplicates``).
MERGED = "merged duplicate"
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f]")
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
FIRST_DATE = pd.Timestamp("1989-01-01")  # UCDP GED starts in 1989
# Syria's bounding box (OCHA COD-AB: lon 35.61-42.39, lat 32.32-37.32), rounded outwards,
# used when no country outline is given; widened by BOX_MARGIN degrees (about 10 km).
SYRIA_BOX = (35.5, 32.2, 42.5, 37.4)
BOX_MARGIN = 0.1
# More deaths than any one event of the war could have (the largest single events are in the
# low thousands): a figure above this is a typo or an overflow, refused rather than stored.
MAX_FATALITIES = 100_000
BORDER_BUFFER_M = 10_000  # points this close to the border are kept (border towns, rounding)
# Share of the telling rows (inside only one way round) that must be inside only when swapped
# before the file is called swapped.
SWAPPED_SHARE = 0.9

_STRING = pd.StringDtype("pyarrow")
_NO_VALUE = ("nan", "none", "null", "<na>", "nat")
_FATALITIES = ("fatalities_low", "fatalities_best", "fatalities_high")


@dataclass
class Draft:
    """A file parsed into canonical columns, before validation.

    Attributes
    ----------
    events : pandas.DataFrame
        All :data:`sources.schema.COLUMNS`; dates ``datetime64`` (``NaT`` when unparseable),
        coordinates and fatalities ``float64`` (``NaN`` when unparseable), the rest strings.
    texts : dict of str to pandas.Series
        The source text behind ``event_id``, the dates, the coordinates and the fatalities,
        so that "missing" and "invalid" can be told apart.
    raw : pandas.DataFrame
        The row's source fields as strings, copied into the rejected table.
    rows : numpy.ndarray
        1-based source row numbers.
    pre_reasons : pandas.Series
        A reason the reader already found (e.g. "truncated row"), ``""`` for none.
    """

    events: pd.DataFrame
    texts: dict[str, pd.Series]
    raw: pd.DataFrame
    rows: np.ndarray
    pre_reasons: pd.Series = field(default=None)  # type: ignore[assignment]
    # The encoding the file's text was in: a character that did not decode is named as
    # "bytes that are not <it>" (a UTF-16 file is read through a UTF-8 copy).
    text_encoding: str = "UTF-8"

    def __post_init__(self) -> None:
        if self.pre_reasons is None:
            self.pre_reasons = pd.Series("", index=self.events.index, dtype=object)


def _country_geometry(boundaries):
    """The country outline buffered by BORDER_BUFFER_M, or None for the bounding box."""
    if boundaries is None:
        return None
    frame = getattr(boundaries, "country", boundaries)  # a Boundaries or a GeoDataFrame
    key = id(frame)
    cached = _GEOMETRY_CACHE.get(key)
    if cached is not None and cached[0] is frame:
        return cached[1]
    metric = frame.to_crs(32637) if frame.crs is not None else frame.set_crs(4326).to_crs(32637)
    buffered = metric.geometry.union_all().buffer(BORDER_BUFFER_M)
    geometry = (
        type(frame)(geometry=[buffered], crs=32637).to_crs(4326).geometry.iloc[0]
    )
    shapely.prepare(geometry)
    _GEOMETRY_CACHE.clear()
    _GEOMETRY_CACHE[key] = (frame, geometry)
    return geometry


_GEOMETRY_CACHE: dict[int, tuple[object, object]] = {}


def inside_country(lon: np.ndarray, lat: np.ndarray, boundaries=None) -> np.ndarray:
    """Vectorised test: which points lie in Syria (buffered outline, or the bounding box).

    Parameters
    ----------
    lon, lat : numpy.ndarray of float
    boundaries : sources.boundaries.Boundaries or geopandas.GeoDataFrame, optional
        The country outline. Without it the bounding box :data:`SYRIA_BOX` widened by
        :data:`BOX_MARGIN` is used.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    west, south, east, north = SYRIA_BOX
    in_box = (
        (lon >= west - BOX_MARGIN) & (lon <= east + BOX_MARGIN)
        & (lat >= south - BOX_MARGIN) & (lat <= north + BOX_MARGIN)
    )
    geometry = _country_geometry(boundaries)
    if geometry is None:
        return in_box
    result = np.zeros(len(lon), dtype=bool)
    idx = np.flatnonzero(in_box)
    if len(idx):
        result[idx] = shapely.contains_xy(geometry, lon[idx], lat[idx])
    return result


def _blank(text: pd.Series, where: np.ndarray | None = None) -> np.ndarray:
    """Which values are empty or white space; only rows in ``where`` are looked at (speed)."""
    out = np.zeros(len(text), dtype=bool)
    idx = np.arange(len(text)) if where is None else np.flatnonzero(where)
    if len(idx):
        sub = text.iloc[idx].fillna("").astype(str)
        out[idx] = (sub.str.strip() == "").to_numpy()
    return out


def _text_columns(raw: pd.DataFrame):
    for column in raw.columns:
        values = raw[column]
        if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
            yield column, values.fillna("").astype(str)


_SUSPECT = re.compile("[\ufffd" + CONTROL_CHARACTERS.pattern[1:-1] + BIDI_CONTROLS.pattern[1:-1]
                      + "]")


def _text_reasons(raw: pd.DataFrame, encoding: str) -> np.ndarray:
    """Per row, the first of: "bytes that are not <encoding>" (a U+FFFD where bytes did not
    decode), "control character in <column>", "bidi control character in <column>"; else "".

    Each column is first searched whole, once (a clean column -- nearly every one -- costs one
    regular-expression scan, not one per value); only a column that holds one is looked at
    value by value.
    """
    stray = np.zeros(len(raw), dtype=bool)
    named = np.full(len(raw), "", dtype=object)
    for column, values in _text_columns(raw):
        joined = " ".join(values)
        # isprintable() runs at C speed and is True for text without any control or format
        # character (tabs and line breaks included): then only U+FFFD is left to look for.
        if joined.isprintable() and "\ufffd" not in joined:
            continue
        if _SUSPECT.search(joined) is None:
            continue
        stray |= values.str.contains("\ufffd", regex=False).to_numpy(dtype=bool)
        for pattern, what in ((CONTROL_CHARACTERS, "control character"),
                              (BIDI_CONTROLS, "bidi control character")):
            found = values.str.contains(pattern, regex=True).to_numpy(dtype=bool)
            named[found & (named == "")] = f"{what} in {column}"
    named[stray] = f"bytes that are not {encoding}"
    return named


_ISO_LIKE = re.compile(r"^\s*[+-]?(\d{4,})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")


def _beyond_calendar(text: pd.Series, where: np.ndarray) -> np.ndarray:
    """Which unparsed dates are real calendar days outside what can be stored (year 99999,
    year 2300): "date out of range", not "invalid date" (2017-02-30 stays invalid)."""
    out = np.zeros(len(text), dtype=bool)
    for i in np.flatnonzero(where):
        match = _ISO_LIKE.match(str(text.iloc[i]))
        if match is None:
            continue
        year, month, day = (int(g) for g in match.groups())
        # The leap-year rule repeats every 400 years: a year of the same place in the cycle.
        if 1 <= month <= 12 and 1 <= day <= calendar.monthrange(2000 + year % 400, month)[1]:
            out[i] = True
    return out


def _with_overflow(values: np.ndarray, text: pd.Series) -> np.ndarray:
    """``values`` with infinity where the text is a number too large for a float (``1e400``,
    which pandas reads as NaN): such a value is out of range, not "not a number"."""
    out = values.copy()
    for i in np.flatnonzero(np.isnan(values)):
        try:
            number = float(str(text.iloc[i]).strip())
        except ValueError:
            continue
        if np.isinf(number):
            out[i] = number
    return out


@dataclass
class Validated:
    """What :func:`validate_rows` made of a draft.

    Attributes
    ----------
    accepted : pandas.DataFrame
        The canonical event table of the accepted rows.
    rejected : pandas.DataFrame
        ``row``, ``reason``, then the raw fields as strings.
    duplicates : pandas.DataFrame
        ``row`` and ``duplicate_of``: rows that repeat an accepted row exactly (same dataset,
        id and values), merged into it. Every draft row is in exactly one of the three.
    """

    accepted: pd.DataFrame
    rejected: pd.DataFrame
    duplicates: pd.DataFrame


def validate(
    draft: Draft, *, boundaries=None, today: pd.Timestamp | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Accepted and rejected rows of a draft (:func:`validate_rows` without the merged
    duplicates, for callers that only need the events)."""
    result = validate_rows(draft, boundaries=boundaries, today=today)
    return result.accepted, result.rejected


def validate_rows(
    draft: Draft, *, boundaries=None, today: pd.Timestamp | None = None
) -> Validated:
    """Split a draft into accepted canonical rows, rejected rows with a reason, and rows
    merged as exact duplicates.

    Parameters
    ----------
    draft : Draft
    boundaries : sources.boundaries.Boundaries or geopandas.GeoDataFrame, optional
        Country outline for the "inside the country" test (buffered by 10 km).
    today : pandas.Timestamp, optional
        Last allowed date (default: today).

    Returns
    -------
    Validated
        ``accepted``: canonical event table (passes :func:`sources.schema.check_canonical`),
        source order; ``rejected``: ``row`` (1-based), ``reason``, then the raw fields as
        strings; ``duplicates``: ``row``, ``duplicate_of``.

    Notes
    -----
    Duplicate ids: among the rows that pass every other check, the first row of each
    (``source_dataset``, ``event_id``) is kept. A further row with that id and the same
    values is merged into it (counted in ``duplicates``: ``n`` copies of an event are 1
    accepted and ``n - 1`` merged); one with other values is rejected as "duplicate id with
    different values" -- which of the two is right cannot be told.
    """
    ev = draft.events
    n = len(ev)
    today = (today or pd.Timestamp.today()).normalize()
    reason = np.full(n, "", dtype=object)

    def mark(mask: np.ndarray, text: str) -> None:
        reason[(reason == "") & mask] = text

    pre = draft.pre_reasons.fillna("").astype(str).to_numpy()
    reason[pre != ""] = pre[pre != ""]
    # A stray byte of a UTF-8 file was read as U+FFFD (sources.detect): the row is refused,
    # never stored with a replacement character nor re-read in another encoding.
    text_reasons = _text_reasons(draft.raw, draft.text_encoding)
    free = (reason == "") & (text_reasons != "")
    reason[free] = text_reasons[free]
    # The header again (two files pasted together): said so, not "invalid date".
    header = [str(c).strip().lower() for c in draft.raw.columns]
    if len(draft.raw) and len(header) > 1:
        as_text = draft.raw.astype(str).apply(lambda s: s.str.strip().str.lower())
        mark((as_text == header).all(axis=1).to_numpy(), "repeated header row")
    t = draft.texts

    # Readers strip ids and event types, so "missing" is simply "empty" -- or the words tools
    # write for an empty cell: no id ever becomes the text "nan".
    ids = ev["event_id"].fillna("").astype(str)
    mark((ids == "").to_numpy(dtype=bool) | ids.str.lower().isin(_NO_VALUE).to_numpy(dtype=bool),
         "missing event id")

    start, end = ev["date_start"], ev["date_end"]
    bad_dates = (start.isna() | end.isna()).to_numpy()
    mark(_blank(t["date_start"], bad_dates) | _blank(t["date_end"], bad_dates), "missing date")
    mark(_beyond_calendar(t["date_start"], start.isna().to_numpy())
         | _beyond_calendar(t["date_end"], end.isna().to_numpy()), "date out of range")
    mark((start.isna() | end.isna()).to_numpy(), "invalid date")
    out_of_range = (start < FIRST_DATE) | (end > today) | (start > today)
    mark(out_of_range.fillna(False).to_numpy(), "date out of range")
    mark((end < start).fillna(False).to_numpy(), "end before start")

    lat = _with_overflow(ev["latitude"].to_numpy(dtype=float), t["latitude"])
    lon = _with_overflow(ev["longitude"].to_numpy(dtype=float), t["longitude"])
    numeric = np.isfinite(lat) & np.isfinite(lon)
    mark(_blank(t["latitude"], ~numeric) | _blank(t["longitude"], ~numeric),
         "missing coordinates")
    with np.errstate(invalid="ignore"):  # 1e400 reads as infinity: a number, out of range
        mark(np.isinf(lat) | np.isinf(lon) | (np.abs(lat) > 90) | (np.abs(lon) > 180),
             "coordinates out of range")
    mark(~numeric, "coordinates not numeric")
    inside = np.zeros(n, dtype=bool)
    inside[numeric] = inside_country(lon[numeric], lat[numeric], boundaries)
    outside = numeric & ~inside
    swapped_inside = np.zeros(n, dtype=bool)
    swapped_inside[numeric] = inside_country(lat[numeric], lon[numeric], boundaries)
    # Points that only make sense swapped, against points that only make sense as given
    # (points inside both ways -- western Syria, where lat and lon are both ~35-37 -- say
    # nothing).
    swap_only = int((outside & swapped_inside).sum())
    given_only = int((inside & ~swapped_inside).sum())
    if swap_only and swap_only >= SWAPPED_SHARE * (swap_only + given_only) and (
        swap_only >= 0.5 * numeric.sum()
    ):
        # The whole file has its columns the wrong way round: reject every row (even those
        # that happen to fall inside both ways) rather than fix it silently.
        mark(numeric, "latitude and longitude swapped?")
    mark(outside, "outside the country")

    # An empty figure is "no figure in the source": kept as missing (never 0). Text that is not
    # a number ("many", "nan"), or not a whole one, is invalid; a number below 0, above
    # MAX_FATALITIES or infinite (1e400) is out of range.
    bad_fat = np.zeros(n, dtype=bool)
    huge = np.zeros(n, dtype=bool)
    for name in _FATALITIES:
        values = _with_overflow(ev[name].to_numpy(dtype=float), t[name])
        empty = _blank(t[name], np.isnan(values))
        with np.errstate(invalid="ignore"):
            bad_fat |= (np.isnan(values) & ~empty) | (
                np.isfinite(values) & (values != np.floor(values)))
            huge |= np.isinf(values) | (values < 0) | (values > MAX_FATALITIES)
    mark(bad_fat, "invalid fatalities")
    mark(huge, "fatalities out of range")
    # low <= best <= high is *not* required: real UCDP rows break it (101 of the 16,566 rows
    # of the Syria 2016-2019 file), and they are the source's own figures.

    mark(~ev["place_precision"].isin(PLACE_PRECISIONS).to_numpy(), "invalid precision")
    mark(~ev["date_precision"].isin(DATE_PRECISIONS).to_numpy(), "invalid precision")
    mark((ev["event_type"].fillna("") == "").to_numpy(dtype=bool), "invalid event type")
    mark(~ev["faction1"].isin(list(FACTIONS)).to_numpy(), "invalid faction")
    mark(~ev["faction2"].isin(list(FACTIONS)).to_numpy(), "invalid faction")

    ok = reason == ""
    rows = np.asarray(draft.rows).astype("int64")
    merged = np.zeros(n, dtype=bool)
    duplicate_of = np.zeros(n, dtype="int64")
    keys = (ev["source_dataset"].astype(str) + "\x1f" + ev["event_id"].astype(str)).to_numpy()
    repeated = np.zeros(n, dtype=bool)
    repeated[ok] = pd.Series(keys[ok]).duplicated(keep="first").to_numpy()
    if repeated.any():
        # Only the rows whose id comes more than once (the first of each included).
        idx = np.flatnonzero(ok)[pd.Series(keys[ok]).duplicated(keep=False).to_numpy()]
        # The row's values as the table would store them, hashed: equal hash, equal row.
        content = pd.util.hash_pandas_object(ev.iloc[idx].astype(str), index=False).to_numpy()
        frame = pd.DataFrame({"key": keys[idx], "content": content, "row": rows[idx]})
        first = frame.groupby("key", sort=False).transform("first")
        same = (frame["content"] == first["content"]).to_numpy()
        merged[idx] = repeated[idx] & same
        duplicate_of[idx] = first["row"].to_numpy()
        mark(repeated & ~merged, "duplicate id with different values")
    ok = (reason == "") & ~merged

    accepted = to_canonical(ev.loc[ok])
    bad = reason != ""
    rejected = draft.raw.loc[bad].astype(str).copy()
    rejected.insert(0, "reason", reason[bad])
    rejected.insert(0, "row", rows[bad])
    duplicates = pd.DataFrame({"row": rows[merged], "duplicate_of": duplicate_of[merged]})
    return Validated(accepted, rejected.reset_index(drop=True), duplicates)


def to_canonical(events: pd.DataFrame) -> pd.DataFrame:
    """Cast validated rows to the canonical dtypes and check them.

    Parameters
    ----------
    events : pandas.DataFrame
        Rows with every canonical column, already validated (fatalities whole numbers).
    """
    out = pd.DataFrame(index=pd.RangeIndex(len(events)))
    for name in COLUMNS:
        values = events[name].reset_index(drop=True)
        if name in ("date_start", "date_end"):
            out[name] = pd.to_datetime(values).astype("datetime64[ns]")
        elif name in ("latitude", "longitude"):
            out[name] = values.astype("float64")
        elif name in _FATALITIES:
            out[name] = values.astype("float64").astype("Int64")  # NaN: no figure
        else:
            out[name] = values.fillna("").astype(_STRING)
    check_canonical(out)
    return out


def summarise(rejected: pd.DataFrame) -> dict[str, int]:
    """Reason -> count, in the order of :data:`REASONS` (unknown reasons last)."""
    counts = rejected["reason"].value_counts() if len(rejected) else pd.Series(dtype=int)
    return {r: int(counts[r]) for r in sorted(counts.index, key=reason_rank)}


def reason_rank(reason: str) -> tuple[int, str]:
    """Where a reason sorts: the order of :data:`REASONS`, a reason that names its column
    ("control character in notes") beside its kind, unknown reasons last."""
    for rank, known in enumerate(REASONS):
        if reason == known or reason.startswith(known + " in "):
            return rank, reason
    if reason.startswith("bytes that are not "):  # "... UTF-16 LE": beside "... UTF-8"
        return REASONS.index("bytes that are not UTF-8"), reason
    return len(REASONS), reason
