"""Downloads from a local HTTP server: a good GED zip, a bad zip, a truncated transfer."""

from __future__ import annotations

import hashlib
import http.server
import io
import threading
import zipfile
from pathlib import Path

import pytest

from sources import store
from sources.download import SourceDownloadError, download, download_ucdp

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
GED231 = DATA / "ucdp-ged231-sample" / "ucdpged_sample_syria_rows.csv"


def make_zip() -> bytes:
    assert GED231.is_file(), f"shared data missing: {GED231}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("GEDEvent_v23_1.csv", GED231.read_bytes())
        archive.writestr("README.txt", "codebook elsewhere")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def server():
    good = make_zip()
    routes = {"/ged.zip": (good, len(good)), "/bad.zip": (b"PK\x03\x04 not a zip" * 50, None),
              "/short.zip": (good[: len(good) // 2], len(good))}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path not in routes:
                self.send_error(404)
                return
            body, length = routes[self.path]
            self.send_response(200)
            self.send_header("Content-Length", str(length or len(body)))
            self.end_headers()
            self.wfile.write(body)  # /short.zip: fewer bytes than announced, then close

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", good
    httpd.shutdown()
    httpd.server_close()


def test_download_checks_size_and_checksum(server, tmp_path):
    base, good = server
    seen = []
    dest = download(f"{base}/ged.zip", tmp_path / "a.zip",
                    expected_sha256=hashlib.sha256(good).hexdigest(),
                    expected_size=len(good), progress=lambda d, t: seen.append((d, t)))
    assert dest.read_bytes() == good
    assert seen[-1] == (len(good), len(good))
    with pytest.raises(SourceDownloadError, match="SHA-256"):
        download(f"{base}/ged.zip", tmp_path / "b.zip", expected_sha256="0" * 64)
    assert list(tmp_path.iterdir()) == [dest]  # no partial or temporary file left


def test_truncated_download_leaves_nothing(server, tmp_path):
    base, _ = server
    with pytest.raises(SourceDownloadError):
        download(f"{base}/short.zip", tmp_path / "short.zip")
    assert list(tmp_path.iterdir()) == []


def test_missing_url(server, tmp_path):
    base, _ = server
    with pytest.raises(SourceDownloadError, match="cannot download"):
        download(f"{base}/nope.zip", tmp_path / "x.zip")
    assert list(tmp_path.iterdir()) == []


def test_download_ucdp_stores_syria(server, tmp_path):
    base, _ = server
    store_dir = tmp_path / "store"
    report = download_ucdp(f"{base}/ged.zip", store_dir=store_dir)
    assert report.error is None and report.accepted == 265
    events = store.load_all(store_dir)
    assert len(events) == 265
    again = download_ucdp(f"{base}/ged.zip", store_dir=store_dir)
    assert again.stored
    assert len(store.load_all(store_dir)) == 265


def test_download_ucdp_bad_zip(server, tmp_path):
    base, _ = server
    store_dir = tmp_path / "store"
    with pytest.raises(SourceDownloadError, match="not a readable zip"):
        download_ucdp(f"{base}/bad.zip", store_dir=store_dir)
    assert not list(store_dir.rglob("*.zip")) and not list(store_dir.glob("*.parquet"))
    with pytest.raises(SourceDownloadError):
        download_ucdp(f"{base}/short.zip", store_dir=store_dir)
    assert not list(store_dir.rglob("*.zip")) and not list(store_dir.rglob("*.part"))
