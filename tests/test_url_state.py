from datetime import date

from view.url_state import LAYERS, ViewState, from_query, to_query

DEFAULT = date(2017, 12, 6)


def test_round_trip_of_a_full_state():
    state = ViewState(
        day=date(2018, 4, 7), window="quarter", range_start=date(2018, 1, 1),
        factions=("is", "sdf"), layers=("events", "zones"), center=(35.1234, 38.9876),
        zoom=9, briefing="is-territorial-defeat", scene=3, present=True,
    )
    parsed = from_query(to_query(state), DEFAULT)
    assert parsed.problems == []
    assert parsed.state == state


def test_defaults_are_left_out_of_the_link():
    assert to_query(ViewState(day=DEFAULT)) == {"date": "2017-12-06"}


def test_streamlit_style_list_values_take_the_last():
    parsed = from_query({"date": ["2016-01-01", "2017-12-06"]}, date(2011, 1, 1))
    assert parsed.state.day == DEFAULT


def test_bad_parameters_fall_back_and_are_reported_one_by_one():
    parsed = from_query(
        {"date": "06/12/2017", "window": "fortnight", "zoom": "99", "center": "x",
         "factions": "is,martians", "layers": "events,clouds", "scene": "0"},
        DEFAULT,
    )
    s = parsed.state
    assert s.day == DEFAULT and s.window == "month" and s.zoom is None and s.center is None
    assert s.factions == ("is",)
    assert s.layers == ("events",)
    assert s.scene is None
    assert len(parsed.problems) == 7
    assert any("06/12/2017" in p and "YYYY-MM-DD" in p for p in parsed.problems)


def test_layers_keep_canonical_order():
    parsed = from_query({"layers": "zones,events"}, DEFAULT)
    assert parsed.state.layers == tuple(k for k in LAYERS if k in {"zones", "events"})
