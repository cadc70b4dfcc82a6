"""Small canonical event tables for tests, built from a few fields per row."""

from __future__ import annotations

import pandas as pd

from sources.schema import COLUMNS, DTYPES

_DEFAULTS = {
    "source_dataset": "test", "latitude": 35.0, "longitude": 38.0,
    "place_precision": "exact", "date_precision": "day", "event_type": "battle",
    "actor1": "a", "actor2": "b", "faction1": "government", "faction2": "opposition",
    "fatalities_low": 0, "fatalities_best": 0, "fatalities_high": 0, "governorate": "",
    "place": "", "notes": "", "source": "test", "source_url": "",
}


def make_events(rows: list[dict]) -> pd.DataFrame:
    """A canonical event table; each dict gives at least ``date_start``."""
    records = []
    for i, row in enumerate(rows):
        record = {**_DEFAULTS, "event_id": f"e{i}", **row}
        record.setdefault("date_end", record["date_start"])
        records.append(record)
    frame = pd.DataFrame(records, columns=COLUMNS)
    for name in ("date_start", "date_end"):
        frame[name] = pd.to_datetime(frame[name])
    return frame.astype(DTYPES)
