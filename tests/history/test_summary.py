"""What the summary page says, computed by companion.history.summary (no Flask)."""

from datetime import date, timedelta

import pytest

from companion.history.summary import (
    HISTORY_PAGE_SIZE,
    freshness,
    history_page,
    reading_near,
    summarize,
)
from companion.history.tips import TIPS
from companion.reading import PILLAR_NAMES, PILLARS
from companion.store import preferences
from tests.builders import daily as row

TODAY = date(2026, 5, 20)


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def defaults() -> dict:
    return {key: s.default for key, s in preferences.SETTINGS.items()}


def series(totals: dict[int, float], **fields) -> list[dict]:
    """Readings keyed by days before TODAY, oldest first."""
    return [row(days_ago(n), t, **fields) for n, t in sorted(totals.items(), reverse=True)]


# -- reading_near ----------------------------------------------------------------------------


def test_reading_near_takes_the_last_reading_on_or_before_the_day():
    daily = series({12: 30.0, 9: 31.0, 6: 32.0, 0: 33.0})
    assert reading_near(daily, days_ago(7), 3)["total"] == 31.0
    assert reading_near(daily, days_ago(6), 0)["total"] == 32.0


def test_reading_near_refuses_one_too_old_and_an_empty_series():
    daily = series({12: 30.0, 0: 33.0})
    assert reading_near(daily, days_ago(7), 3) is None
    assert reading_near(daily, days_ago(7), 5)["total"] == 30.0
    assert reading_near([], TODAY, 30) is None
    assert reading_near(series({0: 40.0}), days_ago(1), 10) is None, "only earlier readings count"


# -- changes over 7, 30 and 90 days ----------------------------------------------------------


def changes_of(daily: list) -> dict:
    """{window: (points, date of the reading compared with)} of what the headline shows."""
    found = summarize(daily, defaults(), TODAY)["changes"]
    return {c.days: (pytest.approx(c.points), c.since) for c in found}


def test_changes_over_7_30_and_90_days_with_daily_readings():
    daily = series({n: 50.0 - n / 10 for n in range(0, 100)})
    assert changes_of(daily) == {
        7: (0.7, days_ago(7).isoformat()),
        30: (3.0, days_ago(30).isoformat()),
        90: (9.0, days_ago(90).isoformat()),
    }


def test_a_change_names_the_reading_it_compares_with_not_the_window():
    # The reading standing for "7 days ago" is 10 days old: the page says "since" its date.
    daily = series({10: 44.0, 0: 46.0})
    assert changes_of(daily) == {7: (2.0, days_ago(10).isoformat())}


@pytest.mark.parametrize(
    "totals, expected",
    [
        # 7 days: a reading up to 3 days older than "7 days ago" stands for it.
        ({10: 40.0, 0: 45.0}, {7: 5.0, 30: None, 90: None}),
        ({11: 40.0, 0: 45.0}, {7: None, 30: None, 90: None}),
        # 30 days: up to 7 days older.
        ({37: 40.0, 0: 42.5}, {7: None, 30: 2.5, 90: None}),
        ({38: 40.0, 0: 42.5}, {7: None, 30: None, 90: None}),
        # 90 days: up to 14 days older.
        ({104: 40.0, 0: 39.0}, {7: None, 30: None, 90: -1.0}),
        ({105: 40.0, 0: 39.0}, {7: None, 30: None, 90: None}),
        # a reading more recent than the window's day never stands for it
        ({3: 40.0, 0: 41.0}, {7: None, 30: None, 90: None}),
    ],
)
def test_changes_with_gaps_in_the_data(totals, expected):
    # A window without a reading near enough is left out, not shown as a dash.
    shown = {days: points for days, (points, _) in changes_of(series(totals)).items()}
    assert shown == {days: points for days, points in expected.items() if points is not None}


def test_changes_are_counted_from_the_latest_reading_not_from_today():
    # Last reading 20 days ago; the week before it is what "7 days" compares with.
    daily = series({27: 40.0, 20: 43.0})
    summary = summarize(daily, defaults(), TODAY)
    assert changes_of(daily) == {7: (3.0, days_ago(27).isoformat())}
    assert summary["freshness"] == "20 days ago: visit the SSI page to update"


def test_a_single_reading_has_no_changes_and_no_pillar_changes():
    summary = summarize(series({0: 40.0}), defaults(), TODAY)
    assert summary["changes"] == []
    assert all(p.change is None for p in summary["pillars"])
    assert summary["pillars_since"] is None
    assert summary["rank_trends"] == {"industry": None, "network": None}
    assert summary["has_trend"] is False


def test_no_readings_no_summary():
    assert summarize([], defaults(), TODAY) is None


# -- freshness -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "age, text",
    [
        (0, "today"),
        (1, "yesterday: visit the SSI page to update"),
        (2, "2 days ago: visit the SSI page to update"),
        (3, "3 days ago: visit the SSI page to update"),
        (400, "400 days ago: visit the SSI page to update"),
    ],
)
def test_freshness_texts(age, text):
    assert freshness(days_ago(age), TODAY) == text


def test_freshness_of_a_reading_dated_after_today_is_today():
    # A capture made in a time zone already in tomorrow.
    assert freshness(TODAY + timedelta(days=1), TODAY) == "today"


# -- pillars, within reach, advice, gaps, ranks ----------------------------------------------


def test_pillars_with_their_week_change_and_the_most_points_within_reach():
    before = row(days_ago(7), brand=15.0, people=8.0, insights=9.0, relationships=12.0)
    latest = row(TODAY, brand=16.0, people=7.5, insights=9.0, relationships=14.25)
    summary = summarize([before, latest], defaults(), TODAY)
    assert summary["pillars_since"] == days_ago(7).isoformat()
    pillars = {p.key: p for p in summary["pillars"]}
    assert [p.key for p in summary["pillars"]] == list(PILLARS)
    assert {k: p.score for k, p in pillars.items()} == {
        "brand": 16.0,
        "people": 7.5,
        "insights": 9.0,
        "relationships": 14.25,
    }
    assert {k: p.change for k, p in pillars.items()} == pytest.approx(
        {"brand": 1.0, "people": -0.5, "insights": 0.0, "relationships": 2.25}
    )
    assert pillars["people"].within_reach == pytest.approx(17.5)
    assert summary["within_reach"].key == "people"
    assert summary["within_reach"].name == PILLAR_NAMES["people"]
    assert summary["weakest"].key == "people"
    assert summary["advice"] == TIPS["people"]
    assert 2 <= len(summary["advice"]) <= 3


@pytest.mark.parametrize("weakest", PILLARS)
def test_advice_is_for_the_weakest_pillar(weakest):
    scores = {p: 15.0 for p in PILLARS} | {weakest: 4.0}
    summary = summarize([row(TODAY, **scores)], defaults(), TODAY)
    assert summary["weakest"].key == weakest
    assert summary["within_reach"].key == weakest
    assert summary["advice"] == TIPS[weakest]


def test_gaps_to_the_averages_and_unknown_averages():
    latest = row(TODAY, 40.0, industry_avg=31.5, network_avg=None)
    summary = summarize([latest], defaults(), TODAY)
    # The gap and the average it was computed from travel together: the page shows both.
    assert summary["gaps"] == {"industry": {"points": 8.5, "average": 31.5}, "network": None}
    below = summarize([row(TODAY, 25.0, network_avg=33.4)], defaults(), TODAY)
    assert below["gaps"]["network"] == {"points": pytest.approx(-8.4), "average": 33.4}


@pytest.mark.parametrize(
    "then, now, trend",
    [(20, 15, -5), (15, 20, 5), (12, 12, 0), (None, 12, None), (12, None, None)],
)
def test_rank_trend_over_30_days_smaller_is_better(then, now, trend):
    daily = [row(days_ago(33), industry_rank=then), row(TODAY, industry_rank=now)]
    found = summarize(daily, defaults(), TODAY)["rank_trends"]["industry"]
    if trend is None:
        assert found is None
    else:
        assert found == {"change": trend, "then": then, "since": days_ago(33).isoformat()}


def test_rank_trend_needs_a_reading_near_30_days_ago():
    daily = [row(days_ago(38), industry_rank=30), row(TODAY, industry_rank=10)]
    assert summarize(daily, defaults(), TODAY)["rank_trends"]["industry"] is None


# -- industry change -------------------------------------------------------------------------


def test_industry_change_note_names_both_industries_and_the_day():
    daily = [
        row(days_ago(10), industry="Software Development"),
        row(days_ago(5), industry=None),  # a page that did not name it
        row(days_ago(4), industry="IT Services and IT Consulting"),
        row(TODAY, industry="IT Services and IT Consulting"),
    ]
    note = summarize(daily, defaults(), TODAY)["industry_change"]
    assert "Software Development" in note
    assert "IT Services and IT Consulting" in note
    assert "on 16 May 2026" in note  # 4 days before 20 May 2026, in people's words


def test_no_industry_change_note_when_it_stayed_the_same_or_was_missing():
    same = [row(days_ago(n)) for n in (20, 10, 0)]
    assert summarize(same, defaults(), TODAY)["industry_change"] is None
    gaps = [row(days_ago(2)), row(days_ago(1), industry=None), row(TODAY)]
    assert summarize(gaps, defaults(), TODAY)["industry_change"] is None


# -- goal ------------------------------------------------------------------------------------


def goal_settings(score, day) -> dict:
    return defaults() | {"goal_score": score, "goal_date": day}


def rising(points_per_day: float, days: int = 30, end: float = 50.0) -> list[dict]:
    return series({n: round(end - points_per_day * n, 3) for n in range(days, -1, -1)})


def test_no_goal_without_a_score_and_a_date():
    daily = rising(0.1)
    assert summarize(daily, defaults(), TODAY)["goal"] is None
    assert summarize(daily, goal_settings(60.0, None), TODAY)["goal"] is None
    assert summarize(daily, goal_settings(None, "2026-12-31"), TODAY)["goal"] is None


def test_goal_projection_from_the_trend():
    # +0.1 a day from 50: 60 is 100 days away.
    goal = summarize(rising(0.1), goal_settings(60.0, "2026-12-31"), TODAY)["goal"]
    assert goal["score"] == 60.0
    assert goal["date"] == "2026-12-31"
    assert goal["progress"] == round(50 / 60 * 100)
    assert goal["reached"] is False
    assert goal["projected"] == (TODAY + timedelta(days=100)).isoformat()
    assert goal["per_week"] == pytest.approx(round(10 / (date(2026, 12, 31) - TODAY).days * 7, 2))


def test_goal_projected_too_late_keeps_the_needed_weekly_gain():
    goal = summarize(rising(0.1), goal_settings(60.0, "2026-06-19"), TODAY)["goal"]
    assert goal["projected"] > goal["date"]
    assert goal["per_week"] == pytest.approx(10 / 30 * 7, abs=0.01)


def test_goal_without_a_rising_trend_has_no_projection():
    goal = summarize(rising(-0.1), goal_settings(60.0, "2026-12-31"), TODAY)["goal"]
    assert goal["projected"] is None
    assert goal["reached"] is False
    assert goal["trend"] is True and goal["rising"] is False


def test_goal_reached():
    goal = summarize(rising(0.1), goal_settings(45.0, "2026-12-31"), TODAY)["goal"]
    assert goal["reached"] is True
    assert goal["progress"] == 100
    assert goal["projected"] is None


def test_goal_with_a_past_deadline_does_not_divide_by_zero():
    goal = summarize(rising(0.1), goal_settings(60.0, "2026-01-01"), TODAY)["goal"]
    assert goal["reached"] is False
    assert goal["passed"] is True
    assert goal["per_week"] > 0


@pytest.mark.parametrize(
    "daily",
    [
        series({0: 40.0}),
        series({1: 39.0, 0: 40.0}),
        series({n: 40.0 - n for n in range(6)}),  # 6 readings: one short
        series({n: 40.0 - n / 10 for n in range(13)}),  # 13 readings over 12 days: too short
    ],
    ids=["one reading", "two readings", "six readings", "thirteen days"],
)
def test_no_goal_verdict_before_a_trend_exists(daily):
    # "Not rising lately" from one or two readings would be a guess presented as a fact.
    goal = summarize(daily, goal_settings(60.0, "2026-12-31"), TODAY)["goal"]
    assert goal["trend"] is False
    assert goal["rising"] is None and goal["projected"] is None
    assert goal["per_week"] > 0, "what it takes is still said"


def test_a_goal_verdict_once_7_readings_span_14_days():
    daily = series({n: 50.0 - n / 10 for n in (14, 12, 10, 8, 6, 3, 0)})
    goal = summarize(daily, goal_settings(60.0, "2026-12-31"), TODAY)["goal"]
    assert goal["trend"] is True and goal["rising"] is True
    assert goal["projected"] is not None


# -- history pages ---------------------------------------------------------------------------


def long_series(count: int) -> list[dict]:
    return [row(days_ago(n)) for n in range(count - 1, -1, -1)]


@pytest.mark.parametrize(
    "count, page, shown_page, pages, first_age, rows",
    [
        (0, 1, 1, 1, None, 0),
        (1, 1, 1, 1, 0, 1),
        (30, 1, 1, 1, 0, 30),
        (31, 1, 1, 2, 0, 30),
        (31, 2, 2, 2, 30, 1),
        (61, 3, 3, 3, 60, 1),
        (61, 99, 3, 3, 60, 1),  # past the end: the last page
        (61, 0, 1, 3, 0, 30),  # before the start: the first page
        (61, -5, 1, 3, 0, 30),
    ],
)
def test_history_pages_newest_first(count, page, shown_page, pages, first_age, rows):
    result = history_page(long_series(count), page)
    assert result["page"] == shown_page
    assert result["pages"] == pages
    assert len(result["rows"]) == rows
    if rows:
        assert result["rows"][0]["date"] == days_ago(first_age).isoformat()
        dates = [r["date"] for r in result["rows"]]
        assert dates == sorted(dates, reverse=True)


def test_history_pages_cover_every_day_once():
    daily = long_series(95)
    pages = history_page(daily, 1)["pages"]
    seen = [r["date"] for p in range(1, pages + 1) for r in history_page(daily, p)["rows"]]
    assert seen == [r["date"] for r in reversed(daily)]
    assert HISTORY_PAGE_SIZE == 30


def test_industry_change_note_is_about_the_latest_change():
    daily = [row(days_ago(n), industry="Retail") for n in range(70, 60, -1)]
    daily += [row(days_ago(n), industry="Software Development") for n in range(60, 5, -1)]
    daily += [row(days_ago(n), industry="Financial Services") for n in range(5, -1, -1)]
    note = summarize(daily, defaults(), TODAY)["industry_change"]
    assert "to Financial Services" in note, note
    assert "on 15 May 2026" in note
