"""Test-only Streamlit app: untrusted text with bare addresses in every Markdown element.

The ``raw`` container shows each payload as it is (the browser makes a link of every one: the
check can fail); the ``escaped`` container shows each through ``layers.escape.markdown_text``
in the elements the dashboard uses for data text (markdown, caption, info, warning, error).
"""

from __future__ import annotations

import streamlit as st

from layers.escape import markdown_text
from tests.test_escape import PAYLOADS

with st.container(key="raw"):
    for payload in PAYLOADS:
        st.markdown(payload)
with st.container(key="escaped"):
    for payload in PAYLOADS:
        text = markdown_text(payload)
        st.markdown(text)
        st.caption(text)
        st.info(text)
        st.warning(text)
        st.error(text)
