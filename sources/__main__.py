"""``python -m sources``: check, import and download events data.

    python -m sources check FILE [--format F] [--date-format F] [--json] [--rejected-csv OUT]
    python -m sources import FILE [--store DIR] [--format F] [--date-format F] [--rejected-csv OUT]
    python -m sources download ucdp [--url URL] [--store DIR]

``check`` reads and validates without storing; with ``--json`` the last line of output is
one JSON object (format, rows, accepted, rejected, reasons, error). Exit status 0 when the
file is usable, 1 when not. The default store is ``$CONFLICT_MAP_STORE`` or ``data/store``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from sources.detect import DEFAULT_MAX_BYTES
from sources.load import FileReport, read_events_file, store_meta
from sources.readers import FORMATS


def default_store() -> Path:
    """``$CONFLICT_MAP_STORE`` or ``data/store``."""
    return Path(os.environ.get("CONFLICT_MAP_STORE") or "data/store")


def _summary(report: FileReport) -> dict[str, object]:
    return {"file": report.path, "format": report.format, "rows": report.rows,
            "accepted": report.accepted, "rejected": report.rejected,
            "reasons": report.reasons, "error": report.error}


def _print_report(report: FileReport) -> None:
    print(f"{report.path}: format {report.format or 'unknown'}")
    if report.error:
        print(f"  error: {report.error}")
        return
    print(f"  rows {report.rows:,}  accepted {report.accepted:,}  "
          f"rejected {report.rejected:,}")
    if report.filtered:
        print(f"  left out (other countries): {report.filtered:,}")
    for reason, count in report.reasons.items():
        print(f"    {count:>8,}  {reason}")


def _check_or_import(args: argparse.Namespace, *, store: bool) -> int:
    path = Path(args.file)
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
    if store and report.error is None:
        saved = store_module.save(result.events, fp, store_dir, store_meta(report))
        print(f"  imported {report.accepted:,} events into {saved}")
    if getattr(args, "json", False):
        print(json.dumps(_summary(report), ensure_ascii=False))
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
        if name == "check":
            sub.add_argument("--json", action="store_true",
                             help="print the summary as one JSON object on the last line")
        else:
            sub.add_argument("--store", help="store folder (default $CONFLICT_MAP_STORE or "
                                             "data/store)")
    sub = commands.add_parser("download", help="download a dataset into the store")
    sub.add_argument("dataset", choices=["ucdp"])
    sub.add_argument("--url")
    sub.add_argument("--store")
    args = parser.parse_args(argv)
    if args.command == "download":
        return _download(args)
    return _check_or_import(args, store=args.command == "import")


if __name__ == "__main__":
    sys.exit(main())
