"""Render time of the summary page with long histories, beside its SQL queries alone."""

import tempfile
import uuid
from datetime import UTC, date, datetime, timedelta

from companion import store
from companion.store import preferences as settings
from companion.store import sessions
from companion.web import create_app

from .timing import measure, ms, p50

GOAL_MS = 100
GOAL_RATIO = 2.0


def _fill(db, days: int, per_day: int, end: date) -> None:
    """`per_day` readings on each of `days` days, plus a failed capture every 50th."""
    captures, readings = [], []
    start = datetime.combine(end - timedelta(days=days - 1), datetime.min.time(), UTC)
    for n in range(days * per_day):
        moment = start + timedelta(minutes=n * 1440 // per_day + 7)
        capture_id = str(uuid.UUID(int=n + 1))
        failed = per_day > 1 and n % 50 == 0
        captures.append(
            {
                "id": capture_id,
                "received_at": store.utc_text(moment),
                "captured_at": moment.isoformat(),
                "captured_at_utc": store.utc_text(moment),
                "url": "https://www.linkedin.com/sales/ssi",
                "kind": "import",
                "status": "failed" if failed else "ok",
                "error_code": "not_rendered" if failed else None,
                "error_message": "benchmark" if failed else None,
                "content_sha256": "0" * 64,
                "payload": None,
                "payload_size": 0,
            }
        )
        if failed:
            continue
        step = n / (days * per_day)
        readings.append(
            {
                "capture_id": capture_id,
                "captured_at": moment.isoformat(),
                "captured_at_utc": store.utc_text(moment),
                "date": moment.date().isoformat(),
                "total": round(40 + 20 * step, 3),
                "total_displayed": round(40 + 20 * step),
                "brand": round(10 + 5 * step, 3),
                "people": round(8 + 5 * step, 3),
                "insights": round(9 + 5 * step, 3),
                "relationships": round(13 + 5 * step, 3),
                "industry_rank": 20 - int(10 * step),
                "network_rank": 25 - int(10 * step),
                "industry_avg": 33.0,
                "network_avg": 36.0,
                "industry": "Management Consulting",
                "source": "import",
            }
        )
    with store.write(db):
        store._insert_many(db, "captures", captures)
        store._insert_many(db, "readings", readings)


def _queries(db):
    # What the summary view asks the database, and nothing else.
    store.daily_readings(db)
    store.recent_failed(db, 20)
    store.counts(db)
    store.list_notifications(db, limit=10)
    settings.load(db)


def _signed_in(app, db):
    """A client signed in as the user is: through a one-time link, as `ssi-companion open` makes."""
    client = app.test_client()
    answer = client.get(f"/signin?code={sessions.mint_code(db)}")
    if answer.status_code != 303:
        raise RuntimeError(f"signing in answered {answer.status_code}")
    return client


def _one(label: str, days: int, per_day: int, repeat: int) -> float:
    with tempfile.TemporaryDirectory() as home:
        app = create_app({"HOME": home})
        db = store.connect(home)
        _fill(db, days, per_day, date.today())
        client = _signed_in(app, db)
        # Not an assert (python -O): a sign-in page instead of the summary would time nothing.
        if (status := client.get("/").status_code) != 200:
            raise RuntimeError(f"GET / answered {status}, not the summary page")
        page = p50(measure(lambda: client.get("/"), repeat))
        sql = p50(measure(lambda: _queries(db), repeat))
        counts = store.counts(db)
        db.close()
    print(f"GET /, {label} ({counts['captures']} captures, {days} days)")
    print(f"  SQL queries alone   p50 {ms(sql)}")
    print(
        f"  page render         p50 {ms(page)} (goal < {GOAL_MS} ms) "
        f"{'ok' if page * 1000 < GOAL_MS else 'MISSED'}"
    )
    return page


def run(repeat: int = 30) -> dict:
    ten_years = _one("10 years of daily readings", 3650, 1, repeat)
    many = _one("100,000 captures", 3650, 28, repeat)
    ratio = many / ten_years
    print(
        f"  100,000 captures / 3,650 readings: {ratio:.2f}x (goal <= {GOAL_RATIO:g}x) "
        f"{'ok' if ratio <= GOAL_RATIO else 'MISSED'}"
    )
    return {"ten_years": ten_years, "many": many, "ratio": ratio}
