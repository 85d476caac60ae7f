"""`ssi-companion import` never ends in a traceback: each bad file is refused with its reason.

Whatever a file holds (a huge cell, NUL bytes, JSON nested 100,000 deep, wrong types, a
binary page), it is refused alone, adds nothing, and the other files are imported. Errors of
the database itself are no file's fault: those still stop the import.
"""

import csv
import errno
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from companion import config, store
from companion.cli import cli
from companion.ingest import imports, rows
from companion.ingest.exports import EXPORT_COLUMNS
from tests.builders import csv_line, csv_text, reading
from tests.conftest import DATA, REAL_FIXTURES, REPO
from tests.helpers_api import counts

REAL_PAYLOAD = REAL_FIXTURES / "linkedin-beacon_salesApiSsi_live_2026-06.json"
GOOD_ROW = reading()
GOOD_CSV_LINE = csv_line(GOOD_ROW)
EMPTY = {"captures": 0, "failed": 0, "readings": 0}


def _export_json(*rows) -> str:
    return json.dumps({"readings": list(rows)})


def _counts(home) -> dict:
    return counts(config.data_dir(home))


def _import(runner, *paths):
    result = runner.invoke(cli, ["import", *map(str, paths)])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def _refused(runner, home, path: Path, reason: str):
    """Import `path` alone: refused for `reason`, nothing stored."""
    result = _import(runner, path)
    assert result.exit_code == 1, result.output
    assert "Added 0 readings, skipped 0 already stored." in result.stdout
    assert f"Refused {path}: " in result.stderr
    assert reason in result.stderr, result.stderr
    assert len(result.stderr) < 1000  # never a whole 10 MB cell
    assert _counts(home) == EMPTY
    return result


# -- files that cannot be read as what their name says ----------------------------------------


def _symlink_to_nowhere(tmp: Path) -> Path:
    path = tmp / "gone.csv"
    path.symlink_to(tmp / "deleted.csv")
    return path


def _fifo(tmp: Path) -> Path:
    path = tmp / "pipe.csv"
    os.mkfifo(path)
    return path


def _directory(tmp: Path) -> Path:
    # Tests run as root, for whom chmod 000 denies nothing: a directory cannot be read either.
    path = tmp / "folder.json"
    path.mkdir()
    return path


FILES = {
    "huge CSV field": ("big.csv", csv_text("x" * 200_000 + GOOD_CSV_LINE[25:]),
                       "not readable as CSV at line 2: field larger than field limit"),
    "CSV with NUL bytes": ("nul.csv", csv_text(GOOD_CSV_LINE.replace("Software", "Soft\0ware")),
                           "is not a text file (it holds NUL bytes)"),
    "non-UTF-8 CSV": ("latin1.csv", csv_text(GOOD_CSV_LINE.replace("Software", "Caf\xe9")).encode(
        "latin-1"), "is not UTF-8 text (byte 0xe9 at offset"),
    "CSV row with a cell too many": ("extra.csv", csv_text(GOOD_CSV_LINE + ",more"),
                                     "row 2: 13 cells, the header has 12"),
    "CSV row cut short": ("short.csv", csv_text(GOOD_CSV_LINE.rpartition(",")[0]),
                          "row 2: 11 cells, the header has 12"),
    "CSV industry too long": ("long.csv", csv_text(GOOD_CSV_LINE.replace("Software", "S" * 201)),
                              "row 2: industry is 201 characters long; an industry's name has "
                              "at most 200"),
    "CSV number in another script": ("digits.csv", csv_text(GOOD_CSV_LINE.replace(",10,", ",١٠,")),
                                     "row 2: industry_rank is not a number"),
    "JSON 100,000 deep": ("deep.json", "[" * 100_000 + "]" * 100_000, "is JSON nested too deeply"),
    "export 100,000 deep": ("deep-export.json", '{"readings": ' + "[" * 100_000 + "]" * 100_000
                            + "}", "is JSON nested too deeply"),
    "empty CSV": ("empty.csv", "", "is empty"),
    "empty JSON": ("empty.json", " \n", "is empty"),
    "empty page": ("empty.html", "", "is empty"),
    "binary page": ("photo.html", bytes(range(256)) * 40, "is not a text file"),
    "year 0999": ("old.json", _export_json(reading(captured_at="0999-01-01T00:00:00Z")),
                  "row 1: captured_at 0999-01-01T00:00:00+00:00 is before 2010-01-01"),
    "readings not a list": ("odd.json", '{"readings": {"0": {}}}',
                            "readings must be a list, not an object"),
}  # fmt: skip
UNREADABLE = {
    "directory": (_directory, "is a directory"),
    "dangling symlink": (_symlink_to_nowhere, "is a broken symbolic link"),
    "named pipe": (_fifo, "is not a regular file"),
}


def _make(tmp: Path, name: str) -> Path:
    if name in UNREADABLE:
        return UNREADABLE[name][0](tmp)
    file_name, content, _ = FILES[name]
    path = tmp / file_name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _reason(name: str) -> str:
    return UNREADABLE[name][1] if name in UNREADABLE else FILES[name][2]


@pytest.mark.parametrize("name", [*FILES, *UNREADABLE])
def test_an_unreadable_file_is_refused_with_its_reason(runner, home, tmp_path, name):
    _refused(runner, home, _make(tmp_path, name), _reason(name))


# -- our JSON export with wrong types in its rows ---------------------------------------------

BIG = "1" + "0" * 400  # 10**400: a valid JSON number, beyond any float


@pytest.mark.parametrize(
    "row_json, reason",
    [
        (json.dumps(reading(total=[20.0])), "row 1: total must be a number, not a list"),
        (json.dumps(reading(total={"value": 20})), "row 1: total must be a number, not an object"),
        (json.dumps(reading(captured_at=1764150000)), "row 1: captured_at must be text, not a number"),
        (json.dumps(reading(captured_at=["2026-05-01"])), "row 1: captured_at must be text, not a list"),
        (json.dumps(reading(captured_at=None)), "row 1: captured_at is empty"),
        (json.dumps(reading(captured_at="2" * 10_000)), "row 1: captured_at is 10,000 characters"),
        (json.dumps(reading(industry_rank=True)), "row 1: industry_rank must be a number, not true"),
        (json.dumps(reading(total=False)), "row 1: total must be a number, not false"),
        (json.dumps(reading(brand=True, total=None)), "row 1: brand must be a number, not true"),
        (json.dumps(reading()).replace('"total": 20.0', '"total": 1e400'),
         "row 1: total is not a finite number"),
        (json.dumps(reading()).replace('"industry_rank": 10', f'"industry_rank": {BIG}'),
         "row 1: industry_rank is far too large a number"),
        (json.dumps(reading()).replace('"total": 20.0', '"total": NaN'),
         "row 1: total is not a finite number"),
        (json.dumps(reading(industry_rank=10.5)), "row 1: industry_rank must be a whole number"),
        (json.dumps(reading(total="twenty")), "row 1: total is not a number: 'twenty'"),
        (json.dumps(reading(total="1_0")), "row 1: total is not a number"),
        (json.dumps(reading(industry="x" * 10_000_000)), "row 1: industry is 10,000,000 characters"),
        (json.dumps(reading(industry=42)), "row 1: industry must be text, not a number"),
        (json.dumps(reading(industry="Soft\nware")), "row 1: industry holds control characters"),
        (json.dumps(reading(industry="\ud800")), "row 1: industry holds characters that are not"),
        (json.dumps(reading(brand=None)), "row 1: brand is empty"),
        ("5", "row 1: must be an object, not a number"),
        ("[]", "row 1: must be an object, not a list"),
    ],
)  # fmt: skip
def test_an_export_row_of_the_wrong_type_is_refused(runner, home, tmp_path, row_json, reason):
    path = tmp_path / "history.json"
    # A good row first: the bad one must take it down with it.
    path.write_text(f'{{"readings": [{json.dumps(GOOD_ROW)}, {row_json}]}}', encoding="utf-8")
    _refused(runner, home, path, reason.replace("row 1", "row 2"))


def test_the_good_export_row_alone_is_imported(runner, home, tmp_path):
    # The control for the test above.
    path = tmp_path / "history.json"
    path.write_text(_export_json(GOOD_ROW, reading(captured_at="2026-05-02T09:00:00Z", total="20")))
    result = _import(runner, path)
    assert result.exit_code == 0, result.output
    assert "Added 2 readings" in result.stdout


# -- salesApiSsi payloads with wrong types ----------------------------------------------------


def _payload(**member) -> dict:
    payload = json.loads(REAL_PAYLOAD.read_text(encoding="utf-8"))
    payload["memberScore"] = {**payload["memberScore"], **member}
    return payload


@pytest.mark.parametrize(
    "payload, reason",
    [
        ({"memberScore": "52"}, "unrecognized: The salesApiSsi payload has no memberScore object"),
        ({"memberScore": []}, "has no memberScore object"),
        (_payload(subScores={"PROFESSIONAL_BRAND": 10}), "lacks a numeric score for brand"),
        (_payload(subScores=[1, "two", None, [3]]), "lacks a numeric score"),
        (_payload(overall=[52]), "invalid_values: The salesApiSsi payload's overall score"),
        (_payload(overall=True), "overall score is not a number"),
    ],
)
def test_a_payload_with_wrong_types_is_refused_and_kept_as_failed(
    runner, home, tmp_path, payload, reason
):
    # As with POST /api/v1/captures, a payload the parser cannot read is kept as a failed
    # capture, so that `reparse` can read it once a newer version knows its shape.
    path = tmp_path / "payload.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    result = _import(runner, path)
    assert result.exit_code == 1
    assert f"Refused {path}: " in result.stderr and reason in result.stderr, result.stderr
    assert "(kept as a failed capture)" in result.stderr
    assert _counts(home) == {"captures": 1, "failed": 1, "readings": 0}


def test_a_payload_with_an_overlong_industry_is_refused_like_the_api_refuses_it(
    runner, home, tmp_path
):
    # The parser bounds the industry's name, for POST /api/v1/captures and imports alike.
    payload = _payload()
    for group in payload["groupScore"]:
        if group.get("groupType") == "INDUSTRY":
            group["industry"] = "I" * 201
    path = tmp_path / "payload.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    result = _import(runner, path)
    assert result.exit_code == 1
    assert "invalid_values: The industry's name is 201 characters long" in result.stderr
    assert _counts(home) == {"captures": 1, "failed": 1, "readings": 0}


@pytest.mark.parametrize("industry, reason", [("\ud800", "not valid Unicode")])
def test_a_payload_with_an_impossible_industry_is_refused_and_not_kept(
    runner, home, tmp_path, industry, reason
):
    payload = _payload()
    for group in payload["groupScore"]:
        if group.get("groupType") == "INDUSTRY":
            group["industry"] = industry
    path = tmp_path / "payload.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    _refused(runner, home, path, reason)


@pytest.mark.parametrize(
    "mtime, reason",
    [(0, "is before 2010-01-01"), (4e9, "is more than a day ahead of this computer's clock")],
)
def test_a_saved_page_whose_file_time_is_impossible_is_refused(
    runner, home, tmp_path, mtime, reason
):
    # A saved page's capture time is its file's time: 1970 (a tool that zeroes it) is none.
    path = tmp_path / "saved.html"
    path.write_bytes((DATA / "current_en.html").read_bytes())
    os.utime(path, (mtime, mtime))
    result = _refused(runner, home, path, "the file's modification time ")
    assert reason in result.stderr
    assert "(a saved page's capture time is its file's time)" in result.stderr


# -- many files at once -----------------------------------------------------------------------

MANY = ["huge CSV field", "CSV with NUL bytes", "JSON 100,000 deep", "empty CSV", "binary page",
        "non-UTF-8 CSV", "year 0999", "directory", "dangling symlink"]  # fmt: skip


def _many(tmp_path) -> tuple[list[Path], dict[Path, str]]:
    bad = {_make(tmp_path, name): _reason(name) for name in MANY}
    rows = tmp_path / "rows.json"
    rows.write_text(_export_json(reading(industry_rank=True)), encoding="utf-8")
    bad[rows] = "row 1: industry_rank must be a number, not true"
    paths = list(bad)
    # The good files among the bad ones, not first nor last.
    paths[3:3] = [DATA / "current_en.html", REAL_PAYLOAD]
    return paths, bad


def _assert_each_refused(stderr: str, bad: dict[Path, str]) -> None:
    for path, reason in bad.items():
        assert f"Refused {path}: {reason}" in stderr, (path, stderr)
    assert stderr.count("Refused ") == len(bad)


def test_a_multi_file_import_goes_through_every_file(runner, home, tmp_path):
    paths, bad = _many(tmp_path)
    result = _import(runner, *paths)
    assert result.exit_code == 1
    assert "Added 2 readings, skipped 0 already stored." in result.stdout
    _assert_each_refused(result.stderr, bad)
    assert _counts(home) == {"captures": 2, "failed": 0, "readings": 2}


def test_a_real_import_process_ends_without_a_traceback(home, tmp_path):
    paths, bad = _many(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "companion", "import", *map(str, paths)],
        env={**os.environ, "SSI_COMPANION_HOME": str(home)},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1, done.stderr
    assert "Added 2 readings, skipped 0 already stored." in done.stdout
    _assert_each_refused(done.stderr, bad)
    assert _counts(home) == {"captures": 2, "failed": 0, "readings": 2}


# -- the last resort, and what it must not swallow --------------------------------------------


@pytest.fixture
def db(home):
    connection = store.connect(config.data_dir(home))
    yield connection
    connection.close()


def _good_csv(tmp_path) -> Path:
    path = tmp_path / "history.csv"
    path.write_text(csv_text(GOOD_CSV_LINE), encoding="utf-8")
    return path


@pytest.mark.parametrize("error", [KeyError("brand"), TypeError("oops"), AssertionError()])
def test_an_unforeseen_error_while_reading_refuses_the_file(db, home, tmp_path, monkeypatch, error):
    def boom(*args, **kwargs):
        raise error

    monkeypatch.setattr(rows, "build_reading", boom)
    result = imports.import_file(db, _good_csv(tmp_path))
    assert result.refused == f"could not be read: {type(error).__name__}"
    assert (result.added, result.skipped) == (0, 0)

    monkeypatch.setattr(imports, "read", boom)
    page = imports.import_file(db, DATA / "current_en.html")
    assert page.refused == f"could not be read: {type(error).__name__}"
    assert _counts(home) == EMPTY


@pytest.mark.parametrize(
    "error",
    [
        sqlite3.OperationalError("database or disk is full"),
        sqlite3.DatabaseError("database disk image is malformed"),
        OSError(errno.ENOSPC, "No space left on device"),
    ],
)
@pytest.mark.parametrize("target", ["save_imported", "save_capture", "get_capture"])
def test_a_database_error_is_not_taken_for_a_bad_file(db, tmp_path, monkeypatch, error, target):
    def boom(*args, **kwargs):
        raise error

    monkeypatch.setattr(store, target, boom)
    path = _good_csv(tmp_path) if target == "save_imported" else DATA / "current_en.html"
    with pytest.raises(type(error)):
        imports.import_file(db, path)


# -- any JSON value in any field --------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)  # fmt: skip


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.sampled_from(EXPORT_COLUMNS), value=JSON_VALUES, as_csv=st.booleans())
def test_any_value_in_any_field_is_imported_or_refused(db, tmp_path, name, value, as_csv):
    row = {**GOOD_ROW, name: value}  # that one field alone changed, the total included
    if as_csv:
        path = tmp_path / "any.csv"
        out = io.StringIO()
        csv.writer(out).writerow("" if row[c] is None else str(row[c]) for c in EXPORT_COLUMNS)
        path.write_text(csv_text(out.getvalue().rstrip("\r\n")), encoding="utf-8")
    else:
        path = tmp_path / "any.json"
        path.write_text(_export_json(row), encoding="utf-8")
    before = store.counts(db)
    result = imports.import_file(db, path)  # raises nothing, whatever the value
    if result.refused is not None:
        assert result.refused.startswith(("row ", "is not a text file")), result.refused
        assert "could not be read" not in result.refused  # each case has its own reason
        assert store.counts(db) == before
    else:
        assert result.added + result.skipped == 1
