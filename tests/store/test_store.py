"""The SQLite store: schema, file modes, transactions, retries, the daily series, pruning."""

import dataclasses
import json
import sqlite3
import stat
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from companion import config, store
from companion.ingest.receive import receive
from companion.parse import ParseError, parse_page
from companion.store import access_token as token
from tests.conftest import DATA, REAL_FIXTURES

REAL_PAYLOAD = REAL_FIXTURES / "linkedin-beacon_salesApiSsi_live_2026-06.json"
PAGE = (DATA / "current_en.html").read_text()
READING = parse_page(PAGE)


@pytest.fixture
def db(home):
    database = store.connect(config.data_dir(home))
    yield database
    database.close()


def _id() -> str:
    return str(uuid.uuid4())


def _save(db, captured_at="2026-05-01T10:00:00+02:00", reading=READING, capture_id=None, **kw):
    fields = {
        "capture_id": capture_id or _id(),
        "captured_at": captured_at,
        "url": "https://www.linkedin.com/sales/ssi",
        "kind": "html",
        "payload": PAGE,
        "reading": reading,
        "error": None,
    }
    fields.update(kw)
    return store.save_capture(db, **fields)


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- schema -----------------------------------------------------------------------------------


def test_migrations_are_applied_and_recorded(db):
    assert {"captures", "readings"} <= set(db.table_names())
    applied = [row["name"] for row in db.query("SELECT name FROM _sqlite_migrations")]
    assert "0001_wal" in applied and "0002_captures_and_readings" in applied
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] > 0
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_connecting_again_applies_nothing_twice(home, db):
    before = list(db.query("SELECT * FROM _sqlite_migrations ORDER BY name"))
    again = store.connect(config.data_dir(home))
    try:
        after = list(again.query("SELECT * FROM _sqlite_migrations ORDER BY name"))
    finally:
        again.close()
    assert after == before


def test_files_are_owner_only(home, db):
    token.get(home)
    _save(db)  # a write, so that the -wal and -shm files exist
    assert _mode(home) == 0o700
    assert _mode(home / "ssi.db") == 0o600
    assert _mode(home / "token") == 0o600
    for suffix in ("-wal", "-shm"):
        side = home / f"ssi.db{suffix}"
        if side.exists():
            assert _mode(side) == 0o600, side


# -- writes -----------------------------------------------------------------------------------


def test_save_and_read_back(db):
    capture_id = _id()
    capture, created = _save(db, capture_id=capture_id, captured_at="2026-05-01T10:00:00+02:00")
    assert created is True
    assert capture["id"] == capture_id and capture["status"] == "ok"
    assert capture["error_code"] is None and capture["payload_kept"] is True
    assert capture["payload_size"] == len(PAGE)
    full = store.get_capture(db, capture_id, with_payload=True)
    assert store.payload_text(full) == PAGE
    assert full["captured_at_utc"] == "2026-05-01T08:00:00.000000Z"
    reading = store.get_reading(db, capture_id)
    assert reading["date"] == "2026-05-01"
    assert {k: reading[k] for k in READING.to_dict()} == READING.to_dict()
    assert store.list_readings(db) == [reading]
    assert store.latest_reading(db) == reading
    assert store.counts(db) == {"captures": 1, "failed": 0, "readings": 1}


def test_failed_capture_is_kept_without_reading(db):
    capture_id = _id()
    error = ParseError("unrecognized", "a layout this version cannot read")
    capture, created = _save(db, capture_id=capture_id, reading=None, error=error)
    assert created and capture["status"] == "failed"
    assert capture["error_code"] == "unrecognized"
    assert capture["error_message"] == "a layout this version cannot read"
    assert store.get_reading(db, capture_id) is None
    assert store.counts(db) == {"captures": 1, "failed": 1, "readings": 0}


def test_a_write_that_fails_half_way_leaves_nothing(db):
    capture_id = _id()
    broken = dataclasses.replace(READING, total=None)  # readings.total is NOT NULL
    with pytest.raises(sqlite3.IntegrityError):
        _save(db, capture_id=capture_id, reading=broken)
    assert store.get_capture(db, capture_id) is None
    assert store.get_reading(db, capture_id) is None
    assert store.counts(db) == {"captures": 0, "failed": 0, "readings": 0}
    # The connection is usable afterwards, and the id is still free.
    _, created = _save(db, capture_id=capture_id)
    assert created and store.get_reading(db, capture_id) is not None


def test_same_id_same_content_is_a_retry(db):
    capture_id = _id()
    first, created = _save(db, capture_id=capture_id)
    again, created_again = _save(db, capture_id=capture_id)
    assert created is True and created_again is False
    assert again == first
    assert store.counts(db) == {"captures": 1, "failed": 0, "readings": 1}


@pytest.mark.parametrize(
    "change",
    [
        {"payload": PAGE + " "},
        {"captured_at": "2026-05-01T10:00:01+02:00"},
        {"url": "https://www.linkedin.com/sales/ssi?x=1"},
        {"kind": "api"},
    ],
)
def test_same_id_other_content_is_a_conflict(db, change):
    capture_id = _id()
    _save(db, capture_id=capture_id)
    with pytest.raises(store.CaptureConflict):
        _save(db, capture_id=capture_id, **change)
    assert store.counts(db) == {"captures": 1, "failed": 0, "readings": 1}
    assert store.get_capture(db, capture_id, with_payload=True)["payload"] is not None


def test_captured_at_without_offset_is_refused(db):
    with pytest.raises(ValueError, match="offset"):
        _save(db, captured_at="2026-05-01T10:00:00")
    assert store.counts(db)["captures"] == 0


# -- reads ------------------------------------------------------------------------------------


def test_daily_series_is_the_last_reading_of_each_local_date(db):
    low = dataclasses.replace(READING, total=10.0, brand=4.0, people=2.0, insights=2.0,
                              relationships=2.0)  # fmt: skip
    ids = {}
    for name, at, reading in [
        ("may1_morning", "2026-05-01T10:00:00-05:00", low),
        # 04:30 UTC on 2 May, but the user's evening of 1 May: it belongs to 1 May.
        ("may1_late", "2026-05-01T23:30:00-05:00", READING),
        # 22:10 UTC on 1 May (earlier than may1_late), but 2 May where it was taken.
        ("may2_early", "2026-05-02T00:10:00+02:00", low),
        ("may3", "2026-05-03T12:00:00Z", READING),
        ("may3_earlier", "2026-05-03T09:00:00Z", low),  # stored later, taken earlier
    ]:
        ids[name] = _id()
        _save(db, capture_id=ids[name], captured_at=at, reading=reading)
    daily = store.daily_readings(db)
    assert [(r["date"], r["capture_id"]) for r in daily] == [
        ("2026-05-01", ids["may1_late"]),
        ("2026-05-02", ids["may2_early"]),
        ("2026-05-03", ids["may3"]),
    ]
    assert [r["date"] for r in store.daily_readings(db, since="2026-05-02")] == [
        "2026-05-02",
        "2026-05-03",
    ]
    assert [r["date"] for r in store.daily_readings(db, until="2026-05-01")] == ["2026-05-01"]
    # Every reading, in time order (UTC), ties broken by id.
    assert [r["capture_id"] for r in store.list_readings(db)] == [
        ids["may1_morning"],
        ids["may2_early"],
        ids["may1_late"],
        ids["may3_earlier"],
        ids["may3"],
    ]
    latest = store.latest_reading(db)
    assert latest["capture_id"] == ids["may3"]
    assert store.previous_reading(db, latest)["capture_id"] == ids["may3_earlier"]
    assert store.previous_reading(db, store.list_readings(db)[0]) is None


def test_prune_drops_old_ok_payloads_and_keeps_failed_ones(db):
    old = datetime.now(UTC) - timedelta(days=40)
    ok_old, ok_new, failed_old = _id(), _id(), _id()
    _save(db, capture_id=ok_old, received_at=old)
    _save(db, capture_id=ok_new, captured_at="2026-05-02T10:00:00Z")
    _save(db, capture_id=failed_old, captured_at="2026-05-03T10:00:00Z", received_at=old,
          reading=None, error=ParseError("unrecognized", "x"))  # fmt: skip
    with store.write(db):
        assert store.prune_payloads(db, 30, store.now_utc()) == 1
    assert store.get_capture(db, ok_old)["payload_kept"] is False
    assert store.get_capture(db, ok_new)["payload_kept"] is True
    failed = store.get_capture(db, failed_old, with_payload=True)
    assert store.payload_text(failed) == PAGE
    # The reading of a pruned capture stays.
    assert store.get_reading(db, ok_old) is not None
    with store.write(db):
        assert store.prune_payloads(db, 30, store.now_utc()) == 0


def test_receive_the_real_salesapissi_payload(db):
    payload = json.loads(REAL_PAYLOAD.read_text())
    capture_id = _id()
    received = receive(db, capture_id=capture_id, captured_at="2026-06-01T09:00:00+01:00",
                       url="https://www.linkedin.com/sales/ssi", kind="api",
                       payload=payload)  # fmt: skip
    assert received.created and received.error is None
    assert received.capture["kind"] == "api" and received.capture["status"] == "ok"
    reading = received.reading
    assert reading["total"] == pytest.approx(19.705751)
    assert reading["brand"] == pytest.approx(13.118002)
    assert reading["industry_rank"] == 75 and reading["network_rank"] == 81
    assert reading["industry_avg"] == pytest.approx(30.99)
    assert reading["network_avg"] == pytest.approx(32.72)
    assert reading["source"] == "api" and reading["date"] == "2026-06-01"
    # The same payload again, keys in another order, is a retry, not a conflict.
    reordered = json.loads(json.dumps(payload, sort_keys=True))
    reordered = dict(reversed(list(reordered.items())))
    again = receive(db, capture_id=capture_id, captured_at="2026-06-01T09:00:00+01:00",
                    url="https://www.linkedin.com/sales/ssi", kind="api",
                    payload=reordered)  # fmt: skip
    assert again.created is False and again.reading == reading


def test_receive_a_page_that_cannot_be_read_keeps_it_failed(db):
    capture_id = _id()
    received = receive(db, capture_id=capture_id, captured_at="2026-06-01T09:00:00Z",
                       url="https://www.linkedin.com/sales/ssi", kind="html",
                       payload=(DATA / "unknown_layout.html").read_text())  # fmt: skip
    assert received.created and received.reading is None
    assert received.error["code"] == "unrecognized"
    assert store.get_capture(db, capture_id)["payload_kept"] is True
