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
from companion.i18n import _
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
    """The file cannot be imported; the message says why (in the user's language: the
    messages are translated when they are made, while the command's language is active)."""


# -- import: what a refusal says ----------------------------------------------------------------


def kind_of(value) -> str:
    """What a JSON value is, in the words of a refusal ("must be a number, not a list")."""
    if isinstance(value, bool):
        return "true" if value else "false"  # JSON's own words, in every language
    if isinstance(value, int | float):
        # Translators: what a value in a file is, in "total must be a number, not %(kind)s".
        return _("a number")
    if isinstance(value, str):
        return _("text")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("an object")
    return type(value).__name__


def in_row(row_no: int, problem: str) -> str:
    """A problem of one row of an export: "row 3: total is empty"."""
    # Translators: %(problem)s is a sentence of its own ("total is empty").
    return _("row %(row)s: %(problem)s", row=row_no, problem=problem)


def _quote(text: str, limit: int = 40) -> str:
    # Refusals show what they refuse, but never a whole 10 MB cell.
    return repr(text[:limit]) + ("..." if len(text) > limit else "")


def industry_problem(text: str) -> str | None:
    """What makes `text` no industry's name ("industry holds control characters"), or None."""
    from companion.history.wording import count

    if len(text) > MAX_INDUSTRY:
        # Translators: "industry" is the field's name in the export and stays as it is.
        return _(
            "industry is %(length)s characters long; an industry's name has at most %(most)s",
            length=count(len(text)),
            most=MAX_INDUSTRY,
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # JSON's "\ud800" escapes: no database column can hold them.
        return _("industry holds characters that are not valid Unicode")
    if _CONTROL.search(text):
        return _("industry holds control characters")
    return None


# -- import: rows of our own export -----------------------------------------------------------


def _not_a_number(name: str, raw: str) -> str:
    return _("%(name)s is not a number: %(value)s", name=name, value=_quote(raw))


def _number(name: str, raw, row_no: int):
    if raw is None or raw == "":
        return None
    # JSON's true and false are ints to Python; as a score or a rank they are a mistake.
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        # Translators: %(name)s is a column of the export (total, brand...): it stays as it is.
        problem = _("%(name)s must be a number, not %(kind)s", name=name, kind=kind_of(raw))
        raise Refused(in_row(row_no, problem))
    # float() also takes "1_0" and digits of other scripts, which no export writes.
    if isinstance(raw, str) and (not raw.isascii() or "_" in raw):
        raise Refused(in_row(row_no, _not_a_number(name, raw)))
    try:
        value = float(raw)
    except ValueError:
        raise Refused(in_row(row_no, _not_a_number(name, raw))) from None
    except OverflowError:  # an int beyond any float, such as 10**400
        raise Refused(in_row(row_no, _("%(name)s is far too large a number", name=name))) from None
    if not math.isfinite(value):
        raise Refused(in_row(row_no, _("%(name)s is not a finite number", name=name)))
    if name in _INTS:
        if value != int(value):
            problem = _(
                "%(name)s must be a whole number, not %(value)s", name=name, value=str(raw)[:40]
            )
            raise Refused(in_row(row_no, problem))
        return int(value)
    return value


def _moment(raw, row_no: int, now: datetime) -> datetime:
    from companion.history.wording import count

    if raw is None or raw == "":
        raise Refused(in_row(row_no, _("%(name)s is empty", name="captured_at")))
    if not isinstance(raw, str):
        problem = _("%(name)s must be text, not %(kind)s", name="captured_at", kind=kind_of(raw))
        raise Refused(in_row(row_no, problem))
    if len(raw) > _MAX_MOMENT:
        problem = _(
            "%(name)s is %(length)s characters, too long for a moment",
            name="captured_at",
            length=count(len(raw)),
        )
        raise Refused(in_row(row_no, problem))
    try:
        moment = store.parse_moment(raw)
    except ValueError as exc:
        raise Refused(in_row(row_no, f"captured_at: {exc}")) from None
    try:
        check_capture_moment("captured_at", moment, now)
    except ValueError as exc:
        raise Refused(in_row(row_no, str(exc))) from None
    return moment


def _industry(raw, row_no: int) -> str | None:
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str):
        problem = _("%(name)s must be text, not %(kind)s", name="industry", kind=kind_of(raw))
        raise Refused(in_row(row_no, problem))
    if problem := industry_problem(raw):
        raise Refused(in_row(row_no, problem))
    return raw


def _row_to_capture(row: dict, row_no: int, now: datetime) -> tuple[dict, dict]:
    if not isinstance(row, dict):
        problem = _("must be an object, not %(kind)s", kind=kind_of(row))
        raise Refused(in_row(row_no, problem))
    captured_at = row.get("captured_at")
    moment = _moment(captured_at, row_no, now)
    values = {name: _number(name, row.get(name), row_no) for name in _NUMBERS}
    for name in ("total", *PILLARS):
        if values[name] is None:
            raise Refused(in_row(row_no, _("%(name)s is empty", name=name)))
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
        raise Refused(in_row(row_no, error.message)) from None
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
                _(
                    "not an SSI Companion CSV export: the header must be %(header)s",
                    header=",".join(EXPORT_COLUMNS),
                )
            )
        row_no = reader.line_num + 1
        for cells in reader:
            if cells:  # a blank line is no row
                if len(cells) != len(header):
                    # Translators: the row's cells and the header's, as in a spreadsheet.
                    cells_and_header = _(
                        "%(cells)s cells, the header has %(header)s",
                        cells=len(cells),
                        header=len(header),
                    )
                    raise Refused(in_row(row_no, cells_and_header))
                yield row_no, _unescaped(dict(zip(header, cells, strict=True)))
            row_no = reader.line_num + 1
    except csv.Error as exc:
        # Such as "field larger than field limit": no cell of an export is that long.
        raise Refused(
            _("not readable as CSV at line %(line)s: %(reason)s", line=reader.line_num, reason=exc)
        ) from None


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
