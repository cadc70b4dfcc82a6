"""One owner of page state: only ui/state.py reads or writes ``st.session_state``."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OWNER = ROOT / "ui" / "state.py"
PACKAGES = ("app.py", "ui", "view", "layers", "sources", "exports", "bench")
SESSION_STATE = re.compile(r"\bsession_state\b")


# The benchmark's peers are other apps, written as a user picking them would (bench/peers):
# they are not the dashboard, whose page state has one owner.
NOT_THE_DASHBOARD = (ROOT / "bench" / "peers",)


def _python_files() -> list[Path]:
    files: list[Path] = []
    for name in PACKAGES:
        path = ROOT / name
        files += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return [f for f in files if not any(f.is_relative_to(p) for p in NOT_THE_DASHBOARD)]


def test_only_ui_state_touches_session_state() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _python_files() if path != OWNER
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if SESSION_STATE.search(line.split("#")[0])
    ]
    assert offenders == [], "session state is read or written outside ui/state.py"


def test_the_owner_names_its_keys_once() -> None:
    text = OWNER.read_text(encoding="utf-8")
    # Keys are constants at the top of the module; nothing indexes session state with a
    # literal string elsewhere in it.
    assert not re.search(r"""_ss\(\)\[\s*["']""", text)
    assert not re.search(r"""\bss\[\s*["']""", text)
    keys = re.findall(r'^_?[A-Z_]+ = "([^"]+)"', text, flags=re.M)
    assert len(keys) == len(set(keys)) >= 20


def test_no_module_below_ui_imports_streamlit() -> None:
    for name in ("view", "layers", "sources", "exports"):
        for path in sorted((ROOT / name).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"^\s*(import streamlit|from streamlit)", text, flags=re.M), path
