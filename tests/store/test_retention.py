"""Raw pages of read captures are kept for the retention the user chose; failed ones always."""

import uuid
from datetime import timedelta

from companion import store
from companion.parse import ParseError, parse_page
from companion.store import access_token as token
from companion.store import preferences as settings
from tests.conftest import DATA

PAGE = (DATA / "current_en.html").read_text()


def _old_capture(db, days_ago: int, failed: bool = False) -> str:
    capture_id = str(uuid.uuid4())
    store.save_capture(
        db,
        capture_id=capture_id,
        captured_at="2026-01-01T10:00:00+01:00",
        url="https://www.linkedin.com/sales/ssi",
        kind="html",
        payload=PAGE,
        reading=None if failed else parse_page(PAGE),
        error=ParseError("unrecognized", "old parser") if failed else None,
        received_at=store.now_utc() - timedelta(days=days_ago),
    )
    return capture_id


def _post(client, app):
    return client.post(
        "/api/v1/captures",
        json={
            "id": str(uuid.uuid4()),
            "captured_at": "2026-11-26T10:00:00+01:00",
            "url": "https://www.linkedin.com/sales/ssi",
            "html": PAGE,
        },
        headers={"Authorization": f"Bearer {token.get(app.config['DATA_DIR'])}"},
    )


def test_the_retention_setting_decides_when_raw_pages_go(app, client):
    db = store.connect(app.config["DATA_DIR"])
    three_days, ten_days = _old_capture(db, 3), _old_capture(db, 10)
    failed = _old_capture(db, 400, failed=True)
    settings.set_value(db, "retention_days", "5")
    assert _post(client, app).status_code == 201
    kept = {c["id"]: c["payload_kept"] for c in store.list_captures(db)}
    assert kept[three_days] is True
    assert kept[ten_days] is False, "older than the 5 days the user chose"
    assert kept[failed] is True, "a failed capture's page is kept for a parser fix"


def test_without_a_setting_the_default_is_30_days(app, client):
    db = store.connect(app.config["DATA_DIR"])
    recent, old = _old_capture(db, 29), _old_capture(db, 31)
    assert _post(client, app).status_code == 201
    kept = {c["id"]: c["payload_kept"] for c in store.list_captures(db)}
    assert (kept[recent], kept[old]) == (True, False)
