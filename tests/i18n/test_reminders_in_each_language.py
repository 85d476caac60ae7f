"""Reminders in the user's language: the check's decisions, the inbox, the CLI, the desktop.

Each test runs the same check in English first, on the same readings, and expects each
sentence of the English title and body as the catalog of the language writes it
(tests/i18n/expected.py): a reminder still in English, or a catalog without the sentence,
fails. What programs read stays English: kinds, keys, statuses, the JSON's field names.
"""

import json
from datetime import datetime

import pytest

from companion import config, i18n, store
from companion.reminders.delivery import run_check
from companion.store import preferences
from tests.conftest import require_system_package
from tests.helpers_process import cli, ok
from tests.i18n.expected import assert_written_in, translated
from tests.reminders.test_desktop import (
    CHECK_AT,
    STALE_KEY,
    STALE_TITLE,
    run_in_desktop,
    shown,
    stale_db,
)
from tests.reminders.test_rules import FLAT, MONDAY, TUESDAY, capture

DECISION_FIELDS = {"kind", "key", "title", "body", "link", "status", "reason"}
# (kind, captures as (moment, pillars), when the check runs): a week with a fall of 2 points
# (Monday: the weekly summary too), and one capture 23 days before the check.
FALLEN = (10.0, 8.0, 10.0, 10.0)
SCENARIOS = {
    "drop": ([("2026-11-23T09:00:00+01:00", FLAT), ("2026-11-30T09:00:00+01:00", FALLEN)], MONDAY),
    "stale": ([("2026-11-01T09:00:00+01:00", FLAT)], TUESDAY),
}


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    i18n.activate(i18n.DEFAULT)


def data_dir_with(home, kind: str):
    db = store.connect(config.data_dir(home))
    for moment, pillars in SCENARIOS[kind][0]:
        capture(db, moment, pillars)
    return db


def by_kind(decisions) -> dict:
    return {(d["kind"] if isinstance(d, dict) else d.kind): d for d in decisions}


@pytest.mark.parametrize("kind", SCENARIOS)
@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_a_reminder_is_written_in_the_language_preference(home, monkeypatch, kind, language):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)  # no desktop: the inbox
    db = data_dir_with(home, kind)
    now = SCENARIOS[kind][1]
    english = by_kind(run_check(db, now, dry_run=True))[kind]
    preferences.set_value(db, "language", language)

    decision = by_kind(run_check(db, now))[kind]

    assert (decision.kind, decision.key, decision.status) == (kind, english.key, "inbox")
    assert_written_in(language, english.title, decision.title, f"the {kind} reminder's title")
    assert_written_in(language, english.body, decision.body, f"the {kind} reminder's body")
    (row,) = [n for n in store.list_notifications(db) if n["key"] == decision.key]
    assert (row["title"], row["body"]) == (decision.title, decision.body)
    assert i18n.active() == "en", "the check left its language active"


def check_json(home, at: datetime) -> list[dict]:
    """`ssi-companion check --json --dry-run --at AT`, a real process: its decisions."""
    done = ok(cli(home, "check", "--json", "--dry-run", "--at", at.isoformat()))
    data = json.loads(done.stdout)
    assert list(data) == ["decisions"]
    assert data["decisions"], done.stdout
    for decision in data["decisions"]:
        assert set(decision) == DECISION_FIELDS
    return data["decisions"]


def assert_same_but_the_words(english: list[dict], other: list[dict], language: str) -> None:
    neutral = ("kind", "key", "status", "link")
    assert [{k: d[k] for k in neutral} for d in other] == [
        {k: d[k] for k in neutral} for d in english
    ]
    assert {d["kind"] for d in other} == {"drop", "weekly"}
    assert {d["status"] for d in other} == {"would_send"}
    for before, after in zip(english, other, strict=True):
        assert_written_in(language, before["title"], after["title"], f"{after['kind']} title")
        assert_written_in(language, before["body"], after["body"], f"{after['kind']} body")


def test_the_cli_check_speaks_the_language_setting(home):
    data_dir_with(home, "drop")
    ok(cli(home, "settings", "set", "language", "en"))
    english = check_json(home, MONDAY)
    ok(cli(home, "settings", "set", "language", "it"))
    assert ok(cli(home, "settings", "get", "language")).stdout.strip() == "it"
    assert_same_but_the_words(english, check_json(home, MONDAY), "it")


def test_the_cli_check_speaks_the_system_language_when_set_to_auto(home, monkeypatch):
    data_dir_with(home, "drop")
    assert ok(cli(home, "settings", "get", "language")).stdout.strip() == "auto"
    english = check_json(home, MONDAY)  # LANG=C.UTF-8 (tests/conftest.py)
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    assert_same_but_the_words(english, check_json(home, MONDAY), "de")


# -- a real desktop: dunst shows the Italian reminder ---------------------------------------


def test_a_real_notification_is_shown_in_italian_by_dunst(tmp_path, monkeypatch):
    """tests/reminders/test_desktop.py's real desktop, with an Italian system and `auto`."""
    require_system_package("/usr/bin/Xvfb", "xvfb")
    require_system_package("/usr/bin/dunst", "dunst")
    require_system_package("/usr/bin/dbus-run-session", "dbus")
    require_system_package("/usr/bin/dunstctl", "dunst")
    require_system_package("/usr/bin/dbus-send", "dbus-bin")
    (tmp_path / "english").mkdir()
    at = datetime.fromisoformat(CHECK_AT)
    english = by_kind(run_check(stale_db(tmp_path / "english"), at, dry_run=True))["stale"]
    desktop = tmp_path / "desktop"
    desktop.mkdir()
    monkeypatch.setenv("LANG", "it_IT.UTF-8")

    first, after, output = run_in_desktop(desktop)

    stale = by_kind(first["decisions"])["stale"]
    assert (stale["key"], stale["status"]) == (STALE_KEY, "sent"), output
    title = translated("it", STALE_TITLE)
    assert title != STALE_TITLE, "the it catalog has no translation of the stale reminder"
    assert stale["title"] == title, output
    assert_written_in("it", english.body, stale["body"], "the stale reminder's body")
    assert (title, stale["body"]) in shown(after["history"]), output
