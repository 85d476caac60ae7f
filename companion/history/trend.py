"""Pure computations on the daily series: which way the total goes, and which days look
like a LinkedIn-wide recalibration rather than the user's own doing."""

import statistics
from datetime import date

from companion.reading import PILLARS, RANKS

TREND_DAYS = 30


def day_of(reading) -> date:
    return date.fromisoformat(reading["date"])


def pillar_changes(latest: dict, earlier: dict) -> dict:
    return {p: latest[p] - earlier[p] for p in PILLARS}


# The default of the `recalibration_points` preference (store/preferences.py).
RECALIBRATION_POINTS = 2.0


def is_recalibration(previous: dict, latest: dict, points: float = RECALIBRATION_POINTS) -> bool:
    """A jump overnight: the total moved by at least `points`, all four pillars the same way,
    and both ranks held. A steady climb, however long, has none."""
    if (day_of(latest) - day_of(previous)).days != 1:
        return False  # a move over several days may be the user's own doing
    if abs(latest["total"] - previous["total"]) < points:
        return False
    changes = pillar_changes(latest, previous).values()
    same_way = all(c > 0 for c in changes) or all(c < 0 for c in changes)
    ranks_held = all(latest[k] is not None and latest[k] == previous[k] for k in RANKS)
    return same_way and ranks_held


def recalibration_days(daily: list, points: float = RECALIBRATION_POINTS) -> list[str]:
    """The dates whose reading looks like a LinkedIn-wide recalibration, oldest first."""
    return [
        b["date"] for a, b in zip(daily, daily[1:], strict=False) if is_recalibration(a, b, points)
    ]


def trend_per_day(daily: list, until: date) -> float | None:
    """Least-squares slope of the total over the last TREND_DAYS, or None with too little data."""
    points = [
        ((day_of(r) - until).days, r["total"])
        for r in daily
        if 0 <= (until - day_of(r)).days <= TREND_DAYS
    ]
    if len(points) < 2 or points[-1][0] - points[0][0] < 7:
        return None
    days, totals = zip(*points, strict=True)
    return statistics.linear_regression(days, totals).slope


# Below this, a slope is noise: a goal verdict ("not rising lately") waits for a trend.
TREND_MIN_READINGS = 7
TREND_MIN_SPAN_DAYS = 14


def has_trend(daily: list) -> bool:
    """At least TREND_MIN_READINGS readings in the last TREND_DAYS before the latest one,
    spread over at least TREND_MIN_SPAN_DAYS: enough to say which way the SSI goes."""
    if not daily:
        return False
    until = day_of(daily[-1])
    recent = [r for r in daily if (until - day_of(r)).days <= TREND_DAYS]
    if len(recent) < TREND_MIN_READINGS:
        return False
    return (until - day_of(recent[0])).days >= TREND_MIN_SPAN_DAYS
