"""The app server the browser benchmarks drive, and what it costs the machine.

:func:`ucdp_app` runs ``streamlit run app.py`` (through the browser tests' harness) on the real
UCDP GED Syria file with an empty temporary store, so nothing else loads; ``python -m bench
control --browser`` and ``python -m bench load`` both use it. :func:`tree_rss_mb`,
:func:`tree_cpu_s` and :func:`open_fds` read the server's resident memory, CPU time and open
files from ``/proc``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.measure import rss_mb

ROOT = Path(__file__).resolve().parent.parent
UCDP = ROOT.parent / "shared" / "data" / "ucdp-ged-syria-2016-2019"
BOUNDARIES = ROOT.parent / "shared" / "data" / "ocha-cod-ab-syria"


@contextmanager
def ucdp_app(events: Path = UCDP, extra_env: dict[str, str] | None = None,
             timeout: float = 180.0) -> Iterator:
    """A running app (``tests.browser.harness.AppServer``) on ``events``, headless, on a free
    port of 127.0.0.1, with the OCHA boundaries, no tiles and an empty temporary store.

    ``extra_env`` adds variables (``STREAMLIT_*`` options among them) to the server's
    environment. Returns once ``/_stcore/health`` answers; the server stops on exit.
    """
    from tests.browser.harness import start_app  # needs Playwright: only browser benchmarks

    for needed in (events, BOUNDARIES):
        if not needed.exists():
            raise FileNotFoundError(f"{needed} is missing; clone ../shared beside the repo")
    with tempfile.TemporaryDirectory(prefix="bench-store-") as store:
        env = {"CONFLICT_MAP_EVENTS": str(events), "CONFLICT_MAP_BOUNDARIES": str(BOUNDARIES),
               "CONFLICT_MAP_STORE": store, "CONFLICT_MAP_TILES": "none", **(extra_env or {})}
        with start_app("app.py", env=env, timeout=timeout) as server:
            yield server


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (children, their children, …), from ``/proc``."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                # "pid (comm) state ppid ...": comm may hold spaces, so split after its ")".
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def tree_rss_mb(pid: int) -> float:
    """Resident memory (``VmRSS``) of ``pid`` and its descendants, in MiB."""
    total = rss_mb(pid)
    for child in descendants(pid):
        try:
            total += rss_mb(child)
        except (OSError, RuntimeError):
            continue  # ended, or a zombie without memory
    return total


def cpu_s(pid: int) -> float:
    """User plus system CPU seconds ``pid`` has used (``/proc/<pid>/stat`` utime + stime)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_s(pid: int) -> float:
    """CPU seconds of ``pid`` and its live descendants."""
    total = cpu_s(pid)
    for child in descendants(pid):
        try:
            total += cpu_s(child)
        except OSError:
            continue
    return total


def open_fds(pid: int) -> int:
    """How many files (sockets, pipes, event loops' selectors) ``pid`` holds open."""
    return len(os.listdir(f"/proc/{pid}/fd"))


def threads(pid: int) -> int:
    """How many threads ``pid`` runs (``Threads`` of ``/proc/<pid>/status``)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    raise RuntimeError(f"/proc/{pid}/status has no Threads line")
