"""The checks every request passes before a view runs, in the order of docs/reference/security.md.

1. bind 127.0.0.1 only (server.py)      2. Host is 127.0.0.1 or localhost      -> 400
3. Origin, if any, is an extension's or ours -> 403, empty body
4. token on every API route but ping    -> 401 (an extension's, once passed, is noted for doctor)
5. a body is JSON                       -> 415
6. size: Content-Length required, 5 MB at most -> 411 / 413
7. the body's schema (in the views)     -> 400
"""

import logging
import re

from flask import Flask, Response, abort, current_app, render_template, request
from flask_cors import CORS
from werkzeug.exceptions import HTTPException, SecurityError

from companion.serving import CHUNKED_ENVIRON
from companion.store import access_token as token
from companion.store import extension_contact

log = logging.getLogger("companion.web")

# Only these names reach the companion, whatever the port: a web page that rebinds its own
# DNS name to 127.0.0.1 still sends its own name as Host, and is refused with 400.
TRUSTED_HOSTS = ["127.0.0.1", "localhost"]
EXTENSION_ORIGINS = [
    re.compile(r"^chrome-extension://[a-p]{32}$"),
    re.compile(r"^moz-extension://[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
]
# Pairing is how the extension gets its token, so it cannot need one (see pairing.py).
PUBLIC_ENDPOINTS = {"api.ping", "api.pairing_start", "api.pairing_status", "api.proof"}
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

# On every answer: API JSON, exports and charts hold the user's history, which no browser or
# proxy cache may keep, and which no browser may sniff into something it would run.
RESPONSE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
# On every page, besides: no script or style from elsewhere, no framing (clickjacking), forms
# post only to the companion, and no <base> that would point its relative links elsewhere.
HTML_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    **RESPONSE_HEADERS,
    "Referrer-Policy": "no-referrer",
}


def is_extension_origin(origin: str) -> bool:
    return any(pattern.match(origin) for pattern in EXTENSION_ORIGINS)


def own_origins() -> set[str]:
    port = request.host.rpartition(":")[2] if ":" in request.host else "80"
    suffix = "" if port == "80" else f":{port}"
    return {f"http://127.0.0.1{suffix}", f"http://localhost{suffix}"}


def _is_api() -> bool:
    return request.blueprint == "api" or request.path.startswith("/api/")


def from_own_page() -> bool:
    """Sent by the companion's own page. Under `Referrer-Policy: no-referrer` a browser posts
    its forms with `Origin: null`; `Sec-Fetch-Site`, which no page can set, tells the truth."""
    origin = request.headers.get("Origin")
    if origin is not None and origin in own_origins():
        return True
    return origin in (None, "null") and request.headers.get("Sec-Fetch-Site") == "same-origin"


def _check_origin():
    origin = request.headers.get("Origin")
    if origin is None:
        return None  # not sent by a browser page: the token decides
    if is_extension_origin(origin) or from_own_page():
        return None
    # Empty: a foreign page learns nothing, not even an error text.
    return Response(status=403)


def _check_token() -> bool:
    """Refuse an API request without the right token; True when it presented the right one."""
    if request.method == "OPTIONS" or not request.endpoint:
        return False  # preflight (origin already checked) and 404s carry no data
    if request.blueprint != "api" or request.endpoint in PUBLIC_ENDPOINTS:
        return False
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.matches(
        current_app.config["DATA_DIR"], presented.strip()
    ):
        abort(
            401,
            "Missing or wrong token: pair the extension again, or paste the token "
            "that `ssi-companion token` prints into its options.",
        )
    return True


def _note_extension_contact() -> None:
    """For `ssi-companion doctor`: a paired extension reached us (its origin and the token)."""
    origin = request.headers.get("Origin")
    if origin is None or not is_extension_origin(origin):
        return
    try:
        extension_contact.note(current_app.config["DATA_DIR"], origin)
    except OSError as exc:  # a hint for doctor, never a reason to fail the request
        log.debug("extension contact not noted: %s", exc.strerror or type(exc).__name__)


def _check_body():
    if request.method not in BODY_METHODS or not _is_api():
        return
    if not request.is_json:
        abort(415, "Send the body as JSON (Content-Type: application/json).")
    # waitress de-chunks a chunked body and fills in the length itself; server.py marks it.
    chunked = request.headers.get("Transfer-Encoding") or request.environ.get(CHUNKED_ENVIRON)
    if request.content_length is None or chunked:
        abort(411, "A Content-Length header is required (no chunked bodies).")
    if request.content_length > current_app.config["MAX_CONTENT_LENGTH"]:
        abort(
            413,
            "The body is larger than the companion accepts "
            f"({current_app.config['MAX_CONTENT_LENGTH']} bytes).",
        )


def _before_request():
    # Check 2 first: request.host raises 400 for any Host outside TRUSTED_HOSTS. Routing does
    # this too, but only after the before-request checks below would have run.
    request.host  # noqa: B018
    refused = _check_origin()
    if refused is not None:
        return refused
    if _check_token():
        _note_extension_contact()
    _check_body()
    return None


_ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    403: "forbidden",
    409: "conflict",
    411: "length_required",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    500: "internal_error",
}


def api_error(status: int, message: str, code: str | None = None):
    return {"error": {"code": code or _ERROR_CODES.get(status, "error"), "message": message}}, (
        status
    )


def _http_error(exc: HTTPException):
    if exc.code == 403 and not exc.description:
        return Response(status=403)
    if _is_api():
        return api_error(exc.code or 500, exc.description or exc.name)
    # A page of ours, in the user's language: the description only when a view gave one (it
    # is already in that language); Werkzeug's own defaults are English.
    if isinstance(exc, SecurityError):
        return exc  # a Host we do not serve: no page of ours (nor its links) for it
    detail = exc.description if exc.description != type(exc).description else None
    page = render_template("error.html", code=exc.code, detail=detail)
    return Response(page, status=exc.code or 500, mimetype="text/html")


def _security_headers(response: Response) -> Response:
    # setdefault: a view that sets its own (the charts' stricter CSP) keeps it.
    headers = HTML_HEADERS if response.mimetype == "text/html" else RESPONSE_HEADERS
    for name, value in headers.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    # Werkzeug checks request.host against this list while routing, so it covers every route
    # (HTML, API, static and 404s) and answers 400 before any view runs.
    app.config["TRUSTED_HOSTS"] = TRUSTED_HOSTS
    app.before_request(_before_request)
    app.register_error_handler(HTTPException, _http_error)
    app.after_request(_security_headers)
    CORS(
        app,
        resources={r"/api/*": {"origins": EXTENSION_ORIGINS}},
        methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type"],
        supports_credentials=False,
        allow_private_network=False,
        max_age=600,
    )
