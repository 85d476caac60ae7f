"""Captures and readings in SQLite. No Flask here: the API, the CLI and the tests share it.

A capture is what a client sent; a reading is what was parsed from a successful one. Every
write is one transaction, so a capture and its reading are stored together or not at all.
"""

import contextlib
import errno
import hashlib
import os
import sqlite3
import threading
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlite_utils import Database

from .migrations import NewerSchema, bring_up_to_date
from .parse import READING_FIELDS, ParseError, Reading

DB_NAME = "ssi.db"
# How long a writer waits for another one before giving up (SQLite's busy timeout). A
# 100,000-row import holds the write lock for 5-10 s on a slow machine; captures wait it out.
BUSY_TIMEOUT_S = 60
PILLARS_AND_TOTAL = ("total", "brand", "people", "insights", "relationships")
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
        super().__init__(f"the database {path} is damaged ({reason})")
        self.path = path
        self.reason = reason


class DiskFull(StoreError):
    def __init__(self, where: str | os.PathLike):
        super().__init__(f"the disk that holds {where} is full: free some space and try again")


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


def _schema_problem(db: Database, data_dir) -> str | None:
    """What makes this file not (or no longer) our database, read without writing."""
    tables = set(db.table_names())
    if not tables:
        if any((Path(data_dir) / "backups").glob("ssi-*.db")):
            return "it is empty, though backups of your history exist"
        return None  # a new database: the migrations create it
    if "_sqlite_migrations" not in tables:
        return "it holds no SSI Companion data"
    applied = {r[0] for r in db.execute("SELECT name FROM _sqlite_migrations").fetchall()}
    missing = sorted(t for t, m in TABLE_MIGRATIONS.items() if m in applied and t not in tables)
    if missing:
        return f"its table(s) {', '.join(missing)} are missing"
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
            problem = check_integrity(db, full) or _schema_problem(db, data_dir)
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


# -- values -----------------------------------------------------------------------------------


def parse_moment(value: str) -> datetime:
    """An ISO 8601 moment with its UTC offset; ValueError says what is wrong otherwise."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{value!r} has no UTC offset (add Z or +hh:mm)")
    return moment


def utc_text(moment: datetime) -> str:
    # The year zero-padded (strftime's %Y is not, for years before 1000): these texts are
    # compared and sorted as strings, so every one must have the same shape.
    m = moment.astimezone(UTC)
    return (
        f"{m.year:04d}-{m.month:02d}-{m.day:02d}T"
        f"{m.hour:02d}:{m.minute:02d}:{m.second:02d}.{m.microsecond:06d}Z"
    )


def now_utc() -> datetime:
    return datetime.now(UTC)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def encode(payload: str) -> bytes:
    # surrogatepass: a page is kept exactly as sent, even with text no codec accepts.
    return payload.encode("utf-8", "surrogatepass")


def content_sha256(kind: str, captured_at: str, url: str | None, payload: str | bytes) -> str:
    """What makes a retry of a capture the same capture. Hashed in parts: no copy of the page."""
    digest = hashlib.sha256()
    for part in (kind, captured_at, url or ""):
        digest.update(encode(part) + b"\0")
    digest.update(payload if isinstance(payload, bytes) else encode(payload))
    return digest.hexdigest()


def _compress(payload: str | bytes) -> bytes:
    # Level 1: most of the gain for a fraction of the time, on the capture's hot path.
    return zlib.compress(payload if isinstance(payload, bytes) else encode(payload), 1)


def payload_text(capture: dict) -> str | None:
    blob = capture.get("payload")
    return zlib.decompress(blob).decode("utf-8", "surrogatepass") if blob is not None else None


# -- writes -----------------------------------------------------------------------------------


def reading_row(capture_id: str, moment: datetime, captured_at: str, reading: Reading) -> dict:
    return {
        "capture_id": capture_id,
        "captured_at": captured_at,
        "captured_at_utc": utc_text(moment),
        "date": moment.date().isoformat(),
        **reading.to_dict(),
    }


def _insert(db: Database, table: str, row: dict) -> None:
    # Plain INSERT on the capture path: Table.insert() would introspect the table each time.
    columns = ", ".join(row)
    marks = ", ".join("?" * len(row))
    db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(row.values()))


def _insert_many(db: Database, table: str, rows: list[dict]) -> None:
    # One prepared INSERT run over every row: insert_all() inspects each value in Python.
    if not rows:
        return
    columns = list(rows[0])
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    db.conn.executemany(sql, ([row[c] for c in columns] for row in rows))


def save_capture(
    db: Database,
    *,
    capture_id: str,
    captured_at: str,
    url: str | None,
    kind: str,
    payload: str,
    reading: Reading | None,
    error: ParseError | None,
    received_at: datetime | None = None,
    digest: str | None = None,
    keep_days: int | None = None,
    encoded: bytes | None = None,
) -> tuple[dict, bool]:
    """Store a capture and its reading in one transaction.

    Returns (capture, created). A retry of a stored id with the same content returns the
    stored capture and created=False; with other content it raises CaptureConflict. With
    `keep_days`, the same transaction drops raw payloads past retention (see prune_payloads).
    """
    moment = parse_moment(captured_at)
    data = encoded if encoded is not None else encode(payload)
    digest = digest or content_sha256(kind, captured_at, url, data)
    received_at = received_at or now_utc()
    row = {
        "id": capture_id,
        "received_at": utc_text(received_at),
        "captured_at": captured_at,
        "captured_at_utc": utc_text(moment),
        "url": url,
        "kind": kind,
        "status": "ok" if reading is not None else "failed",
        "error_code": error.code if error else None,
        "error_message": error.message if error else None,
        "content_sha256": digest,
        "payload": _compress(data),
        "payload_size": len(payload),
    }
    try:
        with write(db):
            _insert(db, "captures", row)
            if reading is not None:
                _insert(db, "readings", reading_row(capture_id, moment, captured_at, reading))
            if keep_days is not None:
                _prune(db, keep_days, received_at)
    except sqlite3.IntegrityError:
        existing = get_capture(db, capture_id)
        if existing is None:
            raise
        if existing["content_sha256"] != digest:
            raise CaptureConflict(capture_id) from None
        return existing, False
    # What get_capture would answer, without reading it back.
    stored = {k: v for k, v in row.items() if k not in ("payload", "captured_at_utc")}
    return {**stored, "payload_kept": True}, True


def save_imported(db: Database, pairs: list[tuple[dict, dict]]) -> None:
    """Many (capture, reading) pairs in one transaction, inserted in batches."""
    received_at = utc_text(now_utc())
    # Hashed and compressed before the write lock is taken: captures arriving meanwhile wait
    # only for the inserts.
    captures = [
        {
            **capture,
            "received_at": received_at,
            "status": "ok",
            "content_sha256": content_sha256(
                capture["kind"], capture["captured_at"], capture["url"], capture["payload"]
            ),
            "payload": _compress(capture["payload"]),
            "payload_size": len(capture["payload"]),
        }
        for capture, _ in pairs
    ]
    readings = [reading for _, reading in pairs]
    with write(db):
        _insert_many(db, "captures", captures)
        _insert_many(db, "readings", readings)


def _prune(db: Database, keep_days: int, now: datetime) -> int:
    cutoff = utc_text(now - timedelta(days=keep_days))
    # INDEXED BY: the planner would otherwise walk every ok capture by its status index.
    cursor = db.execute(
        "UPDATE captures INDEXED BY idx_captures_kept_payload SET payload = NULL "
        "WHERE status = 'ok' AND payload IS NOT NULL AND received_at < ?",
        [cutoff],
    )
    return cursor.rowcount


def prune_payloads(db: Database, keep_days: int, now: datetime | None = None) -> int:
    """Drop the raw pages of successful captures older than `keep_days`; failed ones stay."""
    with write(db):
        return _prune(db, keep_days, now or now_utc())


def mark_recovered(db: Database, capture: dict, reading: Reading) -> None:
    """A failed capture that the current parser reads: it becomes ok, with its reading."""
    moment = parse_moment(capture["captured_at"])
    with write(db):
        db["captures"].update(
            capture["id"], {"status": "ok", "error_code": None, "error_message": None}
        )
        db["readings"].upsert(
            reading_row(capture["id"], moment, capture["captured_at"], reading), pk="capture_id"
        )


def mark_failed(db: Database, capture_id: str, error: ParseError) -> None:
    with write(db):
        db["captures"].update(
            capture_id, {"error_code": error.code, "error_message": error.message}
        )


# -- reads ------------------------------------------------------------------------------------

CAPTURE_COLUMNS = (
    "id, received_at, captured_at, url, kind, status, error_code, error_message, "
    "payload_size, payload IS NOT NULL AS payload_kept"
)
READING_OUTPUT = ("capture_id", "captured_at", "date", *READING_FIELDS)
READING_COLUMNS = ", ".join(READING_OUTPUT)


def _capture_dict(row: dict) -> dict:
    row = dict(row)
    if "payload_kept" in row:
        row["payload_kept"] = bool(row["payload_kept"])
    return row


def get_capture(db: Database, capture_id: str, with_payload: bool = False) -> dict | None:
    columns = "*" if with_payload else f"{CAPTURE_COLUMNS}, content_sha256"
    rows = list(db.query(f"SELECT {columns} FROM captures WHERE id = ?", [capture_id]))
    return _capture_dict(rows[0]) if rows else None


def list_captures(db: Database, status: str | None = None, limit: int | None = None) -> list:
    where, params = ("WHERE status = ?", [status]) if status else ("", [])
    sql = f"SELECT {CAPTURE_COLUMNS} FROM captures {where} ORDER BY captured_at_utc, id"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [_capture_dict(r) for r in db.query(sql, params)]


def recent_failed(db: Database, limit: int = 20) -> list:
    """The latest failed captures, newest first (the summary page lists them)."""
    rows = db.query(
        f"SELECT {CAPTURE_COLUMNS} FROM captures WHERE status = 'failed' "
        "ORDER BY captured_at_utc DESC, id DESC LIMIT ?",
        [limit],
    )
    return [_capture_dict(r) for r in rows]


def captures_with_payload(db: Database, status: str | None = None):
    where = "WHERE payload IS NOT NULL" + (" AND status = ?" if status else "")
    return db.query(
        f"SELECT * FROM captures {where} ORDER BY captured_at_utc", [status] if status else []
    )


def last_capture(db: Database) -> dict | None:
    rows = list(
        db.query(f"SELECT {CAPTURE_COLUMNS} FROM captures ORDER BY received_at DESC LIMIT 1")
    )
    return _capture_dict(rows[0]) if rows else None


def _range(since: str | None, until: str | None) -> tuple[str, list]:
    clauses, params = [], []
    if since:
        clauses.append("date >= ?")
        params.append(since)
    if until:
        clauses.append("date <= ?")
        params.append(until)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def list_readings(db, since=None, until=None, limit=None) -> list[dict]:
    """Every reading, oldest first, optionally between two local dates (inclusive)."""
    where, params = _range(since, until)
    sql = f"SELECT {READING_COLUMNS} FROM readings{where} ORDER BY captured_at_utc, capture_id"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [dict(r) for r in db.query(sql, params)]


def daily_readings(db, since=None, until=None, limit=None) -> list[dict]:
    """The last reading of each local date, oldest date first (the `daily` table's rows)."""
    where, params = _range(since, until)
    sql = f"SELECT {READING_COLUMNS} FROM daily{where} ORDER BY date"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [dict(r) for r in db.query(sql, params)]


def get_reading(db: Database, capture_id: str) -> dict | None:
    rows = list(
        db.query(f"SELECT {READING_COLUMNS} FROM readings WHERE capture_id = ?", [capture_id])
    )
    return dict(rows[0]) if rows else None


def latest_reading(db: Database) -> dict | None:
    rows = list(
        db.query(
            f"SELECT {READING_COLUMNS} FROM readings "
            "ORDER BY captured_at_utc DESC, capture_id DESC LIMIT 1"
        )
    )
    return dict(rows[0]) if rows else None


def previous_reading(db: Database, reading: dict) -> dict | None:
    """The reading just before `reading` in time."""
    rows = list(
        db.query(
            f"SELECT {READING_COLUMNS} FROM readings r "
            "WHERE (captured_at_utc, capture_id) < ("
            "  SELECT captured_at_utc, capture_id FROM readings WHERE capture_id = ?) "
            "ORDER BY captured_at_utc DESC, capture_id DESC LIMIT 1",
            [reading["capture_id"]],
        )
    )
    return dict(rows[0]) if rows else None


def change(reading: dict, previous: dict | None) -> dict:
    """The total and each pillar minus the previous reading's (null without one)."""
    return {
        name: (round(reading[name] - previous[name], 6) if previous else None)
        for name in PILLARS_AND_TOTAL
    }


def counts(db: Database) -> dict:
    # GROUP BY status runs on the (status, captured_at_utc) index, not on the rows.
    by_status = {
        r["status"]: r["n"]
        for r in db.query("SELECT status, COUNT(*) AS n FROM captures GROUP BY status")
    }
    readings = next(db.query("SELECT COUNT(*) AS n FROM readings"))["n"]
    return {
        "captures": sum(by_status.values()),
        "failed": by_status.get("failed", 0),
        "readings": readings,
    }


# -- reminders --------------------------------------------------------------------------------


def last_capture_moment(db: Database, until_utc: str) -> str | None:
    """captured_at (with its offset) of the last capture of any status up to a UTC moment."""
    rows = list(
        db.query(
            "SELECT captured_at FROM captures WHERE captured_at_utc <= ? "
            "ORDER BY captured_at_utc DESC LIMIT 1",
            [until_utc],
        )
    )
    return rows[0]["captured_at"] if rows else None


def daily_readings_until(db: Database, until_utc: str) -> list[dict]:
    """The daily series as it stood at a UTC moment (later captures unseen)."""
    newest = next(db.query("SELECT MAX(captured_at_utc) AS m FROM readings"))["m"]
    if newest is None or newest <= until_utc:
        return daily_readings(db)  # nothing after the moment: the kept series is that
    sql = (
        f"SELECT {READING_COLUMNS} FROM ("
        f"  SELECT *, ROW_NUMBER() OVER ("
        f"    PARTITION BY date ORDER BY captured_at_utc DESC, capture_id DESC) AS nth"
        f"  FROM readings WHERE captured_at_utc <= ?"
        f") WHERE nth = 1 ORDER BY date"
    )
    return [dict(r) for r in db.query(sql, [until_utc])]


def sent_keys(db: Database) -> dict[str, str]:
    return {
        r["key"]: r["created_at"] for r in db.query("SELECT key, created_at FROM notifications")
    }


def claim_notification(db: Database, notification: dict) -> bool:
    """Record a reminder under its dedup key; False when that key was claimed already."""
    row = {**notification, "created_at": utc_text(now_utc())}
    with write(db):
        cursor = db.execute(
            "INSERT OR IGNORE INTO notifications (key, kind, title, body, link, status, created_at)"
            " VALUES (:key, :kind, :title, :body, :link, :status, :created_at)",
            row,
        )
    return cursor.rowcount == 1


def set_notification_status(db: Database, key: str, status: str) -> None:
    with write(db):
        db.execute("UPDATE notifications SET status = ? WHERE key = ?", [status, key])


def list_notifications(db: Database, limit: int = 20) -> list[dict]:
    return [
        dict(r)
        for r in db.query(
            "SELECT * FROM notifications ORDER BY created_at DESC, key LIMIT ?", [limit]
        )
    ]
