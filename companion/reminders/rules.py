"""Reminder rules: pure functions of readings, settings, the notification log and a moment.

No Flask, no database, no clock: `evaluate()` is given everything it looks at, so the same
inputs always give the same decisions (the scheduler, `ssi-companion check` and the tests
all call it the same way).
"""

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from companion.history.tips import tip
from companion.history.trend import (
    day_of,
    has_trend,
    is_recalibration,
    pillar_changes,
    trend_per_day,
)
from companion.history.wording import day
from companion.reading import PILLAR_NAMES, PILLARS, SSI_URL

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


def _signed(value: float) -> str:
    return f"{value:+.1f}".replace("-", "\u2212")


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
    return [
        Decision(
            kind="stale",
            key=f"stale:{last_day.isoformat()}",
            title="Time to check your SSI",
            body=(
                f"Your last SSI capture was on {last_day.isoformat()}, {days} days ago. "
                "Open the SSI page to record where you stand today."
            ),
            link=SSI_URL,
        )
    ]


def drop(history: History, settings: dict, now: datetime) -> list[Decision]:
    latest, earlier = _latest_and_week_before(history.daily)
    if earlier is None:
        return []
    fall = round(earlier["total"] - latest["total"], 6)  # 33.3 - 31.3 is 1.99999...
    if fall < settings["drop_points"]:
        return []
    changes = pillar_changes(latest, earlier)
    worst = min(PILLARS, key=lambda p: changes[p])
    return [
        Decision(
            kind="drop",
            key=f"drop:{latest['date']}",
            title=f"Your SSI fell {fall:.1f} points in a week",
            body=(
                f"SSI {latest['total']:.1f} on {latest['date']}, down from "
                f"{earlier['total']:.1f} on {earlier['date']}. "
                f"{PILLAR_NAMES[worst]} fell most ({_signed(changes[worst])}). "
                f"Try this: {tip(worst)}"
            ),
            link=SSI_URL,
        )
    ]


def rank(history: History, settings: dict, now: datetime) -> list[Decision]:
    latest, earlier = _latest_and_week_before(history.daily)
    if earlier is None:
        return []
    worse = []
    for group in ("industry", "network"):
        before, after = earlier[f"{group}_rank"], latest[f"{group}_rank"]
        # Smaller is better: Top 5% beats Top 12%.
        if before is not None and after is not None and after - before >= settings["rank_points"]:
            worse.append(f"{group} rank went from Top {before}% to Top {after}%")
    if not worse:
        return []
    return [
        Decision(
            kind="rank",
            key=f"rank:{latest['date']}",
            title="Your SSI rank slipped",
            body=f"Since {earlier['date']}, your " + " and your ".join(worse) + ".",
            link=SSI_URL,
        )
    ]


def recalibration(history: History, settings: dict, now: datetime) -> list[Decision]:
    if len(history.daily) < 2:
        return []
    latest, previous = history.daily[-1], history.daily[-2]
    if not is_recalibration(previous, latest, settings["recalibration_points"]):
        return []
    moved = latest["total"] - previous["total"]
    direction = "down" if moved < 0 else "up"
    return [
        Decision(
            kind="recalibration",
            key=f"recalibration:{latest['date']}",
            title="LinkedIn seems to have recalibrated the SSI",
            body=(
                f"On {day(latest['date'])} your SSI went {direction} {abs(moved):.1f} points "
                f"overnight ({previous['total']:.1f} to {latest['total']:.1f}), all four pillars "
                "together, while your industry and network ranks held. That is most likely a "
                "LinkedIn-wide change, not something you did."
            ),
            link=SSI_URL,
        )
    ]


def weekly(history: History, settings: dict, now: datetime) -> list[Decision]:
    if WEEKDAYS[now.weekday()] != settings["weekly_weekday"] or not history.daily:
        return []
    latest = history.daily[-1]
    earlier = _week_before(history.daily, latest)
    year, week, _ = now.date().isocalendar()
    lines = [f"SSI {latest['total']:.1f} on {latest['date']}"]
    if earlier is not None:
        lines[0] += f" ({_signed(latest['total'] - earlier['total'])} since {earlier['date']})"
        changes = pillar_changes(latest, earlier)
        lines.append(
            ", ".join(f"{PILLAR_NAMES[p]} {latest[p]:.1f} ({_signed(changes[p])})" for p in PILLARS)
        )
    ranks = [
        f"{group} Top {latest[f'{group}_rank']}%"
        for group in ("industry", "network")
        if latest[f"{group}_rank"] is not None
    ]
    if ranks:
        lines.append("Ranks: " + ", ".join(ranks))
    weakest = min(PILLARS, key=lambda p: latest[p])
    line = f"Weakest pillar: {PILLAR_NAMES[weakest]} ({latest[weakest]:.1f}/25)"
    if latest["industry_avg"] is not None:
        gap = latest["total"] - latest["industry_avg"]
        line += (
            f"; your SSI is {abs(gap):.1f} points {'above' if gap >= 0 else 'below'} "
            f"your industry's average of {latest['industry_avg']:.0f}"
        )
    lines.append(line)
    lines.append(f"This week: {tip(weakest, week)}")
    return [
        Decision(
            kind="weekly",
            key=f"weekly:{year}-W{week:02d}",
            title="Your SSI week",
            body=". ".join(line.rstrip(".") for line in lines) + ".",
            link=SSI_URL,
        )
    ]


def goal(history: History, settings: dict, now: datetime) -> list[Decision]:
    target, deadline = settings["goal_score"], settings["goal_date"]
    if target is None or deadline is None or not history.daily:
        return []
    deadline = date.fromisoformat(deadline)
    latest = history.daily[-1]
    if latest["total"] >= target:
        return [
            Decision(
                kind="goal",
                key=f"goal-reached:{target:g}:{deadline.isoformat()}",
                title=f"Goal reached: SSI {target:g}",
                body=f"Your SSI is {latest['total']:.1f} on {latest['date']}. Well done.",
                link=SSI_URL,
            )
        ]
    today = now.date()
    missing = target - latest["total"]
    days_left = (deadline - today).days
    if days_left < 0:
        body = f"The goal date {deadline.isoformat()} has passed with SSI {latest['total']:.1f}."
        key = f"goal-passed:{target:g}:{deadline.isoformat()}"  # said once, not every week
        return [Decision("goal", key, f"Goal of {target:g} not reached", body, SSI_URL)]
    days_left = max(days_left, 1)  # on the day itself, a day is what is left
    year, week, _ = today.isocalendar()
    key = f"goal-missed:{target:g}:{deadline.isoformat()}:{year}-W{week:02d}"
    if not has_trend(history.daily):
        return []  # too little history to project honestly: the summary page waits too
    slope = trend_per_day(history.daily, day_of(latest))
    needed = missing / days_left * 7
    if slope <= 0:
        projection = "your SSI has not been rising over the last 30 days"
    else:
        reach = day_of(latest) + timedelta(days=missing / slope)
        if reach <= deadline:
            return []
        projection = f"at the trend of the last 30 days you reach it on {reach.isoformat()}"
    return [
        Decision(
            kind="goal",
            key=key,
            title=f"Your goal of {target:g} by {deadline.isoformat()} is at risk",
            body=(
                f"SSI {latest['total']:.1f} now; {projection}. To make it, gain about "
                f"{needed:.1f} points a week."
            ),
            link=SSI_URL,
        )
    ]
