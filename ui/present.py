"""Page style (large type for a shared screen), present view, and the +/- window keys.

The CSS here is our own constant text; no dataset text goes into it.
"""

from __future__ import annotations

import streamlit as st

from ui import state

BASE_CSS = """
<style>
.cm-banner {margin:0}
.cm-scene {font-size:1.45rem; font-weight:700; line-height:1.3}
.cm-date {font-size:2.9rem; font-weight:800; line-height:1.05; letter-spacing:-.01em}
.cm-window {font-size:1.05rem; color:#222; line-height:1.35}
.cm-caption {font-size:1.3rem; line-height:1.3; margin:.1rem 0; font-weight:600}
.cm-caption-empty {color:#555; font-weight:400; font-size:1.2rem}
.cm-badge {display:inline-block; font-size:.95rem; font-weight:700; padding:.05rem .5rem;
  border-radius:.3rem; border:2px solid #1a1a1a; margin-right:.3rem; vertical-align:middle}
.cm-cat-claim .cm-badge {background:#D55E00; color:#fff; border-color:#D55E00}
.cm-cat-military .cm-badge {background:#f2f2f2}
.cm-source {font-size:1rem; font-weight:400; color:#444}
.cm-claim {line-height:1.3}
.cm-claim-head {display:inline-block; background:#D55E00; color:#fff; font-weight:800;
  font-size:1.05rem; padding:.05rem .55rem; border-radius:.3rem; margin-bottom:.3rem}
.cm-claim-text {font-size:1.15rem; font-weight:600; margin-bottom:.25rem}
.cm-claim-note {font-size:.95rem; color:#333; margin-bottom:.35rem}
.cm-claim-sub {font-size:.95rem; color:#222}
.cm-figs {display:grid; grid-template-columns:repeat(3, minmax(0, 1fr)); gap:.4rem;
  margin:.3rem 0}
/* Scales with the column so that six-digit counts still fit beside each other. */
.cm-fig {font-size:clamp(1.2rem, 1.9vw, 2.1rem); font-weight:800; line-height:1.1;
  white-space:nowrap}
.cm-fig-label {font-size:.9rem; color:#333}
.block-container, [data-testid="stMainBlockContainer"] {padding-top:3.75rem !important}
[data-testid="stMetricValue"] {font-size:2rem}
/* The style block and the key listener draw nothing: take them out of the column's flow so
   the gaps around them do not push the date down. */
.st-key-cm_page_style, .st-key-cm_window_keys,
[data-testid="stVerticalBlock"] > div:has(> .st-key-cm_page_style),
[data-testid="stVerticalBlock"] > div:has(> .st-key-cm_window_keys) {position:absolute !important;
  width:1px;
  height:0 !important; overflow:hidden; pointer-events:none}
</style>
"""

PRESENT_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stMainMenu"], footer {display:none !important}
.block-container, [data-testid="stMainBlockContainer"] {padding:0.6rem 1.2rem 0 !important;
  max-width:100% !important}
body, .stApp {background:#ffffff !important; color:#000000 !important}
.cm-date {font-size:4rem}
.cm-caption {font-size:1.7rem; line-height:1.25}
.cm-window {font-size:1.4rem; color:#000}
.cm-source {color:#222; font-size:1.05rem; line-height:1.2}
.cm-scene {font-size:1.9rem}
.cm-legend {font-size:1.3rem !important}
/* The way out sits in the bottom-right corner, over the page: it takes no row of its own. */
.st-key-exit_present {position:fixed !important; bottom:.5rem; right:.8rem; z-index:1000;
  width:auto !important}
.st-key-exit_present button {opacity:.55}
.st-key-exit_present button:hover, .st-key-exit_present button:focus {opacity:1}
</style>
"""

# +/- are punctuation, which Streamlit's button shortcuts do not support (arrows and Space
# are handled by the buttons' own `shortcut`). The listener is attached once per page, to the
# app's document (component frames are same-origin), and ignores typing in inputs.
_KEYS_JS = """
<script>
(function () {
  const doc = window.parent.document;
  if (doc.__cmWindowKeys) { return; }
  doc.__cmWindowKeys = true;
  doc.addEventListener("keydown", function (e) {
    const t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey) { return; }
    // Typing is typing; the date slider (an input of type range) takes +/- as window keys.
    if (t && (t.isContentEditable || (["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName)
                                      && t.type !== "range"))) {
      return;
    }
    let key = null;
    if (e.key === "+" || e.key === "=") { key = "window_wider"; }
    if (e.key === "-" || e.key === "_") { key = "window_narrower"; }
    if (!key) { return; }
    // The visible one: Streamlit keeps a hidden copy of a button to measure its label.
    const button = [...doc.querySelectorAll(
      ".st-key-" + key + " button[data-testid^='stBaseButton']")].find(b => b.offsetParent);
    if (button) { e.preventDefault(); button.click(); }
  });
})();
</script>
"""


def page_style(present: bool) -> None:
    """The page's CSS; with ``present``, the present view's (no sidebar, larger type)."""
    with st.container(key="cm_page_style"):
        st.markdown(BASE_CSS + (PRESENT_CSS if present else ""), unsafe_allow_html=True)


def window_keys() -> None:
    """Install the +/- listener (an invisible component)."""
    with st.container(key="cm_window_keys"):
        st.iframe(_KEYS_JS, height=1)


def exit_button() -> None:
    """In present view the sidebar (and its toggle) is hidden: a way back, also on Esc."""
    st.button("✕ Exit present view", key="exit_present", shortcut="Esc",
              on_click=state.exit_present, help="Back to the normal view (Esc)")
