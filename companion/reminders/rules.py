"""Reminder rules: pure functions of readings, settings, the notification log and a moment.

No Flask, no database, no clock: `evaluate()` is given everything it looks at, so the same
inputs always give the same decisions (the scheduler, `ssi-companion check` and the tests
all call it the same way).
"""

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

from companion.history.tips import tip
from companion.reading import PILLAR_NAMES, PILLARS

SSI_URL = "https://www.linkedin.com/sales/ssi"
RULES = ("stale", "drop", "rank", "recalibration", "weekly", "goal")
# Rules worth running the moment a capture arrives (stale and weekly wait for their time).
AFTER_CAPTURE_RULES = ("drop", "rank", "recalibration", "goal")
# "About 7 days earlier": the reading closest to a week before, within this window.
WEEK_WINDOW_DAYS = (5, 10)
TREND_DAYS = 30
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


def _day(reading) -> date:
    return date.fromisoformat(reading["date"])


def _signed(value: float) -> str:
    return f"{value:+.1f}".replace("-", "\u2212")


def _week_before(daily: list, latest: dict) -> dict | None:
    target = _day(latest) - timedelta(days=7)
    low, high = WEEK_WINDOW_DAYS
    candidates = [r for r in daily if low <= (_day(latest) - _day(r)).days <= high]
    if not candidates:
        return None
    return min(candidates, key=lambda r: (abs((_day(r) - target).days), _day(r)))


def _latest_and_week_before(daily: list) -> tuple[dict | None, dict | None]:
    latest = daily[-1] if daily else None
    return latest, (_week_before(daily, latest) if latest else None)


def _pillar_changes(latest: dict, earlier: dict) -> dict:
    return {p: latest[p] - earlier[p] for p in PILLARS}


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
    changes = _pillar_changes(latest, earlier)
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


def is_recalibration(previous: dict, latest: dict) -> bool:
    """All four pillars moved the same way from one day to the next while both ranks held."""
    if (_day(latest) - _day(previous)).days != 1:
        return False  # a move over several days may be the user's own doing
    changes = _pillar_changes(latest, previous).values()
    same_way = all(c > 0 for c in changes) or all(c < 0 for c in changes)
    ranks_held = all(
        latest[k] is not None and latest[k] == previous[k]
        for k in ("industry_rank", "network_rank")
    )
    return same_way and ranks_held


def recalibration_days(daily: list) -> list[str]:
    """The dates whose reading looks like a LinkedIn-wide recalibration (for the charts)."""
    return [b["date"] for a, b in zip(daily, daily[1:], strict=False) if is_recalibration(a, b)]


def recalibration(history: History, settings: dict, now: datetime) -> list[Decision]:
    if len(history.daily) < 2:
        return []
    latest, previous = history.daily[-1], history.daily[-2]
    if not is_recalibration(previous, latest):
        return []
    direction = "down" if latest["brand"] < previous["brand"] else "up"
    return [
        Decision(
            kind="recalibration",
            key=f"recalibration:{latest['date']}",
            title="LinkedIn seems to have recalibrated the SSI",
            body=(
                f"On {latest['date']} all four pillars moved {direction} together while your "
                "industry and network ranks held. That is most likely a LinkedIn-wide change, "
                "not something you did."
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
        changes = _pillar_changes(latest, earlier)
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


def trend_per_day(daily: list, until: date) -> float | None:
    """Least-squares slope of the total over the last TREND_DAYS, or None with too little data."""
    points = [
        ((_day(r) - until).days, r["total"])
        for r in daily
        if 0 <= (until - _day(r)).days <= TREND_DAYS
    ]
    if len(points) < 2 or points[-1][0] - points[0][0] < 7:
        return None
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


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
    slope = trend_per_day(history.daily, _day(latest))
    if slope is None:
        return []  # too little history to project honestly
    needed = missing / days_left * 7
    if slope <= 0:
        projection = "your SSI has not been rising over the last 30 days"
    else:
        reach = _day(latest) + timedelta(days=missing / slope)
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


_RULES = {
    "stale": stale,
    "drop": drop,
    "rank": rank,
    "recalibration": recalibration,
    "weekly": weekly,
    "goal": goal,
}


def _in_quiet_hours(quiet: str | None, moment: time) -> bool:
    if not quiet:
        return False
    start, end = (time.fromisoformat(part) for part in quiet.split("-"))
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end  # over midnight, e.g. 22:00-07:00


def evaluate(
    history: History,
    settings: dict,
    sent: dict,
    now: datetime,
    rules: tuple = RULES,
) -> list[Decision]:
    """Every reminder whose condition holds at `now`, with whether it may be sent.

    `sent` maps the dedup keys already recorded to when; `now` must carry its UTC offset (the
    user's local time decides weekdays, dates and quiet hours).
    """
    decisions: list[Decision] = []
    for name in rules:
        decisions.extend(_RULES[name](history, settings, now))
    # A recalibration notice replaces that day's drop, unless the user turned notices off.
    recalibrated = {
        d.key.split(":", 1)[1]
        for d in decisions
        if d.kind == "recalibration" and settings["rule_recalibration"]
    }
    pause = settings["pause_until"]
    for decision in decisions:
        if decision.key in sent:
            decision.status, decision.reason = "suppressed", f"already sent {sent[decision.key]}"
        elif not settings[f"rule_{decision.kind}"]:
            decision.status, decision.reason = "suppressed", f"the {decision.kind} rule is off"
        elif decision.kind == "drop" and decision.key.split(":", 1)[1] in recalibrated:
            decision.status = "suppressed"
            decision.reason = "replaced by the recalibration notice for that day"
        elif pause and now.date() <= date.fromisoformat(pause):
            decision.status, decision.reason = "suppressed", f"paused until {pause}"
        elif _in_quiet_hours(settings["quiet_hours"], now.time()):
            decision.status = "suppressed"
            decision.reason = f"quiet hours ({settings['quiet_hours']}); sent at the next check"
    return decisions
