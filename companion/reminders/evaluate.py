"""Which reminders are due at a moment, and which of them may be sent: the rules, then the
user's switches, the dedup log, holiday mode and quiet hours. Pure, like the rules.

Each reason a reminder is held back is a sentence for people (`ssi-companion check` prints
it), in the active language.
"""

from datetime import date, datetime, time

from companion.i18n import _
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
    for decision in decisions:
        reason = _held_back(decision, settings, sent, recalibrated, now)
        if reason:
            decision.status, decision.reason = "suppressed", reason
    return decisions


def _held_back(decision: Decision, settings: dict, sent: dict, recalibrated: set, now) -> str:
    """Why `decision` may not be sent now, or "" when it may. Values the user typed in the
    settings (a pause date, quiet hours) and the log's moment are said as they are stored."""
    pause, quiet = settings["pause_until"], settings["quiet_hours"]
    if decision.key in sent:
        # Translators: followed by the moment it was recorded, in UTC (2026-11-24T09:31:00Z).
        return _("already sent %(moment)s", moment=sent[decision.key])
    if not settings[f"rule_{decision.kind}"]:
        # Translators: %(rule)s is the rule's name in the settings (stale, drop, rank,
        # recalibration, weekly, goal): keep it as it is.
        return _("the %(rule)s rule is off", rule=decision.kind)
    if decision.kind == "drop" and decision.key.split(":", 1)[1] in recalibrated:
        return _("replaced by the recalibration notice for that day")
    if pause and now.date() <= date.fromisoformat(pause):
        return _("paused until %(day)s", day=pause)
    if _in_quiet_hours(quiet, now.time()):
        return _("quiet hours (%(hours)s); sent at the next check", hours=quiet)
    return ""
