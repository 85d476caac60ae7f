"""Stand-ins on the companion's port: proxies in front of the real companion, and an impostor.

`SlowProxy` holds one path back; `AnsweringProxy` answers chosen requests itself (a full disk,
a failing capture) and logs every request, so a test can count the POSTs of each capture;
`Impostor` answers ping as the companion does, without being it (threat S).
"""

import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Request headers passed on to the companion; response headers not copied back from it.
FORWARDED = ("authorization", "content-type", "origin")
NOT_COPIED = ("content-length", "connection", "server", "date")


def api_error(code: str, message: str) -> dict:
    """A companion error answer's body."""
    return {"error": {"code": code, "message": message}}


def _forward(handler: BaseHTTPRequestHandler, target_port: int, body: bytes | None):
    """Send `handler`'s request on to 127.0.0.1:`target_port`: (status, headers, payload)."""
    headers = {k: v for k, v in handler.headers.items() if k.lower() in FORWARDED}
    req = urllib.request.Request(
        f"http://127.0.0.1:{target_port}{handler.path}",
        data=body,
        headers=headers,
        method=handler.command,
    )
    try:
        response = urllib.request.urlopen(req, timeout=10)
    except urllib.error.HTTPError as error:
        response = error
    payload = response.read()
    kept = [(k, v) for k, v in response.headers.items() if k.lower() not in NOT_COPIED]
    return response.status, kept, payload


def _send(handler: BaseHTTPRequestHandler, status: int, headers, payload: bytes):
    handler.send_response(status)
    for key, value in headers:
        handler.send_header(key, value)
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)


def _read_body(handler: BaseHTTPRequestHandler) -> bytes | None:
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length else None


def _json_or_none(body: bytes | None):
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


class _Served:
    """A ThreadingHTTPServer on 127.0.0.1 (`port` 0: any free one), served while in `with`."""

    def _serve(self, handler, port: int = 0):
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class SlowProxy(_Served):
    """Forwards to the companion, answering `slow_path` only after `delay` seconds.

    `started` is set when a request for `slow_path` has arrived (and is being held).
    """

    def __init__(self, target_port: int, slow_path: str, delay: float):
        self.started = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _forward(self):
                if self.path == slow_path:
                    proxy.started.set()
                    time.sleep(delay)
                _send(self, *_forward(self, target_port, _read_body(self)))

            do_GET = do_POST = do_OPTIONS = _forward

        self._serve(Handler)


class AnsweringProxy(_Served):
    """Forwards to the companion, except the (method, path) pairs in `answers`, which it
    answers itself with (status, body): a companion whose disk is full, say. Ping and the proof
    of the token still reach the real companion, so the extension knows it is talking to it.

    A value of `answers` may also be a function of the request's JSON body (None when it has
    none) that returns (status, body), or None to forward this request after all: the proxy
    can fail one capture and let the others through. `port` binds a chosen port (0: any free
    one), so a test can start the proxy only when "the companion" is to come up.

    `requests` lists every request as {"at": time.monotonic(), "wall": time.time(), "method",
    "path", "id" (the body's "id", if any), "answered" (True when the proxy answered it)}.
    """

    def __init__(self, target_port: int, answers: dict | None = None, port: int = 0):
        self.answers = dict(answers or {})
        self.overridden: list[str] = []
        self.requests: list[dict] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _canned(self, body: bytes | None):
                canned = proxy.answers.get((self.command, self.path))
                if callable(canned):
                    canned = canned(_json_or_none(body))
                return canned

            def _handle(self):
                body = _read_body(self)
                seen = {"at": time.monotonic(), "wall": time.time()}
                seen.update(method=self.command, path=self.path)
                parsed = _json_or_none(body)
                seen["id"] = parsed.get("id") if isinstance(parsed, dict) else None
                canned = self._canned(body)
                seen["answered"] = canned is not None
                proxy.requests.append(seen)
                if canned is None:
                    _send(self, *_forward(self, target_port, body))
                    return
                proxy.overridden.append(f"{self.command} {self.path}")
                status, answer = canned
                payload = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
                kind = "text/plain" if isinstance(answer, bytes) else "application/json"
                headers = [("Content-Type", kind)]
                if self.headers.get("Origin"):
                    headers.append(("Access-Control-Allow-Origin", self.headers["Origin"]))
                _send(self, status, headers, payload)

            do_GET = do_POST = do_OPTIONS = _handle

        self._serve(Handler, port)

    def posted(self, capture_id: str, *, answered: bool | None = None) -> list[dict]:
        """The POST /api/v1/captures requests for `capture_id` (only those the proxy answered
        itself, or only those it forwarded, when `answered` says so)."""
        return [
            seen
            for seen in list(self.requests)
            if seen["method"] == "POST"
            and seen["path"] == "/api/v1/captures"
            and seen["id"] == capture_id
            and (answered is None or seen["answered"] is answered)
        ]

    def posts(self) -> list[dict]:
        """Every POST /api/v1/captures request, in the order they came."""
        return [
            seen
            for seen in list(self.requests)
            if seen["method"] == "POST" and seen["path"] == "/api/v1/captures"
        ]


class Impostor(_Served):
    """A program squatting a port (threat S): it answers GET /api/v1/ping exactly as the
    companion does (the same status, headers and body, copied from a real one), says yes to
    everything else, and records every request it gets."""

    def __init__(self, companion):
        with urllib.request.urlopen(companion.base + "/api/v1/ping", timeout=5) as answer:
            ping_status, ping_body = answer.status, answer.read()
            ping_headers = [
                (k, v)
                for k, v in answer.headers.items()
                if k.lower() not in ("date", "server", "content-length", "connection")
            ]
        self.requests: list[dict] = []
        impostor = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _answer(self, status, body: bytes, headers=(("Content-Type", "application/json"),)):
                self.send_response(status)
                for key, value in headers:
                    self.send_header(key, value)
                origin = self.headers.get("Origin")
                if origin:  # as permissive as a lure would be
                    self.send_header("Access-Control-Allow-Origin", origin)
                    self.send_header("Access-Control-Allow-Headers", "Authorization, Content-Type")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _handle(self):
                body = _read_body(self) or b""
                impostor.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": dict(self.headers.items()),
                        "body": body.decode("utf-8", "replace"),
                    }
                )
                if self.command == "GET" and self.path == "/api/v1/ping":
                    self._answer(ping_status, ping_body, ping_headers)
                elif self.path == "/api/v1/proof":
                    # Well formed, of the right length: all it can do without the token.
                    proof = json.dumps({"proof": secrets.token_hex(32)}).encode()
                    self._answer(200, proof)
                else:
                    self._answer(201 if self.command == "POST" else 200, b"{}")

            do_GET = do_POST = do_PUT = do_OPTIONS = _handle

        self._serve(Handler)

    def paths(self) -> set[str]:
        return {request["path"] for request in self.requests}
