"""How doctor writes sizes and moments: "1.2 MB", "2026-11-26 10:00, 3 days ago"."""

from datetime import datetime


def human_size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    for unit in ("KB", "MB", "GB"):
        n /= 1024
        if n < 1024 or unit == "GB":
            return f"{n:.1f} {unit}"
    raise AssertionError("unreachable")


def ago(moment: datetime, now: datetime) -> str:
    seconds = (now - moment).total_seconds()
    if seconds < 0:
        return "in the future (check the clock)"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count > 1 else ''} ago"
    return "just now"


def local(moment: datetime) -> str:
    return f"{moment.astimezone():%Y-%m-%d %H:%M}"


def when(text: str, now: datetime) -> str:
    """A stored moment (UTC text, or with its offset) as "2026-11-26 10:00, 3 days ago"."""
    from companion import store

    moment = store.parse_moment(text)
    return f"{local(moment)}, {ago(moment, now)}"
