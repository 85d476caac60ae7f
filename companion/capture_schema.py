"""What a POST /api/v1/captures body must look like (check 7 of the security doc)."""

import json
import uuid
from datetime import datetime
from urllib.parse import urlsplit

from .moments import check_capture_moment
from .store import parse_moment

FIELDS = {"id", "captured_at", "url", "html", "api"}
REQUIRED = ("id", "captured_at", "url")
MAX_URL = 2048


class SchemaError(ValueError):
    """The message names the field and what is wrong with it."""


def _string(body: dict, name: str, strict: bool = True) -> str:
    value = body[name]
    if not isinstance(value, str):
        raise SchemaError(f"{name} must be a string, not {type(value).__name__}")
    if strict:
        _encodable(name, value)
    return value


def _encodable(name: str, text: str) -> None:
    # JSON can carry lone surrogates ("\ud800") that no database column can hold.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise SchemaError(f"{name} holds characters that are not valid Unicode") from None


def _captured_at(body: dict, now: datetime | None) -> str:
    captured_at = _string(body, "captured_at")
    try:
        moment = parse_moment(captured_at)
    except ValueError as exc:
        raise SchemaError(f"captured_at must be ISO 8601 with an offset: {exc}") from None
    # The window also keeps out years 1 and 9999, whose move to UTC would overflow.
    try:
        check_capture_moment("captured_at", moment, now)
    except ValueError as exc:
        raise SchemaError(str(exc)) from None
    return captured_at


def validate_capture(body, now: datetime | None = None) -> dict:
    """The capture to store, from a request body; SchemaError says what is wrong.

    `now` is this computer's clock (the default), against which captured_at is judged.
    """
    if not isinstance(body, dict):
        raise SchemaError("the body must be a JSON object")
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise SchemaError(f"unknown field(s): {', '.join(unknown)}")
    missing = [name for name in REQUIRED if name not in body]
    if missing:
        raise SchemaError(f"missing field(s): {', '.join(missing)}")
    if ("html" in body) == ("api" in body):
        raise SchemaError("send exactly one of html or api")

    raw_id = _string(body, "id")
    try:
        capture_id = uuid.UUID(raw_id)
    except ValueError:
        raise SchemaError(f"id must be a uuid, not {raw_id[:60]!r}") from None
    if str(capture_id) != raw_id.lower():
        raise SchemaError("id must be a uuid in its usual form (8-4-4-4-12 hex digits)")

    captured_at = _captured_at(body, now)

    url = _string(body, "url")
    parts = urlsplit(url)
    if len(url) > MAX_URL or parts.scheme not in ("http", "https") or not parts.netloc:
        raise SchemaError("url must be the http(s) address of the captured page")

    if "html" in body:
        # The parser replaces what is not valid Unicode in a page; the raw page is kept as sent.
        kind, payload = "html", _string(body, "html", strict=False)
    else:
        if not isinstance(body["api"], dict):
            raise SchemaError(f"api must be an object, not {type(body['api']).__name__}")
        kind, payload = "api", body["api"]
        _encodable("api", json.dumps(payload, ensure_ascii=False))
    return {
        "capture_id": str(capture_id),
        "captured_at": captured_at,
        "url": url,
        "kind": kind,
        "payload": payload,
    }
