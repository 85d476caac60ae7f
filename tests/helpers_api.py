"""Requests to the API, in-process and to a real server, and the captures they carry."""

import http.client
import json
import uuid

from companion import store
from companion.store import access_token as token
from tests.conftest import DATA, REAL_FIXTURES

SSI_URL = "https://www.linkedin.com/sales/ssi"
CURRENT_EN = (DATA / "current_en.html").read_text(encoding="utf-8")
DOM_2023_EN = (DATA / "dom_2023_en.html").read_text(encoding="utf-8")
LOGIN = (DATA / "login.html").read_text(encoding="utf-8")
SKELETON = (DATA / "skeleton.html").read_text(encoding="utf-8")
REAL_API = json.loads(
    (REAL_FIXTURES / "linkedin-beacon_salesApiSsi_live_2026-06.json").read_text(encoding="utf-8")
)

EXTENSION_ORIGIN = "chrome-extension://" + "abcdefghijklmnop" * 2
MOZ_ORIGIN = "moz-extension://0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d"

# Every route, as (method, path). POST /captures is the one that would store something.
API_ROUTES = [
    ("POST", "/api/v1/captures"),
    ("GET", "/api/v1/captures"),
    ("GET", "/api/v1/readings"),
    ("GET", "/api/v1/readings/daily"),
    ("GET", "/api/v1/readings/latest"),
    ("GET", "/api/v1/status"),
]
ALL_ROUTES = [*API_ROUTES, ("GET", "/api/v1/ping"), ("GET", "/")]


def capture_body(**changes) -> dict:
    """A valid POST /captures body (current_en.html); `changes` replace or add fields."""
    body = {
        "id": str(uuid.uuid4()),
        "captured_at": "2026-11-26T10:00:00+01:00",
        "url": SSI_URL,
        "html": CURRENT_EN,
    }
    body.update(changes)
    return body


def auth(data_dir, **extra) -> dict:
    return {"Authorization": f"Bearer {token.get(data_dir)}", **extra}


def counts(data_dir) -> dict:
    db = store.connect(data_dir)
    try:
        return store.counts(db)
    finally:
        db.close()


EMPTY = {"captures": 0, "failed": 0, "readings": 0}


def assert_nothing_stored(data_dir) -> None:
    assert counts(data_dir) == EMPTY


def send(client, method: str, path: str, headers=None, body: dict | None = None, **kw):
    """A request through the Flask test client; POSTs carry a valid capture as JSON."""
    if method == "POST" and body is None and "data" not in kw:
        body = capture_body()
    if body is not None:
        kw["json"] = body
    return client.open(path, method=method, headers=headers or {}, **kw)


def raw_request(port, method, path, headers=None, body: bytes | None = None, chunks=None):
    """One request on a fresh connection to the real server: (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        if chunks is not None:
            conn.putrequest(method, path, skip_accept_encoding=True)
            for name, value in (headers or {}).items():
                conn.putheader(name, value)
            conn.putheader("Transfer-Encoding", "chunked")
            conn.endheaders()
            for chunk in chunks:
                conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            conn.send(b"0\r\n\r\n")
        else:
            conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def post_json(port, body: dict, headers=None):
    data = json.dumps(body).encode()
    headers = {"Content-Type": "application/json", **(headers or {})}
    return raw_request(port, "POST", "/api/v1/captures", headers, data)
