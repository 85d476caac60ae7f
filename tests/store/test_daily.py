"""The daily series is kept by triggers: the last reading of each date, whatever the order."""

import uuid

from companion import store
from companion.parse import ParseError, parse_page
from tests.conftest import DATA

PAGE = (DATA / "current_en.html").read_text()
READING = parse_page(PAGE)


def _save(db, captured_at, failed=False):
    capture_id = str(uuid.uuid4())
    store.save_capture(
        db,
        capture_id=capture_id,
        captured_at=captured_at,
        url="https://www.linkedin.com/sales/ssi",
        kind="html",
        payload=PAGE,
        reading=None if failed else READING,
        error=ParseError("unrecognized", "older parser") if failed else None,
    )
    return capture_id


def _daily_ids(db):
    return [(r["date"], r["capture_id"]) for r in store.daily_readings(db)]


def test_a_late_arriving_earlier_capture_does_not_replace_the_days_last(tmp_path):
    db = store.connect(tmp_path)
    evening = _save(db, "2026-11-20T19:00:00+01:00")
    _save(db, "2026-11-20T08:00:00+01:00")  # delivered later from the extension's outbox
    assert _daily_ids(db) == [("2026-11-20", evening)]


def test_a_recovered_capture_takes_its_place_in_the_series(tmp_path):
    db = store.connect(tmp_path)
    morning = _save(db, "2026-11-20T08:00:00+01:00")
    evening = _save(db, "2026-11-20T19:00:00+01:00", failed=True)
    assert _daily_ids(db) == [("2026-11-20", morning)]
    store.mark_recovered(db, store.get_capture(db, evening), READING)
    assert _daily_ids(db) == [("2026-11-20", evening)]


def test_the_series_matches_ranking_every_reading(tmp_path):
    db = store.connect(tmp_path)
    for day in (3, 1, 2):
        for hour in (9, 17, 12):
            _save(db, f"2026-11-0{day}T{hour:02d}:00:00-05:00")
    ranked = list(
        db.query(
            "SELECT date, capture_id FROM ("
            " SELECT date, capture_id, ROW_NUMBER() OVER ("
            "  PARTITION BY date ORDER BY captured_at_utc DESC, capture_id DESC) AS nth"
            " FROM readings) WHERE nth = 1 ORDER BY date"
        )
    )
    assert _daily_ids(db) == [(r["date"], r["capture_id"]) for r in ranked]
    assert [d for d, _ in _daily_ids(db)] == ["2026-11-01", "2026-11-02", "2026-11-03"]
