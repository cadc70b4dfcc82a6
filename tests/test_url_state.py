from datetime import date

from view.url_state import LayerKeys, ViewState, from_query, to_query

DEFAULT = date(2017, 12, 6)
# The functions take the layer keys from the registry; a small set here keeps them pure.
KEYS = LayerKeys(keys=("zones", "events", "milestones", "control"),
                 defaults=("zones", "events", "milestones"))


def test_round_trip_of_a_full_state():
    state = ViewState(
        day=date(2018, 4, 7), window="quarter", range_start=date(2018, 1, 1),
        factions=("is", "sdf"), layers=("zones", "events"), center=(35.1234, 38.9876),
        zoom=9, briefing="is-territorial-defeat", scene=3, present=True,
    )
    parsed = from_query(to_query(state, KEYS), DEFAULT, KEYS)
    assert parsed.problems == []
    assert parsed.state == state


def test_defaults_are_left_out_of_the_link():
    assert to_query(ViewState(day=DEFAULT, layers=KEYS.defaults), KEYS) == {"date": "2017-12-06"}
    assert from_query({}, DEFAULT, KEYS).state.layers == KEYS.defaults


def test_streamlit_style_list_values_take_the_last():
    parsed = from_query({"date": ["2016-01-01", "2017-12-06"]}, date(2011, 1, 1), KEYS)
    assert parsed.state.day == DEFAULT


def test_bad_parameters_fall_back_and_are_reported_one_by_one():
    parsed = from_query(
        {"date": "06/12/2017", "window": "fortnight", "zoom": "99", "center": "x",
         "factions": "is,martians", "layers": "events,clouds", "scene": "0"},
        DEFAULT, KEYS,
    )
    s = parsed.state
    assert s.day == DEFAULT and s.window == "month" and s.zoom is None and s.center is None
    assert s.factions == ("is",)
    assert s.layers == ("events",)
    assert s.scene is None
    assert len(parsed.problems) == 7
    assert any("06/12/2017" in p and "YYYY-MM-DD" in p for p in parsed.problems)


def test_layers_keep_the_registry_order():
    parsed = from_query({"layers": "control,events,zones"}, DEFAULT, KEYS)
    assert parsed.state.layers == ("zones", "events", "control")


def test_zoom_limits_are_the_map_limits():
    from view.map_view import MAX_ZOOM, MIN_ZOOM

    assert from_query({"zoom": str(MIN_ZOOM)}, DEFAULT, KEYS).state.zoom == MIN_ZOOM
    assert from_query({"zoom": str(MAX_ZOOM)}, DEFAULT, KEYS).state.zoom == MAX_ZOOM
    assert from_query({"zoom": str(MAX_ZOOM + 1)}, DEFAULT, KEYS).problems


def test_hidden_datasets_are_in_the_link_sorted_and_checked():
    state = ViewState(day=DEFAULT, layers=KEYS.defaults, hidden=("bcfe6719a1fa", "0a59ee0acd12"))
    query = to_query(state, KEYS)
    assert query["hide"] == "0a59ee0acd12,bcfe6719a1fa"
    parsed = from_query(query, DEFAULT, KEYS)
    assert parsed.problems == [] and parsed.state.hidden == ("0a59ee0acd12", "bcfe6719a1fa")
    assert "hide" not in to_query(ViewState(day=DEFAULT, layers=KEYS.defaults), KEYS)


def test_a_hide_parameter_that_is_no_dataset_id_is_reported_and_dropped():
    hostile = "BCFE6719A1FA,[x](https://evil.example),0a59ee0acd"
    parsed = from_query({"hide": hostile}, DEFAULT, KEYS)
    assert parsed.state.hidden == ("bcfe6719a1fa",)  # ids are hex: the case does not matter
    assert len(parsed.problems) == 1
    assert "[x](https://evil.example)" in parsed.problems[0] and "0a59ee0acd" in parsed.problems[0]
