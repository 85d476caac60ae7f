"""Rows of our own CSV or JSON export, checked one by one: a bad row refuses its whole file,
naming the row and what is wrong with it."""

import csv
import io
import json
import math
import re
import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlite_utils import Database

from companion import store
from companion.ingest.capture_time import check_capture_moment
from companion.ingest.exports import EXPORT_COLUMNS, TEXT_COLUMNS, unescape_formula
from companion.parse import ParseError, build_reading
from companion.parse.layouts import Found
from companion.reading import PILLARS

_FLOATS = {"total", "brand", "people", "insights", "relationships", "industry_avg", "network_avg"}
_INTS = {"total_displayed", "industry_rank", "network_rank"}
# In the columns' order, so that of two bad cells the first is always the one named.
_NUMBERS = tuple(name for name in EXPORT_COLUMNS if name in _FLOATS | _INTS)
# Imported content gets ids derived from itself, so importing it again finds it stored.
NAMESPACE = uuid.UUID("5a0c7d4e-3b1f-4f7e-9d0c-2e6b1c9f8a11")
# The longest industry name kept. LinkedIn's are a few words; more is no industry's name.
MAX_INDUSTRY = 200
# An ISO 8601 moment is about 32 characters; a longer cell is no moment, and a refusal that
# quotes it must not print a whole megabyte.
_MAX_MOMENT = 64
# Tabs, newlines and other control characters belong in no industry's name.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


class Refused(Exception):
    """The file cannot be imported; the message says why."""


# -- import: what a refusal says ----------------------------------------------------------------


def kind_of(value) -> str:
    """What a JSON value is, in the words of a refusal."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    return {list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def _quote(text: str, limit: int = 40) -> str:
    # Refusals show what they refuse, but never a whole 10 MB cell.
    return repr(text[:limit]) + ("..." if len(text) > limit else "")


def industry_problem(text: str) -> str | None:
    """What makes `text` no industry's name, or None."""
    if len(text) > MAX_INDUSTRY:
        return f"is {len(text):,} characters long; an industry's name has at most {MAX_INDUSTRY}"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # JSON's "\ud800" escapes: no database column can hold them.
        return "holds characters that are not valid Unicode"
    if _CONTROL.search(text):
        return "holds control characters"
    return None


# -- import: rows of our own export -----------------------------------------------------------


def _number(name: str, raw, row_no: int):
    if raw is None or raw == "":
        return None
    # JSON's true and false are ints to Python; as a score or a rank they are a mistake.
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise Refused(f"row {row_no}: {name} must be a number, not {kind_of(raw)}")
    # float() also takes "1_0" and digits of other scripts, which no export writes.
    if isinstance(raw, str) and (not raw.isascii() or "_" in raw):
        raise Refused(f"row {row_no}: {name} is not a number: {_quote(raw)}")
    try:
        value = float(raw)
    except ValueError:
        raise Refused(f"row {row_no}: {name} is not a number: {_quote(raw)}") from None
    except OverflowError:  # an int beyond any float, such as 10**400
        raise Refused(f"row {row_no}: {name} is far too large a number") from None
    if not math.isfinite(value):
        raise Refused(f"row {row_no}: {name} is not a finite number")
    if name in _INTS:
        if value != int(value):
            raise Refused(f"row {row_no}: {name} must be a whole number, not {str(raw)[:40]}")
        return int(value)
    return value


def _moment(raw, row_no: int, now: datetime) -> datetime:
    if raw is None or raw == "":
        raise Refused(f"row {row_no}: captured_at is empty")
    if not isinstance(raw, str):
        raise Refused(f"row {row_no}: captured_at must be text, not {kind_of(raw)}")
    if len(raw) > _MAX_MOMENT:
        raise Refused(
            f"row {row_no}: captured_at is {len(raw):,} characters, too long for a moment"
        )
    try:
        moment = store.parse_moment(raw)
    except ValueError as exc:
        raise Refused(f"row {row_no}: captured_at: {exc}") from None
    try:
        check_capture_moment("captured_at", moment, now)
    except ValueError as exc:
        raise Refused(f"row {row_no}: {exc}") from None
    return moment


def _industry(raw, row_no: int) -> str | None:
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str):
        raise Refused(f"row {row_no}: industry must be text, not {kind_of(raw)}")
    if problem := industry_problem(raw):
        raise Refused(f"row {row_no}: industry {problem}")
    return raw


def _row_to_capture(row: dict, row_no: int, now: datetime) -> tuple[dict, dict]:
    if not isinstance(row, dict):
        raise Refused(f"row {row_no}: must be an object, not {kind_of(row)}")
    captured_at = row.get("captured_at")
    moment = _moment(captured_at, row_no, now)
    values = {name: _number(name, row.get(name), row_no) for name in _NUMBERS}
    for name in ("total", *PILLARS):
        if values[name] is None:
            raise Refused(f"row {row_no}: {name} is empty")
    found = Found(
        source="import",
        pillars={p: values[p] for p in PILLARS},
        total=values["total"],
        total_displayed=values["total_displayed"],
        industry_rank=values["industry_rank"],
        network_rank=values["network_rank"],
        industry_avg=values["industry_avg"],
        network_avg=values["network_avg"],
        industry=_industry(row.get("industry"), row_no),
    )
    try:
        reading = build_reading(found)
    except ParseError as error:
        raise Refused(f"row {row_no}: {error.message}") from None
    payload = json.dumps(
        {name: row.get(name) for name in EXPORT_COLUMNS}, ensure_ascii=False, sort_keys=True
    )
    capture_id = str(uuid.uuid5(NAMESPACE, "row:" + payload))
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


def _unescaped(row: dict) -> dict:
    # The export's ' before a formula character is ours, not the industry's (escape_formula).
    # Older exports wrote none; their texts come back as they were, but for one that started
    # with ' before a formula character, which no industry's name does.
    for name in TEXT_COLUMNS:
        row[name] = unescape_formula(row[name])
    return row


def rows_from_csv(text: str) -> Iterable[tuple[int, dict]]:
    """(row number, row) for each row; a row's number is the line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])
        if sorted(header) != sorted(EXPORT_COLUMNS):
            raise Refused(
                "not an SSI Companion CSV export: the header must be " + ",".join(EXPORT_COLUMNS)
            )
        row_no = reader.line_num + 1
        for cells in reader:
            if cells:  # a blank line is no row
                if len(cells) != len(header):
                    raise Refused(f"row {row_no}: {len(cells)} cells, the header has {len(header)}")
                yield row_no, _unescaped(dict(zip(header, cells, strict=True)))
            row_no = reader.line_num + 1
    except csv.Error as exc:
        # Such as "field larger than field limit": no cell of an export is that long.
        raise Refused(f"not readable as CSV at line {reader.line_num}: {exc}") from None


def pairs_from_rows(rows: Iterable[tuple[int, dict]], now: datetime) -> list[tuple[dict, dict]]:
    return [_row_to_capture(row, row_no, now) for row_no, row in rows]


def save_rows(db: Database, pairs: list[tuple[dict, dict]]) -> tuple[int, int]:
    """Store the rows whose moment is new, in one transaction; (added, skipped)."""
    new, seen, skipped = [], set(), 0
    known = {r["captured_at_utc"] for r in db.query("SELECT captured_at_utc FROM readings")}
    for capture, reading in pairs:
        moment = capture["captured_at_utc"]
        # A moment already read (the same file again, or an export of this very history).
        if moment in known or moment in seen:
            skipped += 1
            continue
        seen.add(moment)
        new.append((capture, reading))
    store.save_imported(db, new)
    return len(new), skipped
