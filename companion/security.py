"""The checks every request passes before a view runs (see shared/docs/security.md)."""

from flask import Flask, Response

# Only these names reach the companion, whatever the port: a web page that rebinds its own
# DNS name to 127.0.0.1 still sends its own name as Host, and is refused with 400.
TRUSTED_HOSTS = ["127.0.0.1", "localhost"]

HTML_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _html_headers(response: Response) -> Response:
    if response.mimetype == "text/html":
        for name, value in HTML_HEADERS.items():
            response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    # Werkzeug checks request.host against this list while routing, so it covers every route
    # (HTML, API, static and 404s) and answers 400 before any view runs.
    app.config["TRUSTED_HOSTS"] = TRUSTED_HOSTS
    app.after_request(_html_headers)
