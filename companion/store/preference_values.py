"""How each kind of setting is read from what a user typed, and what they are told when not.

No Flask. A parser returns the value, or raises Refused with a sentence in plain words that
names neither a setting's key nor a Python type: the settings page shows it as is next to
its field, the CLI puts the key the user typed in front of it.
"""

import math
import re
from datetime import date

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_BY_NAME = {name.lower(): short for name, short in zip(DAY_NAMES, WEEKDAYS, strict=True)}
_DAYS_HINT = "use mon, tue, wed, thu, fri, sat or sun"
_OFF = ("", "none", "off")


class Refused(ValueError):
    """What the user typed, said back with what to type instead."""


def day_name(weekday: str) -> str:
    return DAY_NAMES[WEEKDAYS.index(weekday)]


def _empty(text: str, allowed: str):
    if not text.strip():
        raise Refused(f"This cannot be empty: use {allowed}.")


def clock(text: str) -> str:
    """ "9:30" and "09:30" are both half past nine: a browser or a user may write either."""
    value = text.strip()
    # [0-9], not \d: \d also matches other scripts' digits, which no clock here shows.
    match = re.fullmatch(r"([0-9]{1,2}):([0-9]{2})", value)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise Refused(f"{value} is not a time of day: use a time such as 09:30.")
    return f"{int(match[1]):02d}:{match[2]}"


def times(text: str) -> list[str]:
    values = sorted({clock(part) for part in text.split(",") if part.strip()})
    if not values:
        raise Refused("Give at least one time for the checks, such as 09:30.")
    return values


def weekday(text: str) -> str:
    value = text.strip().lower()
    if not value:
        raise Refused(f"Pick a day of the week: {_DAYS_HINT}.")
    if value in WEEKDAYS:
        return value
    if value in _BY_NAME:
        return _BY_NAME[value]
    raise Refused(f"{text.strip()} is not a day of the week: {_DAYS_HINT}.")


def weekdays(text: str) -> list[str]:
    values = [weekday(part) for part in text.split(",") if part.strip()]
    if not values:
        raise Refused(f"Pick at least one day for the checks: {_DAYS_HINT}.")
    return sorted(set(values), key=WEEKDAYS.index)


def _number(text: str, allowed: str) -> float:
    _empty(text, allowed)
    value = text.strip()
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        number = math.nan
    if not math.isfinite(number):  # "nan" and "inf" are floats, never an amount
        raise Refused(f"{value} is not a number: use {allowed}.")
    return number


def whole(low: int, high: int, allowed: str):
    def parse(text: str) -> int:
        number = _number(text, allowed)
        if number != int(number):
            raise Refused(f"{text.strip()} is not a whole number: use {allowed}.")
        if not low <= number <= high:
            raise Refused(f"{text.strip()} is out of range: use {allowed}.")
        return int(number)

    return parse


def points(low: float, high: float, allowed: str):
    """Above `low` (never equal: a threshold of 0 would fire on nothing at all), at most `high`."""

    def parse(text: str) -> float:
        number = _number(text, allowed)
        if not low < number <= high:
            raise Refused(f"{text.strip()} is out of range: use {allowed}.")
        return number

    return parse


def optional(parse):
    """Empty, "none" or "off" turn a setting off; anything else must be a proper value."""

    def parse_optional(text: str):
        return None if text.strip().lower() in _OFF else parse(text.strip())

    return parse_optional


# Said to both the page (two time boxes) and the CLI (one text): it fits either.
QUIET_NEEDS_BOTH = (
    "Quiet hours need both a start and an end time, such as 22:00-07:00; for none, leave both "
    "empty (or type off)."
)


def quiet(text: str) -> str:
    parts = text.split("-")
    if len(parts) != 2 or not all(part.strip() for part in parts):
        raise Refused(QUIET_NEEDS_BOTH)
    start, end = clock(parts[0]), clock(parts[1])
    if start == end:
        raise Refused(f"Quiet hours cannot start and end at the same time ({start}).")
    return f"{start}-{end}"


def day(text: str) -> str:
    value = text.strip()
    try:
        # fromisoformat alone also takes 20261224 and 2026-W52-4: only the written-out form.
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise ValueError
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise Refused(f"{value} is not a date: use a date such as 2027-06-30.") from None


def switch(text: str) -> bool:
    value = text.strip().lower()
    if value in ("on", "true", "yes", "1"):
        return True
    if value in ("off", "false", "no", "0"):
        return False
    raise Refused(f"{text.strip() or 'An empty value'} is neither on nor off: use on or off.")


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
