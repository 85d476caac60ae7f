"""How doctor writes sizes and moments: "1.2 MB", "2026-11-26 10:00, 3 days ago".

Sizes and counts in the active language's digits ("1,2 MB" in Italian); moments stay
"2026-11-26 10:00", which reads the same in every language.
"""

from datetime import datetime

from babel.numbers import format_decimal

from companion.history.wording import count, format_locale
from companion.i18n import N_, _, ngettext

UNITS = {
    # Translators: a size in bytes, kilobytes...: "o", "Ko", "Mo" in French.
    "B": N_("%(size)s B"),
    "KB": N_("%(size)s KB"),
    "MB": N_("%(size)s MB"),
    "GB": N_("%(size)s GB"),
}


def size_in(n: float, unit: str) -> str:
    """`n` in `unit` ("B", "KB", "MB", "GB"): "12 B", "1.2 MB" (1,2 MB in Italian)."""
    digits = "#,##0" if unit == "B" else "#,##0.0"
    return _(UNITS[unit], size=format_decimal(n, format=digits, locale=format_locale()))


def human_size(n: int) -> str:
    if n < 1024:
        return size_in(n, "B")
    for unit in ("KB", "MB", "GB"):
        n /= 1024
        if n < 1024 or unit == "GB":
            return size_in(n, unit)
    raise AssertionError("unreachable")


def ago(moment: datetime, now: datetime) -> str:
    seconds = (now - moment).total_seconds()
    if seconds < 0:
        return _("in the future (check the clock)")
    if seconds >= 86400:
        days = int(seconds // 86400)
        return ngettext("%(count)s day ago", "%(count)s days ago", days, count=count(days))
    if seconds >= 3600:
        hours = int(seconds // 3600)
        return ngettext("%(count)s hour ago", "%(count)s hours ago", hours, count=hours)
    if seconds >= 60:
        minutes = int(seconds // 60)
        return ngettext("%(count)s minute ago", "%(count)s minutes ago", minutes, count=minutes)
    return _("just now")


def local(moment: datetime) -> str:
    return f"{moment.astimezone():%Y-%m-%d %H:%M}"


def when(text: str, now: datetime) -> str:
    """A stored moment (UTC text, or with its offset) as "2026-11-26 10:00, 3 days ago"."""
    from companion import store

    moment = store.parse_moment(text)
    return f"{local(moment)}, {ago(moment, now)}"
