"""When reminder checks run: at the configured times, after each capture, once at start-up.

Started only by `ssi-companion serve` (never by create_app, never twice). Exactly-once is not
the scheduler's job: every delivery claims its key in the database (checks.py), so restarts,
overlapping runs and catch-up can run a check again without sending anything twice.
"""

import logging
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from companion import store
from companion.reminders.delivery import run_check
from companion.reminders.rules import AFTER_CAPTURE_RULES, RULES
from companion.store import preferences

log = logging.getLogger("companion.scheduler")
# A machine that slept through 09:30 still gets that check when it wakes, within hours.
MISFIRE_GRACE_S = 6 * 3600
AFTER_CAPTURE_DELAY_S = 5


# The notifier a scheduler makes for itself when it starts: desktop notifications.
DESKTOP = object()


class ReminderScheduler:
    """Made by create_app (`init_app`), started by `serve` only: tests and the CLI never run it.

    `notifier=None` delivers to the inbox only; by default the scheduler opens the desktop
    notifier when it starts (its thread would be wasted on an app that never serves).
    """

    def __init__(self, data_dir, notifier=DESKTOP):
        self.data_dir = data_dir
        self.notifier = notifier
        self._owns_notifier = False
        # The local timezone (tzlocal): "09:30" means the user's 09:30.
        self.scheduler = BackgroundScheduler(
            job_defaults={
                "coalesce": True,
                "misfire_grace_time": MISFIRE_GRACE_S,
                "max_instances": 1,
            }
        )

    def check(self, rules=RULES) -> None:
        try:
            # A connection per run, closed when it ends: jobs run on the scheduler's threads.
            with store.connection(self.data_dir) as db:
                run_check(db, datetime.now().astimezone(), self.notifier, rules=tuple(rules))
        except Exception:  # a failed check must not stop the next ones
            log.exception("reminder check failed")

    def start(self) -> None:
        if self.scheduler.running:
            raise RuntimeError("the reminder scheduler is already running")
        if self.notifier is DESKTOP:
            from companion.reminders.desktop import Notifier

            self.notifier, self._owns_notifier = Notifier(), True
        self.schedule_checks()
        self.scheduler.add_job(
            self.schedule_checks, "interval", minutes=5, id="sync-settings", replace_existing=True
        )
        self.scheduler.add_job(
            self.check, id="startup-check", replace_existing=True, next_run_time=datetime.now()
        )
        self.scheduler.start()

    def schedule_checks(self) -> None:
        """(Re)create one job per configured time, from the settings in force.

        Runs at start and every few minutes, so `ssi-companion settings set check_times ...`
        takes effect in a running companion without a restart.
        """
        with store.connection(self.data_dir) as db:
            values = preferences.load(db)
        wanted = (tuple(values["check_times"]), tuple(values["check_weekdays"]))
        if wanted == getattr(self, "_scheduled", None):
            return
        self._scheduled = wanted
        for job in self.scheduler.get_jobs():
            if job.id.startswith("check-at-"):
                job.remove()
        days = ",".join(values["check_weekdays"])
        for clock in values["check_times"]:
            hour, minute = clock.split(":")
            self.scheduler.add_job(
                self.check,
                CronTrigger(day_of_week=days, hour=int(hour), minute=int(minute)),
                id=f"check-at-{hour}{minute}",
                replace_existing=True,
            )

    def reschedule(self) -> None:
        """Apply changed check times now (the settings page); nothing while not serving."""
        if self.scheduler.running:
            self.schedule_checks()

    def after_capture(self, delay_s: float = AFTER_CAPTURE_DELAY_S) -> None:
        """Run the capture-driven rules shortly after the last of a burst of captures.

        Each capture pushes the one pending check back, so an outbox flushing fifty captures
        makes one check, not fifty running beside the requests.
        """
        if not self.scheduler.running:
            return  # an app that does not serve (tests, the CLI) runs no reminders
        self.scheduler.add_job(
            self.check,
            id="after-capture",
            args=[AFTER_CAPTURE_RULES],
            replace_existing=True,
            next_run_time=datetime.now() + timedelta(seconds=delay_s),
        )

    def next_check(self):
        """When the next scheduled check runs (for the summary page)."""
        times = [
            j.next_run_time
            for j in self.scheduler.get_jobs()
            if j.id.startswith("check-at-") and j.next_run_time
        ]
        return min(times) if times else None

    def shutdown(self) -> None:
        if self.scheduler.running:
            try:
                self.scheduler.shutdown(wait=True)
            except RuntimeError:
                # Ctrl-C came while start() was starting its thread ("cannot join thread
                # before it is started"): no job ever ran, so there is nothing to wait for.
                pass
        if self._owns_notifier:
            self.notifier.close()
            self.notifier, self._owns_notifier = DESKTOP, False


def init_app(app) -> None:
    app.extensions["reminders"] = ReminderScheduler(app.config["DATA_DIR"])
