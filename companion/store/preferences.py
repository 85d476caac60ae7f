"""The user's reminder settings: defaults here, changes in SQLite, every value validated.

No Flask. `ssi-companion settings` and the settings page both go through `set_values`, so
a value is refused the same way, with the same sentence, wherever it is typed; the rules
between settings (a goal date in the past, a weekly summary on a day without checks) live
here too, not in the page. The parsers are in preference_values.py.
"""

import json
from dataclasses import dataclass
from datetime import date

from sqlite_utils import Database

from companion.store import preference_values as v
from companion.store import write
from companion.store.preference_values import WEEKDAYS, format_value

# WEEKDAYS and format_value are the parsers' own, offered here with the rest.
__all__ = [
    "SETTINGS",
    "WEEKDAYS",
    "Note",
    "Setting",
    "SettingError",
    "SettingErrors",
    "format_value",
    "load",
    "notes",
    "parse_value",
    "require_key",
    "set_value",
    "set_values",
]


class SettingError(ValueError):
    """A refused value; str() names the key the user gave, `message` is the plain sentence."""

    def __init__(self, key: str | None, message: str):
        super().__init__(f"{key}: {message}" if key else message)
        self.key, self.message = key, message


class SettingErrors(SettingError):
    """Several refused values: `errors` maps each key to its plain sentence."""

    def __init__(self, errors: dict):
        super().__init__(None, "; ".join(f"{key}: {message}" for key, message in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Setting:
    default: object
    parse: object  # str -> value, or preference_values.Refused
    label: str  # what the settings page calls it, in the user's words
    help: str = ""  # one sentence on what it does, or what leaving it empty means


_DAYS = "a whole number of days from 1 to 365"
_POINTS = "a number of points above 0 and at most 100"
RULES = {
    "stale": ("Reminder to visit", "Reminds you to open your SSI page when you have not been "
              "there for the number of days set here."),
    "drop": ("Drop warning", "Warns you when your SSI falls by at least these points within "
             "a week."),
    "rank": ("Rank warning", "Warns you when your industry or network rank slips by at least "
             "these percentage points within a week."),
    "recalibration": ("Recalibration notice", "Tells you when LinkedIn seems to have "
                      "recalibrated everyone's SSI, so a jump is not taken for your own doing."),
    "weekly": ("Weekly summary", "Sends a short summary of your week, with one tip, on the "
               "day chosen here."),
    "goal": ("Goal progress", "Tells you when you reach your target SSI, or when it is at "
             "risk at your current pace."),
}  # fmt: skip

SETTINGS: dict[str, Setting] = {
    "check_times": Setting(
        ["09:30"], v.times, "Check for reminders at",
        "The companion looks for reminders to send at these times while it runs.",
    ),
    "check_weekdays": Setting(
        ["mon", "tue", "wed", "thu", "fri"], v.weekdays, "On these days",
    ),
    "stale_days": Setting(
        7, v.whole(1, 365, _DAYS),
        "Remind me after this many days without a visit to the SSI page",
    ),
    "drop_points": Setting(
        2.0, v.points(0, 100, _POINTS), "Warn me when my SSI falls this many points in a week",
    ),
    "rank_points": Setting(
        5, v.whole(1, 99, "a whole number from 1 to 99"),
        "Warn me when a rank slips this many percentage points in a week",
        "Ranks read Top 23%: slipping 5 points makes that Top 28%.",
    ),
    "recalibration_points": Setting(
        2.0, v.points(0, 100, _POINTS),
        "Call it a recalibration when my SSI jumps this many points overnight",
        "Only when all four pillars move the same way and both ranks hold.",
    ),
    "weekly_weekday": Setting("mon", v.weekday, "Send the weekly summary on"),
    "quiet_hours": Setting(
        None, v.optional(v.quiet), "Quiet hours",
        "No notification between these times; leave both empty for none.",
    ),
    "pause_until": Setting(
        None, v.optional(v.day), "Pause every reminder until",
        "Holiday mode; leave it empty to keep reminders on.",
    ),
    "goal_score": Setting(
        None, v.optional(v.points(0, 100, "a score above 0 and at most 100")), "Your target SSI",
        "Leave it empty for no goal.",
    ),
    "goal_date": Setting(None, v.optional(v.day), "Reach it by"),
    "retention_days": Setting(
        None, v.optional(v.whole(1, 3650, "a whole number of days from 1 to 3650")),
        "Keep the page behind each reading for this many days",
        "Leave it empty for the companion's default.",
    ),
    **{
        f"rule_{rule}": Setting(True, v.switch, label, sentence)
        for rule, (label, sentence) in RULES.items()
    },
}  # fmt: skip


def require_key(key: str) -> None:
    if key not in SETTINGS:
        raise SettingError(
            None, f"unknown setting {key!r}; the settings are: {', '.join(SETTINGS)}"
        )


def parse_value(key: str, text: str):
    """The value `text` stands for, or SettingError saying what to type instead."""
    require_key(key)
    try:
        return SETTINGS[key].parse(str(text))
    except v.Refused as exc:
        raise SettingError(key, str(exc)) from None


def load(db: Database) -> dict:
    """Every setting: the stored value, else the default."""
    values = {key: setting.default for key, setting in SETTINGS.items()}
    for row in db.query("SELECT key, value FROM settings"):
        if row["key"] in values:
            values[row["key"]] = json.loads(row["value"])
    return values


def _today() -> date:
    return date.today()  # the local date: a goal is reached by the end of the user's day


def _refusals(values: dict, before: dict, today: date) -> dict:
    """Rules between settings that make a change pointless: a goal date already gone.

    Only a changed date is refused: a goal set long ago whose date has passed is still kept
    (the goal reminder says it was missed), and does not block saving anything else.
    """
    day = values.get("goal_date")
    if day is not None and day != before["goal_date"] and date.fromisoformat(day) < today:
        return {"goal_date": f"{day} has passed: pick today or a later date, or leave it empty."}
    return {}


def set_value(db: Database, key: str, text: str, today: date | None = None):
    return set_values(db, {key: text}, today)[key]


def set_values(db: Database, texts: dict, today: date | None = None) -> dict:
    """Validate every value first, then store them all in one transaction, or none.

    Raises SettingErrors (one plain sentence per key) when any value is refused.
    """
    values, errors = {}, {}
    for key, text in texts.items():
        try:
            values[key] = parse_value(key, text)
        except SettingError as exc:
            if exc.key is None:
                raise
            errors[key] = exc.message
    errors |= _refusals(values, load(db), today or _today())
    if errors:
        raise SettingErrors(errors)
    with write(db):
        for key, value in values.items():
            db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, json.dumps(value)],
            )
    return values


@dataclass(frozen=True)
class Note:
    """Settings that work but not as the user likely means: said, not refused."""

    key: str  # the setting to change, beside which the page shows it
    about: tuple  # every setting it concerns: the CLI says it after setting any of them
    message: str


WEEKLY = ("weekly_weekday", "check_weekdays", "rule_weekly")
GOAL = ("goal_score", "goal_date")


def notes(values: dict, today: date | None = None) -> list[Note]:
    """What to point out about the settings `values` (all of them, as load gives them).

    A weekly summary on a day without a scheduled check is not refused: the check at start-up
    and `ssi-companion check` send it too, so it comes on the days the companion is started.
    A target without a date (or the reverse) is a goal half typed, kept until it is finished.
    """
    today = today or _today()
    found = []
    weekly = values["weekly_weekday"]
    if values["rule_weekly"] and weekly not in values["check_weekdays"]:
        name = v.day_name(weekly)
        message = (
            f"The weekly summary is sent by a check on {name}, but no check is scheduled on "
            f"{name}s: it comes only if you start the companion that day. Add {name} to the "
            "check days, or pick another day."
        )
        found.append(Note("weekly_weekday", WEEKLY, message))
    score, deadline = values["goal_score"], values["goal_date"]
    if score is not None and deadline is None:
        message = "Your target SSI has no date yet: add the date to reach it by, or the goal is "
        found.append(Note("goal_date", GOAL, message + "not followed."))
    if score is None and deadline is not None:
        message = "Your goal has a date but no target SSI yet: add the score, or the goal is "
        found.append(Note("goal_score", GOAL, message + "not followed."))
    if deadline is not None and date.fromisoformat(deadline) < today:
        message = f"{deadline} has passed: pick a new date, or clear the goal."
        found.append(Note("goal_date", GOAL, message))
    return found
