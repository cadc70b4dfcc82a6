"""Briefing files: the shipped briefing, and errors that name the file, the scene and the field."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from layers.registry import LAYER_KEYS
from sources.schema import FACTIONS
from view.briefing import (
    BriefingError,
    Scene,
    list_briefings,
    load_briefing,
)

ROOT = Path(__file__).resolve().parent.parent
BRIEFINGS = ROOT / "data" / "briefings"
SHIPPED = BRIEFINGS / "is-territorial-defeat.yaml"


# -- the shipped briefing -----------------------------------------------------------------------


def test_shipped_briefing_loads_with_its_scenes() -> None:
    briefing = load_briefing(SHIPPED, LAYER_KEYS)
    assert briefing.briefing_id == "is-territorial-defeat"
    assert "IS" in briefing.title
    assert len(briefing.scenes) >= 6
    assert all(isinstance(scene, Scene) for scene in briefing.scenes)
    for scene in briefing.scenes:
        assert date(2017, 10, 1) <= scene.date <= date(2019, 3, 31), scene
    days = {scene.date for scene in briefing.scenes}
    # The milestones the briefing is about.
    for day in (date(2017, 10, 17), date(2017, 11, 3), date(2017, 11, 19), date(2017, 12, 6),
                date(2019, 3, 23)):
        assert day in days, day
    assert any(s.date.year == 2018 and s.date.month == 12 for s in briefing.scenes)  # Hajin


def test_shipped_scenes_are_complete_and_focused() -> None:
    briefing = load_briefing(SHIPPED, LAYER_KEYS)
    with_is_filter = [s for s in briefing.scenes if s.factions == ("is",)]
    assert len(with_is_filter) >= len(briefing.scenes) - 2
    for scene in briefing.scenes:
        assert scene.center is not None and scene.zoom is not None, scene.title
        lat, lon = scene.center
        assert 32 <= lat <= 37.5 and 35.5 <= lon <= 42.5, f"{scene.title}: centre outside Syria"
        assert "events" in scene.layers
        assert "\n" not in scene.caption and len(scene.caption) <= 110
        # 2-4 sentences, each scene naming its source "(Publisher, d Mon yyyy)".
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", scene.notes) if s.strip()]
        assert 2 <= len(sentences) <= 4, (scene.title, sentences)
        assert re.search(r"\([^()]*\d{4}\)", scene.notes), f"{scene.title}: no source named"
        # Counts come from the live data, never from the notes.
        assert not re.search(r"\d[\d,]*\s+(events|deaths|killed|incidents)", scene.notes)
    assert briefing.sources and all("http" in s for s in briefing.sources[:-1])


def test_claim_scene_is_framed_as_a_claim() -> None:
    briefing = load_briefing(SHIPPED, LAYER_KEYS)
    (claim,) = [s for s in briefing.scenes if s.date == date(2017, 12, 6)]
    assert "claim" in claim.caption.lower()
    assert "claim" in claim.notes.lower()
    assert "events" in claim.notes.lower()  # set beside recorded events
    assert "Baghuz" in claim.notes


def test_list_briefings_reports_no_errors_for_the_shipped_folder() -> None:
    briefings, errors = list_briefings(LAYER_KEYS, BRIEFINGS)
    assert errors == []
    assert "is-territorial-defeat" in {b.briefing_id for b in briefings}
    ids = [b.briefing_id for b in briefings]
    assert len(ids) == len(set(ids))


# -- broken files ------------------------------------------------------------------------------

GOOD_SCENE = {
    "date": "2017-10-17",
    "window": "week",
    "caption": "Raqqa",
    "notes": "A note.",
    "factions": ["is"],
    "layers": ["events"],
    "center": [35.95, 39.0],
    "zoom": 10,
}


def _write(tmp_path: Path, second_scene: dict, suffix: str = ".yaml") -> Path:
    doc = {"title": "Test", "scenes": [GOOD_SCENE, second_scene]}
    path = tmp_path / f"broken{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps(doc), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


BROKEN_SCENES = [
    ({"date": "2017-13-01"}, "date"),
    ({"date": "17/10/2017"}, "date"),
    ({"date": None}, "date"),
    ({"window": "weekly"}, "window"),
    ({"factions": ["isis"]}, "factions"),
    ({"factions": []}, "factions"),
    ({"layers": ["tiles"]}, "layers"),
    ({"zoom": 4}, "zoom"),
    ({"zoom": 15}, "zoom"),
    ({"zoom": 7.5}, "zoom"),
    ({"caption": ""}, "caption"),
    ({"caption": "   "}, "caption"),
    ({"caption": "two\nlines"}, "caption"),
    ({"center": [35.0]}, "center"),
    ({"center": [135.0, 39.0]}, "center"),
    ({"colour": "red"}, "colour"),
]


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
@pytest.mark.parametrize(("change", "field"), BROKEN_SCENES)
def test_broken_scene_error_names_file_scene_and_field(
    tmp_path: Path, change: dict, field: str, suffix: str
) -> None:
    path = _write(tmp_path, {**GOOD_SCENE, **change}, suffix)
    with pytest.raises(BriefingError) as info:
        load_briefing(path, LAYER_KEYS)
    message = str(info.value)
    assert str(path) in message
    assert "scene 2" in message
    assert field in message


def test_missing_caption_and_missing_date_are_errors(tmp_path: Path) -> None:
    for drop in ("caption", "date"):
        scene = {k: v for k, v in GOOD_SCENE.items() if k != drop}
        with pytest.raises(BriefingError, match=rf"scene 2: field '{drop}'"):
            load_briefing(_write(tmp_path, scene), LAYER_KEYS)


def test_center_without_zoom_is_an_error(tmp_path: Path) -> None:
    scene = {k: v for k, v in GOOD_SCENE.items() if k != "zoom"}
    with pytest.raises(BriefingError, match=r"scene 2: fields 'center'/'zoom'"):
        load_briefing(_write(tmp_path, scene), LAYER_KEYS)


def test_defaults_all_factions_all_layers_and_caption_as_title(tmp_path: Path) -> None:
    path = tmp_path / "minimal.yaml"
    path.write_text("title: T\nscenes:\n  - date: 2018-12-14\n    caption: Hajin\n", "utf-8")
    briefing = load_briefing(path, LAYER_KEYS)
    (scene,) = briefing.scenes
    assert briefing.briefing_id == "minimal"
    assert scene.factions is None and scene.layers == LAYER_KEYS.defaults
    assert scene.center is None and scene.zoom is None
    assert scene.window == "week" and scene.title == "Hajin"
    assert set(GOOD_SCENE["factions"]) <= set(FACTIONS)


def test_file_level_errors_name_the_file(tmp_path: Path) -> None:
    bad_yaml = tmp_path / "syntax.yaml"
    bad_yaml.write_text("title: [unclosed\nscenes: 1\n", "utf-8")
    no_scenes = tmp_path / "empty.yaml"
    no_scenes.write_text("title: T\nscenes: []\n", "utf-8")
    no_title = tmp_path / "untitled.yaml"
    no_title.write_text("scenes:\n  - date: 2018-01-01\n    caption: x\n", "utf-8")
    for path, field in ((bad_yaml, "not valid YAML"), (no_scenes, "scenes"), (no_title, "title")):
        with pytest.raises(BriefingError) as info:
            load_briefing(path, LAYER_KEYS)
        assert str(path) in str(info.value) and field in str(info.value)


def test_list_briefings_returns_good_ones_and_reports_broken_ones(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(SHIPPED.read_text("utf-8"), "utf-8")
    broken = _write(tmp_path, {**GOOD_SCENE, "window": "fortnight"})
    (tmp_path / "notes.txt").write_text("not a briefing", "utf-8")
    # Same id as good.yaml: reported, not silently shadowed.
    (tmp_path / "zz-copy.yaml").write_text(SHIPPED.read_text("utf-8"), "utf-8")
    briefings, errors = list_briefings(LAYER_KEYS, tmp_path)
    assert [b.briefing_id for b in briefings] == ["is-territorial-defeat"]
    assert len(errors) == 2
    assert str(broken) in errors[0] and "scene 2" in errors[0] and "window" in errors[0]
    assert "zz-copy.yaml" in errors[1] and "already used" in errors[1]


def test_list_briefings_reports_a_missing_folder(tmp_path: Path) -> None:
    briefings, errors = list_briefings(LAYER_KEYS, tmp_path / "nope")
    assert briefings == [] and len(errors) == 1 and "nope" in errors[0]
