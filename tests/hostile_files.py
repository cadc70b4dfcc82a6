"""Hostile input files, each with what a careful reader must make of it.

Every case is built here from nothing (no shared data): the same bytes on every machine.
``python -m tests.hostile_files OUTDIR`` writes them all into OUTDIR (and prints one line per
file); :func:`write_all` does the same for the tests (``tests/test_hostile_files.py``), which
run each file through ``python -m sources check --json`` and through the loader.

A case says whether the file is usable (exit status 0) or refused (1, with words the error
must hold), and, for a usable file, the counts: every data row is accepted, rejected (with a
reason, and the rows named), merged as an exact duplicate, or filtered out as another
country's -- and ``total`` is their sum.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HEADER = ["event_id", "source_dataset", "date_start", "date_end", "latitude", "longitude",
          "place_precision", "date_precision", "event_type", "actor1", "actor2", "faction1",
          "faction2", "fatalities_low", "fatalities_best", "fatalities_high", "governorate",
          "place", "notes", "source", "source_url"]
ARABIC_NOTES = "قصف على مدينة حلب، وسقوط ضحايا"
ARABIC_PLACE = "حلب"
N = 6  # good rows in a base file


@dataclass(frozen=True)
class Case:
    """One hostile file and what must become of it."""

    name: str  # the file name (its suffix matters: .json)
    build: Callable[[], bytes]
    usable: bool = True
    error: tuple[str, ...] = ()  # words the error sentence must hold (besides the file name)
    accepted: int | None = None
    rejected: int | None = None
    duplicates: int = 0
    filtered: int = 0
    reasons: dict[str, int] | None = None  # exactly these reasons, when given
    rows: dict[int, str] = field(default_factory=dict)  # data row -> its rejection reason
    notice: str = ""  # words one of the report's notices must hold
    arabic: bool = False  # the accepted rows carry ARABIC_NOTES and ARABIC_PLACE intact
    format: str = ""
    notes: tuple[str, ...] = ()  # texts that must be among the accepted notes, exactly


def event(i: int, **values: str) -> dict[str, str]:
    """A good canonical row (Aleppo, December 2017), with ``values`` changed."""
    row = {
        "event_id": f"hostile-{i:03d}", "source_dataset": "Hostile test",
        "date_start": f"2017-12-{i % 28 + 1:02d}", "date_end": f"2017-12-{i % 28 + 1:02d}",
        "latitude": "36.2021", "longitude": "37.1343", "place_precision": "exact",
        "date_precision": "day", "event_type": "airstrike", "actor1": "Syrian Air Force",
        "actor2": "Civilians", "faction1": "government", "faction2": "civilians",
        "fatalities_low": "1", "fatalities_best": "2", "fatalities_high": "3",
        "governorate": "Aleppo", "place": ARABIC_PLACE, "notes": ARABIC_NOTES,
        "source": "Test report", "source_url": "",
    }
    row.update(values)
    return row


def table(rows: list[dict[str, str]], header: list[str] = HEADER, *, delimiter: str = ",",
          newline: str = "\n") -> str:
    """The rows as CSV text (quoted where needed)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    return out.getvalue()


def base(n: int = N, **values: str) -> list[dict[str, str]]:
    return [event(i, **values) for i in range(1, n + 1)]


def utf8(text: str) -> bytes:
    return text.encode("utf-8")


def with_rows(changes: dict[int, dict[str, str]], n: int = N) -> bytes:
    """A base file whose data rows ``changes`` (1-based) have other values."""
    rows = base(n)
    for k, values in changes.items():
        rows[k - 1].update(values)
    return utf8(table(rows))


# -- UCDP and ACLED layouts ----------------------------------------------------------------
UCDP_HEADER = ["id", "relid", "year", "type_of_violence", "side_a", "side_b", "where_prec",
               "where_coordinates", "where_description", "adm_1", "latitude", "longitude",
               "country", "date_prec", "date_start", "date_end", "best", "high", "low",
               "source_headline", "source_office"]


def ucdp_row(i: int, **values: str) -> dict[str, str]:
    row = {"id": str(900000 + i), "relid": f"SYR-2017-1-{i}", "year": "2017",
           "type_of_violence": "1", "side_a": "Government of Syria", "side_b": "IS",
           "where_prec": "1", "where_coordinates": ARABIC_PLACE,
           "where_description": ARABIC_NOTES, "adm_1": "Aleppo governorate",
           "latitude": "36.2021", "longitude": "37.1343", "country": "Syria",
           "date_prec": "1", "date_start": "2017-12-01", "date_end": "2017-12-01",
           "best": "2", "high": "3", "low": "1", "source_headline": "Headline",
           "source_office": "SOHR"}
    row.update(values)
    return row


def ucdp_counts() -> bytes:
    """10 rows: 5 good Syria rows, one exact repeat, one Syria row out of range, three rows of
    Iraq (filtered out, not rejected)."""
    rows = [ucdp_row(i) for i in range(1, 6)]
    rows.append(dict(rows[1]))  # row 6 repeats row 2 exactly
    rows.append(ucdp_row(7, latitude="95.0"))
    rows += [ucdp_row(i, country="Iraq", latitude="33.3", longitude="44.4") for i in (8, 9, 10)]
    return utf8(table(rows, UCDP_HEADER))


def ucdp_late() -> bytes:
    """The UCDP columns reversed, after 50 columns of our own."""
    header = [f"our_column_{k}" for k in range(50)] + UCDP_HEADER[::-1]
    return utf8(table([ucdp_row(i) for i in range(1, N + 1)], header))


ACLED_HEADER = ["event_id_cnty", "event_date", "time_precision", "event_type", "actor1",
                "actor2", "admin1", "location", "latitude", "longitude", "geo_precision",
                "source", "notes", "fatalities"]


def acled_record(i: int, **values) -> dict:
    record = {"event_id_cnty": f"SYR{i}", "event_date": "2022-01-01", "time_precision": "1",
              "event_type": "Explosions/Remote violence", "actor1": "Military Forces of Syria",
              "actor2": "Civilians (Syria)", "admin1": "Aleppo", "location": ARABIC_PLACE,
              "latitude": "36.2021", "longitude": "37.1343", "geo_precision": "1",
              "source": "SOHR", "notes": ARABIC_NOTES, "fatalities": "2"}
    record.update(values)
    return record


def acled_late() -> bytes:
    header = ["my_a", "my_b", "my_c", *ACLED_HEADER[::-1]]
    return utf8(table([acled_record(i) for i in range(1, N + 1)], header))


def acled_json_values() -> bytes:
    """API JSON with a missing key, nulls, NaN, Infinity and a list where a number goes."""
    records = [acled_record(i) for i in range(1, N + 1)]
    del records[1]["latitude"]  # row 2: key missing -> "missing coordinates"
    records[2]["fatalities"] = float("nan")  # row 3: NaN is not "no figure"
    records[3]["fatalities"] = float("inf")  # row 4
    records[4]["event_id_cnty"] = None  # row 5: null id -> missing, never "nan"
    records.append(acled_record(7, latitude=[36.2]))  # row 7: a list is no coordinate
    text = json.dumps({"status": 200, "data": records}, ensure_ascii=False)
    return utf8(text)


# -- the cases ----------------------------------------------------------------------------
def _utf16(order: str, bom: bool) -> Callable[[], bytes]:
    def build() -> bytes:
        data = table(base()).encode(f"utf-16-{order}")
        mark = codecs.BOM_UTF16_LE if order == "le" else codecs.BOM_UTF16_BE
        return (mark if bom else b"") + data
    return build


def _long_header() -> bytes:
    # 5,000 columns of our own first: the header line is ~90 KB, past the 64 KB probe.
    extra = [f"our_extra_column_{k:05d}" for k in range(5000)]
    rows = [{**event(i), **dict.fromkeys(extra, "x")} for i in range(1, N + 1)]
    return utf8(table(rows, extra + HEADER))


def _aliases_first() -> bytes:
    # Unknown columns whose names are aliases ("x", "y", "id", "date") before the real ones:
    # the canonical names win wherever they stand.
    header = ["x", "y", "id", "date", *HEADER]
    rows = [{**event(i), "x": "not a longitude", "y": "nor a latitude", "id": "7",
             "date": "someday"} for i in range(1, N + 1)]
    return utf8(table(rows, header))


def _preamble() -> bytes:
    title = "Syria events export, Syria, Syria\nGenerated 2024-01-05 by our tool\n\n"
    return utf8(title + table(base()))


def _preamble_too_long() -> bytes:
    title = "".join(f"note line {k}\n" for k in range(1, 15))
    return utf8(title + table(base()))


def _sep_line() -> bytes:
    # Excel's "sep=;" first line, then a semicolon table.
    return utf8("sep=;\n" + table(base(), delimiter=";"))


def _control_characters() -> bytes:
    return with_rows({
        1: {"notes": "shelling\x01 reported"},
        2: {"place": "Aleppo\x7f"},
        3: {"actor1": "Syrian\x1b[31m Air Force"},
        4: {"notes": "C1 control \u0085 here"},
        5: {"notes": "a tab\tand a line\nbreak are text"},
    })


def _bidi() -> bytes:
    return with_rows({
        1: {"notes": "killed \u202e5 civilians\u202c"},
        2: {"place": "\u2066Aleppo\u2069"},
        3: {"actor2": "\u202bCivilians\u202c"},
        4: {"notes": "حلب\u200f Aleppo"},  # a right-to-left mark: ordinary Arabic text
    })


def _duplicates() -> bytes:
    rows = base()
    rows.append(dict(rows[0]))  # row 7 repeats row 1
    rows.append(dict(rows[2]))  # row 8 repeats row 3
    rows.append({**rows[3], "fatalities_best": "40"})  # row 9: row 4's id, other values
    return utf8(table(rows))


def _numbers() -> bytes:
    return with_rows({
        1: {"fatalities_best": "-1"},
        2: {"fatalities_best": "1000000000"},
        3: {"fatalities_best": "1e400"},
        4: {"fatalities_best": "NaN"},
        5: {"fatalities_best": "inf"},
        6: {"fatalities_best": "1.5"},
        7: {"fatalities_best": "many"},
        8: {"fatalities_high": "99999999999999999999999"},
    }, n=10)


def _dates() -> bytes:
    return with_rows({
        1: {"date_start": "2017-02-30", "date_end": "2017-02-30"},
        2: {"date_start": "99999-01-01", "date_end": "99999-01-01"},
        3: {"date_start": "2300-01-01", "date_end": "2300-01-01"},
        4: {"date_start": "2017-13-01", "date_end": "2017-13-01"},
        5: {"date_start": "1800-01-01", "date_end": "1800-01-01"},
        6: {"date_start": "", "date_end": ""},
    }, n=8)


def _coordinates() -> bytes:
    return with_rows({
        1: {"latitude": "91"},
        2: {"longitude": "200"},
        3: {"latitude": "1e400"},
        4: {"latitude": "-95.5"},
        5: {"latitude": "nan"},
        6: {"latitude": ""},
        7: {"latitude": "48.85", "longitude": "2.35"},  # Paris: a place, not in Syria
    }, n=9)


def _blank_lines() -> bytes:
    text = table(base())
    lines = text.split("\n")
    return utf8("\n\n".join(lines[:3]) + "\n\n\n" + "\n".join(lines[3:]))


def _multiline() -> bytes:
    return with_rows({1: {"notes": "first line\nsecond line"},
                      2: {"notes": "windows\r\nline"}, 3: {"notes": 'a "quoted" word, and more'}})


def _long_field() -> bytes:
    long = "و" * 500_000 + "x" * 24_000  # about 1 MB of UTF-8
    return with_rows({3: {"notes": long}})


def _long_field_last_no_newline() -> bytes:
    long = "y" * 1_048_576
    return with_rows({N: {"notes": long}}).rstrip(b"\n")


def _deep_json() -> bytes:
    return b"[" * 200_000 + b"]" * 200_000


def _truncated() -> bytes:
    text = table(base())
    return utf8(text[: text.rindex("\n", 0, len(text) - 1) + 20])  # cut inside the last row


def _cp1256() -> bytes:
    return table(base()).encode("cp1256")


def _stray_byte() -> bytes:
    text = table(base())
    return utf8(text).replace(b"hostile-004", b"hostile-\xff004", 1)


def _nul() -> bytes:
    return utf8(table(base())).replace(b"Test report", b"Test\x00report", 1)


def _utf16_nul() -> bytes:
    return table(base()).replace("Test report", "Test\x00report", 1).encode("utf-16-le")


def _utf16_lone_surrogate() -> bytes:
    # A lone surrogate in row 4 does not decode: that row is named, the others read.
    text = table(base()).replace("hostile-004", "hostile-\ud800004", 1)
    return text.encode("utf-16-le", errors="surrogatepass")


def _repeated_header() -> bytes:
    first, second = table(base(3)), table(base(6)[3:])
    return utf8(first + second)


def _dup_column() -> bytes:
    header = [*HEADER, "Latitude"]
    return utf8(table([{**event(i), "Latitude": "36.0"} for i in range(1, N + 1)], header))


def _nan_ids() -> bytes:
    return with_rows({1: {"event_id": "nan"}, 2: {"event_id": "NaN"}, 3: {"event_id": "  "},
                      4: {"event_id": "None"}})


def _json_scalar(value: str) -> Callable[[], bytes]:
    return lambda: value.encode()


CASES: tuple[Case, ...] = (
    # encodings
    Case("utf16le_bom.csv", _utf16("le", True), accepted=N, rejected=0, arabic=True,
         notice="UTF-16 LE text (with a byte-order mark)"),
    Case("utf16be_bom.csv", _utf16("be", True), accepted=N, rejected=0, arabic=True,
         notice="UTF-16 BE text (with a byte-order mark)"),
    Case("utf16le_nobom.csv", _utf16("le", False), accepted=N, rejected=0, arabic=True,
         notice="UTF-16 LE text (without a byte-order mark)"),
    Case("utf16be_nobom.csv", _utf16("be", False), accepted=N, rejected=0, arabic=True,
         notice="UTF-16 BE text (without a byte-order mark)"),
    Case("utf16_nul.csv", _utf16_nul, usable=False, error=("NUL", "line 2")),
    Case("utf16_lone_surrogate.csv", _utf16_lone_surrogate, accepted=N - 1, rejected=1,
         reasons={"bytes that are not UTF-16 LE": 1}, rows={4: "bytes that are not UTF-16 LE"},
         arabic=True),
    Case("utf32.csv", lambda: table(base()).encode("utf-32"), usable=False, error=("UTF-32",)),
    Case("cp1256.csv", _cp1256, accepted=N, rejected=0, arabic=True),
    Case("utf8_bom.csv", lambda: codecs.BOM_UTF8 + utf8(table(base())), accepted=N, arabic=True),
    Case("stray_byte.csv", _stray_byte, accepted=N - 1, rows={4: "bytes that are not UTF-8"},
         arabic=True),
    Case("nul.csv", _nul, usable=False, error=("NUL", "line 2")),
    # headers
    Case("preamble.csv", _preamble, accepted=N, notice="header is on line 4", arabic=True),
    Case("preamble_too_long.csv", _preamble_too_long, usable=False, error=("unknown format",)),
    Case("blank_lines_first.csv", lambda: utf8("\n\n" + table(base())), accepted=N,
         notice="header is on line 3"),
    Case("sep_line.csv", _sep_line, accepted=N, notice="header is on line 2"),
    Case("late_columns_wide.csv", _long_header, accepted=N, rejected=0),
    Case("late_columns_aliases.csv", _aliases_first, accepted=N, rejected=0),
    Case("ucdp_late_columns.csv", ucdp_late, accepted=N, format="ucdp-ged"),
    Case("acled_late_columns.csv", acled_late, accepted=N, format="acled"),
    Case("duplicated_column.csv", _dup_column, usable=False, error=("'Latitude' twice",)),
    Case("repeated_header.csv", _repeated_header, accepted=N,
         reasons={"repeated header row": 1}, rows={4: "repeated header row"}),
    Case("header_only.csv", lambda: utf8(table([])), usable=False, error=("no data rows",)),
    Case("whitespace_only.csv", lambda: b"  \n\t\n \r\n", usable=False, error=("empty",)),
    # text
    Case("control_characters.csv", _control_characters, accepted=N - 4, rejected=4,
         rows={1: "control character in notes", 2: "control character in place",
               3: "control character in actor1", 4: "control character in notes"},
         notes=("a tab\tand a line\nbreak are text",)),
    Case("bidi_overrides.csv", _bidi, accepted=N - 3, rejected=3,
         rows={1: "bidi control character in notes", 2: "bidi control character in place",
               3: "bidi control character in actor2"},
         notes=("حلب\u200f Aleppo",)),
    Case("nan_ids.csv", _nan_ids, accepted=N - 4, reasons={"missing event id": 4}),
    # rows
    Case("duplicates.csv", _duplicates, accepted=N, rejected=1, duplicates=2,
         rows={9: "duplicate id with different values"}),
    Case("numbers_out_of_range.csv", _numbers, accepted=2, rejected=8,
         rows={1: "fatalities out of range", 2: "fatalities out of range",
               3: "fatalities out of range", 4: "invalid fatalities",
               5: "fatalities out of range", 6: "invalid fatalities",
               7: "invalid fatalities", 8: "fatalities out of range"}),
    Case("impossible_dates.csv", _dates, accepted=2, rejected=6,
         rows={1: "invalid date", 2: "date out of range", 3: "date out of range",
               4: "invalid date", 5: "date out of range", 6: "missing date"}),
    Case("coordinates_out_of_range.csv", _coordinates, accepted=2, rejected=7,
         rows={1: "coordinates out of range", 2: "coordinates out of range",
               3: "coordinates out of range", 4: "coordinates out of range",
               5: "coordinates not numeric", 6: "missing coordinates",
               7: "outside the country"}),
    Case("ucdp_counts.csv", ucdp_counts, format="ucdp-ged", accepted=5, rejected=1,
         duplicates=1, filtered=3, rows={7: "coordinates out of range"}),
    Case("truncated_last_row.csv", _truncated, accepted=N - 1,
         rows={N: "truncated row"}),
    # line endings and layout
    Case("lf.csv", lambda: utf8(table(base())), accepted=N, arabic=True),
    Case("crlf.csv", lambda: utf8(table(base(), newline="\r\n")), accepted=N, arabic=True),
    Case("cr_only.csv", lambda: utf8(table(base(), newline="\r")), accepted=N, arabic=True),
    Case("blank_lines.csv", _blank_lines, accepted=N),
    Case("multiline_fields.csv", _multiline, accepted=N,
         notes=("first line\nsecond line", "windows\r\nline", 'a "quoted" word, and more')),
    Case("tab_delimited.tsv.csv", lambda: utf8(table(base(), delimiter="\t")), accepted=N),
    Case("long_field.csv", _long_field, accepted=N),
    Case("long_field_last_row.csv", _long_field_last_no_newline, accepted=N, rejected=0),
    # JSON
    Case("deep.json", _deep_json, usable=False, error=("nested too deeply",)),
    Case("number.json", _json_scalar("42"), usable=False, error=("not ACLED API data", "number")),
    Case("string.json", _json_scalar('"events"'), usable=False,
         error=("not ACLED API data", "string")),
    Case("null.json", _json_scalar("null"), usable=False, error=("not ACLED API data", "null")),
    Case("data_object.json", _json_scalar('{"status": 200, "data": {"a": 1}}'), usable=False,
         error=("not ACLED API data", '"data" is an object')),
    Case("list_of_numbers.json", _json_scalar("[1, 2, 3]"), usable=False,
         error=("not ACLED API data", "item 1")),
    Case("acled_values.json", acled_json_values, format="acled-json", accepted=2, rejected=5,
         rows={2: "missing coordinates", 3: "invalid fatalities",
               4: "fatalities out of range", 5: "missing event id",
               7: "coordinates not numeric"}, arabic=True),
)


def write_all(folder: str | Path) -> list[tuple[Path, Case]]:
    """Write every case into ``folder`` (created); return (path, case) pairs."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for case in CASES:
        path = folder / case.name
        path.write_bytes(case.build())
        written.append((path, case))
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m tests.hostile_files OUTDIR", file=sys.stderr)
        return 2
    for path, case in write_all(args[0]):
        outcome = "usable" if case.usable else "refused: " + ", ".join(case.error)
        print(f"{path}  ({path.stat().st_size:,} bytes; {outcome})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
