"""Every JavaScript and CSS file the map loads, served locally (never from a CDN).

folium's classes carry CDN URLs in ``default_js``/``default_css``; streamlit-folium collects
those lists from the element tree and loads each script in order on the component's *first
mount*, and a single unreachable script stops the map from ever starting (engineering notes
§0.3, §2.3). :func:`install` replaces the lists with local URLs under :data:`LOCAL_PREFIX`
(Streamlit's static serving of ``./static``), and adds our own Leaflet extensions from
``static/app/`` to the base map so they are present before any date-dependent layer needs them.

Leaflet and jQuery themselves come from PyPI, as the XStatic packages pinned in
``requirements.txt`` (``XStatic-Leaflet``, ``XStatic-jQuery``), which carry the files inside the
Python package. :func:`install` copies them into ``static/vendor/`` (git-ignored) when they are
missing or differ, so ``pip install -r requirements.txt && streamlit run app.py`` is the whole
set-up; :func:`problems` says which file is still missing and how to fix it.

We use no ``folium.Icon`` (so no awesome-markers, Font Awesome or Bootstrap), no default marker
images and no folium plugin classes; a new plugin class must be added to :data:`_PLUGIN_LINKS`.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import folium

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
VENDOR = STATIC / "vendor"
LOCAL_PREFIX = "/app/static/"
FIX = "pip install -r requirements.txt"  # the one command that brings every vendor file


@dataclass(frozen=True)
class VendorFile:
    """One third-party file: where it is inside an installed XStatic package, where it goes."""

    module: str  # the XStatic module, whose ``BASE_DIR`` holds the files
    package: str  # its name on PyPI, as pinned in requirements.txt
    source: str  # path under ``BASE_DIR``
    dest: str  # path under ``static/vendor/``


_LEAFLET = ("xstatic.pkg.leaflet", "XStatic-Leaflet")
_JQUERY = ("xstatic.pkg.jquery", "XStatic-jQuery")
# leaflet.css refers to images/ beside it (the layer control's icon; default marker images).
VENDOR_FILES: tuple[VendorFile, ...] = (
    VendorFile(*_LEAFLET, "leaflet.js", "leaflet/leaflet.js"),
    VendorFile(*_LEAFLET, "leaflet.css", "leaflet/leaflet.css"),
    *(VendorFile(*_LEAFLET, f"images/{name}", f"leaflet/images/{name}")
      for name in ("layers.png", "layers-2x.png", "marker-icon.png", "marker-icon-2x.png",
                   "marker-shadow.png")),
    VendorFile(*_JQUERY, "jquery.min.js", "jquery/jquery.min.js"),
)

# (name, path under static/): the name is folium's de-duplication key in the page header.
_VENDOR_JS: list[tuple[str, str]] = [
    ("leaflet", "vendor/leaflet/leaflet.js"),
    ("jquery", "vendor/jquery/jquery.min.js"),  # folium.Popup's template calls $(`...`)
]
_VENDOR_CSS: list[tuple[str, str]] = [
    ("leaflet_css", "vendor/leaflet/leaflet.css"),
]

# folium plugin classes we use -> their (js, css) lists; empty today (see module docstring).
_PLUGIN_LINKS: dict[type, tuple[list[tuple[str, str]], list[tuple[str, str]]]] = {}


def _own_files(suffix: str) -> list[tuple[str, str]]:
    """Our committed front-end files ``static/app/*<suffix>``, sorted so the order is stable."""
    folder = STATIC / "app"
    files = sorted(folder.glob(f"*{suffix}")) if folder.is_dir() else []
    return [(f"app/{f.name}", f"app/{f.name}") for f in files]


def _urls(entries: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, LOCAL_PREFIX + rel) for name, rel in entries]


def js_links() -> list[tuple[str, str]]:
    """The ``(name, url)`` pairs :func:`install` gives ``folium.Map.default_js``."""
    return _urls([*_VENDOR_JS, *_own_files(".js")])


def css_links() -> list[tuple[str, str]]:
    """The ``(name, url)`` pairs :func:`install` gives ``folium.Map.default_css``."""
    return _urls([*_VENDOR_CSS, *_own_files(".css")])


@dataclass
class CopyReport:
    """What :func:`copy_vendor_files` did: files written, and files it could not write (why)."""

    copied: list[str] = field(default_factory=list)  # dest paths under static/vendor/
    errors: dict[str, str] = field(default_factory=dict)  # dest path -> reason


def _package_dir(module: str) -> Path | None:
    """``BASE_DIR`` of an installed XStatic package, or ``None`` when it is not installed."""
    try:
        return Path(importlib.import_module(module).BASE_DIR)
    except (ImportError, AttributeError):
        return None


def _is_current(src: Path, dst: Path) -> bool:
    """``dst`` holds what ``src`` holds. Cheap when it does: sizes and times first."""
    try:
        s, d = src.stat(), dst.stat()
    except OSError:
        return False
    if s.st_size != d.st_size:
        return False
    if s.st_mtime_ns == d.st_mtime_ns:  # copies keep the package file's time
        return True
    return src.read_bytes() == dst.read_bytes()


def _copy_atomically(src: Path, dst: Path) -> None:
    """Copy through a temporary file in the same folder and rename it into place, so a
    concurrent reader (or a second app process copying the same file) never sees half a file."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dst.parent, prefix=f".{dst.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out, src.open("rb") as inp:
            shutil.copyfileobj(inp, out)
        shutil.copystat(src, tmp)  # the package's time (for _is_current) and mode
        os.chmod(tmp, 0o644)  # readable by the server whoever copied it
        os.replace(tmp, dst)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def copy_vendor_files(vendor: Path | None = None,
                      files: Sequence[VendorFile] | None = None) -> CopyReport:
    """Copy each vendor file from its installed XStatic package into ``vendor`` when it is
    missing or differs. Idempotent: a second call copies nothing. Never raises for a missing
    package or an unwritable folder; those end up in :attr:`CopyReport.errors`.

    ``vendor`` defaults to :data:`VENDOR` and ``files`` to :data:`VENDOR_FILES`, read at call
    time (so tests can point them elsewhere).
    """
    vendor = VENDOR if vendor is None else vendor
    report = CopyReport()
    for f in VENDOR_FILES if files is None else files:
        base = _package_dir(f.module)
        if base is None:
            report.errors[f.dest] = f"the Python package {f.package} is not installed"
            continue
        src, dst = base / f.source, vendor / f.dest
        if not src.is_file():
            report.errors[f.dest] = f"{f.package} has no {f.source} (not the pinned version?)"
            continue
        if _is_current(src, dst):
            continue
        try:
            _copy_atomically(src, dst)
        except OSError as exc:
            report.errors[f.dest] = f"copying into {vendor} failed ({exc.strerror or exc})"
        else:
            report.copied.append(f.dest)
    return report


_last_copy_errors: dict[str, str] = {}


def problems(static: Path | None = None, copy_errors: Mapping[str, str] | None = None,
             files: Sequence[VendorFile] | None = None) -> list[str]:
    """What keeps the map from starting: one sentence per cause, naming the files the page needs
    that are not on disk, why, and how to fix it. Empty when every asset is in place. No
    Streamlit, nothing written.

    ``copy_errors`` are the reasons :func:`copy_vendor_files` gave (by default, those of the
    last :func:`install`); without one, the reason is worked out from what is installed.
    ``static`` defaults to :data:`STATIC` and ``files`` to :data:`VENDOR_FILES`.
    """
    static = STATIC if static is None else static
    files = VENDOR_FILES if files is None else files
    errors = _last_copy_errors if copy_errors is None else copy_errors
    by_dest = {f.dest: f for f in files}
    # our own files in static/app/ are listed because they exist; the vendor ones must be made
    needed = [rel for _, url in [*js_links(), *css_links()]
              if (rel := url.removeprefix(LOCAL_PREFIX)).startswith("vendor/")]
    needed += [f"vendor/{f.dest}" for f in files if f"vendor/{f.dest}" not in needed]
    found: dict[tuple[str, str], list[str]] = {}  # (reason, fix) -> files, in load order
    for rel in needed:
        if (static / rel).is_file():
            continue
        shown = f"static/{rel}"
        vendor_file = by_dest.get(rel.removeprefix("vendor/"))
        if vendor_file is None:
            found.setdefault(("no package in layers/assets.py VENDOR_FILES provides it",
                              "add it there"), []).append(shown)
            continue
        base = _package_dir(vendor_file.module)
        if base is None or not (base / vendor_file.source).is_file():
            reason = errors.get(vendor_file.dest) or (
                f"the Python package {vendor_file.package} is not installed" if base is None
                else f"{vendor_file.package} has no {vendor_file.source}")
            fix = f"run `{FIX}` in the app's Python environment, then restart the app"
        elif vendor_file.dest in errors:
            reason = errors[vendor_file.dest]
            fix = (f"make {static / 'vendor'} writable by the app and restart it, or run "
                   "`python scripts/install_assets.py` as a user who can write there")
        else:
            reason = f"nothing has copied from {vendor_file.package} yet"
            fix = ("restart the app (it copies the files at start-up), or run "
                   "`python scripts/install_assets.py`")
        found.setdefault((reason, fix), []).append(shown)
    return [f"The map cannot start: {_and(shown)} {'is' if len(shown) == 1 else 'are'} missing "
            f"because {reason}. To fix it, {fix}." for (reason, fix), shown in found.items()]


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def install() -> list[str]:
    """Put Leaflet and jQuery into ``static/vendor/`` and point folium at the local copies of
    every JS and CSS file. Idempotent, and cheap when the files are already there.

    Call it once before building any map (``app.py`` and the export code do). It copies each
    vendor file from its XStatic package when missing or different (:func:`copy_vendor_files`),
    then assigns new lists to folium (rather than mutating folium's module-level ones), so
    calling it again after a file was added to ``static/app/`` picks that file up and nothing is
    ever listed twice. Returns :func:`problems`: empty when every asset is in place.
    """
    global _last_copy_errors
    _last_copy_errors = copy_vendor_files().errors
    folium.Map.default_js = js_links()
    folium.Map.default_css = css_links()
    for cls, (js, css) in _PLUGIN_LINKS.items():
        cls.default_js = _urls(js)
        cls.default_css = _urls(css)
    return problems()


def asset_files() -> list[Path]:
    """The local files behind the URLs :func:`install` sets, in load order (JS, then CSS).

    The standalone HTML export inlines these; a missing file raises ``FileNotFoundError``
    naming it and the command that installs it.
    """
    paths = [STATIC / url.removeprefix(LOCAL_PREFIX) for _, url in [*js_links(), *css_links()]]
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(
                f"{path} is missing; run `{FIX}` and then `python scripts/install_assets.py` "
                "to install Leaflet and jQuery into static/vendor/"
            )
    return paths


_URL_ATTR = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def non_local_urls(html: str) -> list[str]:
    """Every ``src``/``href`` in ``html`` that is not under :data:`LOCAL_PREFIX`.

    Links inside popups (``<a href="https://...">``, a dataset's source) are listed too; callers
    that allow them filter the result. Used by tests and by the export to check a page.
    """
    return [url for url in _URL_ATTR.findall(html) if not url.startswith(LOCAL_PREFIX)]
