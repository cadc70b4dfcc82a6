"""The events of a view as a CSV file that opens cleanly in a spreadsheet."""

from __future__ import annotations

import pandas as pd

from sources.schema import COLUMNS

# A cell that starts with one of these is read as a formula by Excel, LibreOffice and Google
# Sheets ("CSV injection"): dataset text such as a note "=HYPERLINK(...)" or "+cmd|..." would
# run or exfiltrate data when a colleague opens the export. A leading apostrophe makes the
# spreadsheet show the cell as text. Tab and CR are in the list because some spreadsheets strip
# them and then evaluate what follows.
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

_DATE_COLUMNS = ("date_start", "date_end")


def neutralise(value: object) -> object:
    """``value`` with a leading apostrophe if it is text that a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def events_csv(events: pd.DataFrame) -> bytes:
    """Canonical events as UTF-8 CSV with a byte-order mark.

    The BOM makes Excel read the file as UTF-8, so Arabic place and actor names survive.
    Columns are :data:`sources.schema.COLUMNS` in order, dates ISO ``YYYY-MM-DD``, and text
    cells that a spreadsheet would evaluate as formulas get a leading apostrophe (see
    :data:`FORMULA_PREFIXES`). Numeric columns are written as numbers: a negative longitude is
    a number to a spreadsheet, not a formula.

    Parameters
    ----------
    events
        A canonical event table (extra columns are dropped).

    Returns
    -------
    bytes
    """
    missing = [c for c in COLUMNS if c not in events.columns]
    if missing:
        raise ValueError(f"not a canonical event table: missing columns {missing}")
    table = events[COLUMNS].copy()
    for name in _DATE_COLUMNS:
        table[name] = pd.to_datetime(table[name]).dt.strftime("%Y-%m-%d")
    for name in COLUMNS:
        if name in _DATE_COLUMNS:
            continue
        column = table[name]
        if pd.api.types.is_string_dtype(column) or column.dtype == object:
            table[name] = column.astype(object).map(neutralise)
    # lineterminator "\r\n": RFC 4180, what spreadsheets expect.
    return table.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
