"""Backups of the database, their rotation, and restoring one.

A backup is made by SQLite itself (`VACUUM INTO`), so it is a consistent snapshot while the
server writes, and the live file is never opened or copied outside SQLite. It is written to
a hidden partial file and renamed into place, so `backups/` only ever holds whole backups.

Rotation (after each automatic backup): of the files in `backups/`, keep the newest of each
of the last 7 days that have one, of each of the last 4 weeks (ISO weeks) and of each of the
last 12 months; delete the rest. Days are the user's local days.
"""

import contextlib
import fcntl
import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from companion import store
from companion.i18n import _, ngettext

BACKUP_DIR = "backups"
_NAME = re.compile(r"^ssi-(\d{8}T\d{6}\d{0,6}Z)\.db$")
KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY = 7, 4, 12


class BackupError(Exception):
    """A backup or a restore cannot be done; the message says why and what to do."""


@dataclass
class Backup:
    path: Path
    made_at: datetime  # UTC, from the file name
    size: int
    readings: int | None  # None when the file cannot be read

    @property
    def local_time(self) -> datetime:
        return self.made_at.astimezone()


def backup_dir(data_dir) -> Path:
    path = Path(data_dir) / BACKUP_DIR
    previous = os.umask(0o077)
    try:
        path.mkdir(mode=0o700, exist_ok=True)
    finally:
        os.umask(previous)
    return path


def stamp_of(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _moment(stamp: str) -> datetime:
    fmt = "%Y%m%dT%H%M%S%fZ" if len(stamp) > 16 else "%Y%m%dT%H%M%SZ"
    return datetime.strptime(stamp, fmt).replace(tzinfo=UTC)


@contextlib.contextmanager
def _one_at_a_time(data_dir):
    # Across processes too: `ssi-companion backup` and the server's daily one never overlap.
    fd = os.open(backup_dir(data_dir) / ".lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _count_readings(path: Path) -> int | None:
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        return conn.execute("SELECT COUNT(*) FROM readings").fetchone()[0]
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_snapshot(db, dest: Path) -> None:
    """A consistent copy of `db` at `dest`, or nothing at all (no partial file stays)."""
    partial = dest.with_name(f".{dest.name}.partial")
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()  # left by a backup that was killed
    previous = os.umask(0o077)
    try:
        db.execute("VACUUM INTO ?", [str(partial)])
        copy = sqlite3.connect(partial)
        try:
            # A backup is one self-contained file: no -wal beside it, readable read-only.
            copy.execute("PRAGMA journal_mode = DELETE")
        finally:
            copy.close()
        os.chmod(partial, 0o600)
        fd = os.open(partial, os.O_RDONLY)  # our own new file, not the live database
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(partial, dest)
        fsync_dir(dest.parent)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        if store.is_disk_full(exc, dest.parent):
            raise store.DiskFull(dest.parent) from None
        raise
    finally:
        os.umask(previous)


def make_backup(data_dir, out: Path | None = None, now: datetime | None = None) -> Path:
    """Back the database up now, into `backups/` or to `out`; returns the file written."""
    now = now or store.now_utc()
    dest = Path(out) if out else backup_dir(data_dir) / f"ssi-{stamp_of(now)}.db"
    if dest.exists():
        raise BackupError(_("%(path)s already exists: choose another file", path=dest))
    if not dest.parent.is_dir():
        raise BackupError(_("%(path)s is not a folder", path=dest.parent))
    if dest.resolve() == store.db_path(data_dir).resolve():
        raise BackupError(_("a backup cannot overwrite the database itself"))
    with _one_at_a_time(data_dir), store.connection(data_dir) as db:
        _write_snapshot(db, dest)
    return dest


def list_backups(data_dir, with_counts: bool = True) -> list[Backup]:
    """The backups in `backups/`, newest first."""
    folder = Path(data_dir) / BACKUP_DIR
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if not match or not path.is_file():
            continue
        found.append(
            Backup(
                path=path,
                made_at=_moment(match.group(1)),
                size=path.stat().st_size,
                readings=_count_readings(path) if with_counts else None,
            )
        )
    return sorted(found, key=lambda b: b.made_at, reverse=True)


def newest(data_dir) -> Backup | None:
    backups = list_backups(data_dir, with_counts=False)
    if not backups:
        return None
    backups[0].readings = _count_readings(backups[0].path)
    return backups[0]


def to_keep(backups: list[Backup]) -> set[Path]:
    """The rotation rule of the module docstring: newest per day, week and month."""
    keep: set[Path] = set()
    newest_first = sorted(backups, key=lambda b: b.made_at, reverse=True)
    for count, period in (
        (KEEP_DAILY, lambda t: t.date()),
        (KEEP_WEEKLY, lambda t: t.isocalendar()[:2]),
        (KEEP_MONTHLY, lambda t: (t.year, t.month)),
    ):
        seen = []
        for backup in newest_first:
            key = period(backup.local_time)
            if key in seen:
                continue
            seen.append(key)
            if len(seen) > count:
                break
            keep.add(backup.path)
    return keep


def rotate(data_dir) -> list[Path]:
    """Delete the backups the rotation rule does not keep; returns what was deleted."""
    backups = list_backups(data_dir, with_counts=False)
    keep = to_keep(backups)
    removed = []
    for backup in backups:
        if backup.path not in keep:
            backup.path.unlink(missing_ok=True)
            removed.append(backup.path)
    return removed


def backup_if_due(data_dir, now: datetime | None = None) -> Path | None:
    """The server's job: a backup when none was made today (local day), then rotation."""
    now = now or store.now_utc()
    latest = list_backups(data_dir, with_counts=False)
    if latest and latest[0].local_time.date() >= now.astimezone().date():
        return None
    path = make_backup(data_dir, now=now)
    rotate(data_dir)
    return path


# -- damage -----------------------------------------------------------------------------------


def damage_help(data_dir, error: store.DatabaseDamaged) -> str:
    """What to tell the user when the database is damaged: the file, the newest backup, and
    the exact command that brings it back."""
    from companion.history.wording import count

    # Translators: %(problem)s says what is wrong with the database ("the database ... is
    # damaged (...)").
    lines = [_("%(problem)s. Nothing was written to it.", problem=error)]
    backup = newest(data_dir)
    if backup is None:
        lines.append(
            _(
                "There is no backup in %(folder)s. Move %(path)s aside to start a new history "
                "(the extension keeps what it has not delivered).",
                folder=Path(data_dir) / BACKUP_DIR,
                path=error.path,
            )
        )
    else:
        made = {"path": backup.path, "made": f"{backup.local_time:%Y-%m-%d %H:%M}"}
        if backup.readings is None:
            newest_is = _(
                "The newest backup is %(path)s (%(made)s, ? readings). Restore it with:", **made
            )
        else:
            newest_is = ngettext(
                "The newest backup is %(path)s (%(made)s, %(count)s reading). Restore it with:",
                "The newest backup is %(path)s (%(made)s, %(count)s readings). Restore it with:",
                backup.readings,
                count=count(backup.readings),
                **made,
            )
        lines.append(newest_is)
        lines.append(f"  ssi-companion restore {backup.path}")
    return "\n".join(lines)
