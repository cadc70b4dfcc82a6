"""SYNTHETIC benchmark events: real UCDP GED Syria rows, resampled and jittered.

The benchmark needs a million events with realistic text, factions and geography; no real
Syria dataset has that many. :func:`resample` draws rows (with replacement) from a canonical
template table, moves each to a random start date over 2011-2024 (keeping its duration) and
a random point within about ``jitter_km`` of its place, and gives it a new id. Every row says
it is synthetic in ``source_dataset`` (:data:`DATASET`), so the output can never be mistaken
for real data. All of it is vectorised: a million rows take a few seconds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from sources.schema import COLUMNS, DTYPES, check_canonical

ROOT = Path(__file__).resolve().parent.parent
UCDP_CSV = (
    ROOT.parent / "shared" / "data" / "ucdp-ged-syria-2016-2019" / "ged_syria_652.1601.1911.csv"
)
DATASET = "SYNTHETIC benchmark data (resampled UCDP GED)"
FIRST_DAY = "2011-01-01"
LAST_DAY = "2024-12-31"
_KM_PER_DEGREE = 111.32


def default_name(n: int) -> str:
    """File name of a generated CSV of ``n`` events."""
    return f"synthetic_events_{n}.csv"


def load_template(path: Path = UCDP_CSV) -> pd.DataFrame:
    """The real UCDP GED Syria rows as a canonical table, read by the project's UCDP reader.

    Raises ``FileNotFoundError`` when the shared data is missing (the benchmark must not
    quietly run on something else).
    """
    if not Path(path).is_file():
        raise FileNotFoundError(f"{path} is missing: clone ../shared beside the repository")
    from sources.ucdp import read_ucdp

    return read_ucdp(path)


def resample(
    template: pd.DataFrame,
    n: int,
    *,
    seed: int = 0,
    first_day: str = FIRST_DAY,
    last_day: str = LAST_DAY,
    jitter_km: float = 5.0,
) -> pd.DataFrame:
    """Draw ``n`` synthetic events from the rows of ``template`` (a canonical table).

    Parameters
    ----------
    template
        Canonical events to resample (with replacement); must not be empty.
    n
        Rows wanted.
    seed
        Seed of ``numpy.random.default_rng``: the same arguments give the same table.
    first_day, last_day
        Start dates are uniform over these days; each row keeps its template duration.
    jitter_km
        Points move by up to this many kilometres north-south and east-west.

    Returns
    -------
    pandas.DataFrame
        A canonical table (unsorted) with ``event_id`` ``"S0".."S<n-1>"`` and
        ``source_dataset`` :data:`DATASET`.
    """
    check_canonical(template)
    if template.empty:
        raise ValueError("cannot resample an empty template")
    rng = np.random.default_rng(seed)
    # Arrow-backed strings: taking a million rows copies buffers, not a million objects.
    arrow_string = pd.StringDtype("pyarrow")
    template = template.astype({c: arrow_string for c, t in DTYPES.items() if t == "string"})
    pick = rng.integers(0, len(template), n)
    frame = template.take(pick).reset_index(drop=True)

    first = pd.Timestamp(first_day)
    days = (pd.Timestamp(last_day) - first).days + 1
    start = first + pd.to_timedelta(rng.integers(0, days, n), unit="D")
    duration = (frame["date_end"] - frame["date_start"]).fillna(pd.Timedelta(0))
    frame["date_start"] = start.astype("datetime64[ns]")
    frame["date_end"] = (start + duration.to_numpy()).astype("datetime64[ns]")

    lat = frame["latitude"].to_numpy(np.float64)
    dlat = rng.uniform(-1.0, 1.0, n) * jitter_km / _KM_PER_DEGREE
    dlon = rng.uniform(-1.0, 1.0, n) * jitter_km / (_KM_PER_DEGREE * np.cos(np.radians(lat)))
    frame["latitude"] = np.round(lat + dlat, 6)
    frame["longitude"] = np.round(frame["longitude"].to_numpy(np.float64) + dlon, 6)

    ids = pa.compute.binary_join_element_wise("S", pa.array(np.arange(n)).cast(pa.string()), "")
    frame["event_id"] = pd.Series(pd.arrays.ArrowStringArray(ids))
    frame["source_dataset"] = pd.Series([DATASET] * n, dtype=arrow_string)
    frame = frame[COLUMNS]
    check_canonical(frame)
    return frame


def write_csv(events: pd.DataFrame, path: str | Path) -> Path:
    """Write a canonical table in the project's CSV layout (dates ``YYYY-MM-DD``), fast.

    Same layout as :func:`sources.canonical.write_canonical`, written by pyarrow's CSV writer
    (a million rows in seconds rather than a minute).
    """
    path = Path(path)
    table = pa.Table.from_pandas(events[COLUMNS], preserve_index=False)
    for name in ("date_start", "date_end"):
        position = table.schema.get_field_index(name)
        table = table.set_column(position, name, table[name].cast(pa.date32()))
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))
    return path


def generate(n: int, out: str | Path, *, seed: int = 0) -> Path:
    """Write ``n`` SYNTHETIC events resampled from the shared UCDP rows to ``out`` (CSV)."""
    return write_csv(resample(load_template(), n, seed=seed), out)
