"""``python -m sources``: check, import and download events and control data; ask the record.

    python -m sources check FILE [--format F] [--date-format F] [--json] [--rejected-csv OUT]
    python -m sources import FILE [--store DIR] [--format F] [--date-format F] [--rejected-csv OUT]
    python -m sources download ucdp [--url URL] [--store DIR]
    python -m sources control --on YYYY-MM-DD [--json] [--store DIR]
    python -m sources list [--json] [--store DIR]
    python -m sources remove ID [--store DIR]

``check`` reads and validates without storing; with ``--json`` the last line of output is
one JSON object (file, format, total, rows, accepted, rejected, duplicates, filtered,
reasons, examples, notices, error): every data row is counted once, ``total == accepted +
rejected + duplicates + filtered``. Exit status 0 when the file is usable, 1 when not.
The default store is ``$CONFLICT_MAP_STORE`` or ``data/store``.
A control table (places, changes, or a log of both) is recognised by its header and checked
against the shipped record's places.

An area file (``.geojson``, ``.gpkg``, a ``.zip`` holding a Shapefile, a ``.json``
FeatureCollection) is read as ``CONFLICT_MAP_AREAS`` reads it (fields by their common names)
and checked against the country; ``import`` adds it to the store's areas. Its JSON line has
``features``, ``loaded``, ``repaired``, ``skipped`` (by reason), ``crs``, ``swapped``, ``notes``
(one sentence per thing done), ``fields`` and ``error``, and the events counts ``rows``,
``accepted``, ``rejected``, ``reasons``.

``control --on DAY`` prints every tracked place and its controller on that day, from the
shipped record plus the control files imported into the store; with ``--json`` the last line
is one JSON object: ``date`` and ``places`` (``id``, ``name``, ``latitude``, ``longitude``,
``controller``, ``since``, ``source_url``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import pandas as pd

from sources.detect import DEFAULT_MAX_BYTES
from sources.load import FileReport, already_stored, read_events_file, store_meta
from sources.readers import FORMATS


def default_store() -> Path:
    """``$CONFLICT_MAP_STORE`` or ``data/store``."""
    return Path(os.environ.get("CONFLICT_MAP_STORE") or "data/store")


def _summary(report: FileReport) -> dict[str, object]:
    # rows = accepted + rejected + duplicates (rows merged into an identical earlier row);
    # "filtered" are the rows of other countries, left out on purpose (a global UCDP file):
    # every data row of the file is in exactly one count, and total is their sum.
    return {"file": report.path, "format": report.format, "total": report.total,
            "rows": report.rows, "accepted": report.accepted, "rejected": report.rejected,
            "duplicates": report.duplicates, "filtered": report.filtered,
            "reasons": report.reasons, "examples": report.examples,
            "notices": report.notices, "error": report.error}


def _rows(numbers: list[int], count: int) -> str:
    shown = ", ".join(str(n) for n in numbers)
    return f"row{'s' if count > 1 else ''} {shown}{', ...' if count > len(numbers) else ''}"


def _print_report(report: FileReport) -> None:
    print(f"{report.path}: format {report.format or 'unknown'}")
    for notice in report.notices:
        print(f"  note: {notice}")
    if report.error:
        print(f"  error: {report.error}")
        return
    print(f"  rows {report.rows:,}  accepted {report.accepted:,}  "
          f"rejected {report.rejected:,}")
    if report.duplicates:
        merged = report.examples.get("merged duplicate", [])
        print(f"  merged duplicates (identical to an earlier row): {report.duplicates:,} "
              f"({_rows(merged, report.duplicates)})")
    if report.filtered:
        print(f"  left out (other countries): {report.filtered:,}")
    for reason, count in report.reasons.items():
        where = report.examples.get(reason, [])
        print(f"    {count:>8,}  {reason}" + (f" ({_rows(where, count)})" if where else ""))


def _boundaries():
    from sources.boundaries import boundaries_from_env

    try:
        return boundaries_from_env()
    except (OSError, ValueError):
        return None


def _control_check_or_import(args: argparse.Namespace, path: Path, *, store: bool) -> int:
    from sources import control

    boundaries = _boundaries()
    known = control.load_shipped(boundaries).places
    store_dir = Path(args.store) if getattr(args, "store", None) else default_store()
    for _, stored, _meta in control.stored_control_files(store_dir):
        known = pd.concat([known, control.read_control_file(stored, known_places=known,
                                                            boundaries=boundaries).places])
    if store:
        tables = control.import_control_file(path, store_dir, known_places=known,
                                             boundaries=boundaries)
    else:
        tables = control.read_control_file(path, known_places=known, boundaries=boundaries)
    accepted = len(tables.places) + len(tables.changes)
    rows = accepted + len(tables.rejected)
    error = None if accepted else f"{path.name} has no usable rows ({rows:,} rejected)."
    report = FileReport(str(path), control.control_format(path), rows, accepted,
                        len(tables.rejected), control.summarise_rejected(tables.rejected),
                        error)
    if args.rejected_csv and len(tables.rejected):
        tables.rejected.to_csv(args.rejected_csv, index=False)
        print(f"  rejected rows written to {args.rejected_csv}")
    if store and error is None:
        print(f"  imported {len(tables.places):,} places and {len(tables.changes):,} changes "
              f"into {store_dir / 'control'}")
    if getattr(args, "json", False):
        print(json.dumps({**_summary(report), "places": len(tables.places),
                          "changes": len(tables.changes)}, ensure_ascii=False))
    else:
        _print_report(report)
        print(f"  places {len(tables.places):,}  changes {len(tables.changes):,}")
    return 0 if error is None else 1


def _area_check_or_import(args: argparse.Namespace, path: Path, *, store: bool) -> int:
    from sources.areas import check_area_file

    store_dir = None
    if store:
        store_dir = Path(args.store) if args.store else default_store()
    report = check_area_file(path, store_dir=store_dir)
    if not getattr(args, "json", False):
        skipped = ", ".join(f"{n:,} {why}" for why, n in report["skipped"].items()) or "none"
        print(f"{path}: area file, {report['features']:,} features, {report['loaded']:,} "
              f"loaded, {report['repaired']:,} repaired, skipped: {skipped}")
        for note in [*report["notes"], *([report["error"]] if report["error"] else [])]:
            print(f"  {note}")
        if report["stored"]:
            print(f"  added to {store_dir / 'areas'}")
    else:
        print(json.dumps(report, ensure_ascii=False))
    return 0 if report["error"] is None else 1


def _control_on(args: argparse.Namespace) -> int:
    import datetime as dt

    from sources.catalog import Config, assemble
    from view.control import NO_RECORD, ControlRecord

    try:
        day = dt.date.fromisoformat(args.on)
    except ValueError:
        print(json.dumps({"error": f"--on {args.on!r} is not a date (YYYY-MM-DD)"}))
        return 1
    config = Config.from_env()
    if args.store:
        config = Config(config.events, config.boundaries, args.store, config.tiles,
                        config.areas)
    loaded = assemble(config)
    record = ControlRecord(loaded.control)
    state = record.on(day)
    state = state[state["controller"] != NO_RECORD]
    places = [{"id": str(r.place_id), "name": str(r.name_en), "latitude": float(r.latitude),
               "longitude": float(r.longitude), "controller": str(r.controller),
               "since": r.since.date().isoformat(), "source_url": str(r.source_url or "")}
              for r in state.itertuples(index=False)]
    if args.json:
        print(json.dumps({"date": day.isoformat(), "places": places}, ensure_ascii=False))
    else:
        print(f"{day.isoformat()}: {len(places):,} tracked places with a record")
        for p in places:
            print(f"  {p['name']:<40} {p['controller']:<11} since {p['since']}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from sources.inventory import as_dict, list_datasets

    store_dir = Path(args.store) if args.store else default_store()
    datasets = list_datasets(store_dir)
    if args.json:
        print(json.dumps({"store": str(store_dir),
                          "datasets": [as_dict(d) for d in datasets]}, ensure_ascii=False))
        return 0
    print(f"{store_dir}: {len(datasets)} dataset(s)")
    for d in datasets:
        rows = f"{d.rows:,} rows" if d.rows is not None else ""
        span = f"{d.first} to {d.last}" if d.first else ""
        print(f"  {d.id}  {d.kind:<8} {d.name:<40} {rows:<14} {span:<25} {d.imported_at}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    from sources.inventory import as_dict, remove

    store_dir = Path(args.store) if args.store else default_store()
    try:
        removed = remove(store_dir, args.id)
    except KeyError as exc:
        print(json.dumps({"error": str(exc).strip("'\"")}))
        return 1
    print(f"removed {removed.kind} dataset {removed.name} ({removed.id})")
    print(json.dumps({"removed": as_dict(removed)}, ensure_ascii=False))
    return 0


def _check_or_import(args: argparse.Namespace, *, store: bool) -> int:
    path = Path(args.file)
    from sources.areas import is_area_file
    from sources.control import is_control_file

    if path.is_file() and not args.format and is_area_file(path):
        return _area_check_or_import(args, path, store=store)
    if path.is_file() and not args.format and is_control_file(path):
        return _control_check_or_import(args, path, store=store)
    if store:
        from sources import store as store_module

        store_dir = Path(args.store) if args.store else default_store()
        if path.is_file():
            fp = store_module.fingerprint(path)
            if store_module.has(fp, store_dir):
                print(f"{path}: already imported ({store_module.path_for(fp, store_dir)}); "
                      f"nothing added.")
                return 0
    result = read_events_file(path, format=args.format, date_format=args.date_format,
                              max_bytes=args.max_bytes)
    report = result.reports[0]
    if args.rejected_csv and len(result.rejected):
        result.rejected.to_csv(args.rejected_csv, index=False)
        print(f"  rejected rows written to {args.rejected_csv}")
    summary = _summary(report)
    if store and report.error is None:
        # Events another import already holds are shown once (from the earliest import):
        # said here, not left to be found missing.
        also = already_stored(result.events, store_dir, exclude=fp)
        saved = store_module.save(result.events, fp, store_dir, store_meta(report),
                                  rejected=result.rejected)
        print(f"  imported {report.accepted:,} events into {saved}")
        if also:
            print(f"  {also:,} of them are already in the store from another import (same "
                  "dataset and id): each is shown once, from the earlier import.")
        summary["already_stored"] = also
    if getattr(args, "json", False):
        print(json.dumps(summary, ensure_ascii=False))
    else:
        _print_report(report)
    return 0 if report.error is None else 1


def _download(args: argparse.Namespace) -> int:
    from sources.download import SourceDownloadError, download_ucdp, text_progress

    store_dir = Path(args.store) if args.store else default_store()
    kwargs = {"url": args.url} if args.url else {}
    try:
        report = download_ucdp(store_dir=store_dir, progress=text_progress(sys.stderr), **kwargs)
    except SourceDownloadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    _print_report(report)
    return 0 if report.error is None else 1


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m sources", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (("check", "read and validate a file without storing it"),
                       ("import", "validate, normalise and store a file")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("file")
        sub.add_argument("--format", choices=FORMATS)
        sub.add_argument("--date-format", help="strptime format of non-ISO dates, e.g. %%d/%%m/%%Y")
        sub.add_argument("--rejected-csv", help="write the rejected rows (with reason) here")
        sub.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES)
        sub.add_argument("--json", action="store_true",
                         help="print the summary as one JSON object on the last line")
        if name == "import":
            sub.add_argument("--store", help="store folder (default $CONFLICT_MAP_STORE or "
                                             "data/store)")
    sub = commands.add_parser("control", help="who held which tracked place on a day")
    sub.add_argument("--on", required=True, help="the day, YYYY-MM-DD")
    sub.add_argument("--json", action="store_true",
                     help="print one JSON object (date, places) on the last line")
    sub.add_argument("--store", help="store folder (default $CONFLICT_MAP_STORE or data/store)")
    sub = commands.add_parser("list", help="the datasets in the store")
    sub.add_argument("--json", action="store_true", help="one JSON object on the last line")
    sub.add_argument("--store")
    sub = commands.add_parser("remove", help="take a dataset out of the store, by its id")
    sub.add_argument("id", help="the id `list` shows (at least 6 characters)")
    sub.add_argument("--store")
    sub = commands.add_parser("download", help="download a dataset into the store")
    sub.add_argument("dataset", choices=["ucdp"])
    sub.add_argument("--url")
    sub.add_argument("--store")
    args = parser.parse_args(argv)
    if args.command == "download":
        return _download(args)
    if args.command == "control":
        return _control_on(args)
    if args.command == "list":
        return _list(args)
    if args.command == "remove":
        return _remove(args)
    return _check_or_import(args, store=args.command == "import")


def safe_main(argv: list[str] | None = None) -> int:
    """:func:`main`, but any failure ends with one JSON line and exit 1, never a traceback."""
    try:
        return main(argv)
    except SystemExit:
        raise
    except BaseException as exc:  # KeyboardInterrupt included: still one clear line
        print(json.dumps({"error": f"{type(exc).__name__}: {str(exc)[:300]}"}))
        return 1


if __name__ == "__main__":
    sys.exit(safe_main())
