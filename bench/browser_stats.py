"""The pure part of ``python -m bench browser``: when a step has settled, percentiles, play
rates, the start days, the targets and the tables. No browser, no Streamlit.

A *step* is judged from what the in-page probe (:mod:`bench.browser`) recorded, all in the
page's own clock (milliseconds of ``performance.now()``):

* the key press (``keydown``'s time stamp) and the map's signature just before it;
* every change of the map's signature after it (one entry per animation frame in which the
  map's pixels or its DOM differ from the frame before);
* every change of Streamlit's script state (``running`` / ``notRunning``).

The map has *settled* when it has changed and then stayed the same for a quiet period, and the
server is not running the script (so a server's late answer that redraws the map counts). The
time reported is the time of the last change, without the quiet period.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np

QUIET_MS = 300.0  # the map stays the same this long after its last change: settled
# Nothing has changed yet: wait longer before calling the step "unchanged", so that a slow
# app whose script has finished but whose map has not started redrawing is not cut short.
IDLE_QUIET_MS = 1000.0
RUN_GRACE_MS = 1000.0  # an app that never reruns its script (all in the browser) waits this long
STEP_TIMEOUT_MS = 60_000.0
TARGETS = {
    "p50_ms": 120.0,
    "p95_ms": 250.0,
    "play_fps": 10.0,
    "faster_than_fastest_peer": 5.0,
    "faster_than_folium": 100.0,
}
APPS = ("ours", "folium_markers", "fastmarkercluster", "pydeck")
APP_LABELS = {
    "ours": "ours",
    "folium_markers": "folium markers",
    "fastmarkercluster": "FastMarkerCluster",
    "pydeck": "pydeck Scatterplot",
}
WINDOW_DAYS: dict[str, int | None] = {"week": 7, "quarter": 91, "all": None}

# status of one step
OK = "ok"  # the map changed and settled on an image other than the one before the press
SAME = "same_as_start"  # it changed, and settled on the image it had before the press
UNCHANGED = "unchanged"  # nothing changed at all (no time to report)
TIMEOUT = "timeout"  # still changing, or the script still running, after STEP_TIMEOUT_MS


@dataclass(frozen=True)
class Step:
    """What one key press did to the map."""

    status: str
    ms: float | None  # key press to the last change; None when nothing changed or timed out
    changes: int  # frames in which the map differed from the frame before
    first_ms: float | None = None  # key press to the first change (the first visible answer)


def _busy_at(runs: Sequence[tuple[float, str]], press_t: float, before_press: str) -> bool:
    """Whether the script runs at the end of ``runs`` (state transitions, time-ordered)."""
    state = before_press
    for t, value in runs:
        if t >= press_t:
            state = value
    return state != "notRunning"


def judge_step(
    press_t: float,
    baseline: str,
    changes: Sequence[tuple[float, str]],
    runs: Sequence[tuple[float, str]],
    now: float,
    *,
    state_at_press: str = "notRunning",
    quiet_ms: float = QUIET_MS,
    idle_quiet_ms: float = IDLE_QUIET_MS,
    run_grace_ms: float = RUN_GRACE_MS,
    timeout_ms: float = STEP_TIMEOUT_MS,
) -> Step | None:
    """Judge a step from what the probe has recorded up to ``now``; ``None``: not settled yet.

    Parameters
    ----------
    press_t
        When the key went down (page clock, ms).
    baseline
        The map's signature just before the key press.
    changes
        ``(t, signature)`` of every frame whose signature differs from the frame before it,
        in time order; entries before ``press_t`` are ignored.
    runs
        ``(t, script_state)`` transitions of Streamlit's script (``"running"``,
        ``"notRunning"``, ...), in time order; entries before ``press_t`` are ignored.
    now
        The page clock at the moment of judging.
    state_at_press
        The script state when the key went down.
    quiet_ms, idle_quiet_ms, run_grace_ms, timeout_ms
        See the module's constants.
    """
    after = [(t, sig) for t, sig in changes if t >= press_t]
    runs_after = [(t, s) for t, s in runs if t >= press_t]
    first_ms = after[0][0] - press_t if after else None
    if now - press_t >= timeout_ms:
        return Step(TIMEOUT, None, len(after), first_ms)
    if _busy_at(runs_after, press_t, state_at_press):
        return None
    ran = any(s != "notRunning" for _, s in runs_after)
    if not ran and now - press_t < run_grace_ms:
        return None  # the server may not have started the run yet
    last_idle = max((t for t, s in runs_after if s == "notRunning"), default=press_t)
    last_change = after[-1][0] if after else None
    quiet = quiet_ms if after else idle_quiet_ms
    if now - max(last_idle, last_change or press_t) < quiet:
        return None
    if not after:
        return Step(UNCHANGED, None, 0)
    status = OK if after[-1][1] != baseline else SAME
    return Step(status, last_change - press_t, len(after), first_ms)


def percentile(values: Iterable[float], q: float) -> float | None:
    """The ``q``-th percentile (linear interpolation, as numpy's default); ``None`` when empty."""
    data = [float(v) for v in values if v is not None and not math.isnan(v)]
    if not data:
        return None
    return float(np.percentile(np.asarray(data), q))


def summarise_steps(steps: Sequence[Step]) -> dict[str, object]:
    """p50/p95 over the steps that redrew the map (``ok`` and ``same_as_start``), and counts."""
    redrawn = [s for s in steps if s.status in (OK, SAME) and s.ms is not None]
    counts = {status: sum(s.status == status for s in steps)
              for status in (OK, SAME, UNCHANGED, TIMEOUT)}

    def rounded(values: list[float], q: float) -> float | None:
        value = percentile(values, q)
        return None if value is None else round(value, 1)

    firsts = [s.first_ms for s in redrawn if s.first_ms is not None]
    return {
        "p50_ms": rounded([s.ms for s in redrawn], 50),
        "p95_ms": rounded([s.ms for s in redrawn], 95),
        "first_change_p50_ms": rounded(firsts, 50),
        "first_change_p95_ms": rounded(firsts, 95),
        "steps": len(steps),
        **counts,
        "steps_ms": [None if s.ms is None else round(s.ms, 1) for s in steps],
        "steps_status": [s.status for s in steps],
    }


def play_rates(changes: Sequence[tuple[float, str]], started: float, ended: float) -> dict:
    """How fast Play moved the map between ``started`` (the click) and ``ended`` (page clock).

    ``frames_per_s`` counts distinct map images (a frame that returns to an image seen before,
    such as an empty map between two drawings, is not counted again) over the time from the
    first change to ``ended``; ``changes_per_s`` counts every change over the same time.
    """
    inside = [(t, sig) for t, sig in changes if started <= t <= ended]
    if not inside:
        return {"frames_per_s": 0.0, "changes_per_s": 0.0, "distinct_images": 0,
                "changes": 0, "seconds": round((ended - started) / 1000, 2),
                "first_change_ms": None}
    span_s = max(ended - inside[0][0], 1.0) / 1000
    distinct = len({sig for _, sig in inside})
    return {
        "frames_per_s": round(distinct / span_s, 2),
        "changes_per_s": round(len(inside) / span_s, 2),
        "distinct_images": distinct,
        "changes": len(inside),
        "seconds": round(span_s, 2),
        "first_change_ms": round(inside[0][0] - started, 1),
    }


def start_days(event_start_days: np.ndarray, count: int, presses: int, *, seed: int = 0,
               first: int, last: int) -> list[int]:
    """``count`` start days (day numbers) in ``[first, last]``, drawn with ``seed``, such that
    events start on each of the ``presses`` days after each: every press brings new events
    into every window, so every step should change the map. Sorted; fewer when too few days
    qualify.
    """
    starting = set(np.unique(event_start_days).tolist())
    candidates = [d for d in range(first, last + 1)
                  if all(d + k in starting for k in range(1, presses + 1))]
    if not candidates:
        return []
    rng = np.random.default_rng(seed)
    picked = rng.choice(len(candidates), size=min(count, len(candidates)), replace=False)
    return sorted(candidates[int(i)] for i in picked)


def window_count(start: np.ndarray, end: np.ndarray, day: int, window: str) -> int:
    """Events (day numbers ``start``/``end``) in the window ending on ``day``."""
    days = WINDOW_DAYS[window]
    mask = start <= day
    if days is not None:
        mask &= end >= day - days + 1
    return int(mask.sum())


# -- targets -------------------------------------------------------------------------------
def _ratio(slow: float | None, fast: float | None) -> float | None:
    if slow is None or fast is None or fast <= 0:
        return None
    return round(slow / fast, 1)


def compare(apps: Mapping[str, Mapping[str, Mapping]], windows: Sequence[str]) -> dict:
    """Per window: how many times ours is faster (p50) than each peer and than the fastest."""
    out: dict[str, dict] = {}
    ours = apps.get("ours", {})
    for window in windows:
        mine = ours.get(window, {}).get("p50_ms")
        ratios = {app: _ratio(apps[app].get(window, {}).get("p50_ms"), mine)
                  for app in apps if app != "ours"}
        peers = [(apps[app][window]["p50_ms"], app) for app in apps
                 if app != "ours" and apps[app].get(window, {}).get("p50_ms") is not None]
        fastest = min(peers) if peers else None
        out[window] = {"ratios": ratios,
                       "fastest_peer": fastest[1] if fastest else None,
                       "vs_fastest_peer": _ratio(fastest[0], mine) if fastest else None}
    return out


def within_targets(result: Mapping) -> dict[str, bool | None]:
    """Each target of the issue: met (True), missed (False) or not measured (None)."""
    apps, windows = result["apps"], result["windows"]
    ours = apps.get("ours", {})
    checks: dict[str, bool | None] = {}
    for window in windows:
        row = ours.get(window, {})
        for key in ("p50_ms", "p95_ms"):
            value = row.get(key)
            checks[f"{window}_{key}"] = None if value is None else value <= TARGETS[key]
        ratios = result["compare"][window]
        fastest = ratios["vs_fastest_peer"]
        checks[f"{window}_vs_fastest_peer"] = (
            None if fastest is None else fastest >= TARGETS["faster_than_fastest_peer"])
        folium = ratios["ratios"].get("folium_markers")
        checks[f"{window}_vs_folium"] = (
            None if folium is None else folium >= TARGETS["faster_than_folium"])
    play = result.get("play")
    checks["play_fps"] = (None if not play or play.get("frames_per_s") is None
                          else play["frames_per_s"] >= TARGETS["play_fps"])
    return checks


# -- tables --------------------------------------------------------------------------------
def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _bytes(value: float | None) -> str:
    if value is None:
        return "–"
    for unit, size in (("MB", 1e6), ("KB", 1e3)):
        if value >= size:
            return f"{value / size:,.1f} {unit}"
    return f"{value:,.0f} B"


def _note(row: Mapping) -> str:
    if row.get("status", OK) != OK:
        return str(row.get("status"))
    notes = []
    for key, word in ((SAME, "back to start"), (UNCHANGED, "unchanged"), (TIMEOUT, "timed out")):
        if row.get(key):
            notes.append(f"{row[key]} {word}")
    return ", ".join(notes)


def rows(result: Mapping) -> list[list[str]]:
    """The table's rows (:data:`HEADER`): app, window, settled p50 and p95, first change p50,
    steps, how many times ours is faster (p50), bytes once and per step, notes."""
    out = []
    for app in result["apps"]:
        for window in result["windows"]:
            row = result["apps"][app].get(window, {})
            ratio = (None if app == "ours"
                     else result["compare"][window]["ratios"].get(app))
            out.append([
                APP_LABELS.get(app, app), window, _ms(row.get("p50_ms")), _ms(row.get("p95_ms")),
                _ms(row.get("first_change_p50_ms")), str(row.get("steps", 0)),
                "" if app == "ours" else ("–" if ratio is None else f"{ratio:,.1f}×"),
                _bytes(row.get("bytes_once")), _bytes(row.get("bytes_per_step_p50")),
                _note(row),
            ])
    return out


HEADER = ["app", "window", "p50 ms", "p95 ms", "first change p50 ms", "steps", "ours faster",
          "bytes once", "bytes/step p50", "notes"]
_NUMERIC = range(2, 9)


def machine_line(machine: Mapping) -> str:
    return (f"{machine.get('cpu_model', '?')}, {machine.get('nproc', '?')} cores, "
            f"{machine.get('ram_gb', '?')} GB RAM, {machine.get('chromium', 'Chromium')}, "
            f"load average {machine.get('loadavg_1min', '?')} (1 min)")


def _play_line(result: Mapping) -> str | None:
    play = result.get("play")
    if not play:
        return None
    if play.get("error"):
        return f"play (ours): not measured: {play['error']}"
    line = (f"play (ours): {play['frames_per_s']:.1f} map images a second over "
            f"{play['seconds']:.1f} s ({play['changes_per_s']:.1f} changes a second; first "
            f"change {_ms(play.get('first_change_ms'))} ms after the click)")
    if "clock_frames_per_s" in play:
        line += (f"; the map's clock drew {play['clock_frames_per_s']:.1f} frames a second at "
                 f"speed '{play.get('speed')}'")
        if "frames_wrong" in play:
            line += (f", {play['frames_wrong']} of {play['frames_checked']} with the wrong "
                     "events")
    return line


def _verdict(met: bool | None) -> str:
    return {True: "met", False: "MISSED", None: "not measured"}[met]


def target_lines(result: Mapping) -> list[str]:
    """One line per window saying which of the issue's targets ours meets, and one for Play."""
    met = result.get("within_targets") or within_targets(result)
    lines = []
    for window in result["windows"]:
        row = result["apps"].get("ours", {}).get(window, {})
        ratios = result["compare"][window]
        fastest = ratios["fastest_peer"]
        lines.append(
            f"targets, {window}: p50 {_ms(row.get('p50_ms'))} <= {TARGETS['p50_ms']:.0f} ms "
            f"{_verdict(met[f'{window}_p50_ms'])}; p95 {_ms(row.get('p95_ms'))} <= "
            f"{TARGETS['p95_ms']:.0f} ms {_verdict(met[f'{window}_p95_ms'])}; "
            f">= {TARGETS['faster_than_fastest_peer']:.0f}x the fastest peer "
            f"({APP_LABELS.get(fastest, fastest) if fastest else 'none'}: "
            f"{_times(ratios['vs_fastest_peer'])}) {_verdict(met[f'{window}_vs_fastest_peer'])}; "
            f">= {TARGETS['faster_than_folium']:.0f}x plain folium "
            f"({_times(ratios['ratios'].get('folium_markers'))}) "
            f"{_verdict(met[f'{window}_vs_folium'])}")
    play = result.get("play") or {}
    lines.append(f"targets, play: {play.get('frames_per_s', '–')} >= "
                 f"{TARGETS['play_fps']:.0f} map images a second {_verdict(met['play_fps'])}")
    return lines


def _times(ratio: float | None) -> str:
    return "–" if ratio is None else f"{ratio:,.1f}x"


def text_table(result: Mapping) -> str:
    """The result as a plain-text table with the play rate, the errors and the machine."""
    body = [HEADER, *rows(result)]
    widths = [max(len(r[i]) for r in body) for i in range(len(HEADER))]
    lines = [f"key press to map settled, {result['events']:,} events ({result['dataset']})"]
    for r in body:
        cells = [c.rjust(w) if i in _NUMERIC else c.ljust(w)
                 for i, (c, w) in enumerate(zip(r, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
    if play := _play_line(result):
        lines.append(play)
    lines += target_lines(result)
    for problem in result.get("errors", []):
        lines.append(f"ERROR: {problem}")
    lines.append(f"machine: {machine_line(result['machine'])}")
    return "\n".join(lines)


def markdown_table(result: Mapping) -> str:
    """The same result as a Markdown snippet for the README."""
    lines = [f"Key press to map settled in Chromium, {result['events']:,} events "
             f"({result['dataset']}), {result['steps_per_window']} steps per window:", "",
             "| " + " | ".join(HEADER) + " |",
             "| " + " | ".join("---:" if i in _NUMERIC else "---" for i in range(len(HEADER)))
             + " |"]
    lines += ["| " + " | ".join(r) + " |" for r in rows(result)]
    lines.append("")
    if play := _play_line(result):
        lines += [play, ""]
    lines += [f"- {line}" for line in target_lines(result)] + [""]
    lines.append(f"Machine: {machine_line(result['machine'])}.")
    return "\n".join(lines)


def step_dict(step: Step) -> dict:
    return asdict(step)
