"""What the summary page says: where you stand, which way you go, what to do. No Flask.

Every figure is computed here from the daily series, so the page, its table and its tests
agree; the view only renders this. Each comparison carries the date of the reading it was
made with, so the page says "since 10 Nov 2026", never an "in 7 days" that is not true.
Its sentences and names come in the active language.
"""

import math
from dataclasses import dataclass
from datetime import date, timedelta

from companion.history.tips import tips
from companion.history.trend import has_trend, recalibration_days, trend_per_day
from companion.history.wording import count, day
from companion.i18n import _, ngettext
from companion.reading import PILLARS, pillar_name

# Which reading a change is counted from: the last one on or before "N days before the latest
# reading", at most this many days older than that. The page words it by that reading's date.
CHANGE_WINDOWS = {7: 3, 30: 7, 90: 14}
HISTORY_PAGE_SIZE = 30
# The page names this many recalibrations in words; the chart marks every one.
RECALIBRATIONS_NAMED = 3
GROUPS = ("industry", "network")


@dataclass
class Change:
    days: int  # the window the compared reading was picked by
    points: float
    since: str  # the compared reading's date


@dataclass
class Pillar:
    key: str
    name: str
    score: float
    change: float | None
    within_reach: float  # points left to the pillar's 25


def reading_near(daily: list, day_: date, tolerance: int) -> dict | None:
    """The last reading on or before `day_`, if it is at most `tolerance` days older."""
    earlier = [r for r in daily if r["date"] <= day_.isoformat()]
    if not earlier:
        return None
    found = earlier[-1]
    return found if (day_ - date.fromisoformat(found["date"])).days <= tolerance else None


def _before(daily: list, latest: dict, days: int) -> dict | None:
    start = date.fromisoformat(latest["date"]) - timedelta(days=days)
    return reading_near(daily[:-1], start, CHANGE_WINDOWS[days])


def freshness(latest_day: date, today: date) -> str:
    days = (today - latest_day).days
    if days <= 0:
        # Translators: how old the latest reading is ("Captured 10 Nov 2026 at 09:30: today.")
        return _("today")
    if days == 1:
        return _("yesterday: visit the SSI page to update")
    return ngettext(
        "%(count)s day ago: visit the SSI page to update",
        "%(count)s days ago: visit the SSI page to update",
        days,
        count=count(days),
    )


def _changes(daily: list, latest: dict) -> list[Change]:
    """The change of the total against each window's reading; a window without one is left out."""
    changes = []
    for days in CHANGE_WINDOWS:
        then = _before(daily, latest, days)
        if then is not None:
            changes.append(Change(days, round(latest["total"] - then["total"], 3), then["date"]))
    return changes


def _pillars(latest: dict, week_ago: dict | None) -> list[Pillar]:
    return [
        Pillar(
            key=key,
            name=pillar_name(key),
            score=latest[key],
            change=round(latest[key] - week_ago[key], 3) if week_ago else None,
            within_reach=round(25 - latest[key], 3),
        )
        for key in PILLARS
    ]


def _industry_change(daily: list, latest_day: date) -> str | None:
    """The latest change of industry within the last 90 days, if any."""
    since = (latest_day - timedelta(days=90)).isoformat()
    named = [r for r in daily if r["date"] >= since and r["industry"]]
    for before, after in reversed(list(zip(named, named[1:], strict=False))):
        if before["industry"] != after["industry"]:
            # Translators: the industries are LinkedIn's names for them, as the user's SSI
            # page gave them.
            return _(
                "Your industry changed from %(before)s to %(after)s on %(day)s: ranks and "
                "averages before and after compare different groups.",
                before=before["industry"],
                after=after["industry"],
                day=day(after["date"]),
            )
    return None


def _rank_trend(daily: list, latest: dict, field: str) -> dict | None:
    """The rank against the reading of about 30 days before: {change, then, since}."""
    month_ago = _before(daily, latest, 30)
    if month_ago is None or month_ago[field] is None or latest[field] is None:
        return None
    # Positive: worse (Top 12% after Top 10%).
    change = latest[field] - month_ago[field]
    return {"change": change, "then": month_ago[field], "since": month_ago["date"]}


def _gap(latest: dict, group: str) -> dict | None:
    """The gap to a group's average, with that same average: the page shows what it used."""
    average = latest[f"{group}_avg"]
    if average is None:
        return None
    return {"points": round(latest["total"] - average, 2), "average": average}


def _goal(daily: list, latest: dict, settings: dict, today: date) -> dict | None:
    target, deadline = settings.get("goal_score"), settings.get("goal_date")
    if target is None or deadline is None:
        return None
    deadline = date.fromisoformat(deadline)
    missing = round(target - latest["total"], 3)
    trend = has_trend(daily)
    goal = {
        "score": target,
        "date": deadline.isoformat(),
        "progress": min(100, round(latest["total"] / target * 100)),
        "reached": missing <= 0,
        "passed": missing > 0 and deadline < today,
        "per_week": round(missing / max(1, (deadline - today).days) * 7, 2),
        # A verdict on the way there needs a trend: with two readings a slope is noise.
        "trend": trend,
        "rising": None,
        "projected": None,
    }
    slope = trend_per_day(daily, date.fromisoformat(latest["date"])) if trend else None
    if slope is not None:
        goal["rising"] = slope > 0
        if slope > 0 and missing > 0:
            reach = date.fromisoformat(latest["date"]) + timedelta(days=missing / slope)
            goal["projected"] = reach.isoformat()
    return goal


def recalibrations(shown: list, points: float) -> dict | None:
    """The recalibrations in the readings shown: how many, and the last few, newest first."""
    found = recalibration_days(shown, points)
    if not found:
        return None
    return {"count": len(found), "recent": found[::-1][:RECALIBRATIONS_NAMED], "points": points}


def summarize(daily: list, settings: dict, today: date) -> dict | None:
    """Everything the page shows about the readings; None before the first one."""
    if not daily:
        return None
    latest = daily[-1]
    week_ago = _before(daily, latest, 7)
    pillars = _pillars(latest, week_ago)
    weakest = min(pillars, key=lambda p: p.score)
    reach = max(pillars, key=lambda p: p.within_reach)
    return {
        "latest": latest,
        "freshness": freshness(date.fromisoformat(latest["date"]), today),
        "changes": _changes(daily, latest),
        "pillars": pillars,
        "pillars_since": week_ago["date"] if week_ago else None,
        "within_reach": reach,
        "weakest": weakest,
        "advice": tips(weakest.key),
        "gaps": {group: _gap(latest, group) for group in GROUPS},
        "rank_trends": {group: _rank_trend(daily, latest, f"{group}_rank") for group in GROUPS},
        "industry_change": _industry_change(daily, date.fromisoformat(latest["date"])),
        "has_trend": has_trend(daily),
        "goal": _goal(daily, latest, settings, today),
    }


def history_page(daily: list, page: int, size: int = HISTORY_PAGE_SIZE) -> dict:
    """One page of the daily series, newest first."""
    pages = max(1, math.ceil(len(daily) / size))
    page = min(max(1, page), pages)
    newest_first = daily[::-1]
    return {
        "rows": newest_first[(page - 1) * size : page * size],
        "page": page,
        "pages": pages,
    }
