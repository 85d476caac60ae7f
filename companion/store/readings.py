"""Readings in SQLite: the history, oldest first, and the daily series (the last reading of
each day, kept by triggers in its own table)."""

from datetime import datetime

from sqlite_utils import Database

from companion.reading import PILLARS_AND_TOTAL, READING_FIELDS, Reading
from companion.store.values import utc_text

READING_OUTPUT = ("capture_id", "captured_at", "date", *READING_FIELDS)
READING_COLUMNS = ", ".join(READING_OUTPUT)


def reading_row(capture_id: str, moment: datetime, captured_at: str, reading: Reading) -> dict:
    return {
        "capture_id": capture_id,
        "captured_at": captured_at,
        "captured_at_utc": utc_text(moment),
        "date": moment.date().isoformat(),
        **reading.to_dict(),
    }


def _range(since: str | None, until: str | None) -> tuple[str, list]:
    clauses, params = [], []
    if since:
        clauses.append("date >= ?")
        params.append(since)
    if until:
        clauses.append("date <= ?")
        params.append(until)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _select(db, table: str, order: str, since, until, limit) -> list[dict]:
    where, params = _range(since, until)
    sql = f"SELECT {READING_COLUMNS} FROM {table}{where} ORDER BY {order}"
    if limit:
        sql += f" LIMIT {int(limit)}"
    # The cursor's rows zipped once: db.query's dicts copied again cost a third more on the
    # ten-year daily series, which every page view reads four times (the page, three charts).
    cursor = db.execute(sql, params)
    keys = [column[0] for column in cursor.description]
    return [dict(zip(keys, row, strict=True)) for row in cursor.fetchall()]


def list_readings(db, since=None, until=None, limit=None) -> list[dict]:
    """Every reading, oldest first, optionally between two local dates (inclusive)."""
    return _select(db, "readings", "captured_at_utc, capture_id", since, until, limit)


def daily_readings(db, since=None, until=None, limit=None) -> list[dict]:
    """The last reading of each local date, oldest date first (the `daily` table's rows)."""
    return _select(db, "daily", "date", since, until, limit)


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
