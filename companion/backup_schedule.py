"""The server's backups: one at start-up when none was made today, then one a day.

An hourly check rather than a fixed time: a laptop that sleeps through any given hour still
gets its daily backup soon after it wakes.
"""

import logging
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler

from companion.store import backups

log = logging.getLogger("companion.backups")
CHECK_EVERY_MINUTES = 60


class BackupSchedule:
    def __init__(self, data_dir):
        self.data_dir = data_dir
        self.scheduler = BackgroundScheduler(
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
        )

    def run(self) -> None:
        try:
            path = backups.backup_if_due(self.data_dir)
        except Exception as exc:  # a failed backup must not stop the server or the next try
            log.error("backup failed: %s", exc)
            return
        if path is not None:
            log.info("backup made: %s", path.name)

    def start(self) -> None:
        self.scheduler.add_job(
            self.run,
            "interval",
            minutes=CHECK_EVERY_MINUTES,
            id="backup",
            next_run_time=datetime.now(),
        )
        self.scheduler.start()

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)


def init_app(app) -> None:
    app.extensions["backups"] = BackupSchedule(app.config["DATA_DIR"])
