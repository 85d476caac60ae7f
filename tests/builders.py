"""Readings as the tests build them, in the shapes the companion passes them around.

- `reading()`: one reading as an export holds it (EXPORT_COLUMNS): what `import` reads back.
- `daily()`: one day of the daily series, as store.daily_readings returns it.
- `api_payload()`: a salesApiSsi payload, as the extension posts it.
- `csv_line()`, `csv_text()`, `write_csv()`, `write_history()`: our own CSV export format,
  whose header is EXPORT_HEADER (written from companion.ingest.exports.EXPORT_COLUMNS).

Every default makes a valid reading: a test names only the values it is about.
"""

import csv
import io
import math
from datetime import date, datetime, timedelta
from pathlib import Path

from companion.ingest.exports import EXPORT_COLUMNS
from companion.reading import PILLARS

EXPORT_HEADER = ",".join(EXPORT_COLUMNS)

# A reading that imports cleanly: the total is the sum of the pillars.
DEFAULT_PILLARS = {"brand": 10.5, "people": 5.25, "insights": 3.0, "relationships": 1.25}
DEFAULT_TOTAL = round(sum(DEFAULT_PILLARS.values()), 3)
DEFAULTS = {
    "industry_rank": 10,
    "network_rank": 12,
    "industry_avg": 35.0,
    "network_avg": 36.0,
    "industry": "Software",
}


def _iso(moment) -> str:
    return moment.isoformat() if isinstance(moment, date | datetime) else moment


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _totals(changes: dict, pillars: dict) -> dict:
    """total and total_displayed: a total left out is the sum of the pillars (if numbers)."""
    if "total" in changes:
        total = changes.pop("total")
    elif all(map(_is_number, pillars.values())):
        total = round(sum(pillars.values()), 3)
    else:
        total = DEFAULT_TOTAL
    return {"total": total, "total_displayed": round(total if _is_number(total) else DEFAULT_TOTAL)}


def reading(captured_at="2026-05-01T09:00:00+02:00", **changes) -> dict:
    """One reading in export form, its keys EXPORT_COLUMNS in order.

    Pillars 10.5, 5.25, 3.0 and 1.25 (SSI 20), industry and network ranks Top 10% and 12%,
    averages 35 and 36, industry "Software". Pillars given without a total are summed into
    it; total_displayed follows the total unless given. Any value may be given, even one of
    the wrong type (None is an empty cell, or JSON null): tests of refusals need those.
    """
    unknown = set(changes) - set(EXPORT_COLUMNS)
    assert not unknown, f"not a column of the export: {sorted(unknown)}"
    pillars = {p: changes.pop(p, DEFAULT_PILLARS[p]) for p in PILLARS}
    totals = _totals(changes, pillars)
    row = {"captured_at": _iso(captured_at), **totals, **pillars, **DEFAULTS, **changes}
    return {name: row[name] for name in EXPORT_COLUMNS}


def daily(day, total: float | None = None, **fields) -> dict:
    """One day of the daily series (a reading with its date, capture id and source).

    Pillars not given are a quarter of the total each; without a total, the total is the sum
    of the pillars given, or 40. Ranks Top 20% and 25%, averages 30 and 33, industry
    "Software Development", captured at 09:00 UTC on `day` (a date or "YYYY-MM-DD").
    """
    day = _iso(day)
    pillars = {p: fields.pop(p) for p in PILLARS if p in fields}
    if total is None:
        total = round(sum(pillars.values()), 3) if pillars else 40.0
    for p in PILLARS:
        pillars.setdefault(p, round(total / 4, 3))
    return {
        "capture_id": f"id-{day}",
        "captured_at": f"{day}T09:00:00+00:00",
        "date": day,
        "total": total,
        "total_displayed": round(total),
        **pillars,
        "industry_rank": 20,
        "network_rank": 25,
        "industry_avg": 30.0,
        "network_avg": 33.0,
        "industry": "Software Development",
        "source": "import",
        **fields,
    }


def api_payload(pillars=(10.0, 10.0, 10.0, 10.0), ranks=(20, 30), averages=(35.0, 32.0)) -> dict:
    """A salesApiSsi payload: the four pillars in PILLARS order, (industry, network) ranks."""
    brand, people, insights, relationships = pillars
    return {
        "memberScore": {
            "overall": round(sum(pillars), 6),
            "subScores": [
                {"score": brand, "pillar": "PROFESSIONAL_BRAND"},
                {"score": people, "pillar": "FIND_RIGHT_PEOPLE"},
                {"score": insights, "pillar": "INSIGHT_ENGAGEMENT"},
                {"score": relationships, "pillar": "STRONG_RELATIONSHIP"},
            ],
        },
        "groupScore": [
            {"groupType": "INDUSTRY", "rank": ranks[0], "score": {"overall": averages[0]}},
            {"groupType": "NETWORK", "rank": ranks[1], "score": {"overall": averages[1]}},
        ],
    }


def _cell(value) -> str:
    return "" if value is None else str(value)


def _writer(out):
    return csv.writer(out, lineterminator="\n")


def csv_line(row: dict) -> str:
    """One line of an export CSV (no line end), cells in EXPORT_COLUMNS order."""
    out = io.StringIO()
    _writer(out).writerow(_cell(row.get(name)) for name in EXPORT_COLUMNS)
    return out.getvalue()[:-1]


def csv_text(*rows) -> str:
    """A whole export CSV: the header, then each row (a reading or a line already written)."""
    lines = [row if isinstance(row, str) else csv_line(row) for row in rows]
    return "\n".join([EXPORT_HEADER, *lines]) + "\n"


def write_csv(path: Path, rows) -> Path:
    """`rows` (readings) as an export CSV at `path`; one writer, so large files are quick."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = _writer(out)
        writer.writerow(EXPORT_COLUMNS)
        for row in rows:
            writer.writerow(_cell(row.get(name)) for name in EXPORT_COLUMNS)
    return path


def write_history(path: Path, rows: int, start: datetime, step=timedelta(hours=1)) -> Path:
    """An export CSV of `rows` readings, one every `step` from `start`, the brand varying."""
    return write_csv(
        path,
        (reading(start + i * step, brand=5 + (i % 80) * 0.25, industry="IT") for i in range(rows)),
    )
