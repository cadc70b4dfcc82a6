"""A self-contained HTML file of the current map view that works offline, opened from disk.

The app's folium map loads Leaflet and our own scripts from ``/app/static/...`` (Streamlit's
static serving; ``layers/assets.py``). A file opened from disk has no server, so every such
``<script src>`` and ``<link href>`` is replaced by the file's content inline, and the images
Leaflet's CSS refers to become ``data:`` URIs. Map tiles need the internet, so the tile layers
are left out of the export. The result is checked: no ``src``/``href`` may point anywhere.
"""

from __future__ import annotations

import base64
import html
import mimetypes
import re
from collections import OrderedDict
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import folium
from folium.raster_layers import TileLayer

from view.clock import format_day

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
LOCAL_PREFIX = "/app/static/"  # the same prefix layers/assets.py gives folium

_SCRIPT_SRC = re.compile(
    r"""<script\b[^>]*?\bsrc\s*=\s*["']([^"']+)["'][^>]*>\s*</script\s*>""", re.IGNORECASE
)
_STYLESHEET = re.compile(r"""<link\b[^>]*?\bhref\s*=\s*["']([^"']+)["'][^>]*?/?>""", re.IGNORECASE)
_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)""")
_MAP_DIV = re.compile(r"""<div class="folium-map"[^>]*>\s*</div>""")

_EXPORT_CSS = """
html, body { height: 100%; margin: 0; padding: 0; }
body { display: flex; flex-direction: column; font-family: "DejaVu Sans", system-ui, sans-serif;
       color: #1f2933; background: #ffffff; }
.export-header { flex: 0 0 auto; display: flex; align-items: center; gap: 24px;
                 background: #1f2933; color: #ffffff; padding: 10px 20px; }
.export-title { flex: 1 1 auto; font-size: 22px; font-weight: bold; }
.export-date { flex: 0 0 auto; font-size: 36px; font-weight: bold; }
.export-caption { flex: 0 0 auto; background: #fff3c4; padding: 8px 20px; font-size: 18px; }
.export-main { flex: 1 1 auto; display: flex; min-height: 0; }
.export-main > .folium-map { flex: 1 1 auto; position: relative !important;
                             width: auto !important; height: auto !important; }
.export-legend { flex: 0 0 300px; overflow: auto; padding: 12px 16px;
                 border-left: 1px solid #cbd2d9; font-size: 14px; }
.export-footer { flex: 0 0 auto; padding: 4px 20px; font-size: 12px; color: #52606d;
                 border-top: 1px solid #cbd2d9; }
"""


class ExportError(ValueError):
    """The page would not work offline (an asset is missing or a URL points outside)."""


def _local_file(url: str) -> Path:
    if not url.startswith(LOCAL_PREFIX):
        raise ExportError(f"asset {url!r} is not local (under {LOCAL_PREFIX}); cannot inline it")
    path = (STATIC / url.removeprefix(LOCAL_PREFIX).split("?")[0]).resolve()
    if STATIC.resolve() not in path.parents:
        raise ExportError(f"asset {url!r} points outside static/")
    if not path.is_file():
        raise ExportError(
            f"{path} is missing; run `python scripts/install_assets.py` to install the assets"
        )
    return path


def _inline_css(css: str, base: Path) -> str:
    """``url(...)`` of local files as data: URIs (Leaflet's layer and marker images)."""

    def replace(match: re.Match) -> str:
        target = match.group(2).strip()
        if target.startswith(("data:", "#")):
            return match.group(0)
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith("//"):
            raise ExportError(f"stylesheet {base} refers to {target!r}, which needs the network")
        path = (base.parent / target.split("?")[0].split("#")[0]).resolve()
        if not path.is_file():
            # An image the stylesheet names but the install did not ship: the rule then shows
            # nothing, which is what an unreachable URL would have done.
            return "none"
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f'url("data:{mime};base64,{data}")'

    css = _CSS_URL.sub(replace, css)
    # "</style" would end the <style> element early; \3c is CSS's escape for "<".
    return re.sub(r"</(style)", r"\\3c /\1", css, flags=re.IGNORECASE)


def _script_text(js: str) -> str:
    # "</script" inside the code would end the <script> element early; "<\/" is the same string
    # to JavaScript (in strings and regexes, where it occurs in libraries).
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE)


def inline_assets(page: str) -> str:
    """Replace every local ``<script src>`` and stylesheet ``<link>`` with the file's content."""

    def script(match: re.Match) -> str:
        path = _local_file(match.group(1))
        code = _script_text(path.read_text(encoding="utf-8"))
        return f"<script>/* {path.name} */\n{code}\n</script>"

    def stylesheet(match: re.Match) -> str:
        tag = match.group(0)
        if not re.search(r"""rel\s*=\s*["']?stylesheet""", tag, re.IGNORECASE):
            return tag  # e.g. <link rel="icon">: left for the URL check below
        path = _local_file(match.group(1))
        css = _inline_css(path.read_text(encoding="utf-8"), path)
        return f"<style>/* {path.name} */\n{css}\n</style>"

    page = _SCRIPT_SRC.sub(script, page)
    return _STYLESHEET.sub(stylesheet, page)


class _UrlAttributes(HTMLParser):
    """Collects src/href attributes of the page's elements (not text inside scripts)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls.extend(value for name, value in attrs if name in ("src", "href") and value)


def loading_urls(page: str) -> list[str]:
    """Every ``src``/``href`` attribute value of the page's elements.

    Text inside ``<script>`` is not markup, so links built by JavaScript (Leaflet's own
    attribution link, popups) are not listed: they are not loaded when the page opens.
    """
    parser = _UrlAttributes()
    parser.feed(page)
    parser.close()
    return parser.urls


def _render_without_tiles(m: folium.Map) -> str:
    # Tiles come from a tile server; offline they would be grey squares and failed requests.
    # The caller's map is restored exactly (same children, same order) afterwards.
    original = m._children
    m._children = OrderedDict(
        (name, child) for name, child in original.items() if not isinstance(child, TileLayer)
    )
    try:
        return m.get_root().render()
    finally:
        m._children = original


def render_standalone_html(
    m: folium.Map, *, title: str, day: date, legend_html: str, caption: str
) -> str:
    """The current view as one HTML file that works offline when opened from disk.

    Parameters
    ----------
    m
        The app's base map with the view's feature groups added.
    title, caption
        Shown in the page header (escaped: they may come from data).
    day
        The selected date, shown large in the header.
    legend_html
        The legend as HTML built by our own code (``layers/``), shown beside the map as given.

    Returns
    -------
    str
        The page. Every script and stylesheet is inline; tile layers are left out.

    Raises
    ------
    ExportError
        When an asset is missing, or a ``src``/``href`` would still load something.
    """
    page = inline_assets(_render_without_tiles(m))
    header = (
        '<header class="export-header">'
        f'<div class="export-title">{html.escape(title)}</div>'
        f'<div class="export-date" id="export-date">{html.escape(format_day(day))}</div>'
        "</header>"
        f'<div class="export-caption">{html.escape(caption)}</div>'
    )
    footer = (
        '<div class="export-footer">Exported view of '
        f"{html.escape(format_day(day))}; works offline; map tiles are not included.</div>"
    )
    maps = _MAP_DIV.findall(page)
    if len(maps) != 1:
        raise ExportError(f"expected one folium map in the page, found {len(maps)}")
    main = (
        f'<main class="export-main">{maps[0]}'
        f'<aside class="export-legend">{legend_html}</aside></main>'
    )
    page = page.replace(maps[0], header + main + footer, 1)
    head_extra = (
        f"<title>{html.escape(title)} – {html.escape(format_day(day))}</title>"
        f"<style>{_EXPORT_CSS}</style>"
    )
    page = re.sub(r"</head>", lambda _: head_extra + "</head>", page, count=1, flags=re.IGNORECASE)
    remote = [u for u in loading_urls(page) if not u.startswith(("data:", "#"))]
    if remote:
        raise ExportError(f"the page would still load {remote[:5]}; it must work offline")
    return page
