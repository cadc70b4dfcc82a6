"""Row-by-row validation shared by every reader: accepted rows, and rejected rows with a reason.

A reader parses a file into a :class:`Draft` -- the canonical columns with ``NaN``/``NaT``
where a value could not be parsed, the source text behind each parsed value, the raw fields
and the source row numbers -- and :func:`validate` splits it. Nothing is dropped silently:
every source row is either accepted or rejected with one of the fixed :data:`REASONS`.

Row numbers are 1-based *data* row numbers: the first record after the header is row 1
(for JSON, the first object of the list).
"""

from __future__ import annotations

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
    "repeated header row",
    "missing event id",
    "missing date",
    "invalid date",
    "date out of range",
    "end before start",
    "missing coordinates",
    "coordinates not numeric",
    "latitude and longitude swapped?",
    "outside the country",
    "invalid fatalities",
    "fatalities out of range",
    "invalid precision",
    "invalid event type",
    "invalid faction",
    "duplicate id",
)
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


def validate(
    draft: Draft, *, boundaries=None, today: pd.Timestamp | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a draft into accepted canonical rows and rejected rows with a reason.

    Parameters
    ----------
    draft : Draft
    boundaries : sources.boundaries.Boundaries or geopandas.GeoDataFrame, optional
        Country outline for the "inside the country" test (buffered by 10 km).
    today : pandas.Timestamp, optional
        Last allowed date (default: today).

    Returns
    -------
    accepted : pandas.DataFrame
        Canonical event table (passes :func:`sources.schema.check_canonical`), source order.
    rejected : pandas.DataFrame
        ``row`` (1-based), ``reason``, then the raw fields as strings.

    Notes
    -----
    Duplicate ids: among the rows that pass every other check, the first row of each
    (``source_dataset``, ``event_id``) is kept and every further row with that id is
    rejected as "duplicate id" -- so ``n`` copies of an event count as 1 accepted and
    ``n - 1`` "duplicate id".
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
    stray = np.zeros(n, dtype=bool)
    for column in draft.raw.columns:
        values = draft.raw[column]
        if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
            stray |= values.astype(str).str.contains("\ufffd", regex=False).to_numpy()
    mark(stray, "bytes that are not UTF-8")
    # The header again (two files pasted together): said so, not "invalid date".
    header = [str(c).strip().lower() for c in draft.raw.columns]
    if len(draft.raw) and len(header) > 1:
        as_text = draft.raw.astype(str).apply(lambda s: s.str.strip().str.lower())
        mark((as_text == header).all(axis=1).to_numpy(), "repeated header row")
    t = draft.texts

    # Readers strip ids and event types, so "missing" is simply "empty".
    mark((ev["event_id"].fillna("") == "").to_numpy(dtype=bool), "missing event id")

    start, end = ev["date_start"], ev["date_end"]
    bad_dates = (start.isna() | end.isna()).to_numpy()
    mark(_blank(t["date_start"], bad_dates) | _blank(t["date_end"], bad_dates), "missing date")
    mark((start.isna() | end.isna()).to_numpy(), "invalid date")
    out_of_range = (start < FIRST_DATE) | (end > today) | (start > today)
    mark(out_of_range.fillna(False).to_numpy(), "date out of range")
    mark((end < start).fillna(False).to_numpy(), "end before start")

    lat = ev["latitude"].to_numpy(dtype=float)
    lon = ev["longitude"].to_numpy(dtype=float)
    numeric = np.isfinite(lat) & np.isfinite(lon)
    mark(_blank(t["latitude"], ~numeric) | _blank(t["longitude"], ~numeric),
         "missing coordinates")
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
    # a whole number >= 0 is invalid.
    bad_fat = np.zeros(n, dtype=bool)
    for name in _FATALITIES:
        values = ev[name].to_numpy(dtype=float)
        empty = _blank(t[name], ~np.isfinite(values))
        with np.errstate(invalid="ignore"):
            bad_fat |= (~np.isfinite(values) & ~empty) | (values < 0) | (
                np.isfinite(values) & (values != np.floor(values)))
    mark(bad_fat, "invalid fatalities")
    with np.errstate(invalid="ignore"):
        huge = np.zeros(n, dtype=bool)
        for name in _FATALITIES:
            huge |= ev[name].to_numpy(dtype=float) > MAX_FATALITIES
    mark(huge, "fatalities out of range")
    # low <= best <= high is *not* required: real UCDP rows break it (101 of the 16,566 rows
    # of the Syria 2016-2019 file), and they are the source's own figures.

    mark(~ev["place_precision"].isin(PLACE_PRECISIONS).to_numpy(), "invalid precision")
    mark(~ev["date_precision"].isin(DATE_PRECISIONS).to_numpy(), "invalid precision")
    mark((ev["event_type"].fillna("") == "").to_numpy(dtype=bool), "invalid event type")
    mark(~ev["faction1"].isin(list(FACTIONS)).to_numpy(), "invalid faction")
    mark(~ev["faction2"].isin(list(FACTIONS)).to_numpy(), "invalid faction")

    ok = reason == ""
    keys = ev["source_dataset"].astype(str) + "\x1f" + ev["event_id"].astype(str)
    duplicate = np.zeros(n, dtype=bool)
    duplicate[ok] = keys[ok].duplicated(keep="first").to_numpy()
    mark(duplicate, "duplicate id")
    ok = reason == ""

    accepted = to_canonical(ev.loc[ok])
    rejected = draft.raw.loc[~ok].astype(str).copy()
    rejected.insert(0, "reason", reason[~ok])
    rejected.insert(0, "row", np.asarray(draft.rows)[~ok].astype("int64"))
    return accepted, rejected.reset_index(drop=True)


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
    order = [r for r in REASONS if r in counts.index] + [
        r for r in counts.index if r not in REASONS
    ]
    return {r: int(counts[r]) for r in order}
