"""Control by sub-district, approximate: each OCHA sub-district shaded by its tracked places'
controller where they agree, hatched where they disagree, blank where nothing is tracked.

An approximation derived from places (:func:`view.control.subdistrict_shading`), said so in
the legend and the tooltips: a sub-district's tracked towns holding for one side does not mean
the side held its whole area. The outlines come with the record in the base map
(``layers.control.publish_record``); a step sends only which sub-districts are shaded how.
"""

from __future__ import annotations

import functools

from branca.element import MacroElement
from jinja2 import Template

from layers.base import CONTROL_AREA_PANE, LayerGroup
from layers.control import controller_options
from layers.events import to_json
from layers.palette import (
    AREA_FILL_OPACITY,
    MIXED_HATCH,
    LegendItem,
    controller_label,
    controller_style,
)
from sources.control import CONTROLLERS
from view.control import MIXED, subdistrict_shading
from view.run import RunView

NAME = "Control by sub-district (approx.)"
_MIXED_CODE = -2


class ControlAreas(MacroElement):
    """One ``L.controlAreas(shading, options)`` call added to its parent FeatureGroup."""

    _template = Template(
        "{% macro script(this, kwargs) %}\n"
        "L.controlAreas({{ this.shading_json }}, {{ this.options_json }})"
        ".addTo({{ this._parent.get_name() }});\n"
        "{% endmacro %}"
    )

    def __init__(self, shading: dict, options_json: str):
        super().__init__()
        self._name = "ControlAreas"
        self.shading_json = to_json(shading)
        self.options_json = options_json


def shading_data(view: RunView) -> dict:
    """Positions of the shaded sub-districts in the record's outlines, and their controller
    codes (-2: the tracked places disagree)."""
    subdistricts = getattr(view.catalog.boundaries, "subdistricts", None)
    if subdistricts is None:
        return {"p": [], "c": []}
    position = {str(p): i for i, p in enumerate(subdistricts["adm3_pcode"])}
    code = {key: i for i, key in enumerate(CONTROLLERS)}
    shading = view.control_shading
    keep = shading["admin3_pcode"].astype(str).isin(position)
    shading = shading[keep]
    return {"p": [position[str(p)] for p in shading["admin3_pcode"]],
            "c": [_MIXED_CODE if c == MIXED else code[str(c)] for c in shading["controller"]]}


def build(view: RunView) -> LayerGroup:
    group = LayerGroup(NAME)
    if len(view.control_state) and view.catalog.boundaries is not None:
        ControlAreas(shading_data(view), _options_json()).add_to(group)
    return group


@functools.cache
def _options_json() -> str:
    """The areas' drawing options as JSON: the same every step, so made once."""
    palette = controller_options()  # only what an area needs: no shapes
    return to_json({"keys": palette["keys"], "labels": palette["labels"],
                    "colours": palette["colours"], "pane": CONTROL_AREA_PANE,
                    "fillOpacity": AREA_FILL_OPACITY, "hatch": MIXED_HATCH})


def legend(view: RunView) -> list[LegendItem]:
    shading = view.control_shading
    if shading.empty or view.catalog.boundaries is None:
        return []
    items = [LegendItem("heading", "Sub-districts (approximate, from places)")]
    if view.shows("control"):  # the places' own entries below give the colours: say it once
        items.append(LegendItem("note", "Shaded in the colour of the side whose tracked "
                                        "places they hold (see Places)."))
    else:
        for key in CONTROLLERS:
            if (shading["controller"] == key).any():
                items.append(LegendItem("area", controller_label(key),
                                        colour=controller_style(key).colour))
    if (shading["controller"] == MIXED).any():
        items.append(LegendItem("area", "Tracked places disagree", colour=MIXED_HATCH,
                                hatched=True))
    items.append(LegendItem("note", "Blank: no place tracked. Not a surveyed front line."))
    return items


__all__ = ["NAME", "build", "legend", "shading_data", "subdistrict_shading"]
