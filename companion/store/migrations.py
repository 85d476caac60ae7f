"""The database schema, only ever changed by adding a numbered migration at the end.

Migrations are frozen: each one spells out its own columns and imports no live code, so a
field added to the Reading later is a new migration and never changes how an old one runs.
"""

import re
import sqlite3
import time

from sqlite_utils import Database, Migrations

migrations = Migrations("ssi-companion")


class NewerSchema(Exception):
    def __init__(self, schema: int):
        super().__init__(
            f"this data was written by a newer SSI Companion (schema {schema}): upgrade"
        )
        self.schema = schema


def known_names() -> set[str]:
    """The names of the migrations this version knows."""
    return {m.name for m in migrations._migrations}


def level_of(name: str) -> int:
    match = re.match(r"(\d+)_", name)
    return int(match.group(1)) if match else 0


def schema_version(db: Database) -> int:
    """The number of the newest migration applied (0 for a new database)."""
    return max((level_of(m.name) for m in migrations.applied(db)), default=0)


def applied_names(db: Database) -> set[str]:
    """The names of the migrations applied to `db` (none for a new database)."""
    # One plain query: every connection comes here, so sqlite-utils' introspection is skipped.
    try:
        rows = db.execute(
            f"SELECT name FROM {Migrations.migrations_table} WHERE migration_set = ?",
            [migrations.name],
        ).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return set()
        raise
    return {name for (name,) in rows}


def refuse_newer(db: Database, applied: set[str] | None = None) -> None:
    """Raise NewerSchema when the database holds a migration this version does not know."""
    known = known_names()
    unknown = (applied_names(db) if applied is None else applied) - known
    if unknown:
        raise NewerSchema(max(map(level_of, unknown)))


def bring_up_to_date(db: Database) -> None:
    """Apply what is pending, safely against other processes doing the same.

    Reads first and writes nothing when the schema is current (every connection comes here).
    Otherwise the write lock is taken up front (BEGIN IMMEDIATE), the state read again, and
    every pending migration applied in that one transaction: two processes starting at once
    on a new data directory never both create a table.
    """
    applied = applied_names(db)
    refuse_newer(db, applied)
    if applied >= known_names():
        return
    # WAL cannot be switched on inside a transaction. Once on it stays, so this writes only
    # for a file that arrived without it (a new one, or a restored backup).
    _switch_to_wal(db)
    db.execute("BEGIN IMMEDIATE")
    try:
        refuse_newer(db)
        migrations.apply(db)  # nested in our transaction: sqlite-utils uses savepoints
    except BaseException:
        db.rollback()
        raise
    db.execute("COMMIT")


def _switch_to_wal(db: Database, patience_s: float = 30.0) -> None:
    # Switching a new file to WAL needs it to itself for a moment, and SQLite answers "locked"
    # at once rather than through the busy handler when two processes start together.
    deadline = time.monotonic() + patience_s
    while True:
        try:
            db.enable_wal()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@migrations(name="0001_wal", transactional=False)
def wal(db: Database) -> None:
    # Readers never block the writer, and a killed process loses no committed capture.
    # bring_up_to_date switches WAL on before its transaction, so inside it this is a no-op
    # that records the fact.
    db.enable_wal()


@migrations(name="0002_captures_and_readings")
def captures_and_readings(db: Database) -> None:
    db["captures"].create(
        {
            "id": str,  # the uuid the client made
            "received_at": str,  # UTC, ISO 8601
            "captured_at": str,  # as the client sent it, with its UTC offset
            "captured_at_utc": str,  # the same moment in UTC, for ordering
            "url": str,
            "kind": str,  # html | api | import
            "status": str,  # ok | failed
            "error_code": str,
            "error_message": str,
            "content_sha256": str,  # what makes a retry of the same id a retry
            "payload": bytes,  # zlib-compressed; NULL once pruned
            "payload_size": int,  # uncompressed bytes
        },
        pk="id",
        not_null={"received_at", "captured_at", "captured_at_utc", "kind", "status"},
    )
    db["captures"].create_index(["status", "captured_at_utc"])
    db["captures"].create_index(["received_at"])
    reading_columns = {
        "total": float,
        "total_displayed": int,
        "brand": float,
        "people": float,
        "insights": float,
        "relationships": float,
        "industry_rank": int,
        "network_rank": int,
        "industry_avg": float,
        "network_avg": float,
        "industry": str,
        "source": str,
    }
    db["readings"].create(
        {
            "capture_id": str,
            "captured_at": str,
            "captured_at_utc": str,
            "date": str,  # the user's calendar day: captured_at's date in its own offset
            **reading_columns,
        },
        pk="capture_id",
        foreign_keys=[("capture_id", "captures", "id")],
        not_null={"captured_at", "captured_at_utc", "date", "total", "source"},
    )
    db["readings"].create_index(["captured_at_utc"])
    db["readings"].create_index(["date", "captured_at_utc"])


@migrations(name="0003_settings_and_notifications")
def settings_and_notifications(db: Database) -> None:
    # Only values the user changed; defaults live in settings.py.
    db["settings"].create({"key": str, "value": str}, pk="key")
    # One row per reminder ever delivered: its key is the dedup claim, so a reminder that
    # is recorded here is never sent again, whatever restarts or overlaps.
    db["notifications"].create(
        {
            "key": str,
            "kind": str,
            "title": str,
            "body": str,
            "link": str,
            "status": str,  # sent (to the desktop) | inbox (no desktop to show it)
            "created_at": str,  # UTC
        },
        pk="key",
        not_null={"kind", "title", "body", "status", "created_at"},
    )
    db["notifications"].create_index(["created_at"])


@migrations(name="0004_daily_series")
def daily_series(db: Database) -> None:
    # The daily series (the last reading of each date) as a table of its own, kept up to
    # date by triggers in the same transaction as each reading: the summary page reads
    # ~365 rows a year whatever the number of captures (100,000 captures would otherwise
    # cost tens of milliseconds to rank or join).
    columns = [
        "date",
        "capture_id",
        "captured_at",
        "captured_at_utc",
        # The reading's fields as they were in 0002.
        "total",
        "total_displayed",
        "brand",
        "people",
        "insights",
        "relationships",
        "industry_rank",
        "network_rank",
        "industry_avg",
        "network_avg",
        "industry",
        "source",
    ]
    db.execute(f"CREATE TABLE daily AS SELECT {', '.join(columns)} FROM readings WHERE 0")
    db.execute("CREATE UNIQUE INDEX idx_daily_date ON daily (date)")
    names = ", ".join(columns)
    keep_latest = f"""
        INSERT INTO daily ({names}) VALUES ({", ".join("NEW." + c for c in columns)})
        ON CONFLICT(date) DO UPDATE SET {", ".join(f"{c} = excluded.{c}" for c in columns)}
        WHERE (excluded.captured_at_utc, excluded.capture_id)
            >= (daily.captured_at_utc, daily.capture_id);
    """
    for event in ("INSERT", "UPDATE"):
        db.execute(
            f"CREATE TRIGGER readings_daily_{event.lower()} AFTER {event} ON readings "
            f"BEGIN {keep_latest} END"
        )
    db.execute(
        f"INSERT INTO daily ({names}) SELECT {names} FROM ("
        f"  SELECT *, ROW_NUMBER() OVER ("
        f"    PARTITION BY date ORDER BY captured_at_utc DESC, capture_id DESC) AS nth"
        f"  FROM readings) WHERE nth = 1"
    )


@migrations(name="0005_kept_payload_index")
def kept_payload_index(db: Database) -> None:
    # Retention clears the raw pages of old successful captures on every capture; this index
    # holds only the captures that still keep one, so that stays quick with 100,000 captures.
    db.execute(
        "CREATE INDEX idx_captures_kept_payload ON captures (received_at) "
        "WHERE status = 'ok' AND payload IS NOT NULL"
    )


@migrations(name="0006_sessions")
def signin_sessions(db: Database) -> None:
    # Signed-in pages (sessions.py): one-time sign-in codes and sessions, as SHA-256 digests
    # only, so a copy of the database signs nobody in.
    db["signin_codes"].create({"code_sha256": str, "expires_at": str}, pk="code_sha256")
    db["sessions"].create(
        {"id_sha256": str, "created_at": str, "last_used_at": str},
        pk="id_sha256",
        not_null={"created_at", "last_used_at"},
    )
