"""The frame around the map: the title band with the date, the caption band, the footer."""

from __future__ import annotations

from exports.png.canvas import (
    CAPTION_BG,
    CAPTION_TEXT,
    HEADER_BG,
    HEADER_SUBTEXT,
    HEADER_TEXT,
    MUTED,
    PANEL_LINE,
    TEXT,
    Canvas,
    fit_text,
    font,
    wrap_text,
)
from view.clock import format_day


def draw_header(c: Canvas) -> None:
    v, u = c.view, c.u
    c.draw.rectangle(c.box(c.lay.header), fill=HEADER_BG)
    dl, _dt, dr, db = c.box(c.lay.date_box)
    title_w = dl - 36 * u
    title_font = font(round(40 * u), True)
    c.draw.text((32 * u, 20 * u), fit_text(c.draw, v.title, title_font, title_w), font=title_font,
                fill=HEADER_TEXT)
    sub_font = font(round(26 * u))
    c.draw.text((32 * u, 76 * u), fit_text(c.draw, v.window_label, sub_font, title_w),
                font=sub_font, fill=HEADER_SUBTEXT)
    # The date: the biggest thing on the picture, right-aligned in its own box.
    date_font = font(round(74 * u), True)
    c.draw.text((dr - 32 * u, db / 2), format_day(v.day), font=date_font, fill=HEADER_TEXT,
                anchor="rm")


def draw_caption(c: Canvas) -> None:
    left, top, right, bottom = c.box(c.lay.caption)
    c.draw.rectangle((left, top, right, bottom), fill=CAPTION_BG)
    caption = " ".join((c.view.caption or "").split())
    if not caption:
        return
    max_w = right - left - 64 * c.u
    # Largest size that fits on one line, else on two; below 22 (final px at 1920) ellipsize.
    for size in (34, 31, 28, 26, 24, 22):
        fnt = font(round(size * c.u))
        lines = wrap_text(c.draw, caption, fnt, max_w)
        if len(lines) == 1 or (len(lines) == 2 and size <= 28):
            break
    lines = lines[:2]
    if len(wrap_text(c.draw, caption, fnt, max_w)) > 2:
        lines[1] = fit_text(c.draw, lines[1] + " …", fnt, max_w)
    line_h = fnt.size * 1.22
    y = (top + bottom) / 2 - line_h * len(lines) / 2 + line_h / 2
    for line in lines:
        c.draw.text((left + 32 * c.u, y), line, font=fnt, fill=CAPTION_TEXT, anchor="lm")
        y += line_h


def draw_footer(c: Canvas) -> None:
    left, top, right, bottom = c.box(c.lay.footer)
    c.draw.rectangle((left, top, right, bottom), fill="#f0f2f4")
    c.draw.line((left, top, right, top), fill=PANEL_LINE, width=max(1, round(2 * c.u)))
    fnt = font(round(19 * c.u))
    right_text = "Web Mercator · positions as precise as the sources give them"
    right_w = c.draw.textlength(right_text, font=fnt)
    source = c.view.source_line or ""
    source = fit_text(c.draw, source, fnt, right - left - right_w - 100 * c.u)
    mid = (top + bottom) / 2
    c.draw.text((left + 32 * c.u, mid), source, font=fnt, fill=TEXT, anchor="lm")
    c.draw.text((right - 32 * c.u, mid), right_text, font=fnt, fill=MUTED, anchor="rm")


