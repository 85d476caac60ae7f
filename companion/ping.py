"""Asking 127.0.0.1:<port> whether a companion answers there (GET /api/v1/ping).

http.client straight to 127.0.0.1: urllib would hand the request to an `http_proxy` from the
environment, and the companion never contacts anything but 127.0.0.1. Used by `serve` (whose
port is taken?), `autostart status` and `doctor`.
"""

import http.client
import json

from companion.i18n import _

HOST = "127.0.0.1"


class NoAnswer(Exception):
    """Nothing answers on that port (the message says what happened)."""


class NotOurs(NoAnswer):
    """Something answers on that port, but it is not a companion."""


def ping(port: int, timeout: float = 2.0) -> dict:
    """The companion's answer to GET /api/v1/ping: {"app", "version", "api"}."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", "/api/v1/ping")
        response = conn.getresponse()
        body = response.read(4096)
    except (OSError, http.client.HTTPException) as exc:
        raise NoAnswer(getattr(exc, "strerror", None) or type(exc).__name__) from None
    finally:
        conn.close()
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    if response.status != 200 or not isinstance(answer, dict):
        raise NotOurs(_("HTTP %(status)s, not a companion's answer", status=response.status))
    if answer.get("app") != "ssi-companion":
        raise NotOurs(_("another program answers"))
    return answer


def who_answers(port: int, timeout: float = 2.0) -> str | None:
    """The version of the companion answering on `port`, or None if none does."""
    try:
        return str(ping(port, timeout).get("version", "?"))
    except NoAnswer:
        return None
