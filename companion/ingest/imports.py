"""Import: saved SSI pages, salesApiSsi files, and our own CSV/JSON export (see exports.py).

No Flask, no click: the CLI turns these results into output. Each imported file is one
transaction, so a refused file adds no reading at all. (A page or payload that the parser
cannot read is kept as a failed capture, as POST /api/v1/captures keeps it, for `reparse`.)

A bad file is refused with its reason, never raised: the checks below name what they expect,
and a last resort turns whatever else reading a file raises into a refusal. Errors of the
database itself are raised, since they are no file's fault.
"""

import contextlib
import errno
import json
import sqlite3
import stat
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from companion import store
from companion.i18n import _
from companion.ingest.capture_time import check_capture_moment
from companion.ingest.receive import payload_as_text, read
from companion.ingest.rows import (
    NAMESPACE,
    Refused,
    industry_problem,
    kind_of,
    pairs_from_rows,
    rows_from_csv,
    save_rows,
)
from companion.parse import ParseError
from companion.reading import Reading


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
        raise Refused(_("the file's modification time is beyond any calendar")) from None
    try:
        # Translators: what is checked in "%(name)s 1999-01-01T00:00:00+01:00 is before ...".
        check_capture_moment(_("the file's modification time"), moment, now)
    except ValueError as exc:
        raise Refused(
            _("%(problem)s (a saved page's capture time is its file's time)", problem=exc)
        ) from None
    return moment.isoformat()


def _capture(path: Path, kind: str, payload, now: datetime) -> _Capture:
    text = payload_as_text(kind, payload)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # JSON's "\ud800" escapes decode to what no database column can hold.
        raise Refused(_("holds characters that are not valid Unicode (a lone surrogate)")) from None
    capture_id = str(uuid.uuid5(NAMESPACE, f"{kind}:{store.sha256_text(text)}"))
    return _Capture(kind, text, capture_id, _file_moment(path, now))


def _read_capture(capture: _Capture) -> tuple[Reading | None, ParseError | None]:
    reading, error = read(capture.kind, capture.text, None)
    if reading is not None and reading.industry is not None:
        if problem := industry_problem(reading.industry):
            raise Refused(problem)
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
        result.refused = _(
            "%(code)s: %(reason)s (kept as a failed capture)", code=error.code, reason=error.message
        )
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
        reason = exc.strerror or type(exc).__name__
        raise Refused(_("cannot be read (%(reason)s)", reason=reason)) from None
    except RecursionError:
        raise Refused(_("is nested too deeply to be an SSI page, payload or export")) from None
    except Exception as exc:
        raise Refused(_("could not be read: %(error)s", error=type(exc).__name__)) from exc


def _read_bytes(path: Path) -> bytes:
    try:
        mode = path.stat().st_mode  # follows a symbolic link, as reading does
    except FileNotFoundError:
        raise Refused(
            _("is a broken symbolic link") if path.is_symlink() else _("no such file")
        ) from None
    except OSError as exc:
        raise Refused(_("cannot be read (%(reason)s)", reason=exc.strerror)) from None
    if stat.S_ISDIR(mode):
        raise Refused(_("is a directory"))
    if not stat.S_ISREG(mode):
        # A pipe or a device would block the import or never end.
        raise Refused(_("is not a regular file"))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise Refused(_("cannot be read (%(reason)s)", reason=exc.strerror)) from None
    if not data.strip():
        raise Refused(_("is empty"))
    if b"\0" in data:
        raise Refused(_("is not a text file (it holds NUL bytes)"))
    return data


def _utf8(data: bytes) -> str:
    # Exports are written in UTF-8, and so are the payloads a browser saves.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        from companion.history.wording import count

        byte = f"0x{data[exc.start]:02x}"
        raise Refused(
            _(
                "is not UTF-8 text (byte %(byte)s at offset %(offset)s)",
                byte=byte,
                offset=count(exc.start),
            )
        ) from None


def _json(text: str):
    try:
        return json.loads(text)
    except RecursionError:
        raise Refused(_("is JSON nested too deeply to be an SSI payload or export")) from None
    except ValueError as exc:
        raise Refused(_("not valid JSON (%(reason)s)", reason=str(exc)[:200])) from None


def _read_file(path: Path, now: datetime) -> list[tuple[dict, dict]] | _Capture:
    """What the file holds, ready to store: rows of an export, or one capture.

    Touches no database, so that anything it raises is the file's fault.
    """
    suffix = path.suffix.lower()
    if suffix not in (".html", ".htm", ".json", ".csv"):
        raise Refused(_("expected a saved page (.html/.htm), a .json or a .csv file"))
    data = _read_bytes(path)
    if suffix == ".csv":
        return pairs_from_rows(rows_from_csv(_utf8(data)), now)
    if suffix in (".html", ".htm"):
        # Saved pages come in any encoding; the parser needs only the numbers.
        return _capture(path, "html", data.decode("utf-8-sig", errors="replace"), now)
    content = _json(_utf8(data))
    if isinstance(content, dict) and "readings" in content:
        if not isinstance(content["readings"], list):
            kind = kind_of(content["readings"])
            raise Refused(_("%(name)s must be a list, not %(kind)s", name="readings", kind=kind))
        return pairs_from_rows(enumerate(content["readings"], start=1), now)
    if isinstance(content, dict) and "memberScore" in content:
        return _capture(path, "api", content, now)
    raise Refused(_("neither a salesApiSsi payload nor an SSI Companion JSON export"))


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
            result.added, result.skipped = save_rows(db, content)
    except Refused as exc:
        result.refused = str(exc)
        result.added = result.skipped = 0
    return result
