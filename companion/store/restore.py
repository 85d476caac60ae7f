"""Restoring a backup: the file is checked, the current database kept aside (never deleted),
and the backup swapped in atomically, only while no companion and no command use the data."""

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from companion import store
from companion.i18n import _
from companion.store import locks
from companion.store.backups import BackupError, fsync_dir, stamp_of
from companion.store.migrations import NewerSchema, bring_up_to_date, migrations, refuse_newer


@dataclass
class Restored:
    path: Path
    readings: int
    first_date: str | None
    last_date: str | None
    set_aside: Path | None


def _check_candidate(source: Path) -> None:
    """FILE must be a sound SQLite database holding our schema, not a newer one."""
    try:
        conn = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(
            _("%(path)s cannot be opened (%(reason)s)", path=source, reason=exc)
        ) from None
    db = store.Database(conn)
    try:
        try:
            problem = store.check_integrity(db, full=True)
        except sqlite3.DatabaseError as exc:
            # A database whose pages are malformed is a damaged backup, not someone else's
            # file: SQLite raises that before integrity_check can list what it found.
            if getattr(exc, "sqlite_errorcode", 0) & 0xFF != sqlite3.SQLITE_CORRUPT:
                raise
            problem = str(exc)
        if problem is not None:
            raise BackupError(_("%(path)s is damaged (%(problem)s)", path=source, problem=problem))
        if not {"captures", "readings"} <= set(db.table_names()) or not migrations.applied(db):
            raise BackupError(_("%(path)s is not an SSI Companion database", path=source))
        refuse_newer(db)
    except NewerSchema as exc:
        raise BackupError(f"{source}: {exc}") from None
    except sqlite3.DatabaseError as exc:
        raise BackupError(
            _("%(path)s is not an SSI Companion database (%(reason)s)", path=source, reason=exc)
        ) from None
    finally:
        conn.close()


def _set_aside(live: Path, stamp: str) -> Path | None:
    """Keep the current database beside the new one, renamed with a timestamp: never deleted.

    It is checkpointed first, so its WAL is folded in and cannot be replayed onto the
    restored file; a database too damaged for that is moved with its -wal and -shm.
    """
    if not live.exists():
        return None
    with contextlib.suppress(sqlite3.Error):
        conn = sqlite3.connect(live)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    aside = live.with_name(f"{live.name}.before-restore-{stamp}")
    os.link(live, aside)  # the live name keeps pointing at it until the swap
    for suffix in ("-wal", "-shm"):
        companion = live.with_name(live.name + suffix)
        if companion.exists():
            os.replace(companion, aside.with_name(aside.name + suffix))
    return aside


@contextlib.contextmanager
def _alone(data_dir):
    """The data directory to ourselves for the swap, or a refusal that says what to do."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(locks.serving(data_dir, None, command="restore"))
        except locks.AlreadyServing as exc:
            if exc.holder.get("command") == "restore":
                # Translators: %(busy)s is "a restore is under way in ... (pid ...)".
                raise BackupError(_("%(busy)s: wait for it to finish", busy=exc)) from None
            pid = exc.holder.get("pid", "?")
            raise BackupError(
                # Translators: %(busy)s is "a companion already serves ... (pid ..., port ...)".
                _(
                    "%(busy)s: stop it first (Ctrl-C where it runs, or kill %(pid)s), then "
                    "restore again",
                    busy=exc,
                    pid=pid,
                )
            ) from None
        stack.enter_context(locks.using(data_dir, exclusive=True))
        yield


def restore(data_dir, source: Path) -> Restored:
    """Swap `source` in as the database. Refused while a companion serves `data_dir`."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(_("%(file)s: no such file", file=source))
    _check_candidate(source)
    data_dir = Path(data_dir)
    live = store.db_path(data_dir)
    stamp = stamp_of(store.now_utc())
    incoming = data_dir / f".ssi.db.restoring-{stamp}"
    with _alone(data_dir):
        try:
            # Copied by SQLite into the data directory, brought up to this version's schema
            # there, and only then renamed over the live name: one atomic step.
            src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
            previous = os.umask(0o077)
            try:
                dst = sqlite3.connect(incoming)
                src.backup(dst)
                dst.close()
            finally:
                os.umask(previous)
                src.close()
            db = store.open_file(incoming)
            try:
                db.enable_wal()  # backups are single files; the live database runs in WAL
                bring_up_to_date(db)  # an older backup gets this version's migrations
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                db.close()
            store.chmod_private(incoming)
            aside = _set_aside(live, stamp)
            os.replace(incoming, live)
            fsync_dir(data_dir)
        except BaseException as exc:
            for suffix in ("", "-wal", "-shm"):
                incoming.with_name(incoming.name + suffix).unlink(missing_ok=True)
            if store.is_disk_full(exc, data_dir):
                raise store.DiskFull(data_dir) from None
            raise
    with store.connection(data_dir) as db:
        row = next(
            db.query("SELECT COUNT(*) AS n, MIN(date) AS first, MAX(date) AS last FROM readings")
        )
    return Restored(live, row["n"], row["first"], row["last"], aside)
