"""Reminder settings: defaults, validation, SQLite round trip, and the CLI (settings, check)."""

import json
from datetime import date

import pytest

from companion import config, store
from companion.cli import cli
from companion.ingest.receive import receive
from companion.store import preferences
from companion.store.preference_values import QUIET_NEEDS_BOTH
from companion.store.preferences import (
    SETTINGS,
    SettingError,
    SettingErrors,
    load,
    notes,
    parse_value,
    set_value,
    set_values,
)
from tests.builders import api_payload

EXPECTED_DEFAULTS = {
    "check_times": ["09:30"],
    "check_weekdays": ["mon", "tue", "wed", "thu", "fri"],
    "stale_days": 7,
    "drop_points": 2.0,
    "rank_points": 5,
    "recalibration_points": 2.0,
    "weekly_weekday": "mon",
    "quiet_hours": None,
    "pause_until": None,
    "goal_score": None,
    "goal_date": None,
    "retention_days": None,  # off: the companion's configured default (30 days)
    "language": "auto",  # the browser's language on the pages, the system's elsewhere
    "rule_stale": True,
    "rule_drop": True,
    "rule_rank": True,
    "rule_recalibration": True,
    "rule_weekly": True,
    "rule_goal": True,
}


def test_defaults():
    assert {k: s.default for k, s in SETTINGS.items()} == EXPECTED_DEFAULTS


def test_load_gives_the_defaults_on_a_new_database(tmp_path):
    assert load(store.connect(tmp_path)) == EXPECTED_DEFAULTS


VALID = [
    ("check_times", "09:30", ["09:30"]),
    ("check_times", "17:00, 09:30,09:30", ["09:30", "17:00"]),
    ("check_times", "00:00,23:59", ["00:00", "23:59"]),
    ("check_times", "9:30", ["09:30"]),  # H:MM is what many people type
    ("check_times", "9:30, 17:00", ["09:30", "17:00"]),
    ("check_times", " 7:05 ", ["07:05"]),
    ("check_weekdays", "mon,wed", ["mon", "wed"]),
    ("check_weekdays", "Sunday, Monday", ["mon", "sun"]),
    ("check_weekdays", "sat,sat", ["sat"]),
    ("stale_days", "1", 1),
    ("stale_days", "365", 365),
    ("stale_days", " 14 ", 14),
    ("drop_points", "2", 2.0),
    ("drop_points", "0.5", 0.5),
    ("drop_points", "2,5", 2.5),
    ("drop_points", "100", 100.0),
    ("recalibration_points", "3.5", 3.5),
    ("rank_points", "1", 1),
    ("rank_points", "99", 99),
    ("weekly_weekday", "fri", "fri"),
    ("weekly_weekday", "Sunday", "sun"),
    ("quiet_hours", "22:00-07:00", "22:00-07:00"),
    ("quiet_hours", "12:00 - 14:00", "12:00-14:00"),
    ("quiet_hours", "7:00-9:00", "07:00-09:00"),
    ("quiet_hours", "off", None),
    ("quiet_hours", "", None),
    ("pause_until", "2026-12-24", "2026-12-24"),
    ("pause_until", "none", None),
    ("goal_score", "60", 60.0),
    ("goal_score", "72.5", 72.5),
    ("goal_score", "100", 100.0),
    ("goal_score", "off", None),
    ("goal_date", "2027-06-30", "2027-06-30"),
    ("goal_date", "OFF", None),
    ("retention_days", "90", 90),
    *[(f"rule_{r}", v, True) for r in ("stale", "goal") for v in ("on", "true", "Yes", "1")],
    *[(f"rule_{r}", v, False) for r in ("drop", "weekly") for v in ("off", "false", "NO", "0")],
]


@pytest.mark.parametrize("key, text, value", VALID)
def test_valid_values(key, text, value):
    assert parse_value(key, text) == value


TIME = "is not a time of day: use a time such as 09:30."
DAYS = "use mon, tue, wed, thu, fri, sat or sun."
INVALID = [
    # (key, text, the whole sentence the user reads)
    ("check_times", "25:99", f"25:99 {TIME}"),
    ("check_times", "24:00", f"24:00 {TIME}"),
    ("check_times", "09:60", f"09:60 {TIME}"),
    ("check_times", "930", f"930 {TIME}"),
    ("check_times", "٩:٣٠", f"٩:٣٠ {TIME}"),
    ("check_times", "09:30;17:00", f"09:30;17:00 {TIME}"),
    ("check_times", "09:30, 17", f"17 {TIME}"),
    ("check_times", "", "Give at least one time for the checks, such as 09:30."),
    ("check_times", ",", "Give at least one time for the checks, such as 09:30."),
    ("check_weekdays", "", f"Pick at least one day for the checks: {DAYS}"),
    ("check_weekdays", "mo,tu", f"mo is not a day of the week: {DAYS}"),
    ("check_weekdays", "mon,funday", f"funday is not a day of the week: {DAYS}"),
    ("stale_days", "0", "0 is out of range: use a whole number of days from 1 to 365."),
    ("stale_days", "366", "366 is out of range: use a whole number of days from 1 to 365."),
    ("stale_days", "7.5", "7.5 is not a whole number: use a whole number of days from 1 to 365."),
    ("stale_days", "seven", "seven is not a number: use a whole number of days from 1 to 365."),
    ("stale_days", "", "This cannot be empty: use a whole number of days from 1 to 365."),
    ("drop_points", "0", "0 is out of range: use a number of points above 0 and at most 100."),
    ("drop_points", "-2", "-2 is out of range: use a number of points above 0 and at most 100."),
    ("drop_points", "100.5", "100.5 is out of range: use a number of points above 0 and at most 100."),
    ("drop_points", "nan", "nan is not a number: use a number of points above 0 and at most 100."),
    ("drop_points", "inf", "inf is not a number: use a number of points above 0 and at most 100."),
    ("drop_points", "two", "two is not a number: use a number of points above 0 and at most 100."),
    ("recalibration_points", "0", "0 is out of range: use a number of points above 0 and at most 100."),
    ("rank_points", "0", "0 is out of range: use a whole number from 1 to 99."),
    ("rank_points", "100", "100 is out of range: use a whole number from 1 to 99."),
    ("rank_points", "5.5", "5.5 is not a whole number: use a whole number from 1 to 99."),
    ("weekly_weekday", "mo", f"mo is not a day of the week: {DAYS}"),
    ("weekly_weekday", "", f"Pick a day of the week: {DAYS}"),
    ("weekly_weekday", "mon,tue", f"mon,tue is not a day of the week: {DAYS}"),
    ("quiet_hours", "22:00", QUIET_NEEDS_BOTH),
    ("quiet_hours", "22:00-", QUIET_NEEDS_BOTH),
    ("quiet_hours", "-07:00", QUIET_NEEDS_BOTH),
    ("quiet_hours", "22:00-07:00-08:00", QUIET_NEEDS_BOTH),
    ("quiet_hours", "22:00-22:00", "Quiet hours cannot start and end at the same time (22:00)."),
    ("quiet_hours", "22-07", f"22 {TIME}"),
    ("quiet_hours", "25:00-07:00", f"25:00 {TIME}"),
    ("pause_until", "2026-02-30", "2026-02-30 is not a date: use a date such as 2027-06-30."),
    ("pause_until", "tomorrow", "tomorrow is not a date: use a date such as 2027-06-30."),
    ("pause_until", "20261224", "20261224 is not a date: use a date such as 2027-06-30."),
    ("goal_score", "0", "0 is out of range: use a score above 0 and at most 100."),
    ("goal_score", "101", "101 is out of range: use a score above 0 and at most 100."),
    ("goal_score", "high", "high is not a number: use a score above 0 and at most 100."),
    ("goal_date", "2027-13-01", "2027-13-01 is not a date: use a date such as 2027-06-30."),
    ("retention_days", "0", "0 is out of range: use a whole number of days from 1 to 3650."),
    ("rule_stale", "enabled", "enabled is neither on nor off: use on or off."),
    ("rule_goal", "", "An empty value is neither on nor off: use on or off."),
]  # fmt: skip


@pytest.mark.parametrize("key, text, sentence", INVALID)
def test_invalid_values_are_refused_in_plain_words(key, text, sentence):
    with pytest.raises(SettingError) as error:
        parse_value(key, text)
    assert error.value.message == sentence
    assert key not in error.value.message, "the page shows it: no internal key"
    assert str(error.value) == f"{key}: {sentence}", "the CLI names the key the user typed"


def test_every_key_refuses_nonsense_with_a_sentence_of_its_own():
    for key in SETTINGS:
        with pytest.raises(SettingError) as error:
            parse_value(key, "x?y")
        if key == "quiet_hours":  # not even a start and an end
            assert error.value.message == QUIET_NEEDS_BOTH
        else:
            assert error.value.message.startswith("x?y is ")
        assert error.value.message.endswith(".")
        assert "_" not in error.value.message


def test_every_setting_has_a_plain_label():
    labels = [setting.label for setting in SETTINGS.values()]
    assert len(set(labels)) == len(labels)
    for label in labels:
        assert label[0].isupper() and "_" not in label
    assert SETTINGS["goal_score"].label == "Your target SSI"
    assert SETTINGS["goal_date"].label == "Reach it by"
    for rule in (key for key in SETTINGS if key.startswith("rule_")):
        assert SETTINGS[rule].help.endswith("."), "each switch says what it does"


def test_unknown_key():
    with pytest.raises(SettingError, match="unknown setting 'colour'; the settings are: "):
        parse_value("colour", "red")


@pytest.mark.parametrize("key, text, value", VALID)
def test_set_then_load_round_trip(tmp_path, key, text, value):
    db = store.connect(tmp_path)
    assert set_value(db, key, text) == value
    loaded = load(store.connect(tmp_path))  # another connection: it was committed
    assert loaded[key] == value
    assert type(loaded[key]) is type(value)
    assert {k: v for k, v in loaded.items() if k != key} == {
        k: v for k, v in EXPECTED_DEFAULTS.items() if k != key
    }


def test_set_twice_keeps_the_last_and_a_refused_value_changes_nothing(tmp_path):
    db = store.connect(tmp_path)
    set_value(db, "stale_days", "3")
    set_value(db, "stale_days", "10")
    with pytest.raises(SettingError):
        set_value(db, "stale_days", "0")
    assert load(db)["stale_days"] == 10
    assert db.execute("SELECT COUNT(*) FROM settings").fetchone()[0] == 1


# -- the CLI ----------------------------------------------------------------------------------


def _db(home):
    return store.connect(config.data_dir(home))


def test_cli_settings_lists_every_setting(runner, home):
    result = runner.invoke(cli, ["settings"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines] == list(SETTINGS)
    shown = {line.split()[0]: line.split()[1] for line in lines}
    assert shown["check_times"] == "09:30"
    assert shown["check_weekdays"] == "mon,tue,wed,thu,fri"
    assert shown["drop_points"] == "2"
    assert shown["quiet_hours"] == "off"
    assert shown["rule_goal"] == "on"
    assert SETTINGS["stale_days"].label in result.output


@pytest.mark.parametrize(
    "key, value, shown",
    [
        ("stale_days", "10", "10"),
        ("quiet_hours", "22:00-07:00", "22:00-07:00"),
        ("check_times", "17:00,9:30", "09:30,17:00"),
        ("drop_points", "2,5", "2.5"),
        ("rule_weekly", "no", "off"),
        ("pause_until", "off", "off"),
    ],
)
def test_cli_settings_set_and_get(runner, home, key, value, shown):
    result = runner.invoke(cli, ["settings", "set", key, value])
    assert result.exit_code == 0, result.output
    assert result.output == f"{key} = {shown}\n"
    result = runner.invoke(cli, ["settings", "get", key])
    assert (result.exit_code, result.output) == (0, f"{shown}\n")
    assert f"{key}  " in runner.invoke(cli, ["settings"]).output


def test_cli_settings_get_a_default(runner, home):
    result = runner.invoke(cli, ["settings", "get", "weekly_weekday"])
    assert (result.exit_code, result.output) == (0, "mon\n")


@pytest.mark.parametrize(
    "key, value, sentence",
    [
        ("check_times", "25:99", "25:99 is not a time of day: use a time such as 09:30."),
        ("stale_days", "0", "0 is out of range: use a whole number of days from 1 to 365."),
        ("quiet_hours", "22:00", QUIET_NEEDS_BOTH),
        ("pause_until", "someday", "someday is not a date: use a date such as 2027-06-30."),
        ("rule_drop", "maybe", "maybe is neither on nor off: use on or off."),
    ],
)
def test_cli_settings_set_a_bad_value(runner, home, key, value, sentence):
    runner.invoke(cli, ["settings", "set", "stale_days", "5"])
    before = load(_db(home))
    result = runner.invoke(cli, ["settings", "set", key, value])
    assert result.exit_code == 1
    # The key the user typed, then the same sentence the settings page shows.
    assert result.output == f"Error: {key}: {sentence}\n"
    assert load(_db(home)) == before


# -- rules between settings, for the page and the CLI alike -----------------------------------

TODAY = date(2026, 12, 2)


def test_a_goal_date_in_the_past_is_refused(tmp_path):
    db = store.connect(tmp_path)
    with pytest.raises(SettingErrors) as error:
        set_values(db, {"goal_score": "60", "goal_date": "2026-12-01"}, TODAY)
    assert error.value.errors == {
        "goal_date": "2026-12-01 has passed: pick today or a later date, or leave it empty."
    }
    assert load(db) == EXPECTED_DEFAULTS, "nothing stored, not even the score"
    stored = set_values(db, {"goal_score": "60", "goal_date": "2026-12-02"}, TODAY)
    assert stored["goal_date"] == "2026-12-02", "today is still in time"


def test_a_goal_whose_date_has_since_passed_is_kept_and_pointed_out(tmp_path):
    db = store.connect(tmp_path)
    set_values(db, {"goal_score": "60", "goal_date": "2026-12-20"}, TODAY)
    later = date(2027, 1, 5)
    # Saving the form again (the same date) or anything else is not blocked by the old goal.
    set_values(db, {"goal_date": "2026-12-20", "stale_days": "3"}, later)
    assert load(db)["stale_days"] == 3
    assert [n.message for n in notes(load(db), later)] == [
        "2026-12-20 has passed: pick a new date, or clear the goal."
    ]


def test_half_a_goal_is_stored_and_pointed_out(tmp_path):
    db = store.connect(tmp_path)
    set_values(db, {"goal_score": "60"}, TODAY)
    [note] = notes(load(db), TODAY)
    assert (note.key, note.about) == ("goal_date", ("goal_score", "goal_date"))
    assert "has no date" in note.message
    set_values(db, {"goal_score": "off", "goal_date": "2027-03-01"}, TODAY)
    [note] = notes(load(db), TODAY)
    assert note.key == "goal_score" and "no target SSI" in note.message
    set_values(db, {"goal_score": "60"}, TODAY)
    assert notes(load(db), TODAY) == []


def test_a_weekly_summary_on_a_day_without_checks_is_pointed_out(tmp_path):
    # Not refused: the start-up check sends it on any day the companion starts (scheduler.py).
    db = store.connect(tmp_path)
    set_values(db, {"weekly_weekday": "sat"})
    [note] = notes(load(db))
    assert note.key == "weekly_weekday"
    assert note.message.startswith(
        "The weekly summary is sent by a check on Saturday, but no check is scheduled on Saturdays"
    )
    assert "Add Saturday to the check days, or pick another day." in note.message
    set_values(db, {"check_weekdays": "mon,sat"})
    assert notes(load(db)) == []
    set_values(db, {"check_weekdays": "mon", "rule_weekly": "off"})
    assert notes(load(db)) == [], "no summary is sent at all"


def test_cli_refuses_a_past_goal_date_and_notes_half_a_goal(runner, home):
    result = runner.invoke(cli, ["settings", "set", "goal_date", "2000-01-01"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: goal_date: 2000-01-01 has passed: pick today or a later date, or leave it empty.\n"
    )
    result = runner.invoke(cli, ["settings", "set", "goal_score", "60"])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "goal_score = 60",
        "Note: goal_date: Your target SSI has no date yet: add the date to reach it by, or the "
        "goal is not followed.",
    ]
    result = runner.invoke(cli, ["settings", "set", "goal_date", "2099-12-31"])
    assert result.output == "goal_date = 2099-12-31\n"


def test_cli_notes_a_weekly_summary_on_a_day_without_checks(runner, home):
    result = runner.invoke(cli, ["settings", "set", "weekly_weekday", "sun"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "weekly_weekday = sun"
    assert lines[1].startswith(
        "Note: weekly_weekday: The weekly summary is sent by a check on Sunday"
    )
    assert load(_db(home))["weekly_weekday"] == "sun"
    assert "Note: weekly_weekday:" in runner.invoke(cli, ["settings"]).output
    # A setting the note is not about does not repeat it.
    assert runner.invoke(cli, ["settings", "set", "stale_days", "3"]).output == "stale_days = 3\n"
    fixed = runner.invoke(cli, ["settings", "set", "check_weekdays", "mon,sun"])
    assert fixed.output == "check_weekdays = mon,sun\n"


@pytest.mark.parametrize(
    "args", [["settings", "get", "colour"], ["settings", "set", "colour", "red"]]
)
def test_cli_settings_unknown_key(runner, home, args):
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert result.output.startswith("Error: unknown setting 'colour'; the settings are: ")
    assert "stale_days" in result.output
    assert load(_db(home)) == EXPECTED_DEFAULTS


@pytest.mark.parametrize("args", [["settings", "get"], ["settings", "set", "stale_days"]])
def test_cli_settings_missing_arguments(runner, home, args):
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert "Error:" in result.output


# -- the CLI check --------------------------------------------------------------------------

DECISION_FIELDS = {"kind", "key", "title", "body", "link", "status", "reason"}


def _capture(db, captured_at, pillars):
    from uuid import uuid4

    receive(
        db,
        capture_id=str(uuid4()),
        captured_at=captured_at,
        url="https://www.linkedin.com/sales/ssi",
        kind="api",
        payload=api_payload(pillars),
    )


@pytest.fixture
def week_with_a_drop(home):
    db = _db(home)
    _capture(db, "2026-11-23T09:00:00+01:00", (10.0, 10.0, 10.0, 10.0))
    _capture(db, "2026-11-30T09:00:00+01:00", (10.0, 8.0, 10.0, 10.0))
    return db


def _check(runner, *extra):
    return runner.invoke(cli, ["check", "--at", "2026-11-30T09:30:00+01:00", *extra])


def test_cli_check_dry_run_json_then_delivery(runner, week_with_a_drop, monkeypatch):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    result = _check(runner, "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data) == ["decisions"]
    assert all(set(d) == DECISION_FIELDS for d in data["decisions"])
    assert {d["key"]: d["status"] for d in data["decisions"]} == {
        "drop:2026-11-30": "would_send",
        "weekly:2026-W49": "would_send",
    }
    assert store.list_notifications(week_with_a_drop) == []

    result = _check(runner, "--json")
    assert result.exit_code == 0, result.output
    delivered = json.loads(result.output)["decisions"]
    assert {d["key"]: d["status"] for d in delivered} == {
        "drop:2026-11-30": "inbox",
        "weekly:2026-W49": "inbox",
    }
    assert {n["key"] for n in store.list_notifications(week_with_a_drop)} == {
        "drop:2026-11-30",
        "weekly:2026-W49",
    }

    again = json.loads(_check(runner, "--json").output)["decisions"]
    assert {d["status"] for d in again} == {"suppressed"}
    assert len(store.list_notifications(week_with_a_drop)) == 2


def test_cli_check_text_output(runner, week_with_a_drop, monkeypatch):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    result = _check(runner, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "[would_send] drop: Your SSI fell 2.0 points in a week" in result.output
    assert "[would_send] weekly: Your SSI week" in result.output


def test_cli_check_with_nothing_to_say(runner, home):
    result = _check(runner, "--dry-run", "--json")
    assert (result.exit_code, json.loads(result.output)) == (0, {"decisions": []})
    result = _check(runner, "--dry-run")
    assert (result.exit_code, result.output) == (0, "Nothing to remind you of.\n")


@pytest.mark.parametrize("at", ["yesterday", "2026-13-01T09:00", "30.11.2026 09:30"])
def test_cli_check_bad_at(runner, home, at):
    result = runner.invoke(cli, ["check", "--at", at, "--dry-run"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: --at must be an ISO 8601 date and time")


def test_format_value():
    assert preferences.format_value(None) == "off"
    assert preferences.format_value(True) == "on"
    assert preferences.format_value(["mon", "tue"]) == "mon,tue"
    assert preferences.format_value(2.0) == "2"
    assert preferences.format_value(7) == "7"
