"""Reminder rules: pure functions of readings, settings, the notification log and a moment.

No Flask, no database, no clock: `evaluate()` is given everything it looks at, so the same
inputs always give the same decisions (the scheduler, `ssi-companion check` and the tests
all call it the same way). What each reminder says is in sentences.py, in the active language.
"""

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from companion.history.trend import (
    day_of,
    has_trend,
    is_recalibration,
    pillar_changes,
    trend_per_day,
)
from companion.reading import PILLARS, SSI_URL
from companion.reminders import sentences

RULES = ("stale", "drop", "rank", "recalibration", "weekly", "goal")
# Rules worth running the moment a capture arrives (stale and weekly wait for their time).
AFTER_CAPTURE_RULES = ("drop", "rank", "recalibration", "goal")
# "About 7 days earlier": the reading closest to a week before, within this window.
WEEK_WINDOW_DAYS = (5, 10)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass
class Decision:
    kind: str
    key: str
    title: str
    body: str
    link: str
    status: str = "would_send"  # would_send | suppressed (then sent | inbox once delivered)
    reason: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class History:
    """What the rules look at, as of the moment of the check."""

    daily: list  # the daily series (dicts with date, total, pillars, ranks...), oldest first
    last_capture_at: datetime | None  # the last capture of any status


def _week_before(daily: list, latest: dict) -> dict | None:
    target = day_of(latest) - timedelta(days=7)
    low, high = WEEK_WINDOW_DAYS
    candidates = [r for r in daily if low <= (day_of(latest) - day_of(r)).days <= high]
    if not candidates:
        return None
    return min(candidates, key=lambda r: (abs((day_of(r) - target).days), day_of(r)))


def _latest_and_week_before(daily: list) -> tuple[dict | None, dict | None]:
    latest = daily[-1] if daily else None
    return latest, (_week_before(daily, latest) if latest else None)


# -- the rules: each returns Decisions whose condition holds -----------------------------------


def stale(history: History, settings: dict, now: datetime) -> list[Decision]:
    last = history.last_capture_at
    if last is None:
        return []
    # The capture's own calendar day, in the offset it was taken in (as its reading's date).
    last_day = last.date()
    days = (now.date() - last_day).days
    if days < settings["stale_days"]:
        return []
    title, body = sentences.stale(last_day, days)
    return [Decision("stale", f"stale:{last_day.isoformat()}", title, body, SSI_URL)]


def drop(history: History, settings: dict, now: datetime) -> list[Decision]:
    latest, earlier = _latest_and_week_before(history.daily)
    if earlier is None:
        return []
    fall = round(earlier["total"] - latest["total"], 6)  # 33.3 - 31.3 is 1.99999...
    if fall < settings["drop_points"]:
        return []
    changes = pillar_changes(latest, earlier)
    worst = min(PILLARS, key=lambda p: changes[p])
    title, body = sentences.drop(fall, latest, earlier, worst, changes[worst])
    return [Decision("drop", f"drop:{latest['date']}", title, body, SSI_URL)]


def rank(history: History, settings: dict, now: datetime) -> list[Decision]:
    latest, earlier = _latest_and_week_before(history.daily)
    if earlier is None:
        return []
    worse = {}
    for group in ("industry", "network"):
        before, after = earlier[f"{group}_rank"], latest[f"{group}_rank"]
        # Smaller is better: Top 5% beats Top 12%.
        if before is not None and after is not None and after - before >= settings["rank_points"]:
            worse[group] = (before, after)
    if not worse:
        return []
    title, body = sentences.rank_slipped(
        earlier["date"], worse.get("industry"), worse.get("network")
    )
    return [Decision("rank", f"rank:{latest['date']}", title, body, SSI_URL)]


def recalibration(history: History, settings: dict, now: datetime) -> list[Decision]:
    if len(history.daily) < 2:
        return []
    latest, previous = history.daily[-1], history.daily[-2]
    if not is_recalibration(previous, latest, settings["recalibration_points"]):
        return []
    title, body = sentences.recalibration(latest["date"], previous["total"], latest["total"])
    return [Decision("recalibration", f"recalibration:{latest['date']}", title, body, SSI_URL)]


def weekly(history: History, settings: dict, now: datetime) -> list[Decision]:
    if WEEKDAYS[now.weekday()] != settings["weekly_weekday"] or not history.daily:
        return []
    latest = history.daily[-1]
    earlier = _week_before(history.daily, latest)
    year, week, _ = now.date().isocalendar()
    changes = pillar_changes(latest, earlier) if earlier is not None else {}
    weakest = min(PILLARS, key=lambda p: latest[p])
    title, body = sentences.weekly(latest, earlier, changes, weakest, week)
    return [Decision("weekly", f"weekly:{year}-W{week:02d}", title, body, SSI_URL)]


def goal(history: History, settings: dict, now: datetime) -> list[Decision]:
    target, deadline = settings["goal_score"], settings["goal_date"]
    if target is None or deadline is None or not history.daily:
        return []
    deadline = date.fromisoformat(deadline)
    latest = history.daily[-1]
    if latest["total"] >= target:
        key = f"goal-reached:{target:g}:{deadline.isoformat()}"
        return [Decision("goal", key, *sentences.goal_reached(target, latest), SSI_URL)]
    today = now.date()
    missing = target - latest["total"]
    days_left = (deadline - today).days
    if days_left < 0:
        key = f"goal-passed:{target:g}:{deadline.isoformat()}"  # said once, not every week
        return [Decision("goal", key, *sentences.goal_passed(target, deadline, latest), SSI_URL)]
    days_left = max(days_left, 1)  # on the day itself, a day is what is left
    year, week, _ = today.isocalendar()
    key = f"goal-missed:{target:g}:{deadline.isoformat()}:{year}-W{week:02d}"
    if not has_trend(history.daily):
        return []  # too little history to project honestly: the summary page waits too
    slope = trend_per_day(history.daily, day_of(latest))
    needed = missing / days_left * 7
    reach = None  # not rising over the last 30 days: no day to name
    if slope > 0:
        reach = day_of(latest) + timedelta(days=missing / slope)
        if reach <= deadline:
            return []
    title, body = sentences.goal_at_risk(target, deadline, latest, reach, needed)
    return [Decision("goal", key, title, body, SSI_URL)]
