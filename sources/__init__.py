"""Every dataset format into one canonical table, checked row by row.

The names callers use; the work is in the modules (``readers`` for the formats, ``load`` for
the pipeline, ``control`` for the control record, ``catalog`` for assembling everything).
"""

from sources.front_door import lazy_names

_NAMES: dict[str, str] = {
    "COLUMNS": "sources.schema",
    "Config": "sources.catalog",
    "ControlTables": "sources.control",
    "FACTIONS": "sources.schema",
    "FORMATS": "sources.readers",
    "FileReport": "sources.load",
    "LoadResult": "sources.load",
    "LoadedData": "sources.catalog",
    "READERS": "sources.readers",
    "SourceError": "sources.detect",
    "assemble": "sources.catalog",
    "check_canonical": "sources.schema",
    "detect_format": "sources.readers",
    "import_events_file": "sources.load",
    "is_control_file": "sources.control",
    "load_events": "sources.load",
    "load_shipped": "sources.control",
    "read_control_file": "sources.control",
    "read_events_file": "sources.load",
    "store_fingerprints": "sources.catalog",
}

__all__ = sorted(_NAMES)

__getattr__ = lazy_names(__name__, _NAMES)  # loaded on first use: sources/front_door.py
