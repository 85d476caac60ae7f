"""Which days look like a LinkedIn-wide recalibration, when a trend exists, and how the pages
word dates, counts and ranks (companion.history: trend, summary, wording; no Flask)."""

from datetime import date, timedelta

import pytest

from companion.history import wording
from companion.history.summary import recalibrations
from companion.history.trend import has_trend, is_recalibration, recalibration_days
from companion.i18n import ngettext
from companion.reading import PILLARS
from tests.builders import daily as row

START = date(2016, 1, 1)


def climb(days: int, per_day: float, start: float = 20.0) -> list[dict]:
    """A steady climb: every pillar a quarter of the day's gain higher, ranks held."""
    return [row(START + timedelta(days=n), round(start + per_day * n, 3)) for n in range(days)]


def jump(before: dict, points: float, **fields) -> dict:
    """The next day's reading: every pillar moved by a quarter of `points`."""
    day = date.fromisoformat(before["date"]) + timedelta(days=1)
    pillars = {p: round(before[p] + points / 4, 3) for p in PILLARS}
    return row(day, **pillars, **fields)


# -- recalibrations ---------------------------------------------------------------------------


def test_a_ten_year_steady_daily_climb_has_no_recalibration():
    # Each pillar rises every day, ranks held: that used to mark almost every day.
    daily = climb(3650, per_day=0.008)  # 20 -> 49.2 over ten years
    assert recalibration_days(daily, 2.0) == []
    assert recalibrations(daily, 2.0) is None


def test_pillars_rising_by_0_002_each_is_no_recalibration():
    before = row(START, 40.0)
    assert not is_recalibration(before, jump(before, 0.008), 2.0)


@pytest.mark.parametrize("points", [2.5, -2.5, 2.0, -2.0])
def test_an_overnight_jump_of_the_setting_or_more_with_ranks_held_is_one(points):
    before = row(START, 40.0)
    daily = [before, jump(before, points)]
    assert recalibration_days(daily, 2.0) == [daily[1]["date"]]


@pytest.mark.parametrize(
    "change, why",
    [
        ({"industry_rank": 19}, "the industry rank moved"),
        ({"network_rank": 26}, "the network rank moved"),
        ({"network_rank": None}, "a rank is unknown"),
        ({"brand": 10.0 - 0.1}, "one pillar went the other way"),
    ],
)
def test_a_jump_is_no_recalibration_unless_all_four_move_together_and_ranks_hold(change, why):
    before = row(START, 40.0)
    after = jump(before, 3.0) | change
    assert not is_recalibration(before, after, 2.0), why


def test_a_jump_spread_over_two_days_is_no_recalibration():
    before = row(START, 40.0)
    later = jump(before, 3.0) | {"date": (START + timedelta(days=2)).isoformat()}
    assert not is_recalibration(before, later, 2.0)


def test_the_setting_decides_how_far_is_a_jump():
    before = row(START, 40.0)
    after = jump(before, 1.5)
    assert not is_recalibration(before, after, 2.0)
    assert is_recalibration(before, after, 1.0)


def test_the_page_names_the_last_three_newest_first_with_the_count():
    dips = (10, 30, 50, 70, 90)  # five overnight dips on a steady climb, each one kept
    daily = [
        row(START + timedelta(days=n), round(20 + 0.01 * n - 3.0 * sum(d <= n for d in dips), 3))
        for n in range(100)
    ]
    found = recalibrations(daily, 2.0)
    assert found["count"] == 5
    assert found["recent"] == [daily[n]["date"] for n in (90, 70, 50)]
    assert found["points"] == 2.0


# -- a trend ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ages, expected",
    [
        ([], False),
        ([0], False),
        ([14, 12, 10, 8, 6, 3], False),  # six readings
        ([13, 11, 9, 7, 5, 3, 0], False),  # seven, over 13 days
        ([14, 12, 10, 8, 6, 3, 0], True),  # seven over 14 days
        ([40, 35, 5, 4, 3, 2, 1, 0], False),  # the old ones are not "lately"
        ([29, 20, 10, 8, 6, 3, 0], True),
    ],
)
def test_a_trend_needs_7_readings_over_at_least_14_days(ages, expected):
    today = date(2026, 5, 20)
    daily = [row(today - timedelta(days=n)) for n in ages]
    assert has_trend(daily) is expected


# -- wording ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, text",
    [
        ("2026-11-10", "10 Nov 2026"),
        ("2026-01-02T09:30:00+01:00", "2 Jan 2026"),
        (date(2026, 12, 31), "31 Dec 2026"),
    ],
)
def test_dates_are_written_for_people(value, text):
    assert wording.day(value) == text


def test_a_moment_keeps_the_time_it_was_taken_at():
    assert wording.moment("2026-11-10T09:05:00+01:00") == "10 Nov 2026 at 09:05"


@pytest.mark.parametrize(
    "count, text",
    [(0, "0 days"), (1, "1 day"), (2, "2 days"), (365, "365 days"), (1000, "1,000 days")],
)
def test_counts_are_pluralised_and_grouped(count, text):
    said = ngettext("%(count)s day", "%(count)s days", count, count=wording.count(count))
    assert said == text


@pytest.mark.parametrize(
    "value, digits, text",
    [(2.04, 1, "+2.0"), (-1.25, 2, "\u22121.25"), (0.04, 1, "±0"), (None, 1, "–")],
)
def test_signed_changes(value, digits, text):
    assert wording.signed(value, digits) == text


@pytest.mark.parametrize("value, text", [(28.4, "28.4"), (31.0, "31"), (28.43, "28.43")])
def test_an_average_is_shown_with_the_precision_it_has(value, text):
    assert wording.number(value) == text


def test_ranks_read_as_linkedin_words_them():
    assert wording.rank(23) == "Top 23%"
    assert wording.rank(None) == "not shown"
    assert wording.listing(["a", "b", "c"]) == "a, b and c"
    assert wording.listing(["a"]) == "a"
