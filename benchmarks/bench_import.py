"""Import of a 100,000-row CSV export into a fresh store, beside a bare csv.DictReader of the
same file, and the same import again (every row already stored, so every row skipped).

This was a test (test_bulk_import_of_100k_rows) until it took half a minute of every run of
the suite; the facts it checked are still checked here, before any figure is printed.
"""

import csv
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from companion import store
from companion.ingest.exports import export_csv
from companion.ingest.imports import import_file

from .timing import measure, p50

ROWS = 100_000
START = datetime(2020, 1, 1, tzinfo=timezone(timedelta(hours=-3)))


def _export(path: Path, rows: int) -> Path:
    """Our own export format: one reading a minute from midnight, the brand varying."""
    readings = []
    for i in range(rows):
        brand = (i % 100) * 0.25
        total = brand + 5.25 + 3.0 + 1.25
        readings.append(
            {
                "captured_at": (START + timedelta(minutes=i)).isoformat(),
                "total": total,
                "total_displayed": round(total),
                "brand": brand,
                "people": 5.25,
                "insights": 3.0,
                "relationships": 1.25,
                "industry_rank": 10,
                "network_rank": 12,
                "industry_avg": 35.0,
                "network_avg": 36.0,
                "industry": "Software",
            }
        )
    path.write_text(export_csv(readings), encoding="utf-8")
    return path


def _bare_read(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as f:
        return sum(1 for _ in csv.DictReader(f))


def _timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s"


def run(rows: int = ROWS, repeat: int = 5) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = _export(Path(tmp) / "bulk.csv", rows)
        size = path.stat().st_size
        assert _bare_read(path) == rows
        bare = p50(measure(lambda: _bare_read(path), repeat, warmup=1))
        home = Path(tmp) / "home"
        home.mkdir(mode=0o700)
        with store.connection(home) as db:
            first, result = _timed(lambda: import_file(db, path))
            assert (result.refused, result.added, result.skipped) == (None, rows, 0), result
            assert store.counts(db) == {"captures": rows, "failed": 0, "readings": rows}
            days = store.daily_readings(db)
            # One row a minute from midnight: a date per started day of 1,440 minutes.
            assert len(days) == -(-rows // 1440) and days[0]["date"] == "2020-01-01"
            again, result = _timed(lambda: import_file(db, path))
            assert (result.refused, result.added, result.skipped) == (None, 0, rows), result
            assert store.counts(db)["readings"] == rows
    print(f"Import of {rows:,} rows of our CSV export ({size / 1e6:.1f} MB)")
    print(f"  bare csv.DictReader        p50 {_s(bare):>8}")
    print(
        f"  import into a fresh store      {_s(first):>8}  "
        f"({first / bare:.0f}x the read, {first / rows * 1e6:.0f} µs a row)"
    )
    print(f"  the same file again            {_s(again):>8}  (every row already stored)")
    return {"bare": bare, "import": first, "again": again}


if __name__ == "__main__":
    run()
