"""What a POST /api/v1/captures body must look like (check 7 of the security doc)."""

import json
import re
import uuid
from datetime import datetime
from urllib.parse import urlsplit

from companion import i18n
from companion.ingest.capture_time import check_capture_moment
from companion.store import parse_moment

FIELDS = {"id", "captured_at", "url", "html", "api"}
REQUIRED = ("id", "captured_at", "url")
MAX_URL = 2048
# A browser's address never holds raw control characters; urlsplit would quietly drop some.
_URL_CONTROL = re.compile("[\x00-\x1f\x7f]")
_URL_EXPECTED = "url must be the http(s) address of the captured page"


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
        # The API answers the extension in English, as all its other messages are.
        with i18n.use(i18n.DEFAULT):
            check_capture_moment("captured_at", moment, now)
    except ValueError as exc:
        raise SchemaError(str(exc)) from None
    return captured_at


def _url(body: dict) -> str:
    url = _string(body, "url")
    if len(url) > MAX_URL:
        raise SchemaError(f"{_URL_EXPECTED} (at most {MAX_URL} characters)")
    if _URL_CONTROL.search(url):
        raise SchemaError(f"{_URL_EXPECTED}: it holds control characters")
    try:
        parts = urlsplit(url)
        # Read here, not first by whoever shows or parses the URL later: an unclosed "[" or a
        # port such as 99999999 raises ValueError, which must be a 400 and not a 500.
        host, _port = parts.hostname, parts.port
    except ValueError as exc:  # its message may quote the port or host: never all 2 KB
        raise SchemaError(f"{_URL_EXPECTED}: {str(exc)[:120]}") from None
    if parts.scheme not in ("http", "https") or not host:
        raise SchemaError(_URL_EXPECTED)
    return url


def _payload(body: dict) -> tuple[str, object]:
    if "html" in body:
        # The parser replaces what is not valid Unicode in a page; the raw page is kept as sent.
        return "html", _string(body, "html", strict=False)
    payload = body["api"]
    if not isinstance(payload, dict):
        raise SchemaError(f"api must be an object, not {type(payload).__name__}")
    try:
        text = json.dumps(payload, ensure_ascii=False)
    except RecursionError:
        # The JSON decoder stops near the same depth; a deeper stack here can tip it over.
        raise SchemaError("api is nested too deeply to be a salesApiSsi payload") from None
    _encodable("api", text)
    return "api", payload


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

    url = _url(body)
    kind, payload = _payload(body)
    return {
        "capture_id": str(capture_id),
        "captured_at": captured_at,
        "url": url,
        "kind": kind,
        "payload": payload,
    }
