"""A reminder check: gather the history as of a moment, evaluate the rules, deliver exactly once.

No Flask. The scheduler, `ssi-companion check` and the tests call `run_check`; delivery goes
through whatever `notifier` they pass (notify.Notifier, or None for the inbox only).
"""

import logging
from datetime import datetime

from sqlite_utils import Database

from companion import i18n, store
from companion.i18n import _
from companion.reminders.evaluate import evaluate
from companion.reminders.rules import RULES, Decision, History
from companion.store import preferences

log = logging.getLogger("companion.checks")


def history_at(db: Database, now: datetime) -> History:
    until = store.utc_text(now)
    last = store.last_capture_moment(db, until)
    return History(
        daily=store.daily_readings_until(db, until),
        last_capture_at=store.parse_moment(last) if last else None,
    )


def _deliver(db: Database, decision: Decision, notifier) -> None:
    desktop = notifier is not None and notifier.available()
    decision.status = "sent" if desktop else "inbox"
    claimed = store.claim_notification(
        db,
        {
            "key": decision.key,
            "kind": decision.kind,
            "title": decision.title,
            "body": decision.body,
            "link": decision.link,
            "status": decision.status,
        },
    )
    if not claimed:  # another check (a restart, an overlapping run) got there first
        decision.status, decision.reason = "suppressed", _("already sent")
        return
    if desktop and not notifier.send(decision.title, decision.body, decision.link):
        # Recorded, so never lost: the inbox shows it even when the desktop did not.
        decision.status = "inbox"
        store.set_notification_status(db, decision.key, "inbox")
    if decision.status == "inbox":
        decision.reason = _("no desktop notifications here: kept in the inbox")
    log.info("reminder %s: %s", decision.key, decision.status)


def run_check(
    db: Database,
    now: datetime,
    notifier=None,
    dry_run: bool = False,
    rules: tuple = RULES,
) -> list[Decision]:
    """Evaluate `rules` at `now` (aware) and, unless dry_run, deliver what may be sent.

    Reminders are written in the `language` preference (`auto`: the system's), also when a
    capture that arrived through a page in another language set the check off; so are the
    reasons `ssi-companion check` prints.
    """
    settings = preferences.load(db)
    with i18n.use(i18n.choose(settings["language"])):
        decisions = evaluate(history_at(db, now), settings, store.sent_keys(db), now, rules)
        if not dry_run:
            for decision in decisions:
                if decision.status == "would_send":
                    _deliver(db, decision, notifier)
    return decisions
