"""Import and export: saved SSI pages, salesApiSsi files, and our own CSV/JSON export.

No Flask, no click: the CLI turns these results into output. Each imported file is one
transaction, so a refused file adds no reading at all. (A page or payload that the parser
cannot read is kept as a failed capture, as POST /api/v1/captures keeps it, for `reparse`.)

A bad file is refused with its reason, never raised: the checks below name what they expect,
and a last resort turns whatever else reading a file raises into a refusal. Errors of the
database itself are raised, since they are no file's fault.
"""

import contextlib
import csv
import errno
import io
import json
import math
import re
import sqlite3
import stat
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from companion import store
from companion.ingest.capture_time import check_capture_moment
from companion.ingest.receive import payload_as_text, read
from companion.parse import ParseError, build_reading
from companion.parse.layouts import PILLARS, Found
from companion.reading import Reading

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
# In the columns' order, so that of two bad cells the first is always the one named.
_NUMBERS = tuple(name for name in EXPORT_COLUMNS if name in _FLOATS | _INTS)
# Imported content gets ids derived from itself, so importing it again finds it stored.
_NAMESPACE = uuid.UUID("5a0c7d4e-3b1f-4f7e-9d0c-2e6b1c9f8a11")
# The longest industry name kept. LinkedIn's are a few words; more is no industry's name.
MAX_INDUSTRY = 200
# An ISO 8601 moment is about 32 characters; a longer cell is no moment, and a refusal that
# quotes it must not print a whole megabyte.
_MAX_MOMENT = 64
# Tabs, newlines and other control characters belong in no industry's name.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP: CSV injection).
# The export puts a ' before such a text, which the spreadsheet shows as text and hides.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The columns that hold text; the others hold numbers, whose "-1.5" is no formula.
_TEXT_COLUMNS = frozenset({"captured_at", "industry"})


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


def _needs_quote_mark(text: str) -> bool:
    # Past any ' already there, so that a text that itself starts with ' before a formula
    # character ("'=x") gets one more and comes back from an import as it was.
    return text.lstrip("'").startswith(_FORMULA_STARTS)


def escape_formula(text: str) -> str:
    """A text cell as a spreadsheet must see it: never as a formula."""
    return "'" + text if _needs_quote_mark(text) else text


def unescape_formula(text: str) -> str:
    """What escape_formula was given; a text that it left alone comes back as it is."""
    return text[1:] if text.startswith("'") and _needs_quote_mark(text[1:]) else text


def _export_cell(name: str, value) -> str:
    text = _cell(value)
    return escape_formula(text) if name in _TEXT_COLUMNS else text


def _line_quoting_cr(cells: list[str]) -> str:
    # With "\n" as its line end, the writer leaves a "\r" in a cell bare, which every reader
    # takes for the end of a line; with "\r\n" it quotes the cell. The line still ends in "\n".
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out.getvalue()[:-2] + "\n"


def export_csv(readings: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for reading in readings:
        cells = [_export_cell(name, reading[name]) for name in EXPORT_COLUMNS]
        if any("\r" in cell for cell in cells):
            out.write(_line_quoting_cr(cells))
        else:
            writer.writerow(cells)
    return out.getvalue()


def export_json(readings: list[dict]) -> str:
    rows = [{name: reading[name] for name in EXPORT_COLUMNS} for reading in readings]
    return json.dumps({"readings": rows}, ensure_ascii=False, indent=1) + "\n"


# -- import: what a refusal says ----------------------------------------------------------------


def _kind(value) -> str:
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


def _industry_problem(text: str) -> str | None:
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
        raise Refused(f"row {row_no}: {name} must be a number, not {_kind(raw)}")
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
        raise Refused(f"row {row_no}: captured_at must be text, not {_kind(raw)}")
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
        raise Refused(f"row {row_no}: industry must be text, not {_kind(raw)}")
    if problem := _industry_problem(raw):
        raise Refused(f"row {row_no}: industry {problem}")
    return raw


def _row_to_capture(row: dict, row_no: int, now: datetime) -> tuple[dict, dict]:
    if not isinstance(row, dict):
        raise Refused(f"row {row_no}: must be an object, not {_kind(row)}")
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


def _unescaped(row: dict) -> dict:
    # The export's ' before a formula character is ours, not the industry's (escape_formula).
    # Older exports wrote none; their texts come back as they were, but for one that started
    # with ' before a formula character, which no industry's name does.
    for name in _TEXT_COLUMNS:
        row[name] = unescape_formula(row[name])
    return row


def _rows_from_csv(text: str) -> Iterable[tuple[int, dict]]:
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


def _pairs(rows: Iterable[tuple[int, dict]], now: datetime) -> list[tuple[dict, dict]]:
    return [_row_to_capture(row, row_no, now) for row_no, row in rows]


def _save_rows(db: Database, pairs: list[tuple[dict, dict]], result: FileResult) -> None:
    new, seen = [], set()
    known = {r["captured_at_utc"] for r in db.query("SELECT captured_at_utc FROM readings")}
    for capture, reading in pairs:
        moment = capture["captured_at_utc"]
        # A moment already read (the same file again, or an export of this very history).
        if moment in known or moment in seen:
            result.skipped += 1
            continue
        seen.add(moment)
        new.append((capture, reading))
    store.save_imported(db, new)
    result.added = len(new)


# -- import: pages and payloads ---------------------------------------------------------------


@dataclass
class _Capture:
    """A saved page or a salesApiSsi payload, ready to be read and stored."""

    kind: str
    text: str
    capture_id: str
    captured_at: str


def _file_moment(path: Path, now: datetime) -> str:
    # A saved page carries no capture time: the file's time is the best witness we have. One
    # from before LinkedIn had an SSI (an archive's 1980, a tool's 1970) is no witness at all.
    try:
        moment = datetime.fromtimestamp(path.stat().st_mtime).astimezone()
    except (ValueError, OverflowError, OSError):  # a time past the year 9999
        raise Refused("the file's modification time is beyond any calendar") from None
    try:
        check_capture_moment("the file's modification time", moment, now)
    except ValueError as exc:
        raise Refused(f"{exc} (a saved page's capture time is its file's time)") from None
    return moment.isoformat()


def _capture(path: Path, kind: str, payload, now: datetime) -> _Capture:
    text = payload_as_text(kind, payload)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # JSON's "\ud800" escapes decode to what no database column can hold.
        raise Refused("holds characters that are not valid Unicode (a lone surrogate)") from None
    capture_id = str(uuid.uuid5(_NAMESPACE, f"{kind}:{store.sha256_text(text)}"))
    return _Capture(kind, text, capture_id, _file_moment(path, now))


def _read_capture(capture: _Capture) -> tuple[Reading | None, ParseError | None]:
    reading, error = read(capture.kind, capture.text, None)
    if reading is not None and reading.industry is not None:
        if problem := _industry_problem(reading.industry):
            raise Refused(f"industry {problem}")
    return reading, error


def _import_capture(db: Database, capture: _Capture, result: FileResult) -> None:
    existing = store.get_capture(db, capture.capture_id)
    if existing is not None:
        if existing["status"] == "failed":
            result.refused = f"{existing['error_code']}: {existing['error_message']}"
        else:
            result.skipped += 1
        return
    # Read only now: importing a folder again finds most pages stored, and skips the parser.
    with _refusing_the_unexpected():
        reading, error = _read_capture(capture)
    store.save_capture(
        db,
        capture_id=capture.capture_id,
        captured_at=capture.captured_at,
        url=None,
        kind=capture.kind,
        payload=capture.text,
        reading=reading,
        error=error,
    )
    if error is not None:
        result.refused = f"{error.code}: {error.message} (kept as a failed capture)"
    else:
        result.added += 1


# -- import: reading a file -------------------------------------------------------------------


@contextlib.contextmanager
def _refusing_the_unexpected():
    """Whatever reading a file's content raises refuses that file, not the whole import.

    The last resort, for what no check foresaw. It wraps only code that reads the file and
    its content: a database error or a full disk must stop the import and be told as such.
    """
    try:
        yield
    except (Refused, sqlite3.Error):
        raise
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise
        raise Refused(f"cannot be read ({exc.strerror or type(exc).__name__})") from None
    except RecursionError:
        raise Refused("is nested too deeply to be an SSI page, payload or export") from None
    except Exception as exc:
        raise Refused(f"could not be read: {type(exc).__name__}") from exc


def _read_bytes(path: Path) -> bytes:
    try:
        mode = path.stat().st_mode  # follows a symbolic link, as reading does
    except FileNotFoundError:
        raise Refused(
            "is a broken symbolic link" if path.is_symlink() else "no such file"
        ) from None
    except OSError as exc:
        raise Refused(f"cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(mode):
        raise Refused("is a directory")
    if not stat.S_ISREG(mode):
        # A pipe or a device would block the import or never end.
        raise Refused("is not a regular file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise Refused(f"cannot be read ({exc.strerror})") from None
    if not data.strip():
        raise Refused("is empty")
    if b"\0" in data:
        raise Refused("is not a text file (it holds NUL bytes)")
    return data


def _utf8(data: bytes) -> str:
    # Exports are written in UTF-8, and so are the payloads a browser saves.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Refused(
            f"is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start:,})"
        ) from None


def _json(text: str):
    try:
        return json.loads(text)
    except RecursionError:
        raise Refused("is JSON nested too deeply to be an SSI payload or export") from None
    except ValueError as exc:
        raise Refused(f"not valid JSON ({str(exc)[:200]})") from None


def _read_file(path: Path, now: datetime) -> list[tuple[dict, dict]] | _Capture:
    """What the file holds, ready to store: rows of an export, or one capture.

    Touches no database, so that anything it raises is the file's fault.
    """
    suffix = path.suffix.lower()
    if suffix not in (".html", ".htm", ".json", ".csv"):
        raise Refused("expected a saved page (.html/.htm), a .json or a .csv file")
    data = _read_bytes(path)
    if suffix == ".csv":
        return _pairs(_rows_from_csv(_utf8(data)), now)
    if suffix in (".html", ".htm"):
        # Saved pages come in any encoding; the parser needs only the numbers.
        return _capture(path, "html", data.decode("utf-8-sig", errors="replace"), now)
    content = _json(_utf8(data))
    if isinstance(content, dict) and "readings" in content:
        if not isinstance(content["readings"], list):
            raise Refused(f"readings must be a list, not {_kind(content['readings'])}")
        return _pairs(enumerate(content["readings"], start=1), now)
    if isinstance(content, dict) and "memberScore" in content:
        return _capture(path, "api", content, now)
    raise Refused("neither a salesApiSsi payload nor an SSI Companion JSON export")


def import_file(db: Database, path: Path, now: datetime | None = None) -> FileResult:
    """Import one file; a file that cannot be imported is refused, never raised.

    Errors of the database itself (sqlite3.Error, a full disk) are raised: they are no
    file's fault and the next file would meet them too.
    """
    result = FileResult(str(path))
    now = now or store.now_utc()
    try:
        with _refusing_the_unexpected():
            content = _read_file(path, now)
        if isinstance(content, _Capture):
            _import_capture(db, content, result)
        else:
            _save_rows(db, content, result)
    except Refused as exc:
        result.refused = str(exc)
        result.added = result.skipped = 0
    return result
