"""Which capture times are accepted: from 2010 to a day ahead of this computer's clock."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from companion import config
from companion.cli import cli
from companion.ingest import capture_time as moments
from companion.ingest.exports import export_csv
from tests.builders import reading, write_csv
from tests.helpers_api import assert_nothing_stored, auth, capture_body, counts


def _post(client, app, captured_at: str):
    headers = auth(app.config["DATA_DIR"])
    return client.post(
        "/api/v1/captures", json=capture_body(captured_at=captured_at), headers=headers
    )


def _in(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat(timespec="seconds")


@pytest.mark.parametrize(
    "captured_at, reason",
    [
        ("2009-12-31T23:59:59Z", "is before 2010-01-01: LinkedIn's SSI did not exist yet"),
        ("2010-01-01T00:30:00+01:00", "is before 2010-01-01"),  # 23:30 UTC the day before
        ("0999-01-01T00:00:00Z", "is before 2010-01-01"),
        ("0001-01-01T00:00:00+14:00", "is before 2010-01-01"),
        ("9999-01-01T00:00:00Z", "is more than a day ahead of this computer's clock"),
        ("9999-12-31T23:59:59-14:00", "is more than a day ahead"),
        (_in(48), "is more than a day ahead of this computer's clock"),
    ],
)
def test_a_capture_at_an_impossible_time_is_refused(client, app, captured_at, reason):
    response = _post(client, app, captured_at)
    assert response.status_code == 400, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "bad_request"
    assert error["message"].startswith("captured_at ")
    assert reason in error["message"]
    assert_nothing_stored(app.config["DATA_DIR"])


@pytest.mark.parametrize("captured_at", ["2010-01-01T00:00:00Z", _in(23), _in(-1)])
def test_a_capture_inside_the_window_is_stored(client, app, captured_at):
    response = _post(client, app, captured_at)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["reading"]["captured_at"] == captured_at
    assert counts(app.config["DATA_DIR"])["readings"] == 1


# -- the rule itself, against a fixed clock ---------------------------------------------------

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "moment, ok",
    [
        (moments.EARLIEST, True),
        (moments.EARLIEST - timedelta(microseconds=1), False),
        (NOW + moments.MAX_AHEAD, True),
        (NOW + moments.MAX_AHEAD + timedelta(microseconds=1), False),
        (datetime(1, 1, 1, tzinfo=UTC), False),
        (datetime.max.replace(tzinfo=UTC), False),
    ],
)
def test_the_window_is_inclusive_at_both_ends(moment, ok):
    if ok:
        moments.check_capture_moment("captured_at", moment, NOW)
    else:
        with pytest.raises(ValueError, match="^captured_at "):
            moments.check_capture_moment("captured_at", moment, NOW)


def test_the_message_names_the_clock_it_was_judged_by():
    with pytest.raises(ValueError) as caught:
        moments.check_capture_moment("when", NOW + timedelta(days=3), NOW)
    assert str(caught.value) == (
        "when 2026-06-04T12:00:00+00:00 is more than a day ahead of this computer's clock "
        "(2026-06-01T12:00:00+00:00)"
    )


# -- imports of our own export ----------------------------------------------------------------


def _write_export(tmp_path, fmt: str, bad_moment: str):
    good = ["2026-05-01T09:00:00+02:00", "2026-05-02T09:00:00+02:00"]
    rows = [reading(moment) for moment in (good[0], bad_moment, good[1])]
    path = tmp_path / f"history.{fmt}"
    if fmt == "csv":
        write_csv(path, rows)
        return path, "row 3"
    path.write_text(json.dumps({"readings": rows}), encoding="utf-8")
    return path, "row 2"


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize(
    "bad_moment, reason",
    [
        ("0999-01-01T00:00:00Z", "captured_at 0999-01-01T00:00:00+00:00 is before 2010-01-01"),
        ("9999-01-01T00:00:00Z", "captured_at 9999-01-01T00:00:00+00:00 is more than a day ahead"),
        ("9999-12-31T23:59:59-14:00", "captured_at 9999-12-31T23:59:59-14:00 is more than a day"),
    ],
)
def test_an_export_with_a_row_out_of_time_is_refused_whole(
    runner, home, tmp_path, fmt, bad_moment, reason
):
    path, row = _write_export(tmp_path, fmt, bad_moment)
    result = runner.invoke(cli, ["import", str(path)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert f"Refused {path}: {row}: {reason}" in result.stderr
    assert result.stderr.endswith("Error: 1 file refused, nothing of it added\n")
    assert "Added 0 readings, skipped 0 already stored." in result.stdout
    assert counts(config.data_dir(home)) == {"captures": 0, "failed": 0, "readings": 0}


def test_an_export_inside_the_window_imports(runner, home, tmp_path):
    # The control for the test above: the same file with a good third row.
    path, _ = _write_export(tmp_path, "csv", "2026-05-03T09:00:00+02:00")
    result = runner.invoke(cli, ["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Added 3 readings" in result.stdout


def test_an_export_round_trips_a_reading_from_2010(runner, home, tmp_path):
    path = tmp_path / "old.csv"
    path.write_text(export_csv([reading("2010-01-01T00:00:00Z")]), encoding="utf-8")
    result = runner.invoke(cli, ["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Added 1 reading," in result.stdout
