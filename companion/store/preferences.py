"""The user's reminder settings: defaults here, changes in SQLite, every value validated.

No Flask. `ssi-companion settings` and the settings page both go through `set_value`, so
a value is refused the same way, with the same message, wherever it is typed.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time

from sqlite_utils import Database

from companion.store import write

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class SettingError(ValueError):
    """The message says what is allowed."""


class SettingErrors(SettingError):
    """Several refused values: `errors` maps each key to its message."""

    def __init__(self, errors: dict):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class Setting:
    default: object
    parse: Callable[[str], object]
    allowed: str  # what a user may type, shown when a value is refused
    meaning: str


def _clock(text: str) -> str:
    if not re.fullmatch(r"\d{2}:\d{2}", text):
        raise ValueError
    return time.fromisoformat(text).strftime("%H:%M")


def _times(text: str) -> list[str]:
    values = sorted({_clock(part.strip()) for part in text.split(",") if part.strip()})
    if not values:
        raise ValueError
    return values


_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_NAMES = dict(zip(_FULL_NAMES, WEEKDAYS, strict=True))


def _weekday(text: str) -> str:
    value = text.strip().lower()
    if value in WEEKDAYS:
        return value
    if value in _DAY_NAMES:
        return _DAY_NAMES[value]
    raise ValueError


def _weekdays(text: str) -> list[str]:
    values = [_weekday(part) for part in text.split(",") if part.strip()]
    if not values:
        raise ValueError
    return sorted(set(values), key=WEEKDAYS.index)


def _whole(low: int, high: int):
    def parse(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise ValueError
        return value

    return parse


def _points(low: float, high: float):
    def parse(text: str) -> float:
        value = float(text.replace(",", "."))
        if not low < value <= high:
            raise ValueError
        return value

    return parse


def _optional(parse):
    def optional(text: str):
        return None if text.strip().lower() in ("", "none", "off") else parse(text.strip())

    return optional


def _quiet(text: str) -> str:
    start, end = text.split("-")
    start, end = _clock(start.strip()), _clock(end.strip())
    if start == end:
        raise ValueError
    return f"{start}-{end}"


def _day(text: str) -> str:
    return date.fromisoformat(text).isoformat()


def _switch(text: str) -> bool:
    value = text.strip().lower()
    if value in ("on", "true", "yes", "1"):
        return True
    if value in ("off", "false", "no", "0"):
        return False
    raise ValueError


SETTINGS: dict[str, Setting] = {
    "check_times": Setting(
        ["09:30"], _times, "times as HH:MM, comma-separated (e.g. 09:30,17:00)",
        "when the scheduled checks run",
    ),
    "check_weekdays": Setting(
        ["mon", "tue", "wed", "thu", "fri"], _weekdays, "days among mon,tue,wed,thu,fri,sat,sun",
        "on which days the scheduled checks run",
    ),
    "stale_days": Setting(
        7, _whole(1, 365), "a whole number of days from 1 to 365",
        "remind me after this many days without a capture",
    ),
    "drop_points": Setting(
        2.0, _points(0, 100), "a number of points above 0 and at most 100",
        "warn when the total falls this much in a week",
    ),
    "rank_points": Setting(
        5, _whole(1, 99), "a whole number from 1 to 99",
        "warn when a rank worsens by this many percentage points in a week",
    ),
    "recalibration_points": Setting(
        2.0, _points(0, 100), "a number of points above 0 and at most 100",
        "call a day a LinkedIn recalibration when the total jumps this much overnight",
    ),
    "weekly_weekday": Setting(
        "mon", _weekday, "one of mon,tue,wed,thu,fri,sat,sun", "the day of the weekly digest"
    ),
    "quiet_hours": Setting(
        None, _optional(_quiet), "HH:MM-HH:MM (e.g. 22:00-07:00), or off",
        "no notification during these hours",
    ),
    "pause_until": Setting(
        None, _optional(_day), "a date YYYY-MM-DD, or off", "holiday mode: no reminders until then"
    ),
    "goal_score": Setting(
        None, _optional(_points(0, 100)), "a score above 0 and at most 100, or off",
        "the SSI you aim for",
    ),
    "goal_date": Setting(
        None, _optional(_day), "a date YYYY-MM-DD, or off", "when you want to reach it"
    ),
    "retention_days": Setting(
        None, _optional(_whole(1, 3650)), "a whole number of days from 1 to 3650, or off",
        "keep the raw page of a read capture this long (off: the companion's default, 30)",
    ),
    **{
        f"rule_{rule}": Setting(True, _switch, "on or off", f"the {rule} reminder")
        for rule in ("stale", "drop", "rank", "recalibration", "weekly", "goal")
    },
}  # fmt: skip


def require_key(key: str) -> None:
    if key not in SETTINGS:
        raise SettingError(f"unknown setting {key!r}; the settings are: {', '.join(SETTINGS)}")


def parse_value(key: str, text: str):
    """The value `text` stands for, or SettingError naming what is allowed."""
    require_key(key)
    setting = SETTINGS[key]
    try:
        return setting.parse(str(text))
    except (ValueError, TypeError):
        raise SettingError(f"{key} cannot be {text!r}: use {setting.allowed}") from None


def load(db: Database) -> dict:
    """Every setting: the stored value, else the default."""
    values = {key: setting.default for key, setting in SETTINGS.items()}
    for row in db.query("SELECT key, value FROM settings"):
        if row["key"] in values:
            values[row["key"]] = json.loads(row["value"])
    return values


def set_value(db: Database, key: str, text: str):
    return set_values(db, {key: text})[key]


def set_values(db: Database, texts: dict) -> dict:
    """Validate every value first, then store them all in one transaction, or none.

    Raises SettingErrors (one message per key) when any value is refused.
    """
    values, errors = {}, {}
    for key, text in texts.items():
        try:
            values[key] = parse_value(key, text)
        except SettingError as exc:
            errors[key] = str(exc)
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


def format_value(value) -> str:
    if value is None:
        return "off"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        return ",".join(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
