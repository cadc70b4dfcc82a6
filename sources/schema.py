"""The canonical event table: one layout for every events source.

Every reader (UCDP GED, ACLED, the project's own CSV) returns a ``pandas.DataFrame``
with exactly :data:`COLUMNS`, in that order, with the dtypes of :data:`DTYPES`.
Nothing downstream (the clock, the layers, the statistics, the benchmarks) knows
which format an event came from; it only knows this table.

Vocabularies are closed: a value outside them is a reader bug, and
:func:`check_canonical` says so.
"""

from __future__ import annotations

import pandas as pd

# -- columns -------------------------------------------------------------------------
# name -> (dtype, meaning). Order is the column order of the table and of the CSV layout.
_COLUMN_SPEC: dict[str, tuple[str, str]] = {
    "event_id": ("string", "identifier, unique within source_dataset"),
    "source_dataset": ("string", "dataset and version the row comes from, e.g. 'UCDP GED 19.1'"),
    "date_start": ("datetime64[ns]", "first day of the event (midnight, no time zone)"),
    "date_end": ("datetime64[ns]", "last day of the event; equal to date_start for one-day events"),
    "latitude": ("float64", "WGS 84 decimal degrees"),
    "longitude": ("float64", "WGS 84 decimal degrees"),
    "place_precision": ("string", "one of PLACE_PRECISIONS"),
    "date_precision": ("string", "one of DATE_PRECISIONS"),
    "event_type": ("string", "the source's own event type, in words"),
    "actor1": ("string", "first actor / side A, as the source names it"),
    "actor2": ("string", "second actor / side B, as the source names it; may be empty"),
    "faction1": ("string", "faction of actor1, one of FACTIONS"),
    "faction2": ("string", "faction of actor2, one of FACTIONS; 'other' when actor2 is empty"),
    # Nullable: <NA> is "no figure in the source", never 0 (0 is a source saying nobody died).
    "fatalities_low": ("Int64", "low estimate of deaths; <NA>: no figure in the source"),
    "fatalities_best": ("Int64", "best estimate of deaths; <NA>: no figure in the source"),
    "fatalities_high": ("Int64", "high estimate of deaths; <NA>: no figure in the source"),
    "governorate": ("string", "OCHA governorate name (ADM1, e.g. 'Idleb'); empty if unknown"),
    "place": ("string", "place name as the source gives it"),
    "notes": ("string", "the source's description of the event (untrusted text)"),
    "source": ("string", "the source's attribution: publications, reports, or a title"),
    "source_url": ("string", "a link to the source, where there is one; may be empty"),
}

COLUMNS: list[str] = list(_COLUMN_SPEC)
DTYPES: dict[str, str] = {name: spec[0] for name, spec in _COLUMN_SPEC.items()}
DESCRIPTIONS: dict[str, str] = {name: spec[1] for name, spec in _COLUMN_SPEC.items()}

# -- vocabularies --------------------------------------------------------------------
# Place precision, coarsest last. UCDP where_prec 1..7 and ACLED geo_precision 1..3 map here.
PLACE_PRECISIONS: tuple[str, ...] = ("exact", "near", "district", "governorate", "country")
# Date precision, coarsest last. UCDP date_prec 1..5 and ACLED time_precision 1..3 map here.
DATE_PRECISIONS: tuple[str, ...] = ("day", "days", "week", "month", "year")

# One faction taxonomy for every actor of every source. Key -> label shown to people.
FACTIONS: dict[str, str] = {
    "government": "Government and allies",
    "opposition": "Opposition",
    "jihadist": "Jihadist groups (not IS)",
    "is": "Islamic State (IS)",
    "sdf": "SDF and Kurdish forces",
    "turkey": "Turkey and the SNA",
    "coalition": "US-led coalition",
    "russia": "Russia",
    "israel": "Israel",
    "civilians": "Civilians",
    "other": "Other / unknown",
}


def empty_events() -> pd.DataFrame:
    """Return an empty canonical event table with the right columns and dtypes."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in DTYPES.items()})


def check_canonical(events: pd.DataFrame) -> None:
    """Raise ``ValueError`` naming the first way ``events`` is not a canonical table.

    Checks the columns and their order, the dtypes, and the closed vocabularies.
    Readers call it on what they return; tests call it on every reader.
    """
    if list(events.columns) != COLUMNS:
        missing = [c for c in COLUMNS if c not in events.columns]
        extra = [c for c in events.columns if c not in COLUMNS]
        raise ValueError(
            f"not a canonical event table: missing {missing}, unexpected {extra}, "
            f"or columns out of order"
        )
    for name, dtype in DTYPES.items():
        if str(events[name].dtype) != dtype:
            raise ValueError(f"column {name!r} has dtype {events[name].dtype}, expected {dtype}")
    for name, allowed in (
        ("place_precision", PLACE_PRECISIONS),
        ("date_precision", DATE_PRECISIONS),
        ("faction1", tuple(FACTIONS)),
        ("faction2", tuple(FACTIONS)),
    ):
        bad = set(events[name].dropna().unique()) - set(allowed)
        if bad:
            raise ValueError(f"column {name!r} has values outside its vocabulary: {sorted(bad)}")


# -- the canonical area table ---------------------------------------------------------
# Areas with a validity period: the shipped de-escalation zones (data/zones.geojson) and any
# user area file (GeoJSON, GeoPackage, zipped Shapefile) become a GeoDataFrame with these
# columns plus ``geometry`` (EPSG:4326). An area is drawn on day d when
# valid_from <= d and (valid_to is NaT or d <= valid_to).
_AREA_COLUMN_SPEC: dict[str, tuple[str, str]] = {
    "area_id": ("string", "identifier, unique within layer"),
    "layer": ("string", "the area set it belongs to, e.g. 'Astana de-escalation zones (2017)'"),
    "label": ("string", "name shown to people (untrusted text for user files)"),
    "valid_from": ("datetime64[ns]", "first day the area is drawn"),
    "valid_to": ("datetime64[ns]", "last day the area is drawn; NaT while it has not ended"),
    "approximate": ("bool", "True when the outline is an approximation (shown as such)"),
    "style_value": ("string", "the value areas are styled by (the property the user picked)"),
    "phases": ("object", "list of {'from': 'YYYY-MM-DD', 'state': str, ...} or None; the "
               "state on a day is the last phase whose 'from' is on or before it"),
    "source": ("string", "where the area comes from"),
    "source_url": ("string", "a link to the source; may be empty"),
}
AREA_COLUMNS: list[str] = [*_AREA_COLUMN_SPEC, "geometry"]
AREA_DTYPES: dict[str, str] = {name: spec[0] for name, spec in _AREA_COLUMN_SPEC.items()}
