"""Which reminders are due at a moment, and which of them may be sent: the rules, then the
user's switches, the dedup log, holiday mode and quiet hours. Pure, like the rules."""

from datetime import date, datetime, time

from companion.reminders.rules import (
    RULES,
    Decision,
    History,
    drop,
    goal,
    rank,
    recalibration,
    stale,
    weekly,
)

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
