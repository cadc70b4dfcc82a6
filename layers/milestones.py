"""Dated milestones as pins: a diamond per milestone, a bold star for claims.

Pins are inline SVG in a ``DivIcon`` (no icon fonts, no images). Milestones placed far outside
Syria (Astana, Moscow, Washington) are not pinned; they still appear in the captions.
"""

from __future__ import annotations

import folium
import pandas as pd

from layers.base import LayerGroup
from layers.escape import html_text, safe_url
from layers.event_clock import ClockGroup, reach
from layers.legend import pin_svg
from layers.palette import CATEGORY_STYLE, OTHER_PIN_STYLE, PIN_SIZE, LegendItem
from sources.schema import FACTIONS
from view.event_index import to_day
from view.run import RunView

NAME = "Milestones"

# Syria (lat 32.3-37.3, lon 35.6-42.4) plus about 30 km: border crossings and Hmeimim stay in,
# Amman, Baghdad and Moscow stay out.
EXTENT: tuple[tuple[float, float], tuple[float, float]] = ((32.0, 35.3), (37.6, 42.7))

def in_extent(lat: object, lon: object) -> bool:
    """True when ``(lat, lon)`` is a number pair inside :data:`EXTENT`."""
    if pd.isna(lat) or pd.isna(lon):
        return False
    (south, west), (north, east) = EXTENT
    return south <= float(lat) <= north and west <= float(lon) <= east


def _day(value: object) -> str:
    return "" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def _text(row: pd.Series, column: str) -> str:
    return html_text(row[column]) if column in row else ""


def popup_html(row: pd.Series) -> str:
    """Popup body for one milestone, built only from escaped parts."""
    lines = [
        f'<div class="cm-popup-title">{_text(row, "title")}</div>',
        f'<div class="cm-popup-meta">{html_text(_day(row["date"]))} · {_text(row, "place")}'
        f" · {_text(row, 'category')}</div>",
    ]
    claim = _text(row, "claim_statement")
    if claim:
        faction = row.get("claim_faction")
        who = html_text(FACTIONS.get(faction, faction) if isinstance(faction, str) else faction)
        lines.append(f"<div><b>Claim{' (' + who + ')' if who else ''}:</b> {claim}</div>")
    note = _text(row, "note")
    if note:
        lines.append(f'<div class="cm-popup-meta">{note}</div>')
    source = _text(row, "source_title")
    url = safe_url(row["source_url"]) if "source_url" in row else ""
    if url:
        source = f'<a href="{url}" target="_blank" rel="noopener noreferrer">{source or url}</a>'
    if source:
        lines.append(f"<div>Source: {source}</div>")
    return "".join(lines)


def draw(milestones: pd.DataFrame, *, live_window: tuple[int, int] | None = None
         ) -> folium.FeatureGroup:
    """One FeatureGroup with a pin per milestone inside :data:`EXTENT`.

    Parameters
    ----------
    milestones : pandas.DataFrame
        Rows in the layout of ``data/milestones.csv`` (``date``, ``title``, ``category``,
        ``place``, ``lat``, ``lon``, ``source_title``, ``source_url``, ``claim_faction``,
        ``claim_statement``, ``note``); ``date`` may be text or datetime.

    live_window : (int, int), optional
        The live map's window (first and last day, days since 1970): the pins of every
        milestone are sent, and the browser shows those in its clock's window
        (:class:`layers.event_clock.ClockGroup`), starting with this one.

    Returns
    -------
    folium.FeatureGroup
        Named :data:`NAME`. Each pin has a tooltip (date and title) and a popup.
    """
    group = LayerGroup(NAME)
    days = []
    for _, row in milestones.iterrows():
        if not in_extent(row["lat"], row["lon"]):
            continue
        category = "" if pd.isna(row["category"]) else str(row["category"])
        shape = CATEGORY_STYLE.get(category, OTHER_PIN_STYLE)[1]
        size = PIN_SIZE[shape]
        icon = folium.DivIcon(
            html=pin_svg(category),
            icon_size=(size, size),
            icon_anchor=(size // 2, size // 2),
            class_name="cm-milestone",
        )
        tooltip = f"<b>{html_text(_day(row['date']))}</b> {_text(row, 'title')}"
        folium.Marker(
            (round(float(row["lat"]), 5), round(float(row["lon"]), 5)),
            icon=icon,
            tooltip=folium.Tooltip(tooltip),
            popup=folium.Popup(popup_html(row), max_width=380),
            # Claims sit above other pins at the same place (Douma, 12 April 2018).
            z_index_offset=1000 if category == "claim" else 0,
        ).add_to(group)
        days.append(to_day(row["date"]))
    if live_window is not None:  # the browser shows those of its clock's window
        ClockGroup([(d, d) for d in days], "window", live_window).add_to(group)
    return group


def build(view: RunView) -> LayerGroup:
    """A pin for each milestone dated inside the view's window (in the live map: the pins
    within :func:`layers.event_clock.reach`, and the browser shows those of its clock's
    window)."""
    if view.browser_clock is not None:
        low, high = reach(view)
        days = pd.Series([to_day(d) for d in view.catalog.milestones["date"]],
                         index=view.catalog.milestones.index)
        near = view.catalog.milestones[(days >= low) & (days <= high)]
        return draw(near, live_window=(to_day(view.clock.start), to_day(view.clock.end)))
    return draw(view.milestones)


def legend(view: RunView) -> list[LegendItem]:
    pinned = view.milestones[[in_extent(lat, lon) for lat, lon in
                              zip(view.milestones["lat"], view.milestones["lon"], strict=True)]]
    if pinned.empty:
        return []
    categories = set(pinned["category"].astype(str))
    items = [LegendItem("heading", "Milestones in the window")]
    if "claim" in categories:
        items.append(LegendItem("pin", "Claim", state="claim"))
    if categories - {"claim"}:
        items.append(LegendItem("pin", "Milestone", state="military"))
    return items
