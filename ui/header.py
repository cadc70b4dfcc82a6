"""The header above the map: the date in large type, what the view covers, the caption of the
milestones of the date, and — for a claim — what the loaded data records around it.

Milestone and dataset text is escaped before it goes into the page's HTML.
"""

from __future__ import annotations

import html
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from layers.escape import markdown_text
from sources.schema import FACTIONS
from ui import state
from view.claims import ClaimFigures
from view.clock import Clock, format_day
from view.control import TerritorialFigures


def _h(value: object) -> str:
    """Escape text for the HTML blocks below, on one line: a blank line inside an HTML block
    would end it, and what follows would be read as Markdown (which can load images)."""
    return html.escape(" ".join(str(value).split()))


CATEGORY_LABELS = {
    "military": "Military",
    "diplomatic": "Diplomatic",
    "humanitarian": "Humanitarian",
    "political": "Political",
    "claim": "Claim",
}


def date_banner(clock: Clock, summaries: list[str]) -> None:
    """The selected date, large, with the window and what the map draws: the events layer's
    line in bold, then one line per other layer that says what it draws."""
    first, *rest = summaries or [""]
    more = "".join(f'<br><span class="cm-summary">{_h(line)}</span>' for line in rest)
    st.markdown(
        f"""<div class="cm-banner">
  <div class="cm-date" data-testid="cm-date">{_h(format_day(clock.day))}</div>
  <div class="cm-window">{_h(clock.describe())}<br><b>{_h(first)}</b>{more}</div>
</div>""",
        unsafe_allow_html=True,
    )


def coverage_note(spans: dict[str, tuple[date, date]], key_dataset: str, clock: Clock) -> None:
    """Say so when the view lies outside every loaded dataset but the shipped key events: a
    quiet map there means "no data loaded", not "nothing happened"."""
    others = {name: span for name, span in spans.items() if name != key_dataset}
    if not others:
        st.caption("Only the project's key events are loaded. Add UCDP or ACLED data (sidebar, "
                   "or CONFLICT_MAP_EVENTS) to see every recorded event.")
        return
    if any(first <= clock.end and clock.start <= last for first, last in others.values()):
        return
    covered = "; ".join(f"{markdown_text(name)}: {format_day(first)} – {format_day(last)}"
                        for name, (first, last) in sorted(others.items()))
    st.caption(f"Only the project's key events cover this window. Loaded event data covers "
               f"{covered}.")


def scene_line(title: str, number: int, count: int, text: str) -> None:
    """The briefing scene's caption (the briefing's own words), above the milestones."""
    st.markdown(
        f'<div class="cm-scene" data-testid="cm-scene"><span class="cm-badge">Scene {number} of '
        f"{count}</span> {_h(text)}"
        f'<span class="cm-source"> — {_h(title)}</span></div>',
        unsafe_allow_html=True,
    )


def caption(milestones: pd.DataFrame, clock: Clock) -> None:
    """The caption: the milestones of the date, or the latest before it within the window."""
    if milestones.empty:
        st.markdown(
            '<div class="cm-caption cm-caption-empty" data-testid="cm-caption">'
            "No milestone in this window.</div>",
            unsafe_allow_html=True,
        )
        return
    items = []
    for row in milestones.itertuples(index=False):
        day = pd.Timestamp(row.date).date()
        when = "" if day == clock.day else f"{format_day(day)} · "
        category = str(row.category)
        items.append(
            f'<div class="cm-caption cm-cat-{_h(category)}" data-testid="cm-caption">'
            f'<span class="cm-badge">{_h(CATEGORY_LABELS.get(category, category))}'
            f"</span> {_h(when)}{_h(str(row.title))}"
            f'<span class="cm-source"> — source: {_h(str(row.source_title))}</span>'
            "</div>"
        )
    st.markdown("\n".join(items), unsafe_allow_html=True)


def _range(a: date, b: date) -> str:
    return f"{format_day(a)} – {format_day(b)}"


def _show_claim_events(faction: str, claim_day: date, last_day: date) -> None:
    """Callback: put the events involving the faction after the claim on the map."""
    state.show_range([faction], claim_day + timedelta(days=1), last_day)


def claim_panel(rows: list, figures: list[ClaimFigures], *, key: str,
                territory: TerritorialFigures | None = None,
                show_places: tuple | None = None) -> None:
    """Set the claims of one day about one faction beside the recorded events, dataset by
    dataset, with one click to show the later events on the map.

    The largest dataset gets the big figures; every dataset gets a line (datasets overlap, so
    their figures are never added up). ``territory`` sets the claim beside the control record:
    the places the record says the faction held that day, and when the last was lost;
    ``show_places`` is the (center, zoom) that shows them on the map.
    """
    if not figures:
        return
    main = figures[0]
    label = FACTIONS.get(main.faction, main.faction)
    statements = "<br>".join(
        f"“{_h(str(r.claim_statement or r.title))}”" for r in rows)
    end = format_day(main.data_end) if main.data_end else "the end of the data"
    figs = [("before", main.before, f"{main.days} days before"),
            ("after", main.after, f"{main.days} days after"),
            ("to-end", main.after_to_end, f"after it, to {end}")]
    cells = "".join(
        f'<div><div class="cm-fig" data-fig="{name}">{value:,}</div>'
        f'<div class="cm-fig-label">{_h(text)}</div></div>'
        for name, value, text in figs)
    last = (f"The last after the claim: <b>{_h(format_day(main.last_event_day))}</b>."
            if main.last_event_day else "None after the claim.")
    with st.container(border=True, key=f"claim_{key}"):
        st.markdown(
            f'<div class="cm-claim" data-testid="cm-claim">'
            f'<div class="cm-claim-head">Claim · {_h(format_day(main.claim_day))}</div>'
            f'<div class="cm-claim-text">{statements}</div>'
            f'<div class="cm-claim-note">A claim about territory, set beside recorded events. '
            f"Events are not territory: this neither proves nor refutes it.</div>"
            f'<div class="cm-claim-sub">Events involving {_h(label)} in '
            f"{_h(main.dataset)}, by start date:</div>"
            f'<div class="cm-figs">{cells}</div><div class="cm-claim-sub">{last}</div></div>',
            unsafe_allow_html=True,
        )
        territory_panel(territory, key=key, show_places=show_places)
        if len(figures) > 1:
            with st.expander("Other datasets (counted separately)"):
                st.markdown("\n".join(f"- {_figures_line(f)}" for f in figures[1:]))
        last_days = [f.last_event_day for f in figures if f.last_event_day is not None]
        if last_days:
            st.button(
                f"Show the events involving {label} after the claim",
                key=f"claim_show_{key}", type="primary", width="stretch",
                on_click=_show_claim_events, args=(main.faction, main.claim_day, max(last_days)),
            )


def _figures_line(f: ClaimFigures) -> str:
    last = (f"the last on **{format_day(f.last_event_day)}**" if f.last_event_day
            else "none after the claim")
    return (f"{markdown_text(f.dataset)}: {f.before:,} before, {f.after:,} after ({f.days} "
            f"days each side); {f.after_to_end:,} after it to the end of the data, {last}.")


def territory_panel(territory: TerritorialFigures | None, *, key: str,
                    show_places: tuple | None) -> None:
    """The claim held against the control record: which tracked places the record says the
    faction held on the claim's day, and when the last of them was lost, and to whom."""
    if territory is None or not territory.tracked:
        return
    label = FACTIONS.get(territory.faction, territory.faction)
    held = territory.held
    n = len(held)
    if n == 0:
        head = (f"The control record lists <b>no</b> tracked place held by {_h(label)} on "
                f"{_h(format_day(territory.claim_day))}.")
    else:
        head = (f'The control record lists <b data-fig="places">{n:,}</b> tracked '
                f"place{'s' if n != 1 else ''} held by {_h(label)} on "
                f"{_h(format_day(territory.claim_day))} (of {territory.tracked:,} with a record "
                "that day).")
    if territory.last_lost is not None:
        to = FACTIONS.get(territory.last_lost_to, territory.last_lost_to or "")
        last = (f"The last of them was lost on <b>{_h(format_day(territory.last_lost))}</b>, "
                f"to {_h(to)}.")
    elif n:
        last = f"{territory.still_held_at_end:,} of them are still held at the record's end."
    else:
        last = ""
    st.markdown(
        f'<div class="cm-claim cm-claim-territory" data-testid="cm-claim-territory">'
        f'<div class="cm-claim-sub">{head} {last}</div>'
        f'<div class="cm-claim-note">A claim set beside a sourced record of places: tracked '
        f"places only, not a surveyed map of territory.</div></div>",
        unsafe_allow_html=True,
    )
    if n:
        with st.expander(f"The {n:,} place{'s' if n != 1 else ''}, and when each was lost",
                         expanded=False):
            lines = []
            for row in held.itertuples(index=False):
                lost = (f"lost {format_day(row.lost.date())} to "
                        f"{FACTIONS.get(row.lost_to, row.lost_to)}" if not pd.isna(row.lost)
                        else "still held at the record's end")
                lines.append(f"- {markdown_text(row.name_en)}: held since "
                             f"{format_day(row.since.date())}; {markdown_text(lost)}")
            st.markdown("\n".join(lines))
        if show_places is not None:
            st.button(f"Show the {n:,} place{'s' if n != 1 else ''} on the map",
                      key=f"claim_places_{key}", width="stretch",
                      on_click=state.show_places, args=show_places)
