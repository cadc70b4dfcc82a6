"""Escaping for untrusted dataset text: in the map, and in Streamlit's Markdown.

folium puts ``Popup`` and ``Tooltip`` text into a JavaScript *template literal* as raw HTML, so
``html.escape`` alone is not enough: a backtick ends the literal, ``${...}`` runs code and a
backslash can escape our escaping (engineering notes §4.1). :func:`html_text` turns every one
of those characters into an HTML entity, which the browser then shows as the character.

Braces too, for a reason on the server: branca compiles each element's rendered script as a
Jinja template once more (``Element(script(...))`` in ``MacroElement.render``), so ``{{ ... }}``
or ``{% ... %}`` in dataset text would be *run by the server* when the map is rendered. Every
text that reaches a folium template goes through :func:`html_text` (HTML) or
``layers.events.to_json`` (JSON), and both write ``{`` so that Jinja never sees a tag.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import pandas as pd

_ALLOWED_SCHEMES = frozenset({"http", "https"})
# Characters with a meaning in Streamlit's Markdown: CommonMark's punctuation, plus ':' (emoji
# and :color[...] directives) and '$' (LaTeX). Backslash-escaped, each shows as itself.
_MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()<>#+-.!|~:$&\"'")
# Where Streamlit's Markdown would make a link of bare text: GitHub-flavoured autolinks find
# ``http://``, ``https://``, ``www.`` and e-mail addresses in the text *after* backslash
# escapes are undone (remark-gfm's find-and-replace over text nodes), so escaping cannot stop
# them. An invisible WORD JOINER (U+2060) inside each one does: between ``:`` and ``//``,
# between ``www`` and ``.``, and after ``@``. The text reads the same, and is never a link.
_AUTOLINK_SEAMS = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def _missing(value: object) -> bool:
    """True for None, NaN, ``pd.NA`` and ``NaT`` (what an empty cell of a table holds)."""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # list-likes: not a missing scalar
        return False


def html_text(value: object) -> str:
    """Escape untrusted text for HTML that folium embeds in a JavaScript template literal.

    Parameters
    ----------
    value : object
        Any value; missing values (``None``, NaN, ``pd.NA``, ``NaT``) become ``""``.

    Returns
    -------
    str
        ``value`` as text with ``& < > " '`` escaped by :func:`html.escape` and the backslash,
        backtick, dollar sign and braces written as ``&#92;``, ``&#96;``, ``&#36;``,
        ``&#123;`` and ``&#125;``.
    """
    if _missing(value):
        return ""
    text = html.escape(str(value), quote=True)
    # Backslash first: the entities added next contain no backslash, so order is safe either way,
    # but doing it first keeps the intent obvious.
    return (text.replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")
            .replace("{", "&#123;").replace("}", "&#125;"))


def safe_url(url: object) -> str:
    """Return ``url`` escaped for an ``href`` when it is an absolute http(s) URL, else ``""``.

    Parameters
    ----------
    url : object
        A candidate link from a dataset (untrusted).

    Returns
    -------
    str
        The URL passed through :func:`html_text`, or ``""`` for anything that is not an
        ``http``/``https`` URL with a host (``javascript:``, ``data:``, relative paths, empty).
    """
    if _missing(url):
        return ""
    text = str(url).strip()
    # Control characters and whitespace inside a URL are how scheme checks get fooled
    # ("java\tscript:"); a real source link has none.
    if not text or any(ch.isspace() or ord(ch) < 32 for ch in text):
        return ""
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme.lower() not in _ALLOWED_SCHEMES or not parts.netloc:
        return ""
    return html_text(text)


def markdown_text(value: object) -> str:
    """Escape untrusted text (dataset and file names, error sentences quoting them) for
    ``st.markdown``, ``st.error`` and the other elements that render Markdown.

    Without it a dataset named ``![x](https://host/pixel.png)`` makes every viewer's browser
    fetch that image: a request off the machine, and a tracking pixel on a briefing screen.
    Newlines become spaces, so a name cannot start a new block either. Bare addresses
    (``https://evil.example``, ``www.evil.example``, ``someone@evil.example``) get an invisible
    word joiner (:data:`WORD_JOINER`) where the autolinker would see them, so they are never
    made clickable links.
    """
    if _missing(value):
        return ""
    text = _AUTOLINK_SEAMS.sub(WORD_JOINER, " ".join(str(value).split()))
    return "".join(f"\\{c}" if c in _MARKDOWN_SPECIAL else c for c in text)
