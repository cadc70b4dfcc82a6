"""No link from untrusted text: bare addresses in Markdown are never autolinked.

Streamlit renders Markdown with remark-gfm, whose autolink transform looks for ``http://``,
``https://``, ``www.`` and e-mail addresses in the text *after* backslash escapes are undone,
so escaping alone does not stop them. :func:`gfm_autolinks` applies the transform's own two
patterns (read from the Streamlit bundle installed here, so that a Streamlit that changes them
fails this test instead of slipping by) to what Markdown makes of a text; the rendering in
Chromium is ``tests/browser/test_no_autolinks_in_browser.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import streamlit

from layers.escape import WORD_JOINER, markdown_text

PAYLOADS = [
    "https://evil.example",
    "http://evil.example/pixel.png?x=1",
    "HTTPS://EVIL.EXAMPLE/",
    "www.evil.example",
    "WWW.evil.example/path",
    "someone@evil.example",
    "write to someone@evil.example today",
    "see (https://evil.example) now",
    "report from www.evil.example, 2017",
    "a.b+tag@mail.evil.example",
    "[click](https://evil.example)",
    "<https://evil.example>",
    "file_https://evil.example.csv",
]

# The autolink transform's patterns, as the bundled StreamlitMarkdown JavaScript writes them.
_JS_URL = r"/(https?:\/\/|www(?=\.))([-.\w]+)([^ \t\r\n]*)/gi"
_JS_EMAIL = r"/(?<=^|\s|\p{P}|\p{S})([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)/gu"
# The same in Python. Stricter than the transform: no look-behind for the start of a word and
# no check of the domain, so anything it would link, these find.
URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.IGNORECASE)
EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark: a backslash before ASCII punctuation


def gfm_autolinks(markdown: str) -> list[str]:
    """What the autolink transform would find in the text Markdown makes of ``markdown``."""
    text = _ESCAPE.sub(r"\1", markdown)
    return [m.group(0) for m in URL.finditer(text)] + [m.group(0) for m in EMAIL.finditer(text)]


def test_the_patterns_are_the_bundled_renderer_s():
    bundle = Path(streamlit.__file__).parent / "static" / "static" / "js"
    sources = [p.read_text(encoding="utf-8", errors="replace")
               for p in bundle.glob("StreamlitMarkdown*.js")]
    assert sources, f"no StreamlitMarkdown bundle under {bundle}"
    assert any(_JS_URL in s and _JS_EMAIL in s for s in sources), (
        "Streamlit's Markdown autolinks with other patterns now: update URL and EMAIL here and "
        "check layers.escape.markdown_text against them")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_unescaped_the_payload_would_be_a_link(payload):
    assert gfm_autolinks(payload), payload  # the check can fail: it finds the raw address


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_text_leaves_no_autolink(payload):
    escaped = markdown_text(payload)
    assert gfm_autolinks(escaped) == [], escaped
    # What the reader sees is the payload itself, every character, nothing added but the
    # invisible joiner.
    assert _ESCAPE.sub(r"\1", escaped).replace(WORD_JOINER, "") == payload


def test_text_without_addresses_is_unchanged_but_for_escapes():
    text = "Idlib: 12 events (3 approximate); see the sidebar."
    assert WORD_JOINER not in markdown_text(text)
    assert _ESCAPE.sub(r"\1", markdown_text(text)) == text


def test_link_problems_quote_the_link_without_making_it_a_link():
    from datetime import date

    from view.url_state import LayerKeys, from_query

    keys = LayerKeys(keys=("events",), defaults=("events",))
    hostile = {"window": "https://evil.example", "briefing": "www.evil.example",
               "hide": "someone@evil.example", "date": "x@evil.example"}
    problems = from_query(hostile, date(2017, 12, 6), keys).problems
    assert len(problems) == 3
    for problem in problems:
        assert gfm_autolinks(problem), problem  # raw, the sentence would carry a link
        assert gfm_autolinks(markdown_text(problem)) == [], problem


def test_hidden_datasets_are_named_without_links():
    from ui.sidebar import dataset_id, hidden_sentence
    from view.stored import HiddenDataset

    said = hidden_sentence([HiddenDataset("bcfe6719a1fa", "www.evil.example@x.example.csv", 3)])
    assert "bcfe6719a1fa" in said and gfm_autolinks(said) == []
    # An id is read from a file name in the store folder: one that is no id is plain text.
    assert dataset_id("bcfe6719a1fa") == "`bcfe6719a1fa`"
    assert gfm_autolinks(dataset_id("https://evil.example")) == []
    assert dataset_id("a`b") == "a\\`b"  # escaped: no code span to break out of
