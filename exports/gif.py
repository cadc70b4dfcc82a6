"""An animated GIF of a date range: one frame per step, each frame a full export picture.

Frames are drawn by :func:`exports.png.render_image` (the same picture as the PNG export, so the
date, caption, legend and source line are in every frame) and assembled with Pillow.
"""

from __future__ import annotations

import calendar
import io
from collections.abc import Iterable
from datetime import date, timedelta

from PIL import Image

from exports.model import ExportView
from exports.png import render_image

STEPS: tuple[str, ...] = ("day", "week", "month")


def date_steps(start: date, end: date, step: str) -> list[date]:
    """The dates from ``start`` to ``end`` (both included when on a step), ``step`` apart.

    A ``month`` step keeps the day of the month of ``start``, clamped to the month's length
    (31 Jan, 28 Feb, 31 Mar, ...).

    Raises
    ------
    ValueError
        For an unknown step or ``end`` before ``start``.
    """
    if step not in STEPS:
        raise ValueError(f"unknown step {step!r}; expected one of {STEPS}")
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    if step in ("day", "week"):
        delta = timedelta(days=1 if step == "day" else 7)
        count = (end - start) // delta + 1
        return [start + i * delta for i in range(count)]
    days: list[date] = []
    year, month, k = start.year, start.month, 0
    while True:
        y, m = divmod(month - 1 + k, 12)
        y, m = year + y, m + 1
        day = date(y, m, min(start.day, calendar.monthrange(y, m)[1]))
        if day > end:
            return days
        days.append(day)
        k += 1


def render_gif(views: Iterable[ExportView], *, frame_ms: int = 700, width: int = 1200) -> bytes:
    """An animated GIF with one frame per view, looping.

    Parameters
    ----------
    views
        One :class:`ExportView` per step, in order (see :func:`date_steps`).
    frame_ms
        How long each frame shows, in milliseconds; the last frame holds three times as long
        so the end of the range can be read before the loop restarts.
    width
        Frame width in pixels (height is 9/16 of it).

    Returns
    -------
    bytes
        The GIF file.
    """
    frames = []
    for view in views:
        rgb = render_image(view, width=width)
        # One adaptive 255-colour palette per frame: the faction colours are few and exact, and
        # no dithering keeps flat areas flat (smaller file, no speckle on a projector).
        frames.append(rgb.quantize(colors=255, method=Image.Quantize.MEDIANCUT,
                                   dither=Image.Dither.NONE))
    if not frames:
        raise ValueError("no views to animate")
    durations = [frame_ms] * len(frames)
    durations[-1] = frame_ms * 3
    buffer = io.BytesIO()
    frames[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=durations,
        loop=0,
        optimize=True,
        disposal=1,
    )
    return buffer.getvalue()
