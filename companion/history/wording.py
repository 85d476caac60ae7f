"""How the pages write dates, counts, changes and ranks for people. No Flask.

Every page and reminder text formats through here, so a later localisation changes one module;
web/summary_page.py registers each of FILTERS as a Jinja filter of the same name.
"""

from datetime import date, datetime

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])  # "2026-11-10" or a captured_at moment


def day(value) -> str:
    """10 Nov 2026: no reader mistakes it for 11 October, whatever their country."""
    if value is None or value == "":
        return ""
    d = _as_date(value)
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def moment(value) -> str:
    """10 Nov 2026 at 09:30, in the offset the moment was recorded in (as LinkedIn showed it)."""
    if value is None or value == "":
        return ""
    stamp = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return f"{day(stamp)} at {stamp:%H:%M}"


def plural(count: int, singular: str, many: str | None = None) -> str:
    """1 day, 2 days, 0 days: never "1 days"."""
    word = singular if count == 1 else (many or singular + "s")
    return f"{count} {word}"


def signed(value: float | None, digits: int = 1) -> str:
    """+2.0, −1.5 (a real minus sign), ±0 when it rounds to nothing; – when unknown."""
    if value is None:
        return "–"
    shown = round(value, digits)
    if shown == 0:
        return "±0"
    sign = "+" if shown > 0 else "\u2212"
    return f"{sign}{abs(shown):.{digits}f}"


def number(value: float | None, digits: int = 2) -> str:
    """A value with the precision it has, up to `digits` decimals: 28.4, 31, 28.43."""
    if value is None:
        return "–"
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def listing(items: list[str]) -> str:
    """A, B and C."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def rank(value: int | None) -> str:
    """A rank as LinkedIn words it: Top 23% (smaller is better)."""
    return "not shown" if value is None else f"Top {value}%"


FILTERS = {
    "day": day,
    "moment": moment,
    "plural": plural,
    "signed": signed,
    "number": number,
    "rank": rank,
    "listing": listing,
}
