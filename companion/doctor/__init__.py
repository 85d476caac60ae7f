"""`ssi-companion doctor`: is everything in place, and what to do about what is not.

Each check returns a `Check`: what it found and, when that is not right, what to do. A check
that itself fails becomes a failed Check saying so, never a traceback.

Doctor only looks. It never creates the data directory (config.data_dir would) or the
database, never migrates, never chmods, never takes the use lock; reading.py reads the
database without writing a byte.

The checks, one concern a module: files.py (data directory, token), database.py (database,
last backup), server.py, activity.py (last capture, extension), desktop.py (notifications),
install.py (autostart, version). base.py holds the Check and the Context they share.
No Flask and no click here: the CLI prints the Checks (cli/doctor_commands.py).
"""

import os
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from companion.doctor.activity import check_extension, check_last_capture
from companion.doctor.base import Check, Context, default_data_dir, failed
from companion.doctor.database import check_backup, check_database
from companion.doctor.desktop import check_notifications
from companion.doctor.files import check_data_dir, check_token
from companion.doctor.install import check_autostart, check_version
from companion.doctor.reading import read_database
from companion.doctor.server import check_server
from companion.doctor.wording import human_size
from companion.i18n import N_, _

__all__ = ["CHECKS", "Check", "default_data_dir", "human_size", "read_database", "run_checks"]

# The order they are shown in: what the data is first, then what uses it.
# The titles are translated when the checks run; `name` is the stable id scripts use.
CHECKS = (
    ("data_dir", N_("Data directory"), check_data_dir),
    ("database", N_("Database"), check_database),
    ("backup", N_("Last backup"), check_backup),
    ("server", N_("Server"), check_server),
    ("token", N_("Token"), check_token),
    ("last_capture", N_("Last capture"), check_last_capture),
    ("extension", N_("Extension"), check_extension),
    ("notifications", N_("Notifications"), check_notifications),
    ("autostart", N_("Autostart"), check_autostart),
    ("version", N_("Version"), check_version),
)


def _run(ctx: Context, name: str, title: str, check) -> Check:
    try:
        result = check(ctx)
    except Exception as exc:  # a check that breaks is a finding, never a traceback
        error = f"{type(exc).__name__}: {exc}"
        result = failed(
            _("could not be checked (%(error)s)", error=error),
            _("run `ssi-companion doctor` again; if this stays, report it as a bug"),
        )
    return replace(result, name=name, title=_(title))


def run_checks(data_dir: str | os.PathLike | None = None, now: datetime | None = None) -> list:
    """Every check, in order, on `data_dir` (the configured one by default)."""
    from companion import store

    ctx = Context(
        Path(data_dir) if data_dir is not None else default_data_dir(), now or store.now_utc()
    )
    return [_run(ctx, name, title, check) for name, title, check in CHECKS]
