"""Which capture moments are acceptable: the one place that says so.

A capture's time decides its day, its place in the history and every trend drawn from it, so a
moment that cannot be true (a typo'd year, a clock set wrong) would quietly bend them all.
"""

from datetime import UTC, datetime, timedelta

from companion.i18n import _

# LinkedIn's SSI is younger than this: an earlier moment is a wrong year, not an old capture.
EARLIEST = datetime(2010, 1, 1, tzinfo=UTC)
# A client's clock may run a little ahead of this one; a whole day ahead is a wrong clock.
MAX_AHEAD = timedelta(days=1)


def check_capture_moment(name: str, moment: datetime, now: datetime | None = None) -> None:
    """Raise ValueError, naming `name`, when `moment` cannot be when an SSI page was seen.

    `moment` must carry its UTC offset (store.parse_moment makes sure of that). The message
    is in the active language: the API keeps English active around its call (capture_body).
    """
    # Aware datetimes compare by their instant, whatever their offsets, and a difference
    # never overflows: years 1 and 9999 are safe here, unlike a conversion to UTC.
    if moment < EARLIEST:
        raise ValueError(
            # Translators: %(name)s is a field's name (captured_at) or "the file's
            # modification time"; %(moment)s and %(earliest)s are ISO 8601 moments.
            _(
                "%(name)s %(moment)s is before %(earliest)s: LinkedIn's SSI did not exist yet",
                name=name,
                moment=moment.isoformat(),
                earliest=EARLIEST.date().isoformat(),
            )
        )
    now = now or datetime.now(UTC)
    if moment - now > MAX_AHEAD:
        raise ValueError(
            _(
                "%(name)s %(moment)s is more than a day ahead of this computer's clock (%(now)s)",
                name=name,
                moment=moment.isoformat(),
                now=now.astimezone(UTC).isoformat(timespec="seconds"),
            )
        )
