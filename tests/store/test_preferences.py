"""Reminder settings: defaults, validation, SQLite round trip, and the CLI (settings, check)."""

import json
import re

import pytest

from companion import config, store
from companion.cli import cli
from companion.ingest.receive import receive
from companion.store import preferences
from companion.store.preferences import SETTINGS, SettingError, load, parse_value, set_value
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
    ("rank_points", "1", 1),
    ("rank_points", "99", 99),
    ("weekly_weekday", "fri", "fri"),
    ("weekly_weekday", "Sunday", "sun"),
    ("quiet_hours", "22:00-07:00", "22:00-07:00"),
    ("quiet_hours", "12:00 - 14:00", "12:00-14:00"),
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
    *[(f"rule_{r}", v, True) for r in ("stale", "goal") for v in ("on", "true", "Yes", "1")],
    *[(f"rule_{r}", v, False) for r in ("drop", "weekly") for v in ("off", "false", "NO", "0")],
]


@pytest.mark.parametrize("key, text, value", VALID)
def test_valid_values(key, text, value):
    assert parse_value(key, text) == value


INVALID = [
    # (key, text, what the message must name)
    ("check_times", "9:30", "HH:MM, comma-separated"),
    ("check_times", "24:00", "HH:MM"),
    ("check_times", "09:60", "HH:MM"),
    ("check_times", "", "HH:MM"),
    ("check_times", ",", "HH:MM"),
    ("check_times", "09:30;17:00", "HH:MM"),
    ("check_weekdays", "", "mon,tue,wed,thu,fri,sat,sun"),
    ("check_weekdays", "mo,tu", "mon,tue,wed,thu,fri,sat,sun"),
    ("check_weekdays", "mon,funday", "mon,tue,wed,thu,fri,sat,sun"),
    ("check_weekdays", "mon,month", "mon,tue,wed,thu,fri,sat,sun"),
    ("stale_days", "0", "a whole number of days from 1 to 365"),
    ("stale_days", "366", "from 1 to 365"),
    ("stale_days", "7.5", "whole number"),
    ("stale_days", "seven", "whole number"),
    ("stale_days", "", "whole number"),
    ("drop_points", "0", "above 0 and at most 100"),
    ("drop_points", "-2", "above 0"),
    ("drop_points", "100.5", "at most 100"),
    ("drop_points", "nan", "above 0 and at most 100"),
    ("drop_points", "inf", "above 0 and at most 100"),
    ("drop_points", "two", "a number of points"),
    ("rank_points", "0", "a whole number from 1 to 99"),
    ("rank_points", "100", "from 1 to 99"),
    ("rank_points", "5.5", "whole number"),
    ("weekly_weekday", "mo", "one of mon,tue,wed,thu,fri,sat,sun"),
    ("weekly_weekday", "", "one of mon,tue"),
    ("weekly_weekday", "mon,tue", "one of mon"),
    ("weekly_weekday", "month", "one of mon,tue,wed,thu,fri,sat,sun"),
    ("weekly_weekday", "sunshine", "one of mon,tue,wed,thu,fri,sat,sun"),
    ("quiet_hours", "22:00", "HH:MM-HH:MM (e.g. 22:00-07:00), or off"),
    ("quiet_hours", "22:00-22:00", "HH:MM-HH:MM"),
    ("quiet_hours", "22-07", "HH:MM-HH:MM"),
    ("quiet_hours", "22:00-07:00-08:00", "HH:MM-HH:MM"),
    ("quiet_hours", "25:00-07:00", "or off"),
    ("pause_until", "2026-02-30", "a date YYYY-MM-DD, or off"),
    ("pause_until", "tomorrow", "YYYY-MM-DD"),
    ("pause_until", "24.12.2026", "YYYY-MM-DD"),
    ("goal_score", "0", "a score above 0 and at most 100, or off"),
    ("goal_score", "101", "at most 100"),
    ("goal_score", "high", "or off"),
    ("goal_date", "2027-13-01", "a date YYYY-MM-DD, or off"),
    ("rule_stale", "enabled", "on or off"),
    ("rule_goal", "", "on or off"),
    ("rule_drop", "2", "on or off"),
]


@pytest.mark.parametrize("key, text, allowed", INVALID)
def test_invalid_values_name_what_is_allowed(key, text, allowed):
    with pytest.raises(SettingError) as error:
        parse_value(key, text)
    message = str(error.value)
    assert message.startswith(f"{key} cannot be {text!r}: use ")
    assert allowed in message
    assert message.endswith(SETTINGS[key].allowed)


def test_every_key_refuses_nonsense():
    for key in SETTINGS:
        with pytest.raises(SettingError, match=re.escape(f"{key} cannot be 'x?y': use ")):
            parse_value(key, "x?y")


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
    assert SETTINGS["stale_days"].meaning in result.output


@pytest.mark.parametrize(
    "key, value, shown",
    [
        ("stale_days", "10", "10"),
        ("quiet_hours", "22:00-07:00", "22:00-07:00"),
        ("check_times", "17:00,09:30", "09:30,17:00"),
        ("drop_points", "2,5", "2.5"),
        ("goal_score", "60", "60"),
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
    "key, value, allowed",
    [
        ("stale_days", "0", "a whole number of days from 1 to 365"),
        ("quiet_hours", "22:00", "HH:MM-HH:MM (e.g. 22:00-07:00), or off"),
        ("pause_until", "someday", "a date YYYY-MM-DD, or off"),
        ("rule_drop", "maybe", "on or off"),
    ],
)
def test_cli_settings_set_a_bad_value(runner, home, key, value, allowed):
    runner.invoke(cli, ["settings", "set", "stale_days", "5"])
    before = load(_db(home))
    result = runner.invoke(cli, ["settings", "set", key, value])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {key} cannot be {value!r}: use ")
    assert allowed in result.output
    assert load(_db(home)) == before


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
