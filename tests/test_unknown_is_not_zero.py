"""Unknown is not zero: a missing death toll stays missing from the file to the screen."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from exports.csv import events_csv
from layers import events as events_layer
from sources.load import read_events_file
from view.aggregate import aggregate
from view.event_index import EventIndex
from view.stats import by_faction, totals

CSV = ("event_id,date_start,latitude,longitude,fatalities_low,fatalities_best,fatalities_high,"
       "actor1,actor2\n") + """known,2017-01-01,35.95,39.01,3,4,5,IS,Civilians
unknown,2017-01-01,35.96,39.02,,,,IS,Civilians
zero,2017-01-01,35.97,39.03,0,0,0,IS,Civilians
huge,2017-01-01,35.98,39.04,1,99999999999999999999,3,IS,Civilians
text,2017-01-01,35.99,39.05,,many,,IS,Civilians
"""


def _events(tmp_path):
    path = tmp_path / "tolls.csv"
    path.write_text(CSV, encoding="utf-8")
    return read_events_file(path)


def test_an_empty_toll_is_kept_as_missing_and_a_nonsense_one_is_refused(tmp_path) -> None:
    result = _events(tmp_path)
    events = result.events.set_index("event_id")
    assert str(events["fatalities_best"].dtype) == "Int64"
    assert pd.isna(events.loc["unknown", "fatalities_best"])
    assert events.loc["zero", "fatalities_best"] == 0  # a source's 0 stays 0
    assert result.reports[0].reasons == {"invalid fatalities": 1, "fatalities out of range": 1}
    assert set(result.rejected["row"]) == {4, 5}  # data rows, counted from 1


def test_statistics_cells_and_popups_say_no_figure(tmp_path) -> None:
    idx = EventIndex.from_events(_events(tmp_path).events)
    rows = np.arange(len(idx))
    assert totals(idx, rows) == (3, 4, 1)  # events, deaths of those with a figure, no figure
    table = by_faction(idx, rows)
    assert table["no_figure"].sum() == 1 and table["fatalities"].sum() == 4
    cells = aggregate(idx, rows, zoom=5)
    assert cells.no_figure.sum() == 1 and cells.fatalities.sum() == 4
    data = events_layer.events_data(idx, rows)
    by_id = {data["strings"][i]: k for k, i in enumerate(data["id"])}
    assert data["d"][by_id["unknown"]] is None and data["lo"][by_id["unknown"]] is None
    assert data["d"][by_id["zero"]] == 0


def test_the_csv_export_writes_an_empty_cell(tmp_path) -> None:
    exported = pd.read_csv(io.BytesIO(events_csv(_events(tmp_path).events)), dtype=str,
                           keep_default_na=False).set_index("event_id")
    assert exported.loc["unknown", "fatalities_best"] == ""
    assert exported.loc["zero", "fatalities_best"] == "0"


def test_a_stray_byte_in_utf8_refuses_its_row_and_keeps_the_arabic_of_the_others(tmp_path):
    header = "event_id,date_start,latitude,longitude,fatalities_best,actor1,place\n"
    data = (header + "a,2017-01-01,35.9,39.0,1,IS,الرقة\n").encode()
    data += b"b,2017-01-01,35.9,39.0,1,IS,bad\xe9byte\n"
    data += "c,2017-01-01,35.9,39.0,1,IS,دير الزور\n".encode()
    path = tmp_path / "stray.csv"
    path.write_bytes(data)
    result = read_events_file(path)
    assert result.events["place"].tolist() == ["الرقة", "دير الزور"]  # no mojibake
    assert result.reports[0].reasons == {"bytes that are not UTF-8": 1}
    assert result.rejected["row"].tolist() == [2]


def test_a_repeated_header_row_is_named_and_a_duplicated_column_refuses_the_file(tmp_path):
    header = "event_id,date_start,latitude,longitude,fatalities_best,actor1\n"
    path = tmp_path / "pasted.csv"
    path.write_text(header + "a,2017-01-01,35.9,39.0,1,IS\n" + header
                    + "b,2017-01-02,35.9,39.0,2,IS\n", encoding="utf-8")
    result = read_events_file(path)
    assert result.events["event_id"].tolist() == ["a", "b"]
    assert result.reports[0].reasons == {"repeated header row": 1}
    twice = tmp_path / "twice.csv"
    twice.write_text("event_id,date_start,latitude,longitude,Latitude,fatalities_best\n"
                     "a,2017-01-01,35.9,39.0,36.0,1\n", encoding="utf-8")
    report = read_events_file(twice).reports[0]
    assert report.error and "'Latitude' twice" in report.error


def test_acled_api_records_without_an_id_are_missing_not_nan(tmp_path):
    import json

    records = [{"event_id_cnty": "SYR1", "event_date": "2022-01-05", "actor1": "IS",
                "latitude": "35.9", "longitude": "39.0", "fatalities": "1", "country": "Syria",
                "event_type": "Battles"},
               {"event_date": "2022-01-06", "actor1": "IS", "latitude": "35.9",
                "longitude": "39.0", "fatalities": "2", "country": "Syria",
                "event_type": "Battles"}]
    path = tmp_path / "api.json"
    path.write_text(json.dumps({"status": 200, "success": True, "data": records}),
                    encoding="utf-8")
    result = read_events_file(path)
    assert result.events["event_id"].tolist() == ["SYR1"]
    assert "nan" not in set(result.events["event_id"])
    assert result.reports[0].reasons == {"missing event id": 1}


def test_a_nul_byte_is_named_with_its_line_instead_of_cutting_the_text(tmp_path):
    header = "event_id,date_start,latitude,longitude,fatalities_best,actor1,notes\n"
    path = tmp_path / "nul.csv"
    path.write_bytes((header + "a,2017-01-01,35.9,39.0,1,IS,fine\n").encode()
                     + b"b,2017-01-01,35.9,39.0,1,IS,cut\x00here\n")
    report = read_events_file(path).reports[0]
    assert report.error and "NUL bytes" in report.error and "line 3" in report.error
