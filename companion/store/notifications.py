"""Reminders in SQLite: each one claimed under its key in the transaction that records it."""

from sqlite_utils import Database

from companion.store.connection import write
from companion.store.readings import READING_COLUMNS, daily_readings
from companion.store.values import now_utc, utc_text


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


# A reminder the user dismissed from the inbox. Its row stays: the key is the claim that keeps
# the same reminder from being sent again.
DISMISSED = "dismissed"


def set_notification_status(db: Database, key: str, status: str) -> None:
    with write(db):
        # A dismissal made meanwhile stands: the desktop failing later does not bring it back.
        db.execute(
            "UPDATE notifications SET status = ? WHERE key = ? AND status != ?",
            [status, key, DISMISSED],
        )


def dismiss_notification(db: Database, key: str) -> bool:
    """Take a reminder out of the inbox; False when no such reminder is in it."""
    with write(db):
        cursor = db.execute(
            "UPDATE notifications SET status = ? WHERE key = ? AND status != ?",
            [DISMISSED, key, DISMISSED],
        )
    return cursor.rowcount == 1


def list_notifications(
    db: Database, limit: int = 20, include_dismissed: bool = False
) -> list[dict]:
    """The reminders newest first; the inbox leaves out those the user dismissed."""
    where = "" if include_dismissed else "WHERE status != ?"
    params = [] if include_dismissed else [DISMISSED]
    return [
        dict(r)
        for r in db.query(
            f"SELECT * FROM notifications {where} ORDER BY created_at DESC, key LIMIT ?",
            [*params, limit],
        )
    ]
