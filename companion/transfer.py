"""Import and export: saved SSI pages, salesApiSsi files, and our own CSV/JSON export.

No Flask, no click: the CLI turns these results into output. Each imported file is one
transaction, so a refused file adds nothing at all.
"""

import csv
import io
import json
import math
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from . import store
from .captures import payload_as_text, read
from .layouts import Found
from .parse import ParseError, build_reading

EXPORT_COLUMNS = (
    "captured_at",
    "total",
    "total_displayed",
    "brand",
    "people",
    "insights",
    "relationships",
    "industry_rank",
    "network_rank",
    "industry_avg",
    "network_avg",
    "industry",
)
_FLOATS = {"total", "brand", "people", "insights", "relationships", "industry_avg", "network_avg"}
_INTS = {"total_displayed", "industry_rank", "network_rank"}
# Imported content gets ids derived from itself, so importing it again finds it stored.
_NAMESPACE = uuid.UUID("5a0c7d4e-3b1f-4f7e-9d0c-2e6b1c9f8a11")


class Refused(Exception):
    """The file cannot be imported; the message says why."""


@dataclass
class FileResult:
    path: str
    added: int = 0
    skipped: int = 0
    refused: str | None = None


@dataclass
class ImportReport:
    files: list[FileResult] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)

    @property
    def skipped(self) -> int:
        return sum(f.skipped for f in self.files)

    @property
    def refused(self) -> list[FileResult]:
        return [f for f in self.files if f.refused]


# -- export -----------------------------------------------------------------------------------


def _cell(value) -> str:
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


def export_csv(readings: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for reading in readings:
        writer.writerow([_cell(reading[name]) for name in EXPORT_COLUMNS])
    return out.getvalue()


def export_json(readings: list[dict]) -> str:
    rows = [{name: reading[name] for name in EXPORT_COLUMNS} for reading in readings]
    return json.dumps({"readings": rows}, ensure_ascii=False, indent=1) + "\n"


# -- import: rows of our own export -----------------------------------------------------------


def _number(name: str, raw, row_no: int):
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise Refused(f"row {row_no}: {name} is not a number: {str(raw)[:30]!r}") from None
    if not math.isfinite(value):
        raise Refused(f"row {row_no}: {name} is not a finite number")
    if name in _INTS:
        if value != int(value):
            raise Refused(f"row {row_no}: {name} must be a whole number, not {raw}")
        return int(value)
    return value


def _row_to_capture(row: dict, row_no: int) -> tuple[dict, dict]:
    captured_at = row.get("captured_at") or ""
    try:
        moment = store.parse_moment(captured_at)
    except ValueError as exc:
        raise Refused(f"row {row_no}: captured_at: {exc}") from None
    values = {name: _number(name, row.get(name), row_no) for name in _FLOATS | _INTS}
    industry = row.get("industry")
    found = Found(
        source="import",
        pillars={p: values[p] for p in ("brand", "people", "insights", "relationships")},
        total=values["total"],
        total_displayed=values["total_displayed"],
        industry_rank=values["industry_rank"],
        network_rank=values["network_rank"],
        industry_avg=values["industry_avg"],
        network_avg=values["network_avg"],
        industry=industry if isinstance(industry, str) and industry else None,
    )
    if values["total"] is None:
        raise Refused(f"row {row_no}: total is empty")
    try:
        reading = build_reading(found)
    except ParseError as error:
        raise Refused(f"row {row_no}: {error.message}") from None
    payload = json.dumps(
        {name: row.get(name) for name in EXPORT_COLUMNS}, ensure_ascii=False, sort_keys=True
    )
    capture_id = str(uuid.uuid5(_NAMESPACE, "row:" + payload))
    capture = {
        "id": capture_id,
        "captured_at": captured_at,
        "captured_at_utc": store.utc_text(moment),
        "url": None,
        "kind": "import",
        "payload": payload,
    }
    reading_row = store.reading_row(capture_id, moment, captured_at, reading)
    return capture, reading_row


def _rows_from_csv(text: str) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text))
    header = tuple(reader.fieldnames or ())
    if set(header) != set(EXPORT_COLUMNS):
        raise Refused(
            "not an SSI Companion CSV export: the header must be " + ",".join(EXPORT_COLUMNS)
        )
    return list(reader)


def _import_rows(db: Database, rows: list[dict], result: FileResult) -> None:
    pairs, seen = [], set()
    known = {r["captured_at_utc"] for r in db.query("SELECT captured_at_utc FROM readings")}
    for row_no, row in enumerate(rows, start=2):
        if not isinstance(row, dict):
            raise Refused(f"row {row_no}: not an object")
        capture, reading = _row_to_capture(row, row_no)
        moment = capture["captured_at_utc"]
        # A moment already read (the same file again, or an export of this very history).
        if moment in known or moment in seen:
            result.skipped += 1
            continue
        seen.add(moment)
        pairs.append((capture, reading))
    store.save_imported(db, pairs)
    result.added = len(pairs)


# -- import: pages and payloads ---------------------------------------------------------------


def _file_moment(path: Path) -> str:
    # A saved page carries no capture time: the file's time is the best witness we have.
    return datetime.fromtimestamp(path.stat().st_mtime).astimezone().isoformat()


def _import_capture(db: Database, path: Path, kind: str, payload, result: FileResult) -> None:
    text = payload_as_text(kind, payload)
    capture_id = str(uuid.uuid5(_NAMESPACE, f"{kind}:{store.sha256_text(text)}"))
    existing = store.get_capture(db, capture_id)
    if existing is not None:
        if existing["status"] == "failed":
            result.refused = f"{existing['error_code']}: {existing['error_message']}"
        else:
            result.skipped += 1
        return
    reading, error = read(kind, text, None)
    store.save_capture(
        db,
        capture_id=capture_id,
        captured_at=_file_moment(path),
        url=None,
        kind=kind,
        payload=text,
        reading=reading,
        error=error,
    )
    if error is not None:
        result.refused = f"{error.code}: {error.message} (kept as a failed capture)"
    else:
        result.added += 1


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig", errors="replace")
    except FileNotFoundError:
        raise Refused("no such file") from None
    except IsADirectoryError:
        raise Refused("is a directory") from None
    except OSError as exc:
        raise Refused(f"cannot be read ({exc.strerror})") from None


def import_file(db: Database, path: Path) -> FileResult:
    result = FileResult(str(path))
    try:
        suffix = path.suffix.lower()
        if suffix not in (".html", ".htm", ".json", ".csv"):
            raise Refused("expected a saved page (.html/.htm), a .json or a .csv file")
        text = _read_text(path)
        if suffix == ".csv":
            _import_rows(db, _rows_from_csv(text), result)
        elif suffix == ".json":
            try:
                data = json.loads(text)
            except ValueError as exc:
                raise Refused(f"not valid JSON ({exc})") from None
            if isinstance(data, dict) and isinstance(data.get("readings"), list):
                _import_rows(db, data["readings"], result)
            elif isinstance(data, dict) and "memberScore" in data:
                _import_capture(db, path, "api", data, result)
            else:
                raise Refused("neither a salesApiSsi payload nor an SSI Companion JSON export")
        else:
            _import_capture(db, path, "html", text, result)
    except Refused as exc:
        result.refused = str(exc)
        result.added = result.skipped = 0
    return result
