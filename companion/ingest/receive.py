"""Receiving a capture: read it with the parser, keep it with the store. No Flask here."""

import json
import logging
from dataclasses import dataclass, field

from sqlite_utils import Database

from companion import store
from companion.parse import ParseError, parse_api, parse_page

# Ids, statuses and error codes only: never a token, a URL's query or the page itself.
log = logging.getLogger("companion.captures")


@dataclass
class Received:
    capture: dict
    reading: dict | None  # None when the page could not be read
    created: bool

    @property
    def error(self) -> dict | None:
        if self.capture["status"] == "ok":
            return None
        return {"code": self.capture["error_code"], "message": self.capture["error_message"]}


def payload_as_text(kind: str, payload) -> str:
    if kind == "api":
        # One spelling per payload, so that a retry hashes to the same content.
        return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return payload


def read(kind: str, text: str, url: str | None):
    """(reading, error): what the current parser makes of a stored or received payload."""
    try:
        reading = parse_api(text) if kind == "api" else parse_page(text, url=url)
    except ParseError as error:
        return None, error
    return reading, None


def receive(
    db: Database, *, capture_id, captured_at, url, kind, payload, keep_days: int = 30
) -> Received:
    """Store a capture and what it holds. Raises store.CaptureConflict for a reused id.

    Raw payloads of successful captures older than `keep_days` are dropped on the way.
    """
    text = payload_as_text(kind, payload)
    data = store.encode(text)  # once, for the hash and the compressed copy
    digest = store.content_sha256(kind, captured_at, url, data)
    existing = store.get_capture(db, capture_id)
    if existing is not None:
        # A retry: answer what was answered, without reading the page again.
        if existing["content_sha256"] != digest:
            raise store.CaptureConflict(capture_id)
        return Received(existing, store.get_reading(db, capture_id), created=False)
    reading, error = read(kind, text, url)
    capture, created = store.save_capture(
        db,
        capture_id=capture_id,
        captured_at=captured_at,
        url=url,
        kind=kind,
        payload=text,
        reading=reading,
        error=error,
        digest=digest,
        encoded=data,
        keep_days=keep_days,
    )
    if not created:  # another request stored the same capture a moment before this one
        return Received(capture, store.get_reading(db, capture_id), created)
    log.info(
        "capture %s stored: %s%s", capture_id, capture["status"],
        f" ({error.code})" if error else "",
    )  # fmt: skip
    stored = None
    if reading is not None:
        row = store.reading_row(capture_id, store.parse_moment(captured_at), captured_at, reading)
        stored = {name: row[name] for name in store.READING_OUTPUT}
    return Received(capture, stored, created)


@dataclass
class ReparseReport:
    recovered: int = 0  # failed captures the current parser reads
    still_failing: dict = field(default_factory=dict)  # error code -> count
    updated: int = 0  # readings that came out different from before
    unchanged: int = 0


def reparse(db: Database) -> ReparseReport:
    """Read every kept raw payload again with the current parser."""
    report = ReparseReport()
    for capture in list(store.captures_with_payload(db)):
        if capture["kind"] == "import":
            continue  # our own export rows: nothing for the parser to read
        reading, error = read(capture["kind"], store.payload_text(capture), capture["url"])
        if capture["status"] == "failed":
            if reading is not None:
                store.mark_recovered(db, capture, reading)
                report.recovered += 1
            else:
                if error.code != capture["error_code"] or error.message != capture["error_message"]:
                    store.mark_failed(db, capture["id"], error)
                report.still_failing[error.code] = report.still_failing.get(error.code, 0) + 1
            continue
        if reading is None:
            report.unchanged += 1  # an ok reading is never thrown away by a worse parser
            continue
        stored = store.get_reading(db, capture["id"])
        if stored is not None and all(stored[k] == v for k, v in reading.to_dict().items()):
            report.unchanged += 1
        else:
            store.mark_recovered(db, capture, reading)
            report.updated += 1
    return report
