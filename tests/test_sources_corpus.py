"""Bad and unusual inputs, generated from the real files, each with its expected outcome."""

from __future__ import annotations

import csv
import io
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from sources.load import read_events_file

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
GED191 = DATA / "ucdp-ged-syria-2016-2019" / "ged_syria_652.1601.1911.csv"
GED231 = DATA / "ucdp-ged231-sample" / "ucdpged_sample_syria_rows.csv"
ACLED = DATA / "acled-me-2022-sample" / "acled_middle_east_2022_subset_syria_rows.csv"
N = 40  # rows taken from the real files for each generated input


def rows_of(path: Path, n: int = N) -> list[list[str]]:
    assert path.is_file(), f"shared data missing: {path}"
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))[: n + 1]


def canonical_base(tmp_path: Path) -> list[list[str]]:
    from sources.canonical import write_canonical

    events = read_events_file(GED231).events.head(N)
    return rows_of(write_canonical(events, tmp_path / "base_canonical.csv"))


def to_text(rows, delimiter=",", newline="\n") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buffer.getvalue()


def set_column(rows, name, values):
    i = rows[0].index(name)
    for row, value in zip(rows[1:], values, strict=False):
        row[i] = value
    return rows


# Each case: name -> builder(tmp_path) returning (path, expectations)
def case_bom(tmp):
    p = tmp / "bom.csv"
    p.write_bytes(b"\xef\xbb\xbf" + to_text(rows_of(GED231)).encode())
    return p, {"accepted": N}


def case_crlf(tmp):
    p = tmp / "crlf.csv"
    p.write_bytes(to_text(rows_of(GED191), newline="\r\n").encode())
    return p, {"accepted": N}


def case_semicolon(tmp):
    p = tmp / "semicolon.csv"
    p.write_text(to_text(rows_of(GED191), delimiter=";"), encoding="utf-8")
    return p, {"accepted": N, "format": "ucdp-ged"}


def case_shuffled(tmp):
    rows = canonical_base(tmp)
    order = list(range(len(rows[0])))
    random.Random(1).shuffle(order)  # noqa: S311 -- test data
    p = tmp / "shuffled.csv"
    p.write_text(to_text([[r[i] for i in order] for r in rows]), encoding="utf-8")
    return p, {"accepted": N, "format": "canonical"}


def case_renamed(tmp):
    rows = canonical_base(tmp)
    rename = {"latitude": "lat", "longitude": "Lng", "date_start": "Date", "event_id": "ID"}
    rows[0] = [rename.get(h, h) for h in rows[0]]
    p = tmp / "renamed.csv"
    p.write_text(to_text(rows), encoding="utf-8")
    return p, {"accepted": N, "format": "canonical"}


def case_extra_columns(tmp):
    rows = canonical_base(tmp)
    rows = [[*r, "x", "y"] for r in rows]
    rows[0][-2:] = ["my_note", "colour"]
    p = tmp / "extra.csv"
    p.write_text(to_text(rows), encoding="utf-8")
    return p, {"accepted": N}


def case_missing_column(tmp):
    rows = canonical_base(tmp)
    i = rows[0].index("latitude")
    p = tmp / "nolat.csv"
    p.write_text(to_text([r[:i] + r[i + 1:] for r in rows]), encoding="utf-8")
    return p, {"error": "unknown format"}


def case_missing_ucdp_column(tmp):
    rows = rows_of(GED191)
    i = rows[0].index("best")
    p = tmp / "nobest.csv"
    p.write_text(to_text([r[:i] + r[i + 1:] for r in rows]), encoding="utf-8")
    return p, {"error": "lacks the UCDP GED column best"}


def case_swapped(tmp):
    rows = canonical_base(tmp)
    h = rows[0]
    i, j = h.index("latitude"), h.index("longitude")
    h[i], h[j] = "longitude", "latitude"
    p = tmp / "swapped.csv"
    p.write_text(to_text(rows), encoding="utf-8")
    return p, {"error": "swapped", "reason": "latitude and longitude swapped?"}


def case_outside(tmp):
    rows = set_column(canonical_base(tmp), "latitude", ["48.85"] * 5)
    rows = set_column(rows, "longitude", ["2.35"] * 5)
    p = tmp / "outside.csv"
    p.write_text(to_text(rows), encoding="utf-8")
    return p, {"accepted": N - 5, "reasons": {"outside the country": 5}}


def case_invalid_dates(tmp):
    rows = set_column(canonical_base(tmp), "date_start", ["2017-02-30", "yesterday", "2017-13-01"])
    p = tmp / "baddates.csv"
    p.write_text(to_text(rows), encoding="utf-8")
    return p, {"accepted": N - 3, "reasons": {"invalid date": 3}}


def case_three_date_formats(tmp):
    rows = canonical_base(tmp)
    i, j = rows[0].index("date_start"), rows[0].index("date_end")
    import datetime as dt

    for k, row in enumerate(rows[1:]):
        d = dt.date.fromisoformat(row[i])
        row[i] = [d.isoformat(), d.strftime("%d %b %Y"), d.strftime("%Y/%m/%d")][k % 3]
        row[j] = row[i]
    p = tmp / "formats.csv"
    p.write_text(to_text(rows), encoding="utf-8")
    return p, {"accepted": N}


def case_ambiguous(tmp):
    rows = canonical_base(tmp)
    i, j = rows[0].index("date_start"), rows[0].index("date_end")
    for row in rows[1:]:
        y, m, d = row[i].split("-")
        row[i] = row[j] = f"{d}/{m}/{y}"
    p = tmp / "ambiguous.csv"
    p.write_text(to_text(rows), encoding="utf-8")
    return p, {"error": "--date-format %d/%m/%Y"}


def case_html_notes(tmp):
    rows = set_column(canonical_base(tmp), "notes",
                      ['<script>alert("x")</script>', "<b>bold</b> & <i>it</i>"])
    p = tmp / "html.csv"
    p.write_text(to_text(rows), encoding="utf-8")
    return p, {"accepted": N, "notes": '<script>alert("x")</script>'}


def case_empty(tmp):
    p = tmp / "empty.csv"
    p.write_bytes(b"")
    return p, {"error": "empty"}


def case_header_only(tmp):
    p = tmp / "header.csv"
    p.write_text(to_text(rows_of(GED191, 0)), encoding="utf-8")
    return p, {"error": "no data rows"}


def case_random_bytes(tmp):
    p = tmp / "random.csv"
    p.write_bytes(random.Random(2).randbytes(5000))  # noqa: S311 -- test data
    return p, {"error": "binary"}


def case_cp1256(tmp):
    rows = set_column(canonical_base(tmp), "notes", ["قصف على مدينة إدلب"] * 3)
    p = tmp / "arabic.csv"
    p.write_bytes(to_text(rows).encode("cp1256"))
    return p, {"accepted": N, "notes": "قصف على مدينة إدلب"}


def case_latin1(tmp):
    rows = set_column(canonical_base(tmp), "notes", ["café à Alep, événement"] * 3)
    p = tmp / "latin1.csv"
    p.write_bytes(to_text(rows).encode("latin-1", errors="replace"))
    return p, {"error": "not UTF-8"}


def case_utf16(tmp):
    p = tmp / "utf16.csv"
    p.write_bytes(to_text(canonical_base(tmp)).encode("utf-16"))
    return p, {"accepted": N, "notice": "UTF-16 LE text (with a byte-order mark)"}


def case_duplicates(tmp):
    rows = rows_of(GED191)
    rows += [list(rows[1]), list(rows[2]), list(rows[2])]
    p = tmp / "dups.csv"
    p.write_text(to_text(rows), encoding="utf-8")
    # Exact repeats are merged into the first row and counted apart, not rejected.
    return p, {"accepted": N, "duplicates": 3, "reasons": {}}


def case_truncated_row(tmp):
    text = to_text(rows_of(GED191))
    p = tmp / "truncated.csv"
    p.write_text(text[: len(text) - 60], encoding="utf-8")  # cut inside the last row
    return p, {"accepted": N - 1, "reasons": {"truncated row": 1}}


def case_truncated_quote(tmp):
    text = to_text(rows_of(GED191))
    cut = text.rindex('"""SOHR')  # inside a quoted field of the last row
    p = tmp / "truncated_quote.csv"
    p.write_text(text[: cut + 8], encoding="utf-8")
    return p, {"error": "truncated"}


def case_too_many_fields(tmp):
    rows = canonical_base(tmp)
    rows[5] = rows[5] + ["surplus"]
    p = tmp / "toomany.csv"
    p.write_text(to_text(rows), encoding="utf-8")
    return p, {"error": "line 6 has 22 fields"}


def case_unknown_format(tmp):
    p = tmp / "unknown.csv"
    p.write_text("name,colour\nfoo,red\n", encoding="utf-8")
    return p, {"error": "unknown format"}


def case_acled_upper(tmp):
    p = tmp / "acled_upper.csv"
    p.write_text(to_text(rows_of(ACLED)), encoding="utf-8")
    # The real rows hold one exact repeat; without ids the derived id is the content's hash.
    return p, {"accepted": N - 1, "format": "acled", "duplicates": 1, "reasons": {}}


def acled_lower_records(n=N):
    rows = rows_of(ACLED, n)
    header = [h.lower() for h in rows[0]]
    records = []
    for k, row in enumerate(rows[1:]):
        record = dict(zip(header, row, strict=True))
        import datetime as dt

        day = dt.datetime.strptime(record["event_date"], "%d-%b-%y").date()
        record["event_date"] = day.isoformat()
        record["event_id_cnty"] = f"SYR{k + 1}"
        record["time_precision"] = "1"
        record["geo_precision"] = "2"
        record["admin1"] = "Idlib"
        record["notes"] = "On 1 January, <b>shelling</b>."
        records.append(record)
    return records


def case_acled_lower(tmp):
    records = acled_lower_records()
    p = tmp / "acled_lower.csv"
    header = list(records[0])
    p.write_text(to_text([header] + [[r[h] for h in header] for r in records]), encoding="utf-8")
    return p, {"accepted": N, "format": "acled", "governorate": "Idleb"}


def case_acled_json(tmp):
    p = tmp / "acled.json"
    p.write_text(json.dumps({"status": 200, "data": acled_lower_records()}), encoding="utf-8")
    return p, {"accepted": N, "format": "acled-json"}


def case_acled_json_list(tmp):
    p = tmp / "acled_list.json"
    p.write_text(json.dumps(acled_lower_records()), encoding="utf-8")
    return p, {"accepted": N, "format": "acled-json"}


def case_bad_json(tmp):
    p = tmp / "bad.json"
    p.write_text('{"status": 200, "data": [{"a": 1}', encoding="utf-8")
    return p, {"error": "not valid JSON"}


def case_size_limit(tmp):
    p = tmp / "big.csv"
    p.write_text(to_text(rows_of(GED191)), encoding="utf-8")
    return p, {"error": "over the limit", "max_bytes": 1000}


CASES = {name[5:]: fn for name, fn in dict(globals()).items() if name.startswith("case_")}


def test_corpus_is_large_enough():
    assert len(CASES) >= 25


@pytest.mark.parametrize("name", sorted(CASES))
def test_case(tmp_path, name):
    path, expect = CASES[name](tmp_path)
    kwargs = {"max_bytes": expect["max_bytes"]} if "max_bytes" in expect else {}
    result = read_events_file(path, **kwargs)
    report = result.reports[0]
    if "error" in expect:
        assert report.error is not None, report
        assert expect["error"] in report.error
        assert path.name in report.error
    else:
        assert report.error is None, report.error
    if "accepted" in expect:
        assert report.accepted == expect["accepted"], report
        assert report.accepted + report.rejected + report.duplicates == report.rows
    assert report.duplicates == expect.get("duplicates", 0)
    if "notice" in expect:
        assert any(expect["notice"] in n for n in report.notices), report.notices
    if "format" in expect:
        assert report.format == expect["format"]
    for reason, count in expect.get("reasons", {}).items():
        assert report.reasons.get(reason) == count, report.reasons
    if expect.get("reasons") == {}:
        assert report.reasons == {}
    if "reason" in expect:
        assert set(result.rejected["reason"]) == {expect["reason"]}
    if "notes" in expect:
        assert expect["notes"] in set(result.events["notes"])
    if "governorate" in expect:
        assert set(result.events["governorate"]) == {expect["governorate"]}


def test_ambiguous_dates_read_with_declared_format(tmp_path):
    path, _ = case_ambiguous(tmp_path)
    result = read_events_file(path, date_format="%d/%m/%Y")
    base = read_events_file(GED231).events.head(N)
    assert result.reports[0].accepted == N
    assert sorted(result.events["date_start"]) == sorted(base["date_start"])


def run_cli(*args, cwd=ROOT, env=None):
    return subprocess.run([sys.executable, "-m", "sources", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_cli_check_json(tmp_path):
    done = run_cli("check", str(GED231), "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["format"] == "ucdp-ged"
    assert (summary["rows"], summary["accepted"], summary["rejected"]) == (265, 265, 0)
    assert summary["error"] is None and summary["reasons"] == {}

    bad, _ = case_random_bytes(tmp_path)
    done = run_cli("check", str(bad), "--json")
    assert done.returncode == 1
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert "random.csv" in summary["error"]

    dups, _ = case_duplicates(tmp_path)
    out = tmp_path / "rejected.csv"
    done = run_cli("check", str(dups), "--json", "--rejected-csv", str(out))
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["reasons"] == {} and summary["duplicates"] == 3
    assert summary["examples"] == {"merged duplicate": [N + 1, N + 2, N + 3]}
    assert summary["total"] == summary["accepted"] + summary["duplicates"] == N + 3
    assert not out.exists()  # merged rows are not rejected rows


def test_cli_import_twice(tmp_path):
    store = tmp_path / "store"
    first = run_cli("import", str(GED231), "--store", str(store))
    assert first.returncode == 0, first.stderr
    assert len(list(store.glob("*.parquet"))) == 1
    second = run_cli("import", str(GED231), "--store", str(store))
    assert second.returncode == 0
    assert "already imported" in second.stdout
    assert len(list(store.glob("*.parquet"))) == 1
