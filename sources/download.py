"""Download a dataset safely, and the UCDP GED download-and-import.

:func:`download` streams to a temporary file in the destination folder, checks the size
(against ``Content-Length`` and ``expected_size``) and the SHA-256, and only then moves the
file into place with ``os.replace``: a broken or interrupted download never leaves a partial
file under the destination name. :func:`download_ucdp` downloads the GED CSV zip, unpacks the
CSV member by streaming, reads it filtered to Syria in chunks, validates and stores it.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path

from sources.load import FileReport, read_events_file, store_meta

# The official UCDP GED global CSV (release 25.1); override with CONFLICT_MAP_UCDP_URL.
DEFAULT_UCDP_URL = os.environ.get(
    "CONFLICT_MAP_UCDP_URL", "https://ucdp.uu.se/downloads/ged/ged251-csv.zip"
)
_BLOCK = 1 << 16
Progress = Callable[[int, int | None], None]  # (bytes so far, total bytes or None)


class SourceDownloadError(RuntimeError):
    """A download that failed; nothing was left at the destination."""


def download(
    url: str,
    dest: str | Path,
    *,
    expected_sha256: str | None = None,
    expected_size: int | None = None,
    progress: Progress | None = None,
    timeout: float = 60.0,
) -> Path:
    """Download ``url`` to ``dest`` atomically.

    Parameters
    ----------
    url : str
    dest : str or pathlib.Path
        The final file; its folder is created if needed.
    expected_sha256, expected_size : optional
        Checked after the download; a mismatch is an error.
    progress : callable, optional
        Called as ``progress(bytes_so_far, total_or_None)``.

    Raises
    ------
    SourceDownloadError
        On a network error, a short read, a size or checksum mismatch. No partial file
        remains at ``dest`` (nor the temporary file).
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    digest = hashlib.sha256()
    done = 0
    try:
        with os.fdopen(handle, "wb") as out:
            try:
                response = urllib.request.urlopen(url, timeout=timeout)  # noqa: S310 -- http(s) URL given by the user or the default
            except (urllib.error.URLError, OSError, ValueError) as exc:
                raise SourceDownloadError(f"cannot download {url}: {exc}") from exc
            with response:
                header = response.headers.get("Content-Length")
                total = int(header) if header and header.isdigit() else expected_size
                while True:
                    try:
                        block = response.read(_BLOCK)
                    except (OSError, ValueError, http.client.HTTPException) as exc:
                        raise SourceDownloadError(
                            f"download of {url} broke off after {done:,} bytes: {exc}"
                        ) from exc
                    if not block:
                        break
                    out.write(block)
                    digest.update(block)
                    done += len(block)
                    if progress:
                        progress(done, total)
        if header and header.isdigit() and done != int(header):
            raise SourceDownloadError(
                f"download of {url} is incomplete: {done:,} of {int(header):,} bytes."
            )
        if expected_size is not None and done != expected_size:
            raise SourceDownloadError(
                f"download of {url} has {done:,} bytes, expected {expected_size:,}."
            )
        if expected_sha256 and digest.hexdigest() != expected_sha256.lower():
            raise SourceDownloadError(f"download of {url} does not match its SHA-256 checksum.")
        os.replace(tmp_name, dest)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        if isinstance(exc, SourceDownloadError | KeyboardInterrupt):
            raise
        if isinstance(exc, Exception):
            raise SourceDownloadError(f"download of {url} failed: {exc}") from exc
        raise
    return dest


def text_progress(stream=sys.stderr, width: int = 40) -> Progress:
    """A text progress bar for :func:`download` (``[#####.....]  12.3 MB / 80.0 MB``)."""

    def show(done: int, total: int | None) -> None:
        if total:
            filled = min(width, done * width // max(total, 1))
            bar = "#" * filled + "." * (width - filled)
            stream.write(f"\r[{bar}] {done / 1e6:7.1f} MB / {total / 1e6:.1f} MB")
        else:
            stream.write(f"\r{done / 1e6:7.1f} MB")
        if total and done >= total:
            stream.write("\n")
        stream.flush()

    return show


def _csv_member(archive: zipfile.ZipFile, name: str) -> zipfile.ZipInfo:
    members = [m for m in archive.infolist() if m.filename.lower().endswith(".csv")]
    if not members:
        raise SourceDownloadError(f"{name} holds no CSV file.")
    return max(members, key=lambda m: m.file_size)


def download_ucdp(
    url: str = DEFAULT_UCDP_URL,
    store_dir: str | Path | None = None,
    progress: Progress | None = None,
    *,
    country: str = "Syria",
) -> FileReport:
    """Download the UCDP GED CSV zip, read it filtered to ``country``, validate and store it.

    Parameters
    ----------
    url : str
        The GED CSV zip (default :data:`DEFAULT_UCDP_URL`, env ``CONFLICT_MAP_UCDP_URL``).
    store_dir : path, optional
        The store (default ``$CONFLICT_MAP_STORE`` or ``data/store``). The zip is kept in
        ``<store_dir>/downloads/``.
    progress : callable, optional
        Download progress callback.

    Returns
    -------
    FileReport
        Of the CSV inside the zip.

    Raises
    ------
    SourceDownloadError
        When the download fails or the file is not a zip holding a CSV.
    """
    from sources import store

    store_dir = Path(store_dir or os.environ.get("CONFLICT_MAP_STORE") or "data/store")
    name = url.rstrip("/").rsplit("/", 1)[-1] or "ucdp-ged.zip"
    zip_path = download(url, store_dir / "downloads" / name, progress=progress)
    work = Path(tempfile.mkdtemp(prefix=".ucdp.", dir=store_dir))
    try:
        try:
            with zipfile.ZipFile(zip_path) as archive:
                member = _csv_member(archive, name)
                csv_path = work / Path(member.filename).name
                with archive.open(member) as source, csv_path.open("wb") as target:
                    shutil.copyfileobj(source, target, _BLOCK)
        except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile) as exc:
            zip_path.unlink(missing_ok=True)
            raise SourceDownloadError(f"{name} is not a readable zip file: {exc}") from exc
        fp = store.fingerprint(csv_path)
        if store.has(fp, store_dir):
            return FileReport(str(csv_path.name), "ucdp-ged", 0, 0, 0, {}, None, stored=True)
        result = read_events_file(csv_path, format="ucdp-ged", country=country, max_bytes=None)
        report = result.reports[0]
        report.path = f"{name}:{csv_path.name}"
        if report.error is None:
            store.save(result.events, fp, store_dir, store_meta(report) | {"url": url})
        return report
    finally:
        shutil.rmtree(work, ignore_errors=True)
