"""How each kind of setting is read from what a user typed, and what they are told when not.

No Flask. A parser returns the value, or raises Refused with a sentence in plain words that
names neither a setting's key nor a Python type: the settings page shows it as is next to
its field, the CLI puts the key the user typed in front of it. The sentence is written in
the active language when it is raised (the page's, or the command's).

What users type stays the same in every language: mon, tue... (and the English day names),
on and off, 09:30, 2027-06-30. Day names in the active language are accepted too.
"""

import math
import re
from collections.abc import Sequence
from datetime import date

from babel.dates import get_day_names

from companion.history.wording import format_locale
from companion.i18n import LANGUAGES, N_, _

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ENGLISH_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_BY_NAME = {name.lower(): short for name, short in zip(ENGLISH_DAY_NAMES, WEEKDAYS, strict=True)}
_OFF = ("", "none", "off")


class Refused(ValueError):
    """What the user typed, said back with what to type instead."""


def day_names(context: str = "format") -> tuple[str, ...]:
    """Monday to Sunday in the active language, as Babel's locale data writes them: "format"
    within a sentence, "stand-alone" on their own (a list of days to tick)."""
    names = get_day_names("wide", context=context, locale=format_locale())
    return tuple(names[index] for index in range(7))  # Babel counts from Monday, as WEEKDAYS


class _DayNames(Sequence):
    """Monday to Sunday in whatever language is active when they are read, so a module that
    imported DAY_NAMES once still shows each page in its own language."""

    def __getitem__(self, index):
        return day_names("stand-alone")[index]

    def __len__(self) -> int:
        return len(WEEKDAYS)

    def __iter__(self):
        return iter(day_names("stand-alone"))


DAY_NAMES = _DayNames()


def day_name(weekday: str) -> str:
    """The day `weekday` (mon...sun) stands for, as a sentence in the active language says it."""
    return day_names()[WEEKDAYS.index(weekday)]


def _empty(text: str, allowed: str):
    if not text.strip():
        # Translators: %(allowed)s is what to type, such as "a whole number of days from 1 to
        # 365" (translated on its own).
        raise Refused(_("This cannot be empty: use %(allowed)s.", allowed=_(allowed)))


def clock(text: str) -> str:
    """ "9:30" and "09:30" are both half past nine: a browser or a user may write either."""
    value = text.strip()
    # [0-9], not \d: \d also matches other scripts' digits, which no clock here shows.
    match = re.fullmatch(r"([0-9]{1,2}):([0-9]{2})", value)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        # Translators: 09:30 is how a time is typed here, in every language.
        raise Refused(_("%(value)s is not a time of day: use a time such as 09:30.", value=value))
    return f"{int(match[1]):02d}:{match[2]}"


def times(text: str) -> list[str]:
    values = sorted({clock(part) for part in text.split(",") if part.strip()})
    if not values:
        raise Refused(_("Give at least one time for the checks, such as 09:30."))
    return values


def weekday(text: str) -> str:
    value = text.strip().lower()
    if not value:
        # Translators: mon, tue... are typed as they are, in every language.
        raise Refused(_("Pick a day of the week: use mon, tue, wed, thu, fri, sat or sun."))
    if value in WEEKDAYS:
        return value
    if value in _BY_NAME:
        return _BY_NAME[value]
    local = {name.lower(): short for name, short in zip(day_names(), WEEKDAYS, strict=True)}
    if value in local:
        return local[value]
    raise Refused(
        # Translators: mon, tue... are typed as they are, in every language.
        _(
            "%(value)s is not a day of the week: use mon, tue, wed, thu, fri, sat or sun.",
            value=text.strip(),
        )
    )


def weekdays(text: str) -> list[str]:
    values = [weekday(part) for part in text.split(",") if part.strip()]
    if not values:
        raise Refused(
            # Translators: mon, tue... are typed as they are, in every language.
            _("Pick at least one day for the checks: use mon, tue, wed, thu, fri, sat or sun.")
        )
    return sorted(set(values), key=WEEKDAYS.index)


def _number(text: str, allowed: str) -> float:
    _empty(text, allowed)
    value = text.strip()
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        number = math.nan
    if not math.isfinite(number):  # "nan" and "inf" are floats, never an amount
        raise Refused(
            _("%(value)s is not a number: use %(allowed)s.", value=value, allowed=_(allowed))
        )
    return number


def _out_of_range(text: str, allowed: str) -> Refused:
    return Refused(
        _("%(value)s is out of range: use %(allowed)s.", value=text.strip(), allowed=_(allowed))
    )


def whole(low: int, high: int, allowed: str):
    """A whole number from `low` to `high`; `allowed` (marked N_) says so in words."""

    def parse(text: str) -> int:
        number = _number(text, allowed)
        if number != int(number):
            raise Refused(
                _(
                    "%(value)s is not a whole number: use %(allowed)s.",
                    value=text.strip(),
                    allowed=_(allowed),
                )
            )
        if not low <= number <= high:
            raise _out_of_range(text, allowed)
        return int(number)

    return parse


def points(low: float, high: float, allowed: str):
    """Above `low` (never equal: a threshold of 0 would fire on nothing at all), at most `high`;
    `allowed` (marked N_) says so in words."""

    def parse(text: str) -> float:
        number = _number(text, allowed)
        if not low < number <= high:
            raise _out_of_range(text, allowed)
        return number

    return parse


def optional(parse):
    """Empty, "none" or "off" turn a setting off; anything else must be a proper value."""

    def parse_optional(text: str):
        return None if text.strip().lower() in _OFF else parse(text.strip())

    return parse_optional


# Said to both the page (two time boxes) and the CLI (one text): it fits either.
# Translators: "off" is typed as it is, in every language.
QUIET_NEEDS_BOTH = N_(
    "Quiet hours need both a start and an end time, such as 22:00-07:00; for none, leave both "
    "empty (or type off)."
)


def quiet(text: str) -> str:
    parts = text.split("-")
    if len(parts) != 2 or not all(part.strip() for part in parts):
        raise Refused(_(QUIET_NEEDS_BOTH))
    start, end = clock(parts[0]), clock(parts[1])
    if start == end:
        raise Refused(
            _("Quiet hours cannot start and end at the same time (%(time)s).", time=start)
        )
    return f"{start}-{end}"


def day(text: str) -> str:
    value = text.strip()
    try:
        # fromisoformat alone also takes 20261224 and 2026-W52-4: only the written-out form.
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise ValueError
        return date.fromisoformat(value).isoformat()
    except ValueError:
        # Translators: 2027-06-30 is how a date is typed here (year-month-day), in every language.
        message = _("%(value)s is not a date: use a date such as 2027-06-30.", value=value)
        raise Refused(message) from None


def switch(text: str) -> bool:
    value = text.strip().lower()
    if value in ("on", "true", "yes", "1"):
        return True
    if value in ("off", "false", "no", "0"):
        return False
    if not text.strip():
        # Translators: on and off are typed as they are, in every language.
        raise Refused(_("An empty value is neither on nor off: use on or off."))
    # Translators: on and off are typed as they are, in every language.
    raise Refused(_("%(value)s is neither on nor off: use on or off.", value=text.strip()))


def language(text: str) -> str:
    """auto (the browser's language on the pages, the system's elsewhere) or one of the six."""
    value = text.strip().lower()
    if value in ("auto", *LANGUAGES):
        return value
    choices = ", ".join(("auto", *LANGUAGES))  # typed as they are: codes, not words
    if not text.strip():
        # Translators: the choices (auto, en, it...) are typed as they are.
        raise Refused(
            _(
                "An empty value is not a language the companion speaks: use %(choices)s.",
                choices=choices,
            )
        )
    # Translators: the choices (auto, en, it...) are typed as they are.
    raise Refused(
        _(
            "%(value)s is not a language the companion speaks: use %(choices)s.",
            value=text.strip(),
            choices=choices,
        )
    )


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
