"""The user's reminder settings: defaults here, changes in SQLite, every value validated.

No Flask. `ssi-companion settings` and the settings page both go through `set_values`, so
a value is refused the same way, with the same sentence, wherever it is typed; the rules
between settings (a goal date in the past, a weekly summary on a day without checks) live
here too, not in the page. The parsers are in preference_values.py.

Every sentence comes in the active language: labels and help are marked here (N_) and
translated when read (`Setting.label`, `Setting.help`); refusals and notes are written when
they are made, in the language of the page or the command that made them.
"""

import json
from dataclasses import dataclass
from datetime import date

from sqlite_utils import Database

from companion.i18n import N_, _
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
    label_text: str  # what the settings page calls it, in the user's words (English, N_)
    help_text: str = ""  # one sentence on what it does, or what leaving it empty means (N_)

    # In the active language when read, so the page and the CLI show them as they get them.
    @property
    def label(self) -> str:
        return _(self.label_text)

    @property
    def help(self) -> str:
        return _(self.help_text) if self.help_text else ""  # _("") would be the catalog's header


# Translators: ends a refusal: "0 is out of range: use a whole number of days from 1 to 365."
_DAYS = N_("a whole number of days from 1 to 365")
# Translators: ends a refusal: "0 is out of range: use a number of points above 0 and ..."
_POINTS = N_("a number of points above 0 and at most 100")
# Translators: ends a refusal: "0 is out of range: use a whole number from 1 to 99."
_PERCENTAGE_POINTS = N_("a whole number from 1 to 99")
# Translators: ends a refusal: "0 is out of range: use a score above 0 and at most 100."
_SCORE = N_("a score above 0 and at most 100")
# Translators: ends a refusal: "0 is out of range: use a whole number of days from 1 to 3650."
_RETENTION = N_("a whole number of days from 1 to 3650")
RULES = {
    "stale": (N_("Reminder to visit"), N_("Reminds you to open your SSI page when you have "
              "not been there for the number of days set here.")),
    "drop": (N_("Drop warning"), N_("Warns you when your SSI falls by at least these points "
             "within a week.")),
    "rank": (N_("Rank warning"), N_("Warns you when your industry or network rank slips by "
             "at least these percentage points within a week.")),
    "recalibration": (N_("Recalibration notice"), N_("Tells you when LinkedIn seems to have "
                      "recalibrated everyone's SSI, so a jump is not taken for your own doing.")),
    "weekly": (N_("Weekly summary"), N_("Sends a short summary of your week, with one tip, "
               "on the day chosen here.")),
    "goal": (N_("Goal progress"), N_("Tells you when you reach your target SSI, or when it "
             "is at risk at your current pace.")),
}  # fmt: skip

SETTINGS: dict[str, Setting] = {
    "check_times": Setting(
        ["09:30"], v.times, N_("Check for reminders at"),
        N_("The companion looks for reminders to send at these times while it runs."),
    ),
    "check_weekdays": Setting(
        ["mon", "tue", "wed", "thu", "fri"], v.weekdays, N_("On these days"),
    ),
    "stale_days": Setting(
        7, v.whole(1, 365, _DAYS),
        N_("Remind me after this many days without a visit to the SSI page"),
    ),
    "drop_points": Setting(
        2.0, v.points(0, 100, _POINTS),
        N_("Warn me when my SSI falls this many points in a week"),
    ),
    "rank_points": Setting(
        5, v.whole(1, 99, _PERCENTAGE_POINTS),
        N_("Warn me when a rank slips this many percentage points in a week"),
        # Translators: "Top 23%" is how LinkedIn words a rank in your language.
        N_("Ranks read Top 23%: slipping 5 points makes that Top 28%."),
    ),
    "recalibration_points": Setting(
        2.0, v.points(0, 100, _POINTS),
        N_("Call it a recalibration when my SSI jumps this many points overnight"),
        N_("Only when all four pillars move the same way and both ranks hold."),
    ),
    "weekly_weekday": Setting("mon", v.weekday, N_("Send the weekly summary on")),
    "quiet_hours": Setting(
        None, v.optional(v.quiet), N_("Quiet hours"),
        N_("No notification between these times; leave both empty for none."),
    ),
    "pause_until": Setting(
        None, v.optional(v.day), N_("Pause every reminder until"),
        N_("Holiday mode; leave it empty to keep reminders on."),
    ),
    "goal_score": Setting(
        None, v.optional(v.points(0, 100, _SCORE)), N_("Your target SSI"),
        N_("Leave it empty for no goal."),
    ),
    "goal_date": Setting(None, v.optional(v.day), N_("Reach it by")),
    "retention_days": Setting(
        None, v.optional(v.whole(1, 3650, _RETENTION)),
        N_("Keep the page behind each reading for this many days"),
        N_("Leave it empty for the companion's default."),
    ),
    "language": Setting(
        "auto", v.language, N_("Language"),
        N_("Auto follows your browser on these pages, and your system's language for "
           "notifications and the command line."),
    ),
    **{
        f"rule_{rule}": Setting(True, v.switch, label, sentence)
        for rule, (label, sentence) in RULES.items()
    },
}  # fmt: skip


def require_key(key: str) -> None:
    if key not in SETTINGS:
        keys = ", ".join(SETTINGS)
        # Translators: the settings' names are typed as they are (stale_days, goal_date...).
        message = _("unknown setting %(key)r; the settings are: %(keys)s", key=key, keys=keys)
        raise SettingError(None, message)


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
        message = _("%(day)s has passed: pick today or a later date, or leave it empty.", day=day)
        return {"goal_date": message}
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
        # Translators: %(day)s is a day's name ("Saturday"); "%(day)ss" is English's way of
        # saying every Saturday: write it as your language does ("il %(day)s", "le %(day)s").
        message = _(
            "The weekly summary is sent by a check on %(day)s, but no check is scheduled on "
            "%(day)ss: it comes only if you start the companion that day. Add %(day)s to the "
            "check days, or pick another day.",
            day=v.day_name(weekly),
        )
        found.append(Note("weekly_weekday", WEEKLY, message))
    score, deadline = values["goal_score"], values["goal_date"]
    if score is not None and deadline is None:
        message = _(
            "Your target SSI has no date yet: add the date to reach it by, or the goal is not "
            "followed."
        )
        found.append(Note("goal_date", GOAL, message))
    if score is None and deadline is not None:
        message = _(
            "Your goal has a date but no target SSI yet: add the score, or the goal is not "
            "followed."
        )
        found.append(Note("goal_score", GOAL, message))
    if deadline is not None and date.fromisoformat(deadline) < today:
        message = _("%(day)s has passed: pick a new date, or clear the goal.", day=deadline)
        found.append(Note("goal_date", GOAL, message))
    return found
