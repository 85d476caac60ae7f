"""Signed-in pages: nobody without a session sees or changes anything (security.md, "L")."""

import re
import subprocess
import sys
from datetime import date, timedelta
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import pytest

from companion import __version__, store
from companion.cli import cli
from companion.ingest import demo
from companion.store import access_token as token
from companion.store import sessions
from companion.web.signin import COOKIE
from tests.conftest import ServerProcess, sign_in
from tests.helpers_api import auth, raw_request

BASE = "http://127.0.0.1:47613"
OWN = {"Origin": BASE}
EXT = "chrome-extension://" + "a" * 32

# Every page, chart, export and form: (method, path).
PAGES = [
    ("GET", "/"),
    ("GET", "/?range=all"),
    ("GET", "/settings"),
    ("GET", "/pairing"),
    ("GET", "/charts/ssi.svg"),
    ("GET", "/charts/ranks.svg"),
    ("GET", "/export.csv"),
    ("GET", "/export.json"),
    ("POST", "/settings"),
    ("POST", "/settings/token"),
    ("POST", "/settings/sign-out-everywhere"),
    ("POST", "/captures/00000000-0000-4000-8000-000000000000/read-again"),
    ("POST", "/pairing/some-id/approve"),
    ("POST", "/reminders/dismiss"),
]


@pytest.fixture
def history(app):
    with store.connection(app.config["DATA_DIR"]) as db:
        demo.fill(db, date.today(), days=30)
        return store.latest_reading(db)


def _code(app, now=None) -> str:
    with store.connection(app.config["DATA_DIR"]) as db:
        return sessions.mint_code(db, now)


def _csrf(client, path="/settings") -> str:
    html = client.get(path, base_url=BASE).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', html).group(1)


@pytest.mark.parametrize("method, path", PAGES)
def test_without_a_session_a_page_says_how_to_sign_in_and_nothing_else(
    app, anonymous, history, method, path
):
    app.extensions["pairings"].start(EXT, "0" * 64)
    pending_code = app.extensions["pairings"].pending()[0].code
    response = anonymous.open(path, method=method, base_url=BASE, headers=OWN)
    assert response.status_code == 401
    body = response.get_data(as_text=True)
    assert "ssi-companion open" in body and "Open summary" in body
    assert f"{history['total']:g}" not in body and f"{history['total']:.2f}" not in body
    assert history["date"] not in body
    assert __version__ not in body
    assert pending_code not in body
    assert "csrf_token" not in body
    assert response.headers["Cache-Control"] == "no-store"


def test_a_form_without_a_session_changes_nothing(app, anonymous):
    anonymous.post("/settings", data={"stale_days": "9"}, base_url=BASE, headers=OWN)
    with store.connection(app.config["DATA_DIR"]) as db:
        assert "stale_days" not in {r["key"] for r in db.query("SELECT key FROM settings")}


def test_a_sign_in_link_works_once_sets_a_strict_cookie_and_drops_the_code(app, anonymous):
    code = _code(app)
    response = anonymous.get(f"/signin?code={code}", base_url=BASE)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"  # no code in the URL the browser keeps
    cookie = SimpleCookie(response.headers["Set-Cookie"])[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/"
    assert not cookie["domain"]  # host-only
    assert int(cookie["max-age"]) == 30 * 24 * 3600
    assert anonymous.get("/", base_url=BASE).status_code == 200
    again = anonymous.get(f"/signin?code={code}", base_url=BASE)
    assert again.status_code == 403
    assert "already been used or has expired" in again.get_data(as_text=True)
    assert "Set-Cookie" not in again.headers


@pytest.mark.parametrize(
    "code", ["", "x", "A" * 43, "é" * 43, "A" * 10_000, "%00", "../" * 15, "A" * 42 + "!"]
)
def test_a_sign_in_code_that_is_not_ours_is_refused(anonymous, code):
    response = anonymous.get("/signin", query_string={"code": code}, base_url=BASE)
    assert response.status_code == 403
    assert "Set-Cookie" not in response.headers


def test_a_sign_in_link_expires_after_two_minutes(app, anonymous):
    stale = _code(app, store.now_utc() - timedelta(minutes=2, seconds=1))
    assert anonymous.get(f"/signin?code={stale}", base_url=BASE).status_code == 403
    fresh = _code(app, store.now_utc() - timedelta(minutes=1, seconds=50))
    assert anonymous.get(f"/signin?code={fresh}", base_url=BASE).status_code == 303


def test_sessions_are_stored_hashed_last_30_days_from_last_use_and_survive_restarts(
    app, anonymous, home
):
    session_id = sign_in(app, anonymous)
    with store.connection(home) as db:
        stored = [r["id_sha256"] for r in db.query("SELECT id_sha256 FROM sessions")]
        assert session_id not in stored and len(stored) == 1
        later = store.now_utc() + timedelta(days=29)
        assert sessions.is_valid(db, session_id, later)  # used: 30 days from now on
        assert sessions.is_valid(db, session_id, later + timedelta(days=29))
        assert not sessions.is_valid(db, session_id, later + timedelta(days=60))
    from companion.web import create_app

    restarted = create_app({"HOME": str(home), "TESTING": True})
    browser = restarted.test_client()
    fresh = sign_in(app, anonymous)
    browser.set_cookie(COOKIE, fresh, domain="127.0.0.1")
    assert browser.get("/", base_url=BASE).status_code == 200


def test_rotating_the_token_signs_everyone_out(client, runner):
    assert client.get("/", base_url=BASE).status_code == 200
    result = runner.invoke(cli, ["token", "--rotate"])
    assert result.exit_code == 0, result.output
    assert "Signed out 1 browser session:" in result.output
    assert client.get("/", base_url=BASE).status_code == 401


def test_sign_out_everywhere_ends_every_session(app, client):
    other = app.test_client()
    sign_in(app, other)
    response = client.post(
        "/settings/sign-out-everywhere",
        data={"csrf_token": _csrf(client)},
        base_url=BASE,
        headers=OWN,
    )
    assert response.status_code == 200
    assert "signed out everywhere" in response.get_data(as_text=True)
    cleared = SimpleCookie(response.headers["Set-Cookie"])[COOKIE]
    assert cleared.value == "" and cleared["expires"]
    assert client.get("/", base_url=BASE).status_code == 401
    assert other.get("/", base_url=BASE).status_code == 401


@pytest.mark.parametrize(
    "form",
    [
        {"csrf_token": "%C3%A9"},
        {"csrf_token": "é"},
        {"csrf_token": ""},
        {},
        {"csrf_token": ["SAME", "SAME"]},
        {"csrf_token": "0" * 64},
    ],
)
def test_a_csrf_value_that_is_not_ours_is_403_never_500(client, form):
    form = {k: [_csrf(client) if x == "SAME" else x for x in v] if isinstance(v, list) else v
            for k, v in form.items()}  # fmt: skip
    response = client.post("/settings/token", data=form, base_url=BASE, headers=OWN)
    assert response.status_code == 403
    assert b"token-value" not in response.data


def test_a_csrf_token_is_bound_to_its_session(app, client):
    mine = _csrf(client)
    other = app.test_client()
    sign_in(app, other)
    response = other.post("/settings/token", data={"csrf_token": mine}, base_url=BASE, headers=OWN)
    assert response.status_code == 403
    own = other.post(
        "/settings/token", data={"csrf_token": _csrf(other)}, base_url=BASE, headers=OWN
    )
    assert own.status_code == 200 and b"token-value" in own.data


def test_the_extension_gets_a_sign_in_link_with_its_token(app, anonymous, home):
    assert anonymous.post("/api/v1/signin-link", json={}).status_code == 401
    response = anonymous.post(
        "/api/v1/signin-link", json={}, headers=auth(home, Origin=EXT), base_url=BASE
    )
    assert response.status_code == 201
    url = urlsplit(response.get_json()["url"])
    assert (url.scheme, url.netloc, url.path) == ("http", "127.0.0.1:47613", "/signin")
    signed_in = anonymous.get(f"/signin?{url.query}", base_url=BASE)
    assert signed_in.status_code == 303
    assert anonymous.get("/", base_url=BASE).status_code == 200


def test_open_without_a_running_companion_says_so(runner):
    result = runner.invoke(cli, ["open", "--print"])
    assert result.exit_code == 1
    assert "the companion is not running" in result.output


def test_serve_prints_a_link_and_open_print_signs_a_browser_in(tmp_path):
    home = tmp_path / "home"
    server = ServerProcess(home).start()
    try:
        env = {"SSI_COMPANION_HOME": str(home), "PATH": "/usr/bin:/bin"}
        printed = subprocess.run(
            [sys.executable, "-m", "companion", "open", "--print"],
            env=env, capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        assert printed.returncode == 0, printed.stderr
        link = printed.stdout.strip().splitlines()[-1]
        assert link.startswith(f"http://127.0.0.1:{server.port}/signin?code=")
        path = link.removeprefix(f"http://127.0.0.1:{server.port}")
        host = {"Host": f"127.0.0.1:{server.port}"}
        status, headers, _ = raw_request(server.port, "GET", path, host)
        assert status == 303
        cookie = SimpleCookie(headers["Set-Cookie"])[COOKIE].value
        status, _, body = raw_request(
            server.port, "GET", "/", {**host, "Cookie": f"{COOKIE}={cookie}"}
        )
        assert status == 200 and b"SSI Companion" in body
        status, _, _ = raw_request(server.port, "GET", path, host)
        assert status == 403  # once only
        assert token.get(home) not in link
    finally:
        server.stop()
    out, _ = server.proc.communicate(timeout=10)
    startup = re.search(r"Open your summary: (http://\S+)", out)
    assert startup and startup.group(1).startswith(f"http://127.0.0.1:{server.port}/signin?code=")
