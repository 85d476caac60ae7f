"""Captures in SQLite: what the extension sent, kept with its reading in one transaction.

A capture is what a client sent; a reading is what was parsed from a successful one. Every
write is one transaction, so a capture and its reading are stored together or not at all."""

import sqlite3
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlite_utils import Database

from companion.reading import Reading
from companion.store.connection import CaptureConflict, write
from companion.store.readings import reading_row
from companion.store.values import (
    _compress,
    content_sha256,
    encode,
    now_utc,
    parse_moment,
    utc_text,
)

if TYPE_CHECKING:  # the store depends on the Reading only, never on the parser
    from companion.parse import ParseError


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
    error: "ParseError | None",
    received_at: datetime | None = None,
    digest: str | None = None,
    keep_days: int | None = None,
    encoded: bytes | None = None,
) -> tuple[dict, bool]:
    """Store a capture and its reading in one transaction.

    Returns (capture, created). A retry of a stored id with the same content returns the
    stored capture and created=False; with other content it raises CaptureConflict. With
    `keep_days`, the same transaction drops raw payloads past retention (prune_payloads).
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
                prune_payloads(db, keep_days, received_at)
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


def prune_payloads(db: Database, keep_days: int, now: datetime) -> int:
    """Inside a write: drop the raw pages of successful captures received more than
    `keep_days` before `now`; failed ones stay, so a parser fix can read them again."""
    cutoff = utc_text(now - timedelta(days=keep_days))
    # INDEXED BY: the planner would otherwise walk every ok capture by its status index.
    cursor = db.execute(
        "UPDATE captures INDEXED BY idx_captures_kept_payload SET payload = NULL "
        "WHERE status = 'ok' AND payload IS NOT NULL AND received_at < ?",
        [cutoff],
    )
    return cursor.rowcount


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


def mark_failed(db: Database, capture_id: str, error: "ParseError") -> None:
    with write(db):
        db["captures"].update(
            capture_id, {"error_code": error.code, "error_message": error.message}
        )


CAPTURE_COLUMNS = (
    "id, received_at, captured_at, url, kind, status, error_code, error_message, "
    "payload_size, payload IS NOT NULL AS payload_kept"
)


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
