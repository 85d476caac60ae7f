"""Reminders in the user's language: every title, body and reason is a whole sentence offered
to translators, its numbers and dates written as the language writes them, and a check
speaks the `language` preference whatever language was active when it started."""

import pytest

from companion import i18n, store
from companion.reminders.delivery import run_check
from companion.reminders.evaluate import evaluate
from companion.reminders.sentences import change, points
from companion.store.preferences import set_value
from tests.i18n.pseudo import assert_translated, bracketed
from tests.reminders.test_rules import (
    DOWN,
    FLAT,
    GOAL,
    MONDAY,
    TUESDAY,
    at,
    capture,
    goal_history,
    history,
    settings,
    week,
)

# Every rule and each way it words itself: (rows, moment, settings, the kinds expected).
CASES = {
    "stale": ([("2026-11-01", FLAT, (20, 30))], TUESDAY, {}, ["stale"]),
    "drop, rank and weekly": (
        [("2026-11-23", FLAT, (20, 30)), ("2026-11-30", (10.0, 8.0, 10.0, 10.0), (26, 37))],
        MONDAY,
        {},
        ["drop", "rank", "weekly"],
    ),
    "network rank slipped": (
        [("2026-11-17", FLAT, (20, 30)), ("2026-11-24", FLAT, (20, 36))],
        TUESDAY,
        {},
        ["rank"],
    ),
    "industry rank slipped": (
        [("2026-11-17", FLAT, (20, 30)), ("2026-11-24", FLAT, (26, 30))],
        TUESDAY,
        {},
        ["rank"],
    ),
    "recalibration, down": (
        [*week(17, 22), ("2026-11-23", FLAT, (25, 30)), ("2026-11-24", DOWN, (25, 30))],
        TUESDAY,
        {},
        ["recalibration"],
    ),
    "recalibration, up": (
        [("2026-11-23", DOWN, (25, 30)), ("2026-11-24", FLAT, (25, 30))],
        TUESDAY,
        {},
        ["recalibration"],
    ),
    "goal reached": (
        [("2026-11-24", (15.0, 15.0, 15.0, 15.0), (20, 30))],
        TUESDAY,
        GOAL,
        ["goal"],
    ),
    "goal passed": (
        [("2026-12-30", FLAT, (20, 30))],
        at("2027-01-02T09:30:00+01:00"),
        GOAL,
        ["goal"],
    ),
    "weekly of a first reading, without ranks": (
        [("2026-11-30", (5.0, 5.0, 5.0, 5.0), (None, None))],
        MONDAY,
        {},
        ["weekly"],
    ),
}


@pytest.mark.parametrize("rows, now, overrides, expected", list(CASES.values()), ids=list(CASES))
def test_every_reminder_is_whole_sentences_in_the_language(
    monkeypatch, rows, now, overrides, expected
):
    hist = history(*rows)
    with bracketed(monkeypatch):
        decisions = evaluate(hist, settings(**overrides), {}, now)
    assert decisions
    assert {d.kind for d in decisions} >= set(expected)
    for decision in decisions:
        assert_translated(decision.title)
        assert_translated(decision.body)


@pytest.mark.parametrize("per_day", [0.0, 0.1], ids=["not rising", "too slowly"])
def test_a_goal_at_risk_is_said_in_the_language(monkeypatch, per_day):
    with bracketed(monkeypatch):
        [decision] = evaluate(goal_history(per_day), settings(**GOAL), {}, TUESDAY, ("goal",))
    assert_translated(decision.title)
    assert_translated(decision.body)
    assert "31 dic 2026" in decision.title, "the date as Italian writes it"


def test_numbers_and_dates_follow_the_language(monkeypatch):
    rows = [("2026-11-17", FLAT, (20, 30)), ("2026-11-24", (10.0, 8.5, 9.5, 10.0), (20, 30))]
    with bracketed(monkeypatch):
        [decision] = evaluate(history(*rows), settings(), {}, TUESDAY, ("drop",))
        assert (points(31.25), change(-1.5), change(0.0)) == ("31,2", "\u22121,5", "+0,0")
    assert "⟦Your SSI fell 2,0 points in a week⟧" == decision.title
    assert "SSI 38,0 on 24 nov 2026, down from 40,0 on 17 nov 2026." in decision.body
    assert "(\u22121,5)" in decision.body


def test_english_numbers_keep_one_decimal_as_before():
    assert [points(v) for v in (31.25, 2.45, 40.0, 0.04)] == ["31.2", "2.5", "40.0", "0.0"]
    assert [change(v) for v in (0.5, -1.0, 0.0, -0.04)] == [
        "+0.5",
        "\u22121.0",
        "+0.0",
        "\u22120.0",
    ]


SUPPRESSED = {
    "already sent": ({}, {"drop:2026-11-24": "2026-11-24T09:31:00.000000Z"}),
    "rule off": ({"rule_drop": False}, {}),
    "paused": ({"pause_until": "2026-11-30"}, {}),
    "quiet hours": ({"quiet_hours": "17:00-19:00"}, {}),
}


@pytest.mark.parametrize("overrides, sent", list(SUPPRESSED.values()), ids=list(SUPPRESSED))
def test_every_reason_is_a_sentence_in_the_language(monkeypatch, overrides, sent):
    rows = [("2026-11-17", FLAT, (20, 30)), ("2026-11-24", (10.0, 8.0, 10.0, 10.0), (20, 30))]
    with bracketed(monkeypatch):
        [decision] = evaluate(history(*rows), settings(**overrides), sent, TUESDAY, ("drop",))
    assert decision.status == "suppressed"
    assert_translated(decision.reason)


def test_a_check_speaks_the_language_preference(monkeypatch, tmp_path):
    db = store.connect(tmp_path)
    capture(db, "2026-11-23T09:00:00+01:00")
    capture(db, "2026-11-30T09:00:00+01:00", (10.0, 8.0, 10.0, 10.0))
    set_value(db, "language", "it")
    with bracketed(monkeypatch, "it"), i18n.use("en"):  # a page in English set it off
        decisions = run_check(db, MONDAY)
        assert i18n.active() == "en", "the check gives the language back"
    assert [d.status for d in decisions] == ["inbox", "inbox"]
    for decision in decisions:
        assert_translated(decision.title)
        assert_translated(decision.reason)
    stored = {r["key"]: r for r in db.query("SELECT * FROM notifications")}
    assert stored["drop:2026-11-30"]["title"].startswith("⟦"), "the inbox keeps it as sent"
