"""The data commands of the CLI: token, status, readings, import, export, reparse."""

import csv
import io
import json
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from companion import config, store
from companion.cli import cli
from companion.ingest.receive import receive
from companion.parse import ParseError
from tests.builders import EXPORT_HEADER, csv_line, reading
from tests.conftest import DATA, REAL_FIXTURES

REAL_PAYLOAD = REAL_FIXTURES / "linkedin-beacon_salesApiSsi_live_2026-06.json"
SSI_URL = "https://www.linkedin.com/sales/ssi"


def _db(home):
    return store.connect(config.data_dir(home))


def _counts(home) -> dict:
    db = _db(home)
    try:
        return store.counts(db)
    finally:
        db.close()


def _receive(home, page: str, captured_at: str, kind="html", payload=None):
    db = _db(home)
    try:
        return receive(db, capture_id=str(uuid.uuid4()), captured_at=captured_at, url=SSI_URL,
                       kind=kind, payload=payload if payload is not None else
                       (DATA / page).read_text())  # fmt: skip
    finally:
        db.close()


def _populate(home):
    """A varied history: several layouts, offsets, a unicode industry, empty optional values."""
    _receive(home, "current_en.html", "2026-04-27T09:15:00-05:00")
    _receive(home, "current_pt.html", "2026-05-13T23:30:00-03:00")
    _receive(home, "dom_2023_en.html", "2026-05-17T08:00:00+02:00")  # industry is None
    _receive(home, "current_ja.html", "2026-05-19T07:00:00+09:00")  # averages are None
    _receive(home, None, "2026-06-01T12:00:00Z", kind="api",
             payload=json.loads(REAL_PAYLOAD.read_text()))  # fmt: skip
    return 5


def _invoke(runner, *args):
    return runner.invoke(cli, [str(a) for a in args])


def _ok(result):
    assert result.exit_code == 0, (result.output, result.exception)
    assert "Traceback" not in result.output
    return result


# -- token ------------------------------------------------------------------------------------


def test_token_is_stable_and_rotate_replaces_it(runner, home):
    first = _ok(_invoke(runner, "token")).stdout.strip()
    assert len(first) >= 32
    assert _ok(_invoke(runner, "token")).stdout.strip() == first
    assert (home / "token").read_text().strip() == first
    rotated = _ok(_invoke(runner, "token", "--rotate"))
    new = rotated.stdout.strip()
    assert new and new != first
    assert (home / "token").read_text().strip() == new
    assert "no longer works" in rotated.stderr
    assert _ok(_invoke(runner, "token")).stdout.strip() == new


# -- status and readings ----------------------------------------------------------------------


def test_status_before_and_after_a_capture(runner, home):
    before = _ok(_invoke(runner, "status")).stdout
    assert str(home) in before
    assert "Captures        0 (0 could not be read)" in before
    assert "Readings        0" in before
    assert "none yet" in before and "Latest reading" not in before

    _receive(home, "current_en.html", "2026-05-01T10:00:00+02:00")
    _receive(home, "login.html", "2026-05-01T11:00:00+02:00")
    after = _ok(_invoke(runner, "status")).stdout
    assert "Captures        2 (1 could not be read)" in after
    assert "Readings        1" in after
    assert "Last capture    1 May 2026 at 11:00, not read (not_ssi_page:" in after
    assert "Latest reading  1 May 2026: SSI 19.706" in after


def test_readings_table_json_and_since(runner, home):
    assert "No readings yet." in _ok(_invoke(runner, "readings")).stdout
    assert json.loads(_ok(_invoke(runner, "readings", "--json")).stdout) == {"readings": []}
    _receive(home, "current_pt.html", "2026-05-01T09:00:00-03:00")  # superseded the same day
    _receive(home, "current_en.html", "2026-05-01T23:30:00-03:00")  # 02:30 UTC on 2 May
    _receive(home, "dom_2023_en.html", "2026-05-03T08:00:00+02:00")

    table = _ok(_invoke(runner, "readings")).stdout.splitlines()
    assert table[0].split() == [
        "date", "total", "brand", "people", "insights", "relationships", "industry", "network",
    ]  # fmt: skip
    assert len(table) == 3
    assert table[1].split()[:2] == ["2026-05-01", "19.71"]
    assert "Top 75%" in table[1] and "Top 81%" in table[1]
    assert table[2].split()[:2] == ["2026-05-03", "52.65"]

    data = json.loads(_ok(_invoke(runner, "readings", "--json")).stdout)
    assert [(r["date"], r["total"]) for r in data["readings"]] == [
        ("2026-05-01", pytest.approx(19.706)),
        ("2026-05-03", pytest.approx(52.65)),
    ]
    assert data["readings"][0]["industry_rank"] == 75

    since = json.loads(_ok(_invoke(runner, "readings", "--since", "2026-05-02", "--json")).stdout)
    assert [r["date"] for r in since["readings"]] == ["2026-05-03"]
    assert "2026-05-01" not in _ok(_invoke(runner, "readings", "--since", "2026-05-02")).stdout


def test_readings_since_must_be_a_date(runner):
    result = _invoke(runner, "readings", "--since", "yesterday")
    assert result.exit_code == 2 and "Traceback" not in result.output


# -- import: pages and payloads ---------------------------------------------------------------


def test_import_page_and_payload_then_again(runner, home):
    files = [DATA / "current_en.html", REAL_PAYLOAD]
    first = _ok(_invoke(runner, "import", *files))
    assert "Added 2 readings, skipped 0 already stored." in first.stdout
    assert _counts(home) == {"captures": 2, "failed": 0, "readings": 2}
    readings = json.loads(_invoke(runner, "readings", "--json").stdout)["readings"]
    assert {r["source"] for r in readings} <= {"dom_current", "api"}

    again = _ok(_invoke(runner, "import", *files))
    assert "Added 0 readings, skipped 2 already stored." in again.stdout
    assert _counts(home) == {"captures": 2, "failed": 0, "readings": 2}


def test_import_of_an_unreadable_page_is_refused_and_kept_failed(runner, home):
    login = DATA / "login.html"
    result = _invoke(runner, "import", login)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "Added 0 readings, skipped 0 already stored." in result.stdout
    assert f"Refused {login}: not_ssi_page: " in result.stderr
    assert "sign-in page" in result.stderr
    db = _db(home)
    try:
        failed = store.list_captures(db, status="failed")
        assert len(failed) == 1 and failed[0]["error_code"] == "not_ssi_page"
        assert failed[0]["payload_kept"] is True
        assert store.counts(db)["readings"] == 0
    finally:
        db.close()
    # Again: still refused, still one failed capture.
    again = _invoke(runner, "import", login)
    assert again.exit_code == 1 and "Refused" in again.stderr
    assert _counts(home) == {"captures": 1, "failed": 1, "readings": 0}


def test_a_refused_file_does_not_stop_the_others(runner, home):
    result = _invoke(runner, "import", DATA / "login.html", DATA / "current_en.html")
    assert result.exit_code == 1
    assert "Added 1 reading," in result.stdout
    assert "Refused" in result.stderr and "current_en" not in result.stderr
    assert _counts(home)["readings"] == 1


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda tmp: (tmp / "saved.html").mkdir() or tmp / "saved.html", "is a directory"),
        (lambda tmp: tmp / "missing.html", "no such file"),
        (lambda tmp: (tmp / "notes.txt").write_text("SSI 52") and tmp / "notes.txt",
         "expected a saved page"),
        (lambda tmp: (tmp / "broken.json").write_text("{not json") and tmp / "broken.json",
         "not valid JSON"),
        (lambda tmp: (tmp / "other.json").write_text('{"a": 1}') and tmp / "other.json",
         "neither a salesApiSsi payload"),
    ],
)  # fmt: skip
def test_import_refuses_what_is_no_importable_file(runner, home, tmp_path, make, reason):
    path = make(tmp_path)
    result = _invoke(runner, "import", path)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"Refused {path}: " in result.stderr
    assert reason in result.stderr
    assert _counts(home) == {"captures": 0, "failed": 0, "readings": 0}


# -- export and the round trip ----------------------------------------------------------------


def _export(runner, *args) -> bytes:
    return _ok(_invoke(runner, "export", *args)).stdout_bytes


def _comparable(readings_json: str) -> list[dict]:
    # Ids are made by whoever stores a reading, and the source says where it came from
    # (an imported row says "import"): everything else must come through unchanged.
    rows = json.loads(readings_json)["readings"]
    return [{k: v for k, v in r.items() if k not in ("capture_id", "source")} for r in rows]


def test_export_csv_header_is_exact(runner, home):
    # The one place the format is written out: exports made by older versions must import.
    assert EXPORT_HEADER == (
        "captured_at,total,total_displayed,brand,people,insights,relationships,"
        "industry_rank,network_rank,industry_avg,network_avg,industry"
    )
    assert _export(runner).decode() == EXPORT_HEADER + "\n"
    _populate(home)
    lines = _export(runner, "--format", "csv").decode().splitlines()
    assert lines[0] == EXPORT_HEADER
    assert len(lines) == 6
    rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
    assert rows[0]["captured_at"] == "2026-04-27T09:15:00-05:00"
    assert rows[0]["total_displayed"] == "20" and rows[0]["industry_rank"] == "75"
    assert rows[2]["industry"] == ""  # None is an empty cell


def test_export_json_shape(runner, home):
    _populate(home)
    data = json.loads(_export(runner, "--format", "json"))
    assert list(data) == ["readings"] and len(data["readings"]) == 5
    assert list(data["readings"][0]) == EXPORT_HEADER.split(",")
    assert data["readings"][2]["industry"] is None


@pytest.mark.parametrize("fmt, suffix", [("csv", ".csv"), ("json", ".json")])
def test_export_import_round_trip_into_a_fresh_home(
    runner, home, tmp_path, monkeypatch, fmt, suffix
):
    added = _populate(home)
    exported = _export(runner, "--format", fmt)
    readings = _ok(_invoke(runner, "readings", "--json")).stdout
    dump = tmp_path / f"export{suffix}"
    dump.write_bytes(exported)

    # The same history into the home it came from: all of it already stored.
    same = _ok(_invoke(runner, "import", dump))
    assert f"Added 0 readings, skipped {added} already stored." in same.stdout

    fresh = tmp_path / "fresh-home"
    monkeypatch.setenv("SSI_COMPANION_HOME", str(fresh))
    result = _ok(_invoke(runner, "import", dump))
    assert f"Added {added} readings, skipped 0 already stored." in result.stdout
    assert _counts(fresh) == {"captures": added, "failed": 0, "readings": added}
    assert _export(runner, "--format", fmt) == exported
    assert _export(runner, "--format", "csv" if fmt == "json" else "json") is not None
    assert _comparable(_ok(_invoke(runner, "readings", "--json")).stdout) == _comparable(readings)

    again = _ok(_invoke(runner, "import", dump))
    assert f"Added 0 readings, skipped {added} already stored." in again.stdout
    assert _export(runner, "--format", fmt) == exported


def test_export_out_writes_the_file(runner, home, tmp_path):
    _populate(home)
    out = tmp_path / "ssi.csv"
    result = _ok(_invoke(runner, "export", "--out", out))
    assert result.stdout == ""
    assert f"Wrote 5 readings to {out}" in result.stderr
    assert out.read_bytes() == _export(runner)
    out_json = tmp_path / "ssi.json"
    _ok(_invoke(runner, "export", "--format", "json", "--out", out_json))
    assert out_json.read_bytes() == _export(runner, "--format", "json")


def test_export_out_into_a_missing_directory_is_an_error(runner, home, tmp_path):
    result = _invoke(runner, "export", "--out", tmp_path / "nowhere" / "ssi.csv")
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "cannot be written" in result.output


# -- import: our own CSV, refused whole -------------------------------------------------------


GOOD_ROWS = [
    csv_line(reading(datetime(2026, 5, day, 9, 0, tzinfo=timezone(timedelta(hours=2)))))
    for day in (1, 2, 3)
]


@pytest.mark.parametrize(
    "lines, reason",
    [
        ([EXPORT_HEADER, GOOD_ROWS[0], GOOD_ROWS[1].replace(",10.5,", ",30.0,"), GOOD_ROWS[2]],
         "row 3: brand is 30"),
        ([EXPORT_HEADER, GOOD_ROWS[0], GOOD_ROWS[1], "2026-05-04T09:00:00" + GOOD_ROWS[2][25:]],
         "row 4: captured_at: "),
        ([EXPORT_HEADER.replace(",industry", ""), *(r.rpartition(",")[0] for r in GOOD_ROWS)],
         "not an SSI Companion CSV export"),
        ([EXPORT_HEADER, GOOD_ROWS[0], GOOD_ROWS[1].replace(",10,12,", ",ten,12,")],
         "row 3: industry_rank is not a number"),
        ([EXPORT_HEADER, GOOD_ROWS[0], GOOD_ROWS[1].replace(",10,12,", ",10,101,")],
         "row 3: network_rank is 101"),
    ],
)  # fmt: skip
def test_a_csv_with_one_bad_row_adds_nothing(runner, home, tmp_path, lines, reason):
    path = tmp_path / "history.csv"
    path.write_text("\n".join(lines) + "\n")
    result = _invoke(runner, "import", path)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert f"Refused {path}: " in result.stderr
    assert reason in result.stderr
    assert "Added 0 readings, skipped 0 already stored." in result.stdout
    assert _counts(home) == {"captures": 0, "failed": 0, "readings": 0}


def test_the_good_rows_alone_are_imported(runner, home, tmp_path):
    # The control for the test above: without the bad row the same file is fine.
    path = tmp_path / "history.csv"
    path.write_text("\n".join([EXPORT_HEADER, *GOOD_ROWS]) + "\n")
    result = _ok(_invoke(runner, "import", path))
    assert "Added 3 readings, skipped 0 already stored." in result.stdout
    readings = json.loads(_invoke(runner, "readings", "--json").stdout)["readings"]
    assert [r["date"] for r in readings] == ["2026-05-01", "2026-05-02", "2026-05-03"]
    assert {r["source"] for r in readings} == {"import"}
    assert readings[0]["total"] == 20.0 and readings[0]["industry"] == "Software"


# -- reparse ----------------------------------------------------------------------------------


def test_reparse_recovers_a_page_an_older_parser_could_not_read(runner, home):
    capture_id = str(uuid.uuid4())
    db = _db(home)
    try:
        store.save_capture(db, capture_id=capture_id, captured_at="2026-05-01T10:00:00+02:00",
                           url=SSI_URL, kind="html",
                           payload=(DATA / "current_en.html").read_text(), reading=None,
                           error=ParseError("unrecognized", "x"))  # fmt: skip
    finally:
        db.close()
    _receive(home, "unknown_layout.html", "2026-05-02T10:00:00+02:00")  # still unreadable
    _receive(home, "dom_2023_en.html", "2026-05-03T10:00:00+02:00")  # read the first time
    assert _counts(home) == {"captures": 3, "failed": 2, "readings": 1}

    result = _ok(_invoke(runner, "reparse"))
    assert "Recovered 1 capture that" in result.stdout
    assert "Updated 0 readings; 1 unchanged." in result.stdout
    assert "Still unreadable: 1 (unrecognized)" in result.stdout
    db = _db(home)
    try:
        capture = store.get_capture(db, capture_id)
        assert capture["status"] == "ok" and capture["error_code"] is None
        reading = store.get_reading(db, capture_id)
        assert reading is not None and reading["total"] == pytest.approx(19.706)
        assert reading["date"] == "2026-05-01"
        assert store.counts(db) == {"captures": 3, "failed": 1, "readings": 2}
    finally:
        db.close()

    again = _ok(_invoke(runner, "reparse"))
    assert "Recovered 0 captures" in again.stdout
    assert "2 unchanged" in again.stdout


def test_reparse_leaves_imported_rows_alone(runner, home, tmp_path):
    path = tmp_path / "history.csv"
    path.write_text("\n".join([EXPORT_HEADER, *GOOD_ROWS]) + "\n")
    _ok(_invoke(runner, "import", path))
    result = _ok(_invoke(runner, "reparse"))
    assert "Recovered 0" in result.stdout and "Updated 0 readings; 0 unchanged." in result.stdout
    assert _counts(home)["readings"] == 3


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [["status"], ["token"], ["readings"], ["export"], ["reparse"],
     ["import", str(DATA / "current_en.html")]],
)  # fmt: skip
def test_a_home_under_a_regular_file_is_a_clean_error(tmp_path, args):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = subprocess.run(
        [sys.executable, "-m", "companion", *args],
        env={"SSI_COMPANION_HOME": str(blocker / "home"), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr
