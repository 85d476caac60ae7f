"""How the pages write dates, counts, changes and ranks for people, in the active language.
No Flask.

Every page and reminder text formats through here, with Babel's rules for the language that
companion.i18n has active: "61,23" in Italian, "10 nov 2026", "Top 23 %" in French.
web/summary_page.py registers each of FILTERS as a Jinja filter of the same name. Exports
(CSV, JSON) never come through here: they stay locale-neutral.
"""

from datetime import date, datetime

from babel.dates import format_date, format_skeleton, format_time
from babel.lists import format_list
from babel.numbers import format_decimal, format_percent

from companion.i18n import _, active

# English dates are written day first ("10 Nov 2026", "09:30"): no reader mistakes them for
# 11 October, whatever their country (and "Sep", not en_GB's "Sept"). The other five are
# written as their countries do, with Babel's patterns for them.
_FORMAT_LOCALES = {"en": "en_GB", "pt": "pt_BR"}
_ENGLISH = {"day": "d MMM y", "yMMM": "MMM y", "MMM": "MMM", "MMMd": "d MMM"}
MINUS = "\u2212"  # a real minus sign, not a hyphen


def format_locale() -> str:
    """The Babel locale the active language formats numbers and dates with."""
    language = active()
    return _FORMAT_LOCALES.get(language, language)


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])  # "2026-11-10" or a captured_at moment


def day(value) -> str:
    """10 Nov 2026; 10 nov 2026 in Italian, 10.11.2026 in German."""
    if value is None or value == "":
        return ""
    if active() == "en":
        return format_date(_as_date(value), _ENGLISH["day"], locale="en")
    return format_date(_as_date(value), "medium", locale=format_locale())


def month(value, with_year: bool = True) -> str:
    """Nov 2026 (or Nov): a chart's month tick."""
    return _skeleton("yMMM" if with_year else "MMM", value)


def day_and_month(value) -> str:
    """10 Nov: a chart's day tick."""
    return _skeleton("MMMd", value)


def _skeleton(skeleton: str, value) -> str:
    if active() == "en":
        return format_date(_as_date(value), _ENGLISH[skeleton], locale="en")
    return format_skeleton(skeleton, _as_date(value), locale=format_locale())


def moment(value) -> str:
    """10 Nov 2026 at 09:30, in the offset the moment was recorded in (as LinkedIn showed it)."""
    if value is None or value == "":
        return ""
    stamp = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    clock = format_time(stamp.replace(tzinfo=None).time(), "short", locale=format_locale())
    return _("%(day)s at %(time)s", day=day(stamp), time=clock)


def signed(value: float | None, digits: int = 1) -> str:
    """+2.0, −1.5 (a real minus sign), ±0 when it rounds to nothing; – when unknown."""
    if value is None:
        return "–"
    shown = round(value, digits)
    if shown == 0:
        return "±0"
    sign = "+" if shown > 0 else MINUS
    pattern = "0." + "0" * digits if digits else "0"
    return sign + format_decimal(abs(shown), format=pattern, locale=format_locale())


def number(value: float | None, digits: int = 2) -> str:
    """A value with the precision it has, up to `digits` decimals: 28.4, 31, 28.43 (28,43)."""
    if value is None:
        return "–"
    shown = round(value, digits)
    if shown == 0:
        shown = 0.0  # never "-0"
    pattern = "#,##0." + "#" * digits if digits else "#,##0"
    text = format_decimal(abs(shown), format=pattern, locale=format_locale())
    return (MINUS + text) if shown < 0 else text


def decimal(value: float, digits: int = 2) -> str:
    """A score with exactly `digits` decimals, as the tables line them up: 14.50 (14,50)."""
    pattern = "0." + "0" * digits if digits else "0"
    # Rounded as "%.2f" rounds (the float's own value), not Babel's half-even on its digits.
    return format_decimal(round(value, digits), format=pattern, locale=format_locale())


def weekday(value) -> str:
    """Monday (lunedì, Montag): the day of a date."""
    return format_date(_as_date(value), "EEEE", locale=format_locale())


def count(value: int) -> str:
    """A whole count with the locale's grouping: 1,000 (1.000 in Italian)."""
    return format_decimal(value, format="#,##0", locale=format_locale())


def percent(value: float) -> str:
    """23% (23 % in French): `value` is in percent, as LinkedIn gives ranks."""
    return format_percent(value / 100, locale=format_locale())


def listing(items: list[str]) -> str:
    """A, B and C (A, B e C)."""
    items = list(items)
    if not items:
        return ""
    return format_list(items, locale=format_locale())


def rank(value: int | None) -> str:
    """A rank as LinkedIn words it: Top 23% (smaller is better); Primeiros 23% in Portuguese."""
    if value is None:
        return _("not shown")
    return _("Top %(percent)s", percent=percent(value))


FILTERS = {
    "day": day,
    "moment": moment,
    "signed": signed,
    "number": number,
    "decimal": decimal,
    "weekday": weekday,
    "count": count,
    "percent": percent,
    "rank": rank,
    "listing": listing,
}
