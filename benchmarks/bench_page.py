"""The summary page with long histories, from a running server (waitress on 127.0.0.1, as
`ssi-companion serve` runs it): GET /?range=all, then its three chart images, one after
another on one connection, as a browser opening the page does. Beside the page's SQL queries
alone, measured in the same run, in turn with it."""

import http.client
import tempfile
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from companion import store
from companion.store import preferences as settings
from companion.store import sessions
from companion.web import create_app

from .bench_capture import _free_port, _start_server
from .timing import alternated, measure, ms, p50

GOAL_MS = 150
GOAL_RATIO = 1.5
PAGE = "/?range=all"
CHARTS = ("ssi", "pillars", "ranks")


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


def _signed_in(port: int, db) -> dict:
    """A browser's headers after the one-time sign-in link `ssi-companion open` prints."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", f"/signin?code={sessions.mint_code(db)}")
    answer = conn.getresponse()
    answer.read()
    cookie = answer.getheader("Set-Cookie", "").split(";")[0]
    conn.close()
    if answer.status != 303 or not cookie:
        raise RuntimeError(f"signing in answered {answer.status}")
    return {"Cookie": cookie}


def _getter(port: int, headers: dict):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def get(path: str) -> bytes:
        conn.request("GET", path, headers=headers)
        answer = conn.getresponse()
        body = answer.read()
        # Not an assert (python -O): a sign-in page or an error would time nothing.
        if answer.status != 200:
            raise RuntimeError(f"GET {path} answered {answer.status}")
        return body

    return get


def _page_view(get):
    """What the browser asks for on opening the summary page: the page, then its charts."""

    def view():
        html = get(PAGE).decode()
        for name in CHARTS:
            if f"/charts/{name}.svg" not in html:
                raise RuntimeError(f"the page does not show the {name} chart")
            get(f"/charts/{name}.svg?range=all")

    return view


def _new_reading(db, n: int) -> None:
    """One more reading today, as a visit adds: the charts' data changed, so each is drawn
    anew on the next view (their cache is keyed on every value drawn)."""
    # Late today (UTC), after every reading the fill made: it becomes the day's reading.
    moment = datetime.combine(date.today(), datetime.max.time(), UTC).replace(
        minute=58, second=n % 60, microsecond=0
    )
    capture_id = str(uuid.uuid4())
    common = {"captured_at": moment.isoformat(), "captured_at_utc": store.utc_text(moment)}
    capture = {"id": capture_id, "received_at": store.utc_text(moment), "url": "https://www.linkedin.com/sales/ssi",
               "kind": "import", "status": "ok", "error_code": None, "error_message": None,
               "content_sha256": "0" * 64, "payload": None, "payload_size": 0, **common}  # fmt: skip
    reading = {"capture_id": capture_id, "date": moment.date().isoformat(),
               "total": 60 + n / 1000, "total_displayed": 60, "brand": 15, "people": 13,
               "insights": 14, "relationships": 18 + n / 1000, "industry_rank": 10,
               "network_rank": 15, "industry_avg": 33.0, "network_avg": 36.0,
               "industry": "Management Consulting", "source": "import", **common}  # fmt: skip
    with store.write(db):
        store._insert_many(db, "captures", [capture])
        store._insert_many(db, "readings", [reading])


def _first_views(db, view, repeat: int) -> list:
    samples = []
    for n in range(repeat):
        _new_reading(db, n)
        samples.extend(measure(view, 1, warmup=0))
    return samples


def _one(label: str, days: int, per_day: int, repeat: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        create_app({"HOME": str(home)})  # the schema and the token, as a first start makes
        db = store.connect(str(home))
        _fill(db, days, per_day, date.today())
        proc = _start_server(home, _free_port())
        try:
            port = int(proc.args[proc.args.index("--port") + 1])
            get = _getter(port, _signed_in(port, db))
            view = _page_view(get)
            sql_samples, view_samples = alternated(lambda: _queries(db), view, repeat)
            page_alone = p50(measure(lambda: get(PAGE), repeat))
            first_view = p50(_first_views(db, view, max(5, repeat // 3)))
            sizes = [len(get(f"/charts/{n}.svg?range=all")) for n in CHARTS]
        finally:
            proc.terminate()
            proc.wait(10)
        counts = store.counts(db)
        db.close()
    sql, page = p50(sql_samples), p50(view_samples)
    print(
        f"GET {PAGE} and its {len(CHARTS)} charts, {label} ({counts['captures']} captures, {days} days)"
    )
    print(f"  SQL queries alone          p50 {ms(sql)}")
    print(f"  page alone                 p50 {ms(page_alone)}")
    print(
        f"  page + charts, one by one  p50 {ms(page)} (goal < {GOAL_MS} ms) "
        f"{'ok' if page * 1000 < GOAL_MS else 'MISSED'}; {page / sql:.1f}x the SQL"
    )
    print(f"  after a new reading (each chart drawn anew)  p50 {ms(first_view)}")
    print(
        f"  chart sizes: {', '.join(f'{n} {b / 1000:.1f} KB' for n, b in zip(CHARTS, sizes, strict=True))}"
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
