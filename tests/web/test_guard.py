"""Every check of docs/reference/security.md: the hostile request, its answer, and nothing stored."""

import io
import json

import pytest

from companion.store import access_token as token
from companion.web import create_app
from tests.conftest import free_port
from tests.helpers_api import (
    ALL_ROUTES,
    API_ROUTES,
    EXTENSION_ORIGIN,
    MOZ_ORIGIN,
    assert_nothing_stored,
    auth,
    capture_body,
    counts,
    post_json,
    raw_request,
    send,
)

PROTECTED_API_ROUTES = API_ROUTES  # every API route but ping


def cors_headers(response) -> list[str]:
    return [name for name, _ in response.headers if name.lower().startswith("access-control-")]


@pytest.fixture
def data_dir(app):
    return app.config["DATA_DIR"]


@pytest.fixture
def small_app(home):
    return create_app({"HOME": str(home), "TESTING": True, "MAX_BODY_BYTES": 2048})


@pytest.fixture
def fuzz_client(app):
    # A crash must come back as a 500 to be seen, not be raised into the test.
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.testing = False
    return app.test_client()


# -- 2. Host (DNS rebinding) --------------------------------------------------------------------

FOREIGN_HOSTS = [
    "evil.example",
    "127.0.0.1.evil.example",
    "localhost.evil.example",
    "evil.example:47613",
    "192.168.1.5",
]


@pytest.mark.parametrize("host", FOREIGN_HOSTS)
@pytest.mark.parametrize("method, path", ALL_ROUTES)
def test_foreign_host_is_refused_with_400_even_with_the_token(client, data_dir, host, method, path):
    response = send(client, method, path, headers=auth(data_dir, Host=host))
    assert response.status_code == 400
    assert_nothing_stored(data_dir)


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.evil.example"])
def test_foreign_host_is_refused_on_404_and_static_paths(client, data_dir, host):
    for path in ("/no-such-page", "/static/anything.css"):
        assert client.get(path, headers={"Host": host}).status_code == 400


# -- 3. Origin ------------------------------------------------------------------------------------

FOREIGN_ORIGINS = [
    "https://evil.example",
    "null",
    "http://127.0.0.1:1",  # another local web server (own origin is port 80 for Host localhost)
    "http://localhost:8000",
    "chrome-extension://" + "q" * 32,  # outside [a-p]
    "chrome-extension://" + "a" * 31,
    "chrome-extension://" + "a" * 33,
    "chrome-extension://" + "A" * 32,
    "moz-extension://not-a-uuid",
    "https://" + "a" * 32 + ".chrome-extension.evil.example",
    EXTENSION_ORIGIN + ".evil.example",
    EXTENSION_ORIGIN + "/",
    "",
]


@pytest.mark.parametrize("origin", FOREIGN_ORIGINS)
@pytest.mark.parametrize("method, path", ALL_ROUTES)
def test_foreign_origin_gets_an_empty_403_even_with_the_token(
    client, data_dir, origin, method, path
):
    response = send(client, method, path, headers=auth(data_dir, Origin=origin))
    assert response.status_code == 403
    assert response.data == b""
    assert "Access-Control-Allow-Origin" not in response.headers
    assert_nothing_stored(data_dir)


def test_other_port_of_our_own_host_is_a_foreign_origin(client, data_dir):
    headers = auth(data_dir, Host="127.0.0.1:47613", Origin=f"http://127.0.0.1:{free_port()}")
    response = send(client, "POST", "/api/v1/captures", headers=headers)
    assert response.status_code == 403
    assert response.data == b""
    assert_nothing_stored(data_dir)


@pytest.mark.parametrize(
    "origin", [EXTENSION_ORIGIN, MOZ_ORIGIN, "http://127.0.0.1:47613", "http://localhost:47613"]
)
def test_allowed_origins_with_the_token_may_store(client, data_dir, origin):
    headers = auth(data_dir, Host="127.0.0.1:47613", Origin=origin)
    response = send(client, "POST", "/api/v1/captures", headers=headers)
    assert response.status_code == 201
    assert counts(data_dir)["captures"] == 1


# -- 4. token -------------------------------------------------------------------------------------


def bad_auth_headers(data_dir):
    good = token.get(data_dir)
    return {
        "missing": {},
        "wrong": {"Authorization": "Bearer " + "x" * len(good)},
        "prefix": {"Authorization": "Bearer " + good[:-1]},
        "longer": {"Authorization": "Bearer " + good + "x"},
        "empty bearer": {"Authorization": "Bearer "},
        "bare bearer": {"Authorization": "Bearer"},
        "basic scheme": {"Authorization": "Basic " + good},
        "token scheme": {"Authorization": "Token " + good},
        "no scheme": {"Authorization": good},
        "other header": {"X-Token": good},
        "cookie": {"Cookie": f"token={good}"},
    }


BAD_AUTH = [
    "missing",
    "wrong",
    "prefix",
    "longer",
    "empty bearer",
    "bare bearer",
    "basic scheme",
    "token scheme",
    "no scheme",
    "other header",
    "cookie",
]


@pytest.mark.parametrize("case", BAD_AUTH)
@pytest.mark.parametrize("method, path", PROTECTED_API_ROUTES)
def test_missing_or_wrong_token_is_refused_with_401(client, data_dir, case, method, path):
    headers = bad_auth_headers(data_dir)[case]
    response = send(client, method, path, headers=headers)
    assert response.status_code == 401
    error = response.get_json()["error"]
    assert error["code"] == "unauthorized"
    assert token.get(data_dir) not in response.get_data(as_text=True)
    assert_nothing_stored(data_dir)


@pytest.mark.parametrize("param", ["token", "access_token", "auth", "bearer"])
@pytest.mark.parametrize("method, path", PROTECTED_API_ROUTES)
def test_token_in_the_query_string_does_not_work(client, data_dir, param, method, path):
    response = send(client, method, f"{path}?{param}={token.get(data_dir)}")
    assert response.status_code == 401
    assert_nothing_stored(data_dir)


@pytest.mark.parametrize("method, path", PROTECTED_API_ROUTES)
def test_old_token_stops_working_after_rotate(client, data_dir, method, path):
    old = auth(data_dir)
    new_token = token.rotate(data_dir)
    assert send(client, method, path, headers=old).status_code == 401
    assert_nothing_stored(data_dir)
    response = send(client, method, path, headers={"Authorization": f"Bearer {new_token}"})
    assert response.status_code in (200, 201)


def test_ping_needs_no_token_and_tells_nothing_more(client):
    response = client.get("/api/v1/ping")
    assert response.status_code == 200
    assert set(response.get_json()) == {"app", "version", "api"}


def test_valid_token_is_accepted_with_any_case_of_the_scheme(client, data_dir):
    headers = {"Authorization": f"bearer {token.get(data_dir)}"}
    assert client.get("/api/v1/status", headers=headers).status_code == 200


PATH_TRICKS = [
    "//api/v1/captures",
    "/api/v1//captures",
    "/api//v1/captures",
    "/api/v1/../v1/captures",
    "/api/v1/./captures",
    "/x/../api/v1/captures",
    "/api/v1/captures/",
    "/api/v1/captures/.",
    "/api/v1/%63aptures",
    "/API/v1/captures",
    "/api/v1/captures;x",
    "/api/v1/ping/../captures",
]


@pytest.mark.parametrize("path", PATH_TRICKS)
def test_path_tricks_never_store_without_a_token(client, data_dir, path):
    # PATH_INFO as a server would pass it, unnormalised (the test client would clean it up).
    data = json.dumps(capture_body()).encode()
    response = client.post(
        "/", data=data, content_type="application/json", environ_overrides={"PATH_INFO": path}
    )
    assert response.status_code not in (200, 201, 500)
    assert_nothing_stored(data_dir)


def test_path_tricks_never_store_without_a_token_on_the_real_server(server):
    for path in PATH_TRICKS:
        status, _, _ = raw_request(
            server.port,
            "POST",
            path,
            {"Content-Type": "application/json"},
            json.dumps(capture_body()).encode(),
        )
        assert status not in (200, 201, 500), path
    assert_nothing_stored(server.home)


# -- 5. JSON only ---------------------------------------------------------------------------------

JSON_TEXT = json.dumps(capture_body())
NOT_JSON_CASES = {
    "text/plain": {"data": JSON_TEXT, "content_type": "text/plain"},
    "text/plain utf-8": {"data": JSON_TEXT, "content_type": "text/plain;charset=UTF-8"},
    "form": {"data": {"payload": JSON_TEXT}},  # application/x-www-form-urlencoded
    "form json-ish": {
        "data": JSON_TEXT,
        "content_type": "application/x-www-form-urlencoded",
    },
    "multipart": {"data": "file", "content_type": "multipart/form-data"},
    "no content type": {"data": JSON_TEXT},
    "text/json": {"data": JSON_TEXT, "content_type": "text/json"},
}


def not_json(case: str) -> dict:
    kwargs = dict(NOT_JSON_CASES[case])
    if case == "multipart":  # a fresh file each time: the client closes it
        kwargs["data"] = {"file": (io.BytesIO(JSON_TEXT.encode()), "c.json")}
    return kwargs


@pytest.mark.parametrize("case", list(NOT_JSON_CASES))
def test_body_that_is_not_json_is_refused_with_415_even_with_the_token(client, data_dir, case):
    response = client.post("/api/v1/captures", headers=auth(data_dir), **not_json(case))
    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_media_type"
    assert_nothing_stored(data_dir)


@pytest.mark.parametrize("case", ["text/plain", "form", "multipart"])
def test_simple_request_csrf_without_token_is_refused(client, data_dir, case):
    response = client.post("/api/v1/captures", **not_json(case))
    assert response.status_code in (401, 415)
    assert_nothing_stored(data_dir)


# -- 6. size --------------------------------------------------------------------------------------


def test_body_over_the_limit_is_refused_with_413(small_app):
    data_dir = small_app.config["DATA_DIR"]
    body = capture_body(html="<p>" + "x" * 4096 + "</p>")
    response = small_app.test_client().post("/api/v1/captures", json=body, headers=auth(data_dir))
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
    assert_nothing_stored(data_dir)


def test_body_just_under_the_limit_passes_the_size_check(small_app):
    data_dir = small_app.config["DATA_DIR"]
    body = capture_body(html="<p></p>")
    response = small_app.test_client().post("/api/v1/captures", json=body, headers=auth(data_dir))
    assert response.status_code == 422  # read and refused by the parser, not by the size check


def test_post_without_content_length_is_refused_with_411_by_the_app(client, data_dir):
    data = json.dumps(capture_body()).encode()
    # The test client always computes a Content-Length; a chunked body has none.
    response = client.post(
        "/api/v1/captures",
        input_stream=io.BytesIO(data),
        content_type="application/json",
        headers=auth(data_dir, **{"Transfer-Encoding": "chunked"}),
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 411
    assert response.get_json()["error"]["code"] == "length_required"
    assert_nothing_stored(data_dir)


def test_body_over_the_default_5_mb_is_refused_with_413_by_the_real_server(server):
    body = capture_body(html="x" * (5 * 1024 * 1024))
    status, _, raw = post_json(server.port, body, auth(server.home))
    assert status == 413
    assert json.loads(raw)["error"]["code"] == "too_large"
    assert_nothing_stored(server.home)


def test_chunked_post_without_content_length_is_refused_with_411_by_the_real_server(server):
    data = json.dumps(capture_body()).encode()
    status, _, _ = raw_request(
        server.port,
        "POST",
        "/api/v1/captures",
        {**auth(server.home), "Content-Type": "application/json"},
        chunks=[data[:100], data[100:]],
    )
    stored = counts(server.home)
    assert (status, stored["captures"]) == (411, 0)


# -- 7. schema ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {},
        [],
        "text",
        None,  # JSON null
        capture_body(extra="x"),
        capture_body(id="not-a-uuid"),
        capture_body(captured_at="2026-11-26T10:00:00"),
        capture_body(url="javascript:alert(1)"),
        capture_body(html=42),
        capture_body(api=[1, 2]),
    ],
)
def test_schema_errors_are_400_with_a_message_and_store_nothing(client, data_dir, body):
    data = json.dumps(body)
    response = client.post(
        "/api/v1/captures", data=data, content_type="application/json", headers=auth(data_dir)
    )
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_request" and error["message"]
    assert_nothing_stored(data_dir)


# -- CORS -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("origin", [EXTENSION_ORIGIN, MOZ_ORIGIN])
@pytest.mark.parametrize("method, path", [*API_ROUTES, ("GET", "/api/v1/ping")])
def test_extension_origin_gets_its_exact_origin_back_without_credentials(
    client, data_dir, origin, method, path
):
    response = send(client, method, path, headers=auth(data_dir, Origin=origin))
    assert response.status_code in (200, 201)
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Access-Control-Allow-Private-Network" not in response.headers


@pytest.mark.parametrize("origin", [EXTENSION_ORIGIN, MOZ_ORIGIN])
def test_preflight_from_an_extension_is_allowed(client, data_dir, origin):
    response = client.options(
        "/api/v1/captures",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == origin
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert_nothing_stored(data_dir)


def test_preflight_asking_for_private_network_access_is_not_granted(client):
    response = client.options(
        "/api/v1/captures",
        headers={
            "Origin": EXTENSION_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Private-Network": "true",
        },
    )
    # flask-cors answers "false" when asked; what matters is that it never says "true".
    assert response.headers.get("Access-Control-Allow-Private-Network") in (None, "false")


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "null", "chrome-extension://" + "z" * 32]
)
@pytest.mark.parametrize("method, path", [*API_ROUTES, ("GET", "/api/v1/ping")])
def test_preflight_from_a_foreign_origin_is_refused(client, data_dir, origin, method, path):
    response = client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.status_code == 403
    assert response.data == b""
    assert not cors_headers(response)
    assert_nothing_stored(data_dir)


def test_own_origin_gets_no_cors_header(client, data_dir):
    headers = auth(data_dir, Host="127.0.0.1:47613", Origin="http://127.0.0.1:47613")
    response = client.get("/api/v1/status", headers=headers)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize("origin", [EXTENSION_ORIGIN, MOZ_ORIGIN])
def test_no_cors_headers_on_html_routes(client, origin):
    response = client.get("/", headers={"Origin": origin})
    assert response.status_code == 200
    assert not cors_headers(response)
    preflight = client.options(
        "/", headers={"Origin": origin, "Access-Control-Request-Method": "GET"}
    )
    assert not cors_headers(preflight)


# -- HTML headers ---------------------------------------------------------------------------------


def test_security_headers_on_the_html_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.headers["Content-Security-Policy"] == (
        "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_html_page_does_not_carry_the_token(client, data_dir):
    assert token.get(data_dir) not in client.get("/").get_data(as_text=True)


# -- garbage never crashes a route ----------------------------------------------------------------

GARBAGE = {
    "invalid json": b'{"id": "x", ',
    "trailing junk": b"{} {}",
    "bare NaN": b"NaN",
    "deep nesting list": b"[" * 100_000 + b"]" * 100_000,
    "deep nesting object": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "huge integer": b'{"id": ' + b"9" * 5000 + b"}",
    "huge float": b'{"id": 1e999999}',
    "bad utf-8": b'{"id": "\xff\xfe"}',
    "utf-16 bom": "\ufeff{}".encode("utf-16"),
    "lone surrogate id": b'{"id": "\\ud800", "captured_at": "2026-11-26T10:00:00Z",'
    b' "url": "https://x.example/", "html": "x"}',
}


def _body_with(**changes) -> bytes:
    return json.dumps(capture_body(**changes)).encode()


def _api_body(api) -> bytes:
    body = capture_body(api=api)
    del body["html"]
    return json.dumps(body).encode()


GARBAGE.update(
    {
        "surrogate in html": _body_with(html="\ud800<p>\udfff</p>"),
        "surrogate in url": _body_with(url="https://x.example/\ud800"),
        "surrogate in captured_at": _body_with(captured_at="2026-11-26T10:00:00\ud800"),
        "NUL in html": _body_with(html="\x00" * 10 + "<html>\x00</html>"),
        "NUL in url": _body_with(url="https://x.example/\x00"),
        "NUL in current page": _body_with(html=capture_body()["html"] + "\x00"),
        "year 1 with +14:00": _body_with(captured_at="0001-01-01T00:00:00+14:00"),
        "year 9999 with -14:00": _body_with(captured_at="9999-12-31T23:59:59-14:00"),
        "api huge number": _api_body({"memberScore": {"overall": 10**4000}}),
        "api infinity": b'{"id": "6f1c5bb1-3c8e-4bd6-9d51-5b1c3a7c8e01",'
        b' "captured_at": "2026-11-26T10:00:00Z", "url": "https://x.example/",'
        b' "api": {"memberScore": {"overall": Infinity, "subScores": []}}}',
        "api NaN scores": b'{"id": "6f1c5bb1-3c8e-4bd6-9d51-5b1c3a7c8e02",'
        b' "captured_at": "2026-11-26T10:00:00Z", "url": "https://x.example/",'
        b' "api": {"memberScore": {"overall": NaN, "subScores": ['
        b'{"score": NaN, "pillar": "PROFESSIONAL_BRAND"}]}}}',
        "api deep": _api_body({"a": json.loads("[" * 500 + "]" * 500)}),
        "api strings": _api_body({"memberScore": "x", "groupScore": "y"}),
        "html as object": _body_with(html={"a": 1}),
        "long id": _body_with(id="a" * 100_000),
    }
)


@pytest.mark.parametrize("case", list(GARBAGE))
def test_garbage_body_never_gets_a_500(fuzz_client, data_dir, case):
    response = fuzz_client.post(
        "/api/v1/captures",
        data=GARBAGE[case],
        content_type="application/json",
        headers=auth(data_dir),
    )
    assert response.status_code in (200, 201, 400, 422), response.get_data(as_text=True)[:300]
    assert "error" in response.get_json() or response.status_code in (200, 201)


@pytest.mark.parametrize(
    "query",
    [
        "from=2026-02-30",
        "from=%00",
        "to=99999-01-01",
        "limit=%C2%B2",  # a superscript two: str.isdigit() but not int()
        "limit=%D9%A3",  # an Arabic-Indic three
        pytest.param("limit=" + "9" * 5000, id="limit=5000 digits"),
        "limit=-1",
        "from=%ED%A0%80",  # an encoded surrogate
        "status=%00",
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/readings", "/api/v1/readings/daily", "/api/v1/captures"])
def test_garbage_query_never_gets_a_500(fuzz_client, data_dir, query, path):
    response = fuzz_client.get(f"{path}?{query}", headers=auth(data_dir))
    assert response.status_code in (200, 400), (path, query, response.status_code)


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer \u00e9\u00e9"},
        {"Authorization": "Bearer " + "x" * 10_000},
        {"Origin": "chrome-extension://\u00e9"},
        {"Host": "\u00e9vil.example"},
        {"Host": "localhost:notaport"},
        {"Content-Type": "application/json; charset=klingon"},
    ],
)
def test_garbage_headers_never_get_a_500(fuzz_client, data_dir, headers):
    response = fuzz_client.post(
        "/api/v1/captures", data=_body_with(), content_type="application/json", headers=headers
    )
    assert response.status_code < 500
    assert_nothing_stored(data_dir)


# -- the real server (waitress) -------------------------------------------------------------------


def test_real_server_refuses_foreign_host_and_foreign_origin(server):
    good = auth(server.home)
    for host in ("evil.example", f"127.0.0.1.evil.example:{server.port}", "localhost.evil.example"):
        status, _, _ = post_json(server.port, capture_body(), {**good, "Host": host})
        assert status == 400, host
        status, _, _ = raw_request(server.port, "GET", "/", {"Host": host})
        assert status == 400, host
    for origin in ("https://evil.example", "null", f"http://127.0.0.1:{free_port()}"):
        status, headers, raw = post_json(server.port, capture_body(), {**good, "Origin": origin})
        assert (status, raw) == (403, b""), origin
        assert "Access-Control-Allow-Origin" not in headers
    status, _, _ = post_json(server.port, capture_body(), {})
    assert status == 401
    assert_nothing_stored(server.home)
    # and the same request from the extension, with the token, is stored
    status, headers, _ = post_json(
        server.port, capture_body(), {**good, "Origin": EXTENSION_ORIGIN}
    )
    assert status == 201
    assert headers["Access-Control-Allow-Origin"] == EXTENSION_ORIGIN
