"""The reminder rules: tables of (history, moment, settings, expected decisions).

`evaluate()` is pure, so most tests build a History from compact tuples; the last ones run the
same rules through `run_check` on a real SQLite database.
"""

from datetime import date, datetime
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from companion import store
from companion.history.tips import TIPS, tip
from companion.ingest.imports import import_file
from companion.ingest.receive import receive
from companion.reading import PILLAR_NAMES, PILLARS, RANKS
from companion.reminders.delivery import run_check
from companion.reminders.evaluate import evaluate
from companion.reminders.rules import SSI_URL, History
from companion.store.preferences import SETTINGS
from tests.builders import api_payload, daily, write_csv
from tests.builders import reading as reading_row

BERLIN = ZoneInfo("Europe/Berlin")
DEFAULTS = {k: s.default for k, s in SETTINGS.items()}
FLAT = (10.0, 10.0, 10.0, 10.0)


# -- building histories -----------------------------------------------------------------------


def reading(day, pillars=FLAT, ranks=(20, 30), at="09:00:00+01:00", industry_avg=35.0):
    """A daily reading as store.daily_readings_until returns it, from compact values."""
    return daily(
        day,
        round(sum(pillars), 6),  # as build_reading sums
        **dict(zip(PILLARS, pillars, strict=True)),
        **dict(zip(RANKS, ranks, strict=True)),
        industry_avg=industry_avg,
        captured_at=f"{day}T{at}",
    )


def history(*rows) -> History:
    """rows: (date, pillars, ranks[, time with offset]) tuples, oldest first."""
    daily = [reading(*row) for row in rows]
    last = datetime.fromisoformat(daily[-1]["captured_at"]) if daily else None
    return History(daily=daily, last_capture_at=last)


def week(first: int, last: int, month="2026-11", pillars=FLAT, ranks=(20, 30)):
    """The same reading every day from `first` to `last` of a month."""
    return [(f"{month}-{d:02d}", pillars, ranks) for d in range(first, last + 1)]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def settings(**overrides) -> dict:
    return {**DEFAULTS, **overrides}


def outcome(decisions) -> list[tuple[str, str]]:
    return sorted((d.kind, d.status) for d in decisions)


def only(decisions, kind):
    found = [d for d in decisions if d.kind == kind]
    assert len(found) == 1, decisions
    return found[0]


# Tuesday 2026-11-24, 18:00 in Berlin (+01:00): not the weekly digest's day.
TUESDAY = at("2026-11-24T18:00:00+01:00")
MONDAY = at("2026-11-30T09:30:00+01:00")
W = "would_send"
DOWN = (9.4, 9.4, 9.4, 9.4)  # every pillar 0.6 lower than FLAT: the total falls 2.4

CASES = [
    # (id, rows, now, overrides, expected)
    ("empty history", [], TUESDAY, {}, []),
    ("empty history on a Monday", [], MONDAY, {}, []),
    ("one reading today", [("2026-11-24", FLAT, (20, 30))], TUESDAY, {}, []),
    ("one reading 6 days old", [("2026-11-18", FLAT, (20, 30))], TUESDAY, {}, []),
    ("one reading 7 days old", [("2026-11-17", FLAT, (20, 30))], TUESDAY, {}, [("stale", W)]),
    (
        "one reading with a goal",
        [("2026-11-24", FLAT, (20, 30))],
        TUESDAY,
        {"goal_score": 60.0, "goal_date": "2027-01-31"},
        [],
    ),
    ("identical week", week(17, 24), TUESDAY, {}, []),
    ("identical week, Monday", week(23, 30), MONDAY, {}, [("weekly", W)]),
    (
        "drop of 2 points",
        [("2026-11-17", FLAT, (20, 30)), ("2026-11-24", (10.0, 8.5, 9.5, 10.0), (20, 30))],
        TUESDAY,
        {},
        [("drop", W)],
    ),
    (
        "drop of 1.9 points",
        [("2026-11-17", FLAT, (20, 30)), ("2026-11-24", (10.0, 8.6, 9.5, 10.0), (20, 30))],
        TUESDAY,
        {},
        [],
    ),
    (
        # 33.3 -> 31.3 is a fall of exactly 2 points, as a user reads it.
        "drop of 2 points from 33.3",
        [("2026-11-17", (8.3, 8.0, 8.5, 8.5), (20, 30)), ("2026-11-24", (8.3, 6.0, 8.5, 8.5))],
        TUESDAY,
        {},
        [("drop", W)],
    ),
    (
        "drop against the reading 10 days before",
        [("2026-11-14", FLAT, (20, 30)), ("2026-11-24", (10.0, 8.0, 10.0, 10.0), (20, 30))],
        TUESDAY,
        {},
        [("drop", W)],
    ),
    (
        "no reading 5-10 days before: no drop",
        [("2026-11-13", FLAT, (20, 30)), ("2026-11-24", (5.0, 5.0, 5.0, 5.0), (20, 30))],
        TUESDAY,
        {},
        [],
    ),
    (
        "drop_points 3: a 2.4 fall is no drop",
        [("2026-11-17", FLAT, (20, 30)), ("2026-11-24", (10.0, 7.6, 10.0, 10.0), (20, 30))],
        TUESDAY,
        {"drop_points": 3.0},
        [],
    ),
    (
        "industry rank +5",
        [("2026-11-17", FLAT, (20, 30)), ("2026-11-24", FLAT, (25, 30))],
        TUESDAY,
        {},
        [("rank", W)],
    ),
    (
        "network rank +5",
        [("2026-11-17", FLAT, (20, 30)), ("2026-11-24", FLAT, (20, 35))],
        TUESDAY,
        {},
        [("rank", W)],
    ),
    (
        "rank +4",
        [("2026-11-17", FLAT, (20, 30)), ("2026-11-24", FLAT, (24, 34))],
        TUESDAY,
        {},
        [],
    ),
    (
        "rank improving",
        [("2026-11-17", FLAT, (20, 30)), ("2026-11-24", FLAT, (10, 15))],
        TUESDAY,
        {},
        [],
    ),
    (
        "rank unknown",
        [("2026-11-17", FLAT, (None, None)), ("2026-11-24", FLAT, (90, 90))],
        TUESDAY,
        {},
        [],
    ),
    (
        "recalibration: all four down, ranks held, replaces the drop",
        [*week(17, 23), ("2026-11-24", DOWN, (20, 30))],
        TUESDAY,
        {},
        [("drop", "suppressed"), ("recalibration", W)],
    ),
    (
        "recalibration: all four up, 2.6 points overnight",
        [*week(17, 23), ("2026-11-24", (10.6, 10.5, 10.7, 10.8), (20, 30))],
        TUESDAY,
        {},
        [("recalibration", W)],
    ),
    (
        # A steady climb moves every pillar a little each day: that is the user's own doing.
        "all four up by 0.002 each, ranks held: no recalibration",
        [*week(17, 23), ("2026-11-24", (10.002, 10.002, 10.002, 10.002), (20, 30))],
        TUESDAY,
        {},
        [],
    ),
    (
        "all four up, 1.9 points overnight: under the default 2",
        [*week(17, 23), ("2026-11-24", (10.5, 10.5, 10.5, 10.4), (20, 30))],
        TUESDAY,
        {},
        [],
    ),
    (
        "all four up, 1.9 points overnight, recalibration_points 1",
        [*week(17, 23), ("2026-11-24", (10.5, 10.5, 10.5, 10.4), (20, 30))],
        TUESDAY,
        {"recalibration_points": 1.0},
        [("recalibration", W)],
    ),
    (
        "all four down but the industry rank changed",
        [*week(17, 23), ("2026-11-24", DOWN, (21, 30))],
        TUESDAY,
        {},
        [("drop", W)],
    ),
    (
        "all four down but the network rank changed",
        [*week(17, 23), ("2026-11-24", DOWN, (20, 29))],
        TUESDAY,
        {},
        [("drop", W)],
    ),
    (
        "three down, one held",
        [*week(17, 23), ("2026-11-24", (9.2, 9.2, 9.2, 10.0), (20, 30))],
        TUESDAY,
        {},
        [("drop", W)],
    ),
    (
        "all four down over two days: not consecutive",
        [*week(17, 22), ("2026-11-24", DOWN, (20, 30))],
        TUESDAY,
        {},
        [("drop", W)],
    ),
]


@pytest.mark.parametrize(
    "rows, now, overrides, expected",
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_rules_table(rows, now, overrides, expected):
    decisions = evaluate(history(*rows), settings(**overrides), {}, now)
    assert outcome(decisions) == expected


def test_decision_keys_links_and_reasons():
    rows = [*week(17, 23), ("2026-11-24", DOWN, (25, 30))]
    rows[-2] = ("2026-11-23", FLAT, (25, 30))  # ranks held between the last two days
    decisions = evaluate(history(*rows), settings(), {}, TUESDAY)
    keys = {d.kind: d.key for d in decisions}
    assert keys == {
        "drop": "drop:2026-11-24",
        "rank": "rank:2026-11-24",
        "recalibration": "recalibration:2026-11-24",
    }
    assert all(d.link == SSI_URL for d in decisions)
    assert only(decisions, "drop").reason == "replaced by the recalibration notice for that day"
    recalibrated = only(decisions, "recalibration").body
    assert "LinkedIn-wide change" in recalibrated
    # DOWN: every pillar 0.6 lower, the total 40.0 -> 37.6, on the day in people's words.
    assert "On 24 Nov 2026 your SSI went down 2.4 points overnight (40.0 to 37.6)" in recalibrated
    assert "Top 20% to Top 25%" in only(decisions, "rank").body


@pytest.mark.parametrize(
    "latest, worst, change",
    [
        ((10.0, 8.5, 9.5, 10.0), "people", "\u22121.5"),
        ((9.0, 10.0, 10.0, 8.8), "relationships", "\u22121.2"),
        ((10.0, 10.0, 7.0, 11.0), "insights", "\u22123.0"),
        ((7.5, 10.0, 10.0, 10.0), "brand", "\u22122.5"),
    ],
)
def test_drop_names_the_pillar_that_fell_most_and_its_tip(latest, worst, change):
    rows = [("2026-11-17", FLAT, (20, 30)), ("2026-11-24", latest, (20, 30))]
    decision = only(evaluate(history(*rows), settings(), {}, TUESDAY), "drop")
    fall = 40.0 - sum(latest)
    assert decision.key == "drop:2026-11-24"
    assert decision.title == f"Your SSI fell {fall:.1f} points in a week"
    assert f"{PILLAR_NAMES[worst]} fell most ({change})" in decision.body
    assert tip(worst) in decision.body
    assert "down from 40.0 on 17 Nov 2026" in decision.body, "dates as the pages write them"


def test_drop_compares_with_the_reading_closest_to_a_week_before():
    rows = [
        ("2026-11-14", (12.0, 10.0, 10.0, 10.0), (20, 30)),  # 10 days before: 42
        ("2026-11-16", FLAT, (20, 30)),  # 8 days before: 40
        ("2026-11-18", (11.0, 10.0, 10.0, 10.0), (20, 30)),  # 6 days before: 41
        ("2026-11-24", (10.0, 9.0, 10.0, 10.0), (20, 30)),  # 39
    ]
    # 6 and 8 days are equally close; the earlier one (a 1-point fall) is taken.
    assert outcome(evaluate(history(*rows), settings(), {}, TUESDAY)) == []
    rows[1] = ("2026-11-17", FLAT, (20, 30))  # now exactly 7 days: still 1 point
    assert outcome(evaluate(history(*rows), settings(), {}, TUESDAY)) == []
    rows[1] = ("2026-11-17", (11.0, 10.0, 10.0, 10.0), (20, 30))  # 41 -> 39
    assert outcome(evaluate(history(*rows), settings(), {}, TUESDAY)) == [("drop", W)]


# -- weekly ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "now, weekday, key",
    [
        ("2026-11-30T09:30:00+01:00", "mon", "weekly:2026-W49"),  # month end
        ("2026-12-01T09:30:00+01:00", "mon", None),  # Tuesday, first of the month
        ("2026-08-31T09:30:00+02:00", "mon", "weekly:2026-W36"),  # month end
        ("2026-12-28T09:30:00+01:00", "mon", "weekly:2026-W53"),  # ISO year 2026 has 53 weeks
        ("2026-12-31T09:30:00+01:00", "thu", "weekly:2026-W53"),
        ("2027-01-01T09:30:00+01:00", "fri", "weekly:2026-W53"),
        ("2027-01-03T09:30:00+01:00", "mon", None),  # Sunday
        ("2027-01-03T09:30:00+01:00", "sun", "weekly:2026-W53"),
        ("2027-01-04T09:30:00+01:00", "mon", "weekly:2027-W01"),
        ("2027-01-04T09:30:00+01:00", "tue", None),
        ("2025-12-29T09:30:00+01:00", "mon", "weekly:2026-W01"),  # ISO 2026 starts in 2025
    ],
)
def test_weekly_only_on_its_weekday_keyed_by_iso_week(now, weekday, key):
    moment = at(now)
    day = moment.date().toordinal()
    rows = [
        (date.fromordinal(day - 8).isoformat(), (9.0, 10.0, 10.0, 10.0), (20, 30)),
        (date.fromordinal(day - 1).isoformat(), FLAT, (20, 30)),
    ]
    decisions = evaluate(history(*rows), settings(weekly_weekday=weekday), {}, moment)
    weekly = [d.key for d in decisions if d.kind == "weekly"]
    assert weekly == ([key] if key else [])


def test_weekly_body_has_the_week_the_ranks_the_weakest_pillar_and_an_action():
    rows = [
        ("2026-11-23", (12.0, 8.0, 6.0, 9.0), (20, 30)),
        ("2026-11-30", (12.5, 8.5, 5.0, 9.0), (18, 31)),
    ]
    decision = only(evaluate(history(*rows), settings(), {}, MONDAY), "weekly")
    body = decision.body
    assert decision.title == "Your SSI week"
    assert "SSI 35.0 on 30 Nov 2026 (+0.0 since 23 Nov 2026)" in body
    assert f"{PILLAR_NAMES['insights']} 5.0 (\u22121.0)" in body
    assert f"{PILLAR_NAMES['brand']} 12.5 (+0.5)" in body
    assert "industry Top 18%" in body and "network Top 31%" in body
    assert f"Weakest pillar: {PILLAR_NAMES['insights']} (5.0/25)" in body
    assert "0.0 points above your industry's average of 35" in body
    assert "This week: " in body and any(t.rstrip(".") in body for t in TIPS["insights"])


def test_weekly_below_the_industry_average_and_without_one():
    rows = [("2026-11-30", (5.0, 5.0, 5.0, 5.0), (40, 50))]
    body = only(evaluate(history(*rows), settings(), {}, MONDAY), "weekly").body
    assert "15.0 points below your industry's average of 35" in body
    rows = [("2026-11-30", (5.0, 5.0, 5.0, 5.0), (None, None))]
    daily = [reading(*rows[0], industry_avg=None)]
    body = only(
        evaluate(History(daily, at(daily[0]["captured_at"])), settings(), {}, MONDAY), "weekly"
    ).body
    assert "average" not in body and "Ranks" not in body


# -- stale ----------------------------------------------------------------------------------


@pytest.mark.parametrize("stale_days", [1, 3, 7, 30])
def test_stale_at_exactly_stale_days_not_one_day_before(stale_days):
    last = at("2026-11-01T21:15:00+01:00")
    hist = History(daily=[reading("2026-11-01", at="21:15:00+01:00")], last_capture_at=last)
    day = date(2026, 11, 1).toordinal()
    before = datetime.combine(date.fromordinal(day + stale_days - 1), datetime.max.time())
    on = datetime.combine(date.fromordinal(day + stale_days), datetime.min.time())
    s = settings(stale_days=stale_days)
    decisions = evaluate(hist, s, {}, on.replace(tzinfo=BERLIN), rules=("stale",))
    decision = only(decisions, "stale")
    assert decision.key == "stale:2026-11-01"
    assert decision.title == "Time to check your SSI"
    ago = "1 day ago" if stale_days == 1 else f"{stale_days} days ago"
    assert f"was on 1 Nov 2026, {ago}." in decision.body
    assert decision.link == SSI_URL
    assert evaluate(hist, s, {}, before.replace(tzinfo=BERLIN), rules=("stale",)) == []


def test_stale_counts_failed_captures_too():
    # last_capture_at is the last capture of any status: a failed one is still a visit.
    hist = History(daily=[reading("2026-11-01")], last_capture_at=at("2026-11-20T10:00:00+01:00"))
    assert evaluate(hist, settings(), {}, TUESDAY, rules=("stale",)) == []


# -- across daylight saving time (Europe/Berlin) ---------------------------------------------

DST_CASES = [
    # (id, rows, now, rules, expected keys)
    (
        "spring: 7 local days, last capture +01:00, now +02:00",
        [("2026-03-22", FLAT, (20, 30), "09:00:00+01:00")],
        berlin(2026, 3, 29, 9, 30),
        ("stale",),
        ["stale:2026-03-22"],
    ),
    (
        "spring: 6 local days, one minute before midnight",
        [("2026-03-22", FLAT, (20, 30), "09:00:00+01:00")],
        berlin(2026, 3, 28, 23, 59),
        ("stale",),
        [],
    ),
    (
        "spring: capture late in the evening, check just after midnight before the change",
        [("2026-03-22", FLAT, (20, 30), "23:30:00+01:00")],
        berlin(2026, 3, 29, 0, 30),
        ("stale",),
        ["stale:2026-03-22"],
    ),
    (
        "spring: a week of 167 hours is still a week",
        [("2026-03-22", FLAT, (20, 30), "03:30:00+01:00")],
        berlin(2026, 3, 29, 3, 0),
        ("stale",),
        ["stale:2026-03-22"],
    ),
    (
        "autumn: 7 local days, last capture +02:00, now +01:00",
        [("2026-10-18", FLAT, (20, 30), "23:30:00+02:00")],
        berlin(2026, 10, 25, 23, 30),
        ("stale",),
        ["stale:2026-10-18"],
    ),
    (
        "autumn: capture just after midnight (+02:00), check the same minute 7 days later",
        [("2026-10-18", FLAT, (20, 30), "00:30:00+02:00")],
        berlin(2026, 10, 25, 0, 30),
        ("stale",),
        ["stale:2026-10-18"],
    ),
    (
        "autumn: 6 local days, a week of 169 hours not yet over",
        [("2026-10-19", FLAT, (20, 30), "00:30:00+02:00")],
        berlin(2026, 10, 25, 23, 59),
        ("stale",),
        [],
    ),
    (
        "spring: drop over the change, readings dated by their local day",
        [
            ("2026-03-22", FLAT, (20, 30), "09:00:00+01:00"),
            ("2026-03-29", (10.0, 8.0, 10.0, 10.0), (20, 30), "09:00:00+02:00"),
        ],
        berlin(2026, 3, 29, 9, 30),
        ("drop", "rank", "recalibration"),
        ["drop:2026-03-29"],
    ),
    (
        "spring: Monday 00:30 local is Sunday in UTC: the digest comes",
        [("2026-03-29", FLAT, (20, 30), "09:00:00+02:00")],
        berlin(2026, 3, 30, 0, 30),
        ("weekly",),
        ["weekly:2026-W14"],
    ),
    (
        "autumn: Monday 00:30 local is Sunday in UTC: the digest comes",
        [("2026-10-25", FLAT, (20, 30), "09:00:00+01:00")],
        berlin(2026, 10, 26, 0, 30),
        ("weekly",),
        ["weekly:2026-W44"],
    ),
    (
        "autumn: Sunday 23:30 local is Sunday in UTC too: no digest",
        [("2026-10-25", FLAT, (20, 30), "09:00:00+01:00")],
        berlin(2026, 10, 25, 23, 30),
        ("weekly",),
        [],
    ),
]


@pytest.mark.parametrize(
    "rows, now, rules, keys", [c[1:] for c in DST_CASES], ids=[c[0] for c in DST_CASES]
)
def test_across_daylight_saving_time(rows, now, rules, keys):
    decisions = evaluate(history(*rows), settings(), {}, now, rules=rules)
    assert [d.key for d in decisions] == keys


@pytest.mark.parametrize(
    "now, quiet",
    [
        (berlin(2026, 3, 29, 6, 59), True),  # 04:59 UTC: the local clock decides
        (berlin(2026, 3, 29, 7, 0), False),
        (berlin(2026, 10, 25, 6, 59), True),
        (berlin(2026, 10, 25, 7, 0), False),
    ],
)
def test_quiet_hours_use_local_time_on_dst_days(now, quiet):
    rows = [("2026-03-01", FLAT, (20, 30), "09:00:00+01:00")]
    decision = only(
        evaluate(history(*rows), settings(quiet_hours="22:00-07:00"), {}, now, ("stale",)),
        "stale",
    )
    assert decision.status == ("suppressed" if quiet else W)


@pytest.mark.parametrize(
    "captured_at, now, key",
    [
        # A capture 30 minutes before local midnight, the check a week later in summer time,
        # given a fixed UTC offset as the scheduler and `ssi-companion check` pass it
        # (datetime.now().astimezone() / --at ...+02:00). The capture's local day is the 28th,
        # as its reading's date says; 7 days have passed.
        ("2026-03-28T23:30:00+01:00", "2026-04-04T09:30:00+02:00", "stale:2026-03-28"),
        # A capture 30 minutes after local midnight in summer time, checked 7 days later.
        ("2026-10-25T00:30:00+02:00", "2026-11-01T09:30:00+01:00", "stale:2026-10-25"),
    ],
)
def test_stale_with_the_fixed_offsets_the_scheduler_passes(captured_at, now, key):
    moment = at(captured_at)
    hist = History(
        daily=[reading(moment.date().isoformat(), at=captured_at.split("T")[1])],
        last_capture_at=moment,
    )
    # With the zone the answer is right...
    zoned = at(now).astimezone(BERLIN)
    assert [d.key for d in evaluate(hist, settings(), {}, zoned, ("stale",))] == [key]
    # ...and the same moment with its fixed offset must give the same answer.
    assert [d.key for d in evaluate(hist, settings(), {}, at(now), ("stale",))] == [key]


# -- what may be sent: quiet hours, pause, rule off, already sent ------------------------------

DROP_ROWS = [("2026-11-17", FLAT, (20, 30)), ("2026-11-24", (10.0, 8.0, 10.0, 10.0), (20, 30))]

SUPPRESSION_CASES = [
    # (id, now, overrides, sent, status, reason substring)
    ("no limits", "2026-11-24T23:30:00+01:00", {}, {}, W, ""),
    ("quiet at 23:30", "2026-11-24T23:30:00+01:00", {"quiet_hours": "22:00-07:00"}, {},
     "suppressed", "quiet hours (22:00-07:00)"),
    ("quiet at 00:00", "2026-11-25T00:00:00+01:00", {"quiet_hours": "22:00-07:00"}, {},
     "suppressed", "quiet hours"),
    ("quiet at 06:59", "2026-11-25T06:59:00+01:00", {"quiet_hours": "22:00-07:00"}, {},
     "suppressed", "quiet hours"),
    ("quiet at 22:00", "2026-11-24T22:00:00+01:00", {"quiet_hours": "22:00-07:00"}, {},
     "suppressed", "quiet hours"),
    ("not quiet at 07:00", "2026-11-25T07:00:00+01:00", {"quiet_hours": "22:00-07:00"}, {}, W, ""),
    ("not quiet at 21:59", "2026-11-24T21:59:00+01:00", {"quiet_hours": "22:00-07:00"}, {}, W, ""),
    ("quiet within a day", "2026-11-24T12:30:00+01:00", {"quiet_hours": "12:00-14:00"}, {},
     "suppressed", "quiet hours"),
    ("not quiet after it", "2026-11-24T14:00:00+01:00", {"quiet_hours": "12:00-14:00"}, {}, W, ""),
    ("paused until today", "2026-11-24T18:00:00+01:00", {"pause_until": "2026-11-24"}, {},
     "suppressed", "paused until 2026-11-24"),
    ("paused until later", "2026-11-24T18:00:00+01:00", {"pause_until": "2026-12-01"}, {},
     "suppressed", "paused until 2026-12-01"),
    ("pause over", "2026-11-25T00:00:00+01:00", {"pause_until": "2026-11-24"}, {}, W, ""),
    ("drop rule off", "2026-11-24T18:00:00+01:00", {"rule_drop": False}, {},
     "suppressed", "the drop rule is off"),
    ("another rule off", "2026-11-24T18:00:00+01:00", {"rule_stale": False}, {}, W, ""),
    ("already sent", "2026-11-24T18:00:00+01:00", {},
     {"drop:2026-11-24": "2026-11-24T09:31:00.000000Z"},
     "suppressed", "already sent 2026-11-24T09:31:00.000000Z"),
    ("another key sent", "2026-11-24T18:00:00+01:00", {},
     {"drop:2026-11-17": "2026-11-17T09:31:00.000000Z"}, W, ""),
]  # fmt: skip


@pytest.mark.parametrize(
    "now, overrides, sent, status, reason",
    [c[1:] for c in SUPPRESSION_CASES],
    ids=[c[0] for c in SUPPRESSION_CASES],
)
def test_suppression(now, overrides, sent, status, reason):
    decisions = evaluate(history(*DROP_ROWS), settings(**overrides), sent, at(now))
    decision = only(decisions, "drop")
    assert decision.status == status
    if reason:
        assert reason in decision.reason
    else:
        assert decision.reason == ""


def test_every_rule_can_be_switched_off():
    rows = [*week(16, 23), ("2026-11-24", DOWN, (25, 30))]
    rows[-2] = ("2026-11-23", FLAT, (25, 30))
    hist = History(
        daily=[reading(*r) for r in rows], last_capture_at=at("2026-11-10T09:00:00+01:00")
    )
    now = at("2026-11-30T09:30:00+01:00")
    goal = {"goal_score": 90.0, "goal_date": "2026-11-29"}
    on = evaluate(hist, settings(**goal), {}, now)
    assert {d.kind for d in on} == {"stale", "drop", "rank", "recalibration", "weekly", "goal"}
    for kind in ("stale", "drop", "rank", "recalibration", "weekly", "goal"):
        decisions = evaluate(hist, settings(**goal, **{f"rule_{kind}": False}), {}, now)
        off = only(decisions, kind)
        assert (off.status, off.reason) == ("suppressed", f"the {kind} rule is off")


# -- goal -----------------------------------------------------------------------------------


def goal_history(per_day: float, days: int = 28, start: float = 40.0):
    # brand = start - 20 so that the first total is `start`.
    rows = []
    first = date(2026, 11, 24).toordinal() - days
    for n in range(0, days + 1, 2):
        people = round(5.0 + per_day * n, 6)
        rows.append(
            (date.fromordinal(first + n).isoformat(), (start - 20.0, people, 5.0, 10.0), (20, 30))
        )
    return history(*rows)


GOAL = {"goal_score": 60.0, "goal_date": "2026-12-31"}


def test_goal_reached():
    hist = history(("2026-11-24", (15.0, 15.0, 15.0, 15.0), (20, 30)))
    decision = only(evaluate(hist, settings(**GOAL), {}, TUESDAY), "goal")
    assert decision.key == "goal-reached:60:2026-12-31"
    assert decision.title == "Goal reached: SSI 60"
    assert decision.body == "Your SSI is 60.0 on 24 Nov 2026. Well done."


def test_goal_missed_rising_too_slowly():
    hist = goal_history(per_day=0.1)  # 40 -> 42.8 over 28 days
    latest = hist.daily[-1]
    assert latest["date"] == "2026-11-24" and latest["total"] == pytest.approx(42.8)
    decision = only(evaluate(hist, settings(**GOAL), {}, TUESDAY), "goal")
    assert decision.status == W
    assert decision.key == "goal-missed:60:2026-12-31:2026-W48"
    assert decision.title == "Your goal of 60 by 31 Dec 2026 is at risk"
    # 17.2 points to go at 0.1 a day: 172 days after 2026-11-24, after the goal's date.
    assert "you reach it on 15 May 2027." in decision.body
    # 17.2 points in 37 days: 3.3 a week.
    assert "gain about 3.3 points a week" in decision.body


def test_goal_on_track_says_nothing():
    hist = goal_history(per_day=0.6)  # 40 -> 56.8, 3.2 to go at 0.6 a day
    assert evaluate(hist, settings(**GOAL), {}, TUESDAY, ("goal",)) == []


def test_goal_flat_trend():
    decision = only(evaluate(goal_history(0.0), settings(**GOAL), {}, TUESDAY), "goal")
    assert "has not been rising" in decision.body
    assert "gain about 3.8 points a week" in decision.body  # 20 points in 37 days


@pytest.mark.parametrize(
    "rows",
    [
        [("2026-11-24", FLAT, (20, 30))],
        [("2026-11-18", FLAT, (20, 30)), ("2026-11-24", FLAT, (20, 30))],  # 6 days apart
        # 2026-10-24 is 31 days back: outside the 30-day trend, leaving one reading.
        [("2026-10-24", (5.0, 5.0, 5.0, 5.0), (20, 30)), ("2026-11-24", FLAT, (20, 30))],
    ],
    ids=["one reading", "six days of readings", "older reading outside 30 days"],
)
def test_goal_with_too_little_history_says_nothing(rows):
    assert evaluate(history(*rows), settings(**GOAL), {}, TUESDAY, ("goal",)) == []


@pytest.mark.parametrize(
    "days, every", [(7, 7), (12, 2), (28, 14)], ids=["2 in 7 days", "7 in 12 days", "3 in 28 days"]
)
def test_goal_waits_for_a_trend_as_the_summary_page_does(days, every):
    # A trend is 7 readings over at least 14 days (history.trend.has_trend); before that a
    # "not on track" verdict would be a guess, however flat the readings look.
    first = date(2026, 11, 24).toordinal() - days
    rows = [
        (date.fromordinal(first + n).isoformat(), FLAT, (20, 30)) for n in range(0, days + 1, every)
    ]
    assert evaluate(history(*rows), settings(**GOAL), {}, TUESDAY, ("goal",)) == []
    longer = goal_history(0.0, days=28)  # 15 readings over 28 days, flat: now it is said
    decision = only(evaluate(longer, settings(**GOAL), {}, TUESDAY, ("goal",)), "goal")
    assert decision.key.startswith("goal-missed:60:2026-12-31:")


@pytest.mark.parametrize("now", ["2027-01-01T09:30:00+01:00", "2027-03-02T09:30:00+01:00"])
def test_goal_date_passed_is_said_once(now):
    hist = history(("2026-12-30", FLAT, (20, 30)))
    decision = only(evaluate(hist, settings(**GOAL), {}, at(now), ("goal",)), "goal")
    # Said once after the date, not every week from then on.
    assert decision.key == "goal-passed:60:2026-12-31"
    assert decision.title == "Goal of 60 not reached"
    assert decision.body == "The goal date 31 Dec 2026 has passed with SSI 40.0."


@pytest.mark.parametrize(
    "overrides", [{"goal_score": 60.0}, {"goal_date": "2026-12-31"}, {}], ids=str
)
def test_goal_needs_score_and_date(overrides):
    assert evaluate(goal_history(0.1), settings(**overrides), {}, TUESDAY, ("goal",)) == []


# -- the same through run_check on SQLite ----------------------------------------------------


def capture(db, captured_at, pillars=FLAT, ranks=(20, 30)):
    received = receive(
        db,
        capture_id=str(uuid4()),
        captured_at=captured_at,
        url=SSI_URL,
        kind="api",
        payload=api_payload(pillars, ranks),
    )
    assert received.capture["status"] == "ok", received.error


@pytest.fixture
def db(tmp_path):
    return store.connect(tmp_path)


def notifications(db):
    return sorted((r["key"], r["status"]) for r in db.query("SELECT * FROM notifications"))


def test_run_check_delivers_once_to_the_inbox(db):
    capture(db, "2026-11-23T09:00:00+01:00")
    capture(db, "2026-11-30T09:00:00+01:00", (10.0, 8.0, 10.0, 10.0))
    first = run_check(db, MONDAY)
    assert outcome(first) == [("drop", "inbox"), ("weekly", "inbox")]
    assert all(d.reason == "no desktop notifications here: kept in the inbox" for d in first)
    assert notifications(db) == [("drop:2026-11-30", "inbox"), ("weekly:2026-W49", "inbox")]
    stored = {r["key"]: r for r in db.query("SELECT * FROM notifications")}
    assert stored["drop:2026-11-30"]["title"] == only(first, "drop").title
    assert stored["drop:2026-11-30"]["link"] == SSI_URL

    second = run_check(db, MONDAY)
    assert outcome(second) == [("drop", "suppressed"), ("weekly", "suppressed")]
    assert all(d.reason.startswith("already sent") for d in second)
    assert len(notifications(db)) == 2


def test_run_check_dry_run_records_nothing(db):
    capture(db, "2026-11-23T09:00:00+01:00")
    capture(db, "2026-11-30T09:00:00+01:00", (10.0, 8.0, 10.0, 10.0))
    assert outcome(run_check(db, MONDAY, dry_run=True)) == [("drop", W), ("weekly", W)]
    assert notifications(db) == []
    assert outcome(run_check(db, MONDAY)) == [("drop", "inbox"), ("weekly", "inbox")]


def test_run_check_does_not_see_captures_after_now(db):
    capture(db, "2026-11-16T09:00:00+01:00")
    capture(db, "2026-11-24T18:30:00+01:00", (10.0, 8.0, 10.0, 10.0))  # after 18:00
    decisions = run_check(db, TUESDAY, dry_run=True)
    assert [d.key for d in decisions] == ["stale:2026-11-16"]
    later = run_check(db, at("2026-11-24T18:30:00+01:00"), dry_run=True)
    assert [d.key for d in later] == ["drop:2026-11-24"]


def test_run_check_recalibration_replaces_drop(db):
    for day in range(17, 24):
        capture(db, f"2026-11-{day:02d}T09:00:00+01:00")
    capture(db, "2026-11-24T09:00:00+01:00", DOWN)
    decisions = run_check(db, TUESDAY)
    assert outcome(decisions) == [("drop", "suppressed"), ("recalibration", "inbox")]
    assert notifications(db) == [("recalibration:2026-11-24", "inbox")]


def test_run_check_honours_stored_settings(db):
    from companion.store.preferences import set_value

    capture(db, "2026-11-23T09:00:00+01:00")
    capture(db, "2026-11-30T09:00:00+01:00", (10.0, 8.0, 10.0, 10.0))
    set_value(db, "quiet_hours", "09:00-10:00")
    assert outcome(run_check(db, MONDAY)) == [("drop", "suppressed"), ("weekly", "suppressed")]
    assert notifications(db) == []
    set_value(db, "quiet_hours", "off")
    set_value(db, "rule_weekly", "off")
    assert outcome(run_check(db, MONDAY)) == [("drop", "inbox"), ("weekly", "suppressed")]


def test_run_check_on_an_imported_csv(db, tmp_path):
    rows = [
        ("2026-03-22T09:00:00+01:00", (10.0, 10.0, 10.0, 10.0), (20, 30)),
        ("2026-03-29T09:00:00+02:00", (10.0, 10.0, 7.5, 10.0), (26, 30)),
    ]
    path = write_csv(
        tmp_path / "export.csv",
        [
            reading_row(
                captured_at,
                **dict(zip(PILLARS, pillars, strict=True)),
                **dict(zip(RANKS, ranks, strict=True)),
                network_avg=32.0,
            )
            for captured_at, pillars, ranks in rows
        ],
    )
    result = import_file(db, path)
    assert (result.added, result.refused) == (2, None)
    now = berlin(2026, 3, 30, 9, 30)  # Monday after the change to summer time
    decisions = run_check(db, now)
    assert {d.key: d.status for d in decisions} == {
        "drop:2026-03-29": "inbox",
        "rank:2026-03-29": "inbox",
        "weekly:2026-W14": "inbox",
    }
    assert f"{PILLAR_NAMES['insights']} fell most (\u22122.5)" in only(decisions, "drop").body
    assert {d.status for d in run_check(db, now)} == {"suppressed"}
    # Import again: nothing new, nothing sent twice.
    assert import_file(db, path).skipped == 2
    assert [d.to_dict()["status"] for d in run_check(db, now)] == ["suppressed"] * 3


def test_goal_on_its_own_date_is_not_yet_passed():
    hist = history(("2026-12-24", FLAT, (20, 30)), ("2026-12-30", FLAT, (20, 30)))
    decisions = evaluate(hist, settings(**GOAL), {}, at("2026-12-31T09:30:00+01:00"), ("goal",))
    assert all(not d.key.startswith("goal-passed") for d in decisions)


def test_turning_recalibration_notices_off_lets_the_drop_through():
    rows = [
        ("2026-11-17", (12.0, 12.0, 12.0, 12.0), (20, 30)),
        ("2026-11-23", (12.0, 12.0, 12.0, 12.0), (20, 30)),
        ("2026-11-24", (11.0, 11.0, 11.0, 11.0), (20, 30)),
    ]
    decisions = evaluate(
        history(*rows), settings(rule_recalibration=False), {}, TUESDAY, ("drop", "recalibration")
    )
    by_kind = {d.kind: d for d in decisions}
    assert by_kind["drop"].status == "would_send"
    assert by_kind["recalibration"].status == "suppressed"
