"""Leaflet and jQuery arrive with `pip install -r requirements.txt` (XStatic packages) and the
app copies them into static/vendor/ itself; when it cannot, the page says which file and how to
fix it instead of showing a blank map.

Most tests copy into a temporary folder, never into the checkout's static/vendor/ (other
processes may be serving it); the last ones run the real install, as the app does.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from layers import assets

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"XStatic-Leaflet": "xstatic.pkg.leaflet", "XStatic-jQuery": "xstatic.pkg.jquery"}


def package_dir(module: str) -> Path:
    return Path(importlib.import_module(module).BASE_DIR)


@pytest.fixture
def static(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty static/ folder that assets.install() and problems() use by default."""
    folder = tmp_path / "static"
    folder.mkdir()
    monkeypatch.setattr(assets, "STATIC", folder)
    monkeypatch.setattr(assets, "VENDOR", folder / "vendor")
    monkeypatch.setattr(assets, "_last_copy_errors", {})
    return folder


def not_installed(monkeypatch: pytest.MonkeyPatch, module: str) -> None:
    """Make ``import module`` fail as it does when the package is not installed."""
    monkeypatch.setitem(sys.modules, module, None)


# -- copying from the packages ------------------------------------------------------------

def test_files_are_copied_from_the_xstatic_packages(tmp_path: Path) -> None:
    report = assets.copy_vendor_files(tmp_path)
    assert report.errors == {}
    assert sorted(report.copied) == sorted(f.dest for f in assets.VENDOR_FILES)
    for f in assets.VENDOR_FILES:
        copied = tmp_path / f.dest
        assert copied.read_bytes() == (package_dir(f.module) / f.source).read_bytes(), f.dest
        assert copied.stat().st_mode & 0o444 == 0o444  # the server can read it
    head = (tmp_path / "leaflet" / "leaflet.js").read_text("utf-8")[:200]
    assert "Leaflet 1.9." in head
    assert "jQuery v3.7.1" in (tmp_path / "jquery" / "jquery.min.js").read_text("utf-8")[:100]
    assert not list(tmp_path.rglob("*.tmp")), "no temporary file left behind"


def test_second_call_copies_nothing(tmp_path: Path) -> None:
    assert assets.copy_vendor_files(tmp_path).copied
    times = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    again = assets.copy_vendor_files(tmp_path)
    assert again.copied == [] and again.errors == {}
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()} == times


def test_a_changed_or_truncated_file_is_replaced(tmp_path: Path) -> None:
    assets.copy_vendor_files(tmp_path)
    js = tmp_path / "leaflet" / "leaflet.js"
    js.write_text("/* Leaflet 1.9.4 from an old npm set-up */")
    (tmp_path / "jquery" / "jquery.min.js").write_bytes(b"")
    assert sorted(assets.copy_vendor_files(tmp_path).copied) == [
        "jquery/jquery.min.js", "leaflet/leaflet.js"]
    assert js.read_bytes() == (package_dir("xstatic.pkg.leaflet") / "leaflet.js").read_bytes()


def test_same_content_with_another_time_is_not_copied(tmp_path: Path) -> None:
    assets.copy_vendor_files(tmp_path)
    js = tmp_path / "leaflet" / "leaflet.js"
    os.utime(js, ns=(1_000_000_000, 1_000_000_000))
    assert assets.copy_vendor_files(tmp_path).copied == []


def test_leaflet_css_finds_its_images(tmp_path: Path) -> None:
    assets.copy_vendor_files(tmp_path)
    css = (tmp_path / "leaflet" / "leaflet.css").read_text("utf-8")
    images = set(re.findall(r"url\((images/[^)]+)\)", css))
    assert images and all((tmp_path / "leaflet" / name).is_file() for name in images), images


def test_two_processes_installing_at_once_both_succeed(tmp_path: Path) -> None:
    code = ("import sys; from pathlib import Path; from layers import assets; "
            "r = assets.copy_vendor_files(Path(sys.argv[1])); sys.exit(1 if r.errors else 0)")
    runs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT)
            for _ in range(4)]
    assert [run.wait(timeout=60) for run in runs] == [0, 0, 0, 0]
    for f in assets.VENDOR_FILES:
        assert (tmp_path / f.dest).read_bytes() == (package_dir(f.module) / f.source).read_bytes()
    assert not list(tmp_path.rglob("*.tmp"))


# -- problems: which file, why, how to fix it ----------------------------------------------

def test_no_problem_once_installed(static: Path) -> None:
    assert assets.install() == []
    assert assets.problems() == []


def test_missing_package_is_named_with_the_fix(static: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    not_installed(monkeypatch, "xstatic.pkg.leaflet")
    found = assets.install()
    assert found == assets.problems() and len(found) == 1
    (problem,) = found
    assert "static/vendor/leaflet/leaflet.js" in problem
    assert "static/vendor/leaflet/leaflet.css" in problem
    assert "XStatic-Leaflet is not installed" in problem
    assert "pip install -r requirements.txt" in problem
    assert "jquery" not in problem  # jQuery was installed: only Leaflet is named
    assert (static / "vendor" / "jquery" / "jquery.min.js").is_file()


def test_problems_without_an_install_record_still_name_the_package(
        static: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    not_installed(monkeypatch, "xstatic.pkg.jquery")
    (problem,) = [p for p in assets.problems(static, {}) if "jquery" in p]
    assert "static/vendor/jquery/jquery.min.js is missing" in problem
    assert "XStatic-jQuery is not installed" in problem
    assert "pip install -r requirements.txt" in problem


def test_unwritable_folder_is_named_with_the_reason(static: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # As root (CI) chmod does not stop writes, so the write itself is made to fail the way a
    # read-only folder fails it.
    def read_only(src: Path, dst: Path) -> None:
        raise PermissionError(13, "Permission denied", str(dst.parent))

    monkeypatch.setattr(assets, "_copy_atomically", read_only)
    found = assets.install()
    assert len(found) == 1
    (problem,) = found
    assert "static/vendor/leaflet/leaflet.js" in problem
    assert "static/vendor/jquery/jquery.min.js" in problem
    assert "Permission denied" in problem
    assert f"make {static / 'vendor'} writable" in problem
    assert "scripts/install_assets.py" in problem


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder_for_real(static: Path) -> None:
    static.chmod(0o555)
    try:
        (problem,) = assets.install()
    finally:
        static.chmod(0o755)
    assert "static/vendor/leaflet/leaflet.js" in problem and "writable" in problem


def test_vendor_path_taken_by_a_file_is_a_copy_problem(static: Path) -> None:
    (static / "vendor").write_text("not a folder")
    (problem,) = assets.install()
    assert "static/vendor/leaflet/leaflet.js" in problem
    assert "failed" in problem and "writable" in problem


def test_the_page_shows_the_problem_instead_of_a_blank_map(
        static: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    not_installed(monkeypatch, "xstatic.pkg.leaflet")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (error,) = at.error
    shown = error.value.replace("\\", "")  # Markdown-escaped, so it reads as typed
    assert "static/vendor/leaflet/leaflet.js" in shown and "XStatic-Leaflet" in shown
    assert "pip install -r requirements.txt" in shown
    assert not at.get("component_instance"), "no map is drawn"


# -- the real install, as the app does it --------------------------------------------------

def test_every_url_maps_to_a_file_after_install() -> None:
    assert assets.install() == []
    links = [*assets.js_links(), *assets.css_links()]
    assert any(url.endswith("/vendor/leaflet/leaflet.js") for _, url in links)
    for _, url in links:
        assert url.startswith(assets.LOCAL_PREFIX)
        assert (assets.STATIC / url.removeprefix(assets.LOCAL_PREFIX)).is_file(), url
    vendor = [url.removeprefix(assets.LOCAL_PREFIX + "vendor/") for _, url in links
              if "/vendor/" in url]
    assert set(vendor) <= {f.dest for f in assets.VENDOR_FILES}, "each comes from a package"


def test_requirements_pin_the_installed_xstatic_packages() -> None:
    pins = dict(re.findall(r"^(XStatic-\w+)==(\S+)", (ROOT / "requirements.txt").read_text(),
                           re.MULTILINE))
    assert set(pins) == set(PACKAGES)
    for name, version in pins.items():
        assert importlib.metadata.version(name) == version, name
    assert {f.package for f in assets.VENDOR_FILES} == set(PACKAGES)
    assert {f.module for f in assets.VENDOR_FILES} == set(PACKAGES.values())


def test_a_fresh_checkout_needs_no_node_and_no_new_venv(tmp_path: Path) -> None:
    """What a fresh machine does after `pip install -r requirements.txt`: the tracked files,
    no static/vendor/, no node_modules/, no npm or node on PATH, this same Python environment
    (so no venv is created here): the install script alone brings every asset."""
    checkout = tmp_path / "checkout"
    tracked = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                             cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.splitlines()
    for name in tracked:  # the tracked files, as a fresh clone has them
        if (ROOT / name).is_file():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, checkout / name)
    assert not (checkout / "static" / "vendor").exists()
    bin_dir = tmp_path / "bin"  # PATH: an empty folder
    bin_dir.mkdir()
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path), "PYTHONNOUSERSITE": "1"}
    assert shutil.which("npm", path=env["PATH"]) is None
    assert shutil.which("node", path=env["PATH"]) is None
    run = subprocess.run([sys.executable, "scripts/install_assets.py"], cwd=checkout,
                         env=env, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert f"{len(assets.VENDOR_FILES)} copied" in run.stdout
    for f in assets.VENDOR_FILES:
        assert (checkout / "static" / "vendor" / f.dest).is_file(), f.dest
    assert not (checkout / "node_modules").exists()
    # ... and nothing in the set-up still asks for npm
    for name in ("scripts/setup.sh", "scripts/install_assets.py", "bin/dashboard", "bin/test"):
        assert "npm" not in (ROOT / name).read_text(), name
    assert not (ROOT / "package.json").exists()
    assert not (ROOT / "package-lock.json").exists()
