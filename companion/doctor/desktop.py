"""Notifications: whether reminders can reach the desktop, or go to the inbox only."""

from companion.doctor.base import Check, Context, failed, passed
from companion.i18n import _


def check_notifications(ctx: Context) -> Check:
    from companion.reminders.desktop import Notifier

    notifier = Notifier()
    try:
        available = notifier.available()  # at most a few seconds: it gives up on its own
    finally:
        notifier.close()
    if available:
        return passed(_("a desktop notification server is there"), available=True)
    return failed(
        _("no desktop notification server: reminders go to the inbox on the summary page"),
        _(
            "to get them on the desktop, run a notification daemon (your desktop's own, or "
            "e.g. dunst) in your graphical session"
        ),
        available=False,
    )
