"""Dataset text can never become a template on the server.

branca renders each element's script, then compiles that text as a Jinja template once more
when the page is rendered (``Element(script(...))`` in ``MacroElement.render``). Text that
reaches a folium template unescaped would be *run on the server*: ``{{ 7*7 }}`` in a zone's
name would show as 49, and worse payloads would run commands (every test here failed before
the braces were escaped). Every path that puts dataset text
into the map escapes the braces; this file tries each one with payloads that would show.
"""

from __future__ import annotations

from pathlib import Path

import folium
import numpy as np
import pandas as pd

from layers import events, milestones, zones
from layers.base import build_base_map
from layers.control import inline_record
from tests.test_event_index import synthetic_events
from tests.test_layers_foundation import area_table, milestone_table
from view.areas import areas_on
from view.event_index import EventIndex

MARKER = Path("/tmp/conflict-map-template-injection")
PAYLOADS = (
    "{{ 'Q' * 7 }}",
    "{% for x in range(3) %}R{{ x }}{% endfor %}",
    "{# a comment swallows what follows",
    "{{ cycler.__init__.__globals__.os.system('touch " + str(MARKER) + "') }}",
)


def _render(m: folium.Map) -> str:
    return m.get_root().render()


def _assert_inert(page: str) -> None:
    assert "QQQQQQQ" not in page  # what the first payload renders to, were it a template
    assert "R0R1R2" not in page
    assert not MARKER.exists(), "a dataset payload ran a command on the server"


def test_zone_and_area_labels_stay_text() -> None:
    MARKER.unlink(missing_ok=True)
    for payload in PAYLOADS:
        m = build_base_map(None)
        areas = area_table([{"label": payload, "style_value": payload, "source": payload}])
        zones.draw(areas_on(areas, np.datetime64("2018-01-01"))).add_to(m)
        page = _render(m)
        _assert_inert(page)
        assert "&#123;" in page


def test_milestone_text_stays_text() -> None:
    MARKER.unlink(missing_ok=True)
    for payload in PAYLOADS:
        m = build_base_map(None)
        milestones.draw(milestone_table(title=payload, note=payload, place=payload)).add_to(m)
        _assert_inert(_render(m))


def test_event_text_stays_text() -> None:
    MARKER.unlink(missing_ok=True)
    frame = synthetic_events(3)
    for payload in PAYLOADS:
        for column in ("notes", "actor1", "place", "source", "event_type"):
            frame[column] = pd.Series(payload, index=frame.index, dtype="string")
        m = build_base_map(None)
        idx = EventIndex.from_events(frame)
        group, _ = events.draw(idx, np.arange(len(idx)))
        group.add_to(m)
        page = _render(m)
        _assert_inert(page)
        assert "\\u007b" in page


def test_control_record_text_stays_text(tmp_path) -> None:
    from sources.control import merge, read_control_file
    from tests.test_control import CHANGES, PLACES, write
    from view.control import ControlRecord

    MARKER.unlink(missing_ok=True)
    for payload in PAYLOADS:
        places = write(tmp_path / "p.csv", PLACES, [["a", payload, payload, 35.9, 39.0, "town"]])
        changes = write(tmp_path / "c.csv", CHANGES, [
            ["a", "2015-01-01", "day", "is", "", payload, "https://example.org/{{7*7}}",
             payload, payload]])
        p = read_control_file(places)
        c = read_control_file(changes, known_places=p.places)
        record = ControlRecord(merge([p, c]))
        _assert_inert(_render(build_base_map(None, extras=(inline_record(record, None),))))
