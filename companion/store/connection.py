"""Opening the database, and what can go wrong with it: connections per request, job or
command; the checks at start-up; one transaction per write.

The database file is only ever opened by SQLite (see `open_file`)."""

import contextlib
import errno
import os
import sqlite3
import threading
from pathlib import Path

from sqlite_utils import Database

from companion.i18n import _, ngettext
from companion.store.migrations import NewerSchema, bring_up_to_date

DB_NAME = "ssi.db"
# How long a writer waits for another one before giving up (SQLite's busy timeout). A
# 100,000-row import holds the write lock for 5-10 s on a slow machine; captures wait it out.
BUSY_TIMEOUT_S = 60
SQLITE_FULL = 13
SQLITE_IOERR = 10
# An I/O error with less free space than this is a full disk (a -shm alone takes 32 KB).
NO_SPACE_BYTES = 1 << 20

# Two threads of one process must not race to create the schema; other processes are kept
# out by the write lock that the migrations take (see migrations.bring_up_to_date).
_migrate_lock = threading.Lock()


class CaptureConflict(Exception):
    """The capture id is already stored with different content."""


class StoreError(Exception):
    """The database cannot be used as it is; the message says what is wrong (no traceback)."""


# What a command or a start-up reports as `Error: ...` rather than as a traceback.
USER_ERRORS = (StoreError, NewerSchema)


class DatabaseDamaged(StoreError):
    def __init__(self, path: Path, reason: str):
        super().__init__(
            _("the database %(path)s is damaged (%(reason)s)", path=path, reason=reason)
        )
        self.path = path
        self.reason = reason


class DiskFull(StoreError):
    def __init__(self, where: str | os.PathLike):
        super().__init__(
            _("the disk that holds %(where)s is full: free some space and try again", where=where)
        )


def db_path(data_dir: str | os.PathLike) -> Path:
    return Path(data_dir) / DB_NAME


def is_disk_full(exc: BaseException, where: str | os.PathLike | None = None) -> bool:
    """Whether `exc` comes from a full disk.

    SQLite says SQLITE_FULL only when a write to the database or its WAL fails. The -shm that
    the first connection makes (the last one to close deletes it) is grown by writes too, and
    when they fail SQLite says SQLITE_IOERR_SHMSIZE, "disk I/O error". So, given the folder
    (`where`), an I/O error on a disk with next to no space left is a full disk as well.
    """
    if isinstance(exc, sqlite3.Error):
        code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
        return code == SQLITE_FULL or (code == SQLITE_IOERR and _no_space_left(where))
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


def _no_space_left(where) -> bool:
    if where is None:
        return False
    try:
        found = os.statvfs(where)
    except OSError:
        return False
    return found.f_bavail * found.f_frsize < NO_SPACE_BYTES


def is_damage(exc: BaseException) -> bool:
    """An error that means the file is not (or no longer) a sound SQLite database."""
    # The low byte is the primary code: SQLITE_CORRUPT_INDEX and the like are CORRUPT too.
    code = getattr(exc, "sqlite_errorcode", None)
    return (
        isinstance(exc, sqlite3.DatabaseError)
        and code is not None
        and code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
    )


def open_file(path: Path) -> Database:
    """A connection to the SQLite file at `path`, created private (0600) if it is new.

    The file is never opened outside SQLite: closing any other descriptor on it would drop
    the POSIX locks SQLite's connections hold in this process, and another process would then
    checkpoint and delete the WAL under them. So privacy comes from the umask at creation.
    """
    new = not path.exists()
    previous = os.umask(0o077)
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, check_same_thread=True)
    finally:
        os.umask(previous)
    db = Database(conn)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
    # In WAL mode NORMAL survives any crash of the process; only a power cut may lose the
    # last commits, never the database's integrity.
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    if new:
        chmod_private(path)
    return db


def chmod_private(path: Path) -> None:
    """Make the database and its -wal/-shm owner-only, by path (see open_file for why)."""
    for name in (path.name, path.name + "-wal", path.name + "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.chmod(path.with_name(name), 0o600)


def connect(data_dir: str | os.PathLike) -> Database:
    """A new connection with the schema up to date; the caller closes it.

    Connections are never shared between threads: the web layer opens one per request
    (companion/db.py), scheduled jobs one per run (`connection`), CLI commands one per command.
    """
    db = open_file(db_path(data_dir))
    try:
        with _migrate_lock:
            bring_up_to_date(db)
    except BaseException:
        db.close()
        raise
    return db


@contextlib.contextmanager
def connection(data_dir: str | os.PathLike):
    """`connect`, closed when the block ends: for a job or a command."""
    db = connect(data_dir)
    try:
        yield db
    finally:
        db.close()


def check_integrity(db: Database, full: bool = False) -> str | None:
    """None when SQLite finds the file sound, else what it found (first problem)."""
    pragma = "integrity_check" if full else "quick_check"
    rows = db.execute(f"PRAGMA {pragma}(1)").fetchall()
    return None if rows == [("ok",)] else f"integrity check: {rows[0][0]}"


# Each table of ours and the migration that creates it: once that migration is recorded, a
# missing table is damage (or tampering), not a database still to be created.
TABLE_MIGRATIONS = {
    "captures": "0002_captures_and_readings",
    "readings": "0002_captures_and_readings",
    "settings": "0003_settings_and_notifications",
    "notifications": "0003_settings_and_notifications",
    "daily": "0004_daily_series",
    "signin_codes": "0006_sessions",
    "sessions": "0006_sessions",
}


def schema_problem(db: Database, data_dir) -> str | None:
    """What makes this file not (or no longer) our database, read without writing."""
    tables = set(db.table_names())
    if not tables:
        if any((Path(data_dir) / "backups").glob("ssi-*.db")):
            return _("it is empty, though backups of your history exist")
        return None  # a new database: the migrations create it
    if "_sqlite_migrations" not in tables:
        return _("it holds no SSI Companion data")
    applied = {r[0] for r in db.execute("SELECT name FROM _sqlite_migrations").fetchall()}
    missing = sorted(t for t, m in TABLE_MIGRATIONS.items() if m in applied and t not in tables)
    if missing:
        return ngettext(
            "its table %(tables)s is missing",
            "its tables %(tables)s are missing",
            len(missing),
            tables=", ".join(missing),
        )
    return None


def open_checked(data_dir: str | os.PathLike, full: bool = False) -> Database:
    """`connect` for a command or a start-up: a damaged file is refused and left untouched.

    The checks only read, and run before anything could write (the WAL switch, migrations),
    so nothing is ever written to a damaged file.
    """
    path = db_path(data_dir)
    if path.exists():
        try:
            db = open_file(path)  # its PRAGMAs already read the header
        except sqlite3.DatabaseError as exc:
            raise _refusal(path, exc) from None
        try:
            problem = check_integrity(db, full) or schema_problem(db, data_dir)
        except sqlite3.DatabaseError as exc:
            raise _refusal(path, exc) from None
        finally:
            db.close()
        if problem is not None:
            raise DatabaseDamaged(path, problem)
    try:
        db = connect(data_dir)
        db.enable_wal()  # a file that came without it (copied in by hand) gets WAL back
        return db
    except sqlite3.DatabaseError as exc:
        raise _refusal(path, exc) from None


def _refusal(path: Path, exc: sqlite3.DatabaseError) -> Exception:
    """What an error met opening the database means to the user: a full disk, damage (only
    SQLite's verdict on the content), or else the error itself. An I/O error is no damage:
    saying so would send the user to restore an older backup over a sound history."""
    if is_disk_full(exc, path.parent):
        return DiskFull(path)
    if is_damage(exc):
        return DatabaseDamaged(path, str(exc))
    return exc


@contextlib.contextmanager
def write(db: Database):
    """One transaction that takes the write lock up front, so it never fails half-way to BUSY."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    db.execute("COMMIT")
