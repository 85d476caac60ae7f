"""What the summary page says: where you stand, which way you go, what to do. No Flask.

Every figure is computed here from the daily series, so the page, its table and its tests
agree; the view only renders this.
"""

import math
from dataclasses import dataclass
from datetime import date, timedelta

from companion.history.tips import TIPS
from companion.history.trend import trend_per_day
from companion.reading import PILLAR_NAMES, PILLARS

# How far from "N days ago" a reading may be and still stand for it.
CHANGE_WINDOWS = {7: 3, 30: 7, 90: 14}
HISTORY_PAGE_SIZE = 30


@dataclass
class Pillar:
    key: str
    name: str
    score: float
    change: float | None
    within_reach: float  # points left to the pillar's 25


def reading_near(daily: list, day: date, tolerance: int) -> dict | None:
    """The last reading on or before `day`, if it is at most `tolerance` days older."""
    earlier = [r for r in daily if r["date"] <= day.isoformat()]
    if not earlier:
        return None
    found = earlier[-1]
    return found if (day - date.fromisoformat(found["date"])).days <= tolerance else None


def freshness(latest_day: date, today: date) -> str:
    days = (today - latest_day).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday: visit the SSI page to update"
    return f"{days} days ago: visit the SSI page to update"


def _changes(daily: list, latest: dict) -> dict:
    latest_day = date.fromisoformat(latest["date"])
    changes = {}
    for days, tolerance in CHANGE_WINDOWS.items():
        then = reading_near(daily[:-1], latest_day - timedelta(days=days), tolerance)
        changes[days] = round(latest["total"] - then["total"], 3) if then else None
    return changes


def _pillars(daily: list, latest: dict) -> list[Pillar]:
    week_ago = reading_near(daily[:-1], date.fromisoformat(latest["date"]) - timedelta(days=7), 3)
    return [
        Pillar(
            key=key,
            name=PILLAR_NAMES[key],
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
            return (
                f"Your industry changed from {before['industry']} to {after['industry']} "
                f"on {after['date']}: ranks and averages before and after compare different groups."
            )
    return None


def _rank_trend(daily: list, latest: dict, field: str) -> int | None:
    month_ago = reading_near(daily[:-1], date.fromisoformat(latest["date"]) - timedelta(days=30), 7)
    if month_ago is None or month_ago[field] is None or latest[field] is None:
        return None
    return latest[field] - month_ago[field]  # positive: worse (Top 12% after Top 10%)


def _goal(daily: list, latest: dict, settings: dict, today: date) -> dict | None:
    target, deadline = settings.get("goal_score"), settings.get("goal_date")
    if target is None or deadline is None:
        return None
    deadline = date.fromisoformat(deadline)
    slope = trend_per_day(daily, date.fromisoformat(latest["date"]))
    missing = round(target - latest["total"], 3)
    goal = {
        "score": target,
        "date": deadline.isoformat(),
        "progress": min(100, round(latest["total"] / target * 100)),
        "reached": missing <= 0,
        "per_week": round(missing / max(1, (deadline - today).days) * 7, 2),
        "projected": None,
    }
    if slope is not None and slope > 0 and missing > 0:
        goal["projected"] = (
            date.fromisoformat(latest["date"]) + timedelta(days=missing / slope)
        ).isoformat()
    return goal


def summarize(daily: list, settings: dict, today: date) -> dict | None:
    """Everything the page shows about the readings; None before the first one."""
    if not daily:
        return None
    latest = daily[-1]
    pillars = _pillars(daily, latest)
    weakest = min(pillars, key=lambda p: p.score)
    reach = max(pillars, key=lambda p: p.within_reach)
    return {
        "latest": latest,
        "freshness": freshness(date.fromisoformat(latest["date"]), today),
        "changes": _changes(daily, latest),
        "pillars": pillars,
        "within_reach": reach,
        "weakest": weakest,
        "advice": TIPS[weakest.key],
        "gaps": {
            group: round(latest["total"] - latest[f"{group}_avg"], 2)
            if latest[f"{group}_avg"] is not None
            else None
            for group in ("industry", "network")
        },
        "rank_trends": {
            group: _rank_trend(daily, latest, f"{group}_rank") for group in ("industry", "network")
        },
        "industry_change": _industry_change(daily, date.fromisoformat(latest["date"])),
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
