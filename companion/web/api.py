"""The JSON API under /api/v1. Views read, validate, act and respond; the core does the work."""

import re
from datetime import date

from flask import Blueprint, current_app, request
from werkzeug.exceptions import BadRequest

from companion import __version__, store
from companion.ingest.capture_body import SchemaError, validate_capture
from companion.ingest.receive import receive
from companion.store import access_token as token
from companion.store import preferences, sessions
from companion.store.status import status_report
from companion.web import pairing
from companion.web.db import get_db
from companion.web.guard import api_error, is_extension_origin
from companion.web.pairing import RateLimited

API_VERSION = 1
MAX_LIMIT = 100_000

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/ping")
def ping():
    # Only what identifies the companion: the extension checks it before it sends anything.
    return {"app": "ssi-companion", "version": __version__, "api": API_VERSION}


def with_change(db, reading: dict | None) -> dict:
    previous = store.previous_reading(db, reading) if reading else None
    return {
        "reading": reading,
        "previous": previous,
        "change": store.change(reading, previous) if reading else None,
    }


@bp.post("/captures")
def post_capture():
    try:
        body = request.get_json()
    except BadRequest:
        return api_error(400, "The body is not valid JSON.")
    except RecursionError:
        return api_error(400, "The body is nested too deeply to be a capture.")
    try:
        capture = validate_capture(body)
    except SchemaError as exc:
        return api_error(400, str(exc))
    db = get_db()
    try:
        keep_days = (
            preferences.load(db)["retention_days"] or current_app.config["DEFAULT_RETENTION_DAYS"]
        )
        received = receive(db, **capture, keep_days=keep_days)
    except store.CaptureConflict:
        message = f"Capture {capture['capture_id']} was already stored with other content."
        return api_error(409, message)
    if received.error is not None:
        return {"error": received.error, "capture": received.capture}, 422
    if received.created:
        # serve sets this hook when its scheduler runs; tests and the CLI run without one.
        current_app.extensions["reminders"].after_capture()
    status = 201 if received.created else 200
    return {"capture": received.capture, **with_change(db, received.reading)}, status


def _query_date(name: str) -> str | None:
    value = request.args.get(name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise SchemaError(f"{name} must be a date like 2026-11-26, not {value[:40]!r}") from None


def _query_limit() -> int | None:
    value = request.args.get("limit")
    if value is None:
        return None
    if not re.fullmatch(r"[0-9]{1,7}", value) or not 1 <= int(value) <= MAX_LIMIT:
        raise SchemaError(f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return int(value)


def _reading_query(lister):
    try:
        since, until, limit = _query_date("from"), _query_date("to"), _query_limit()
    except SchemaError as exc:
        return api_error(400, str(exc))
    return {"readings": lister(get_db(), since, until, limit)}


@bp.get("/readings")
def readings():
    return _reading_query(store.list_readings)


@bp.get("/readings/daily")
def readings_daily():
    return _reading_query(store.daily_readings)


@bp.get("/readings/latest")
def readings_latest():
    db = get_db()
    return with_change(db, store.latest_reading(db))


@bp.get("/captures")
def captures():
    status = request.args.get("status")
    if status not in (None, "ok", "failed"):
        return api_error(400, "status must be ok or failed")
    try:
        limit = _query_limit()
    except SchemaError as exc:
        return api_error(400, str(exc))
    return {"captures": store.list_captures(get_db(), status, limit)}


@bp.get("/status")
def status():
    return status_report(get_db(), current_app.config["DATA_DIR"])


# -- pairing and proof: public (the extension has no token yet, or does not trust the port yet) --


def _extension_origin() -> str | None:
    origin = request.headers.get("Origin", "")
    return origin if is_extension_origin(origin) else None


def _only_field(name: str, pattern: re.Pattern, what: str) -> str:
    """The body's one string field `name`, matching `pattern`; SchemaError for anything else."""
    try:
        body = request.get_json()
    except (BadRequest, RecursionError):
        raise SchemaError("The body is not valid JSON.") from None
    if not isinstance(body, dict) or set(body) != {name}:
        raise SchemaError(f'The body must be {{"{name}": "<{what}>"}} and nothing else.')
    value = body[name]
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise SchemaError(f"{name} must be {what}.")
    return value


@bp.post("/pairing")
def pairing_start():
    origin = _extension_origin()
    if origin is None:
        return api_error(403, "Pairing is for the browser extension only.", "forbidden")
    try:
        challenge = _only_field("challenge", pairing.CHALLENGE, "64 lowercase hex digits")
    except SchemaError as exc:
        return api_error(400, str(exc))
    try:
        pending = current_app.extensions["pairings"].start(origin, challenge)
    except RateLimited:
        return api_error(429, "Too many pairing requests: wait a minute.", "rate_limited")
    return {
        "pairing": {
            "id": pending.id,
            "code": pending.code,
            "expires_in": pending.expires_in(pending.created),
        }
    }, 201


# A POST, not a GET: browsers send an extension's Origin only with POSTs, and the answer is
# only for the origin that asked and holds the verifier. Anyone else gets the same 404 as for
# an unknown id, and a wrong verifier uses nothing up.
@bp.post("/pairing/<request_id>")
def pairing_status(request_id):
    origin = _extension_origin()
    if origin is None:
        return api_error(404, "No such pairing request for this extension.")
    try:
        verifier = _only_field("verifier", pairing.VERIFIER, "the secret behind the challenge")
    except SchemaError as exc:
        return api_error(400, str(exc))
    answer = current_app.extensions["pairings"].poll(request_id, origin, verifier, _token)
    if answer is None:
        return api_error(404, "No such pairing request for this extension.")
    return answer


# Before the extension sends its token or a capture to this port, it makes sure that the
# companion listening there knows the token (threat S in security.md): an HMAC of its fresh
# nonce proves that and reveals nothing of the token.
@bp.post("/proof")
def proof():
    try:
        nonce = _only_field("nonce", pairing.NONCE, "32 to 128 lowercase hex digits")
    except SchemaError as exc:
        return api_error(400, str(exc))
    return {"proof": pairing.proof(_token(), nonce)}


class NoToken(Exception):
    """The token file is missing or damaged while the companion runs (token.py)."""


def _token() -> str:
    secret = token.read(current_app.config["DATA_DIR"])
    if secret is None:
        raise NoToken
    return secret


@bp.errorhandler(NoToken)
def _no_token(exc):
    # Never made or replaced at run time (token.py): the user decides with `token --rotate`.
    return api_error(
        503,
        "The companion has no usable token: run `ssi-companion token --rotate`, then pair again.",
        "token_unavailable",
    )


# -- signing in to the pages: the extension's "Open summary" -----------------------------------


@bp.post("/signin-link")
def signin_link():
    # Behind the token like every API route: only the paired extension (or the CLI) mints one.
    port = request.host.rpartition(":")[2] if ":" in request.host else "80"
    return {"url": sessions.signin_url(int(port), sessions.mint_code(get_db()))}, 201
