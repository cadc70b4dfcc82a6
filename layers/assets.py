"""Every JavaScript and CSS file the map loads, served locally (never from a CDN).

folium's classes carry CDN URLs in ``default_js``/``default_css``; streamlit-folium collects
those lists from the element tree and loads each script in order on the component's *first
mount*, and a single unreachable script stops the map from ever starting (engineering notes
§0.3, §2.3). :func:`install` replaces the lists with local URLs under :data:`LOCAL_PREFIX`
(Streamlit's static serving of ``./static``), and adds our own Leaflet extensions from
``static/app/`` to the base map so they are present before any date-dependent layer needs them.

We use no ``folium.Icon`` (so no awesome-markers, Font Awesome or Bootstrap), no default marker
images and no folium plugin classes; a new plugin class must be added to :data:`_PLUGIN_LINKS`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import folium

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
LOCAL_PREFIX = "/app/static/"

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


def install() -> None:
    """Point folium at the local copies of every JS and CSS file. Idempotent.

    Call it once before building any map (``app.py`` and the export code do). It assigns new
    lists (rather than mutating folium's module-level ones), so calling it again after a file
    was added to ``static/app/`` picks that file up and nothing is ever listed twice.
    """
    folium.Map.default_js = js_links()
    folium.Map.default_css = css_links()
    for cls, (js, css) in _PLUGIN_LINKS.items():
        cls.default_js = _urls(js)
        cls.default_css = _urls(css)


def asset_files() -> list[Path]:
    """The local files behind the URLs :func:`install` sets, in load order (JS, then CSS).

    The standalone HTML export inlines these; a missing file raises ``FileNotFoundError``
    naming it and the command that installs it.
    """
    paths = [STATIC / url.removeprefix(LOCAL_PREFIX) for _, url in [*js_links(), *css_links()]]
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(
                f"{path} is missing; run `python scripts/install_assets.py` to install "
                "Leaflet and jQuery into static/vendor/"
            )
    return paths


_URL_ATTR = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def non_local_urls(html: str) -> list[str]:
    """Every ``src``/``href`` in ``html`` that is not under :data:`LOCAL_PREFIX`.

    Links inside popups (``<a href="https://...">``, a dataset's source) are listed too; callers
    that allow them filter the result. Used by tests and by the export to check a page.
    """
    return [url for url in _URL_ATTR.findall(html) if not url.startswith(LOCAL_PREFIX)]
