"""Pairing that only the asking extension can finish, and the companion's proof of the token."""

import hashlib
import hmac
import re
import secrets

import pytest

from companion import store
from companion.store import access_token as token
from companion.web.pairing import (
    EXPIRY_S,
    MAX_PENDING,
    MAX_REMEMBERED,
    RATE_LIMIT,
    Pairings,
    RateLimited,
    challenge_of,
)

EXT = "chrome-extension://" + "a" * 32
OTHER_EXT = "chrome-extension://" + "b" * 32
OWN = "http://127.0.0.1:47613"


def ext_origin(n: int) -> str:
    """The n-th of many distinct, valid Chrome extension origins."""
    letters = "abcdefghijklmnop"
    return "chrome-extension://" + "".join(letters[(n >> (4 * i)) & 15] for i in range(32))


def make_verifier() -> str:
    return secrets.token_urlsafe(32)  # 43 characters, as the extension makes them


def _start(client, origin=EXT, verifier=None):
    challenge = challenge_of(verifier or make_verifier())
    return client.post("/api/v1/pairing", json={"challenge": challenge}, headers={"Origin": origin})


def _begin(client, origin=EXT) -> tuple[dict, str]:
    """A started request and the verifier behind it."""
    verifier = make_verifier()
    started = _start(client, origin, verifier)
    assert started.status_code == 201, started.get_json()
    return started.get_json()["pairing"], verifier


def _poll(client, request_id, verifier, origin=EXT):
    body = {"verifier": verifier} if verifier is not None else {}
    return client.post(f"/api/v1/pairing/{request_id}", json=body, headers={"Origin": origin})


def _csrf(client) -> str:
    page = client.get("/pairing").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)


def _decide(client, request_id, decision, headers=None, csrf=None):
    return client.post(
        f"/pairing/{request_id}/{decision}",
        data={"csrf_token": csrf if csrf is not None else _csrf(client)},
        headers={"Origin": OWN, "Host": "127.0.0.1:47613", **(headers or {})},
    )


def test_the_whole_flow_gives_the_token_once_to_whoever_holds_the_verifier(client, app):
    pairing, verifier = _begin(client)
    assert re.fullmatch(r"\d{3}-\d{3}", pairing["code"])
    assert pairing["expires_in"] == EXPIRY_S

    page = client.get("/pairing").get_data(as_text=True)
    assert f'<p class="pairing-code">{pairing["code"]}</p>' in page
    assert f"<code>{EXT}</code>" in page
    assert "compare the code" in page and "options page" in page

    assert _poll(client, pairing["id"], verifier).get_json() == {"status": "pending"}
    assert _decide(client, pairing["id"], "approve").status_code == 303

    wrong = _poll(client, pairing["id"], make_verifier())
    assert wrong.status_code == 404 and "token" not in wrong.get_json()
    first = _poll(client, pairing["id"], verifier)
    assert first.get_json() == {"status": "approved", "token": token.get(app.config["DATA_DIR"])}
    again = _poll(client, pairing["id"], verifier)
    assert again.get_json() == {"status": "approved"}, "the token is handed out once"


def test_whoever_sees_the_request_but_lacks_the_verifier_gets_nothing(client, app):
    pairing, verifier = _begin(client)
    _decide(client, pairing["id"], "approve")
    the_token = token.get(app.config["DATA_DIR"])
    # A third party knows the id, the code and the origin (a local process can send any
    # Origin), polls as often as it likes, and even presents the challenge itself.
    attempts = [
        _poll(client, pairing["id"], None),
        _poll(client, pairing["id"], make_verifier()),
        _poll(client, pairing["id"], challenge_of(verifier)),
        _poll(client, pairing["id"], verifier.upper()),
        client.post(f"/api/v1/pairing/{pairing['id']}", json={"verifier": verifier, "x": 1},
                    headers={"Origin": EXT}),
    ]  # fmt: skip
    assert [a.status_code for a in attempts] == [400, 404, 404, 404, 400]
    for attempt in attempts:
        assert the_token not in attempt.get_data(as_text=True)
        assert "approved" not in attempt.get_data(as_text=True), "not even the status"
    # ... and none of that used the delivery up: the extension still gets its token.
    assert _poll(client, pairing["id"], verifier).get_json()["token"] == the_token


def test_another_origin_learns_nothing_even_with_the_verifier(client):
    pairing, verifier = _begin(client)
    _decide(client, pairing["id"], "approve")
    for origin in (OTHER_EXT, "https://evil.example", None):
        headers = {"Origin": origin} if origin else {}
        other = client.post(
            f"/api/v1/pairing/{pairing['id']}", json={"verifier": verifier}, headers=headers
        )
        assert other.status_code in (403, 404), origin
        assert "token" not in other.get_data(as_text=True)
    assert "token" in _poll(client, pairing["id"], verifier).get_json()


def test_denied_request_gives_no_token(client):
    pairing, verifier = _begin(client)
    _decide(client, pairing["id"], "deny")
    assert _poll(client, pairing["id"], verifier).get_json() == {"status": "denied"}


@pytest.mark.parametrize(
    "headers", [{"Origin": "https://evil.example"}, {}, {"Origin": OWN}, {"Origin": "null"}]
)
def test_only_an_extension_may_ask_to_pair(client, headers):
    response = client.post("/api/v1/pairing", json={"challenge": "0" * 64}, headers=headers)
    assert response.status_code == 403
    assert client.get("/pairing").get_data(as_text=True).count('class="pairing-code"') == 0


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"challenge": ""},
        {"challenge": "0" * 63},
        {"challenge": "0" * 65},
        {"challenge": "A" * 64},  # lowercase hex only
        {"challenge": "g" * 64},
        {"challenge": 1},
        {"challenge": ["0" * 64]},
        {"challenge": "0" * 64, "extra": True},
        ["0" * 64],
        "0" * 64,
    ],
)
def test_a_request_without_a_proper_challenge_is_refused(client, body):
    response = client.post("/api/v1/pairing", json=body, headers={"Origin": EXT})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"
    assert "challenge" in response.get_json()["error"]["message"]
    assert app_pending(client) == []


def app_pending(client):
    return client.application.extensions["pairings"].pending()


@pytest.mark.parametrize(
    "verifier", ["", "short", "x" * 42, "x" * 129, "with space" + "x" * 40, "é" * 43, 7, None]
)
def test_a_malformed_verifier_is_400_and_uses_nothing_up(client, verifier):
    pairing, real = _begin(client)
    _decide(client, pairing["id"], "approve")
    response = client.post(
        f"/api/v1/pairing/{pairing['id']}", json={"verifier": verifier}, headers={"Origin": EXT}
    )
    assert response.status_code == 400
    assert "token" in _poll(client, pairing["id"], real).get_json()


def test_at_most_five_new_requests_a_minute_per_origin(client):
    codes = [_start(client).status_code for _ in range(RATE_LIMIT + 1)]
    assert codes == [201] * RATE_LIMIT + [429]
    # Another extension is not held up by the first one's requests.
    assert _start(client, OTHER_EXT).status_code == 201


def test_the_rate_limit_is_per_minute():
    now = [1000.0]
    pairings = Pairings(clock=lambda: now[0])
    for _ in range(RATE_LIMIT):
        pairings.start(EXT, "0" * 64)
    with pytest.raises(RateLimited):
        pairings.start(EXT, "0" * 64)
    now[0] += 61
    assert pairings.start(EXT, "0" * 64).status == "pending"


def test_twenty_pending_at_most_and_the_oldest_expires_first(client):
    started = [_begin(client, ext_origin(n)) for n in range(MAX_PENDING + 2)]
    pending = app_pending(client)
    assert len(pending) == MAX_PENDING
    assert [r.id for r in pending] == [p["id"] for p, _ in started[2:]]
    for n, (pairing, verifier) in enumerate(started[:2]):
        origin = ext_origin(n)
        assert _poll(client, pairing["id"], verifier, origin).get_json() == {"status": "expired"}
        assert _decide(client, pairing["id"], "approve").status_code == 303
        assert _poll(client, pairing["id"], verifier, origin).get_json() == {"status": "expired"}
    page = client.get("/pairing").get_data(as_text=True)
    assert page.count('class="pairing-code"') == MAX_PENDING
    # The newest request, the one a user is pairing right now, is there to approve.
    newest, verifier = started[-1]
    _decide(client, newest["id"], "approve")
    assert "token" in _poll(client, newest["id"], verifier, ext_origin(MAX_PENDING + 1)).get_json()


def test_codes_of_pending_requests_are_all_different():
    pairings = Pairings()
    codes = [pairings.start(ext_origin(n), "0" * 64).code for n in range(MAX_PENDING)]
    assert len(set(codes)) == MAX_PENDING


def test_asking_again_replaces_the_own_earlier_request(client):
    first, first_verifier = _begin(client)
    other, other_verifier = _begin(client, OTHER_EXT)
    second, second_verifier = _begin(client)
    assert {r.id for r in app_pending(client)} == {other["id"], second["id"]}
    assert _poll(client, first["id"], first_verifier).get_json() == {"status": "replaced"}
    # The replaced request cannot be approved any more; the other origin's is untouched.
    response = _decide(client, first["id"], "approve")
    assert response.status_code == 303
    flashed = client.get("/pairing", headers={"Host": "127.0.0.1:47613"}).get_data(as_text=True)
    assert "replaced by a newer one" in flashed
    assert _poll(client, first["id"], first_verifier).get_json() == {"status": "replaced"}
    assert _poll(client, other["id"], other_verifier, OTHER_EXT).get_json() == {"status": "pending"}
    assert _poll(client, second["id"], second_verifier).get_json() == {"status": "pending"}


def test_requests_expire_after_two_minutes():
    now = [1000.0]
    pairings = Pairings(clock=lambda: now[0])
    verifier = make_verifier()
    request = pairings.start(EXT, challenge_of(verifier))
    now[0] += EXPIRY_S - 1
    assert pairings.poll(request.id, EXT, verifier, lambda: "t") == {"status": "pending"}
    now[0] += 2
    assert pairings.poll(request.id, EXT, verifier, lambda: "t") == {"status": "expired"}
    assert pairings.decide(request.id, approve=True) is None, "an expired request stays shut"
    assert pairings.pending() == []


def test_finished_requests_are_forgotten_within_bounds():
    now = [1000.0]
    pairings = Pairings(clock=lambda: now[0])
    for n in range(MAX_REMEMBERED + 50):
        now[0] += 13  # past the rate window of nobody: each origin asks once
        pairings.start(ext_origin(n), "0" * 64)
    assert len(pairings._requests) <= MAX_REMEMBERED + MAX_PENDING


def test_approving_needs_a_session(app, client, anonymous):
    pairing, verifier = _begin(client)
    page = anonymous.get("/pairing")
    assert page.status_code == 401
    assert pairing["code"] not in page.get_data(as_text=True)
    # Even with a CSRF value lifted from a signed-in page: it is bound to that session.
    response = anonymous.post(
        f"/pairing/{pairing['id']}/approve",
        data={"csrf_token": _csrf(client)},
        headers={"Origin": OWN, "Host": "127.0.0.1:47613"},
    )
    assert response.status_code in (401, 403)
    assert _poll(client, pairing["id"], verifier).get_json() == {"status": "pending"}


@pytest.mark.parametrize(
    "headers, csrf",
    [
        ({"Origin": "https://evil.example"}, None),  # a web page posting the form
        ({"Origin": EXT}, None),  # an extension may ask, never approve itself
        ({}, None),  # no Origin and no Sec-Fetch-Site: same-origin
        ({}, "0" * 64),  # a made-up CSRF token
    ],
)
def test_approval_needs_the_companion_page_and_its_csrf_token(client, app, headers, csrf):
    pairing, verifier = _begin(client)
    form_headers = {"Host": "127.0.0.1:47613", **headers}
    response = client.post(
        f"/pairing/{pairing['id']}/approve",
        data={"csrf_token": csrf if csrf is not None else _csrf(client)},
        headers=form_headers if headers else {"Host": "127.0.0.1:47613"},
    )
    assert response.status_code == 403
    assert _poll(client, pairing["id"], verifier).get_json() == {"status": "pending"}
    db = store.connect(app.config["DATA_DIR"])
    assert store.counts(db)["captures"] == 0


def test_sec_fetch_site_same_origin_is_accepted_without_origin(client):
    pairing, _ = _begin(client)
    response = client.post(
        f"/pairing/{pairing['id']}/approve",
        data={"csrf_token": _csrf(client)},
        headers={"Host": "127.0.0.1:47613", "Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 303


def test_no_state_changing_get(client):
    pairing, _ = _begin(client)
    assert client.get(f"/pairing/{pairing['id']}/approve").status_code == 405


def test_index_announces_a_waiting_request(client):
    _begin(client)
    assert "asks to pair" in client.get("/").get_data(as_text=True)


def test_a_browser_form_post_under_no_referrer_is_accepted(client):
    # Our pages send Referrer-Policy: no-referrer, so Chromium posts their forms with
    # "Origin: null"; Sec-Fetch-Site (which no page can set) says it is our own page.
    pairing, _ = _begin(client)
    response = client.post(
        f"/pairing/{pairing['id']}/approve",
        data={"csrf_token": _csrf(client)},
        headers={"Host": "127.0.0.1:47613", "Origin": "null", "Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 303


@pytest.mark.parametrize("site", ["cross-site", "same-site", "none", None])
def test_origin_null_from_elsewhere_is_refused(client, site):
    pairing, verifier = _begin(client)
    headers = {"Host": "127.0.0.1:47613", "Origin": "null"}
    if site:
        headers["Sec-Fetch-Site"] = site
    response = client.post(
        f"/pairing/{pairing['id']}/approve", data={"csrf_token": _csrf(client)}, headers=headers
    )
    assert response.status_code == 403
    assert _poll(client, pairing["id"], verifier).get_json() == {"status": "pending"}


def test_settings_page_lists_the_request_with_its_approve_button(client):
    pairing, _ = _begin(client)
    page = client.get("/settings").get_data(as_text=True)
    assert f"Approve {pairing['code']}" in page and f"Deny {pairing['code']}" in page
    assert f"/pairing/{pairing['id']}/approve" in page


# ---------------------------------------------------------------- the proof


def _proof(client, body, headers=None):
    return client.post("/api/v1/proof", json=body, headers=headers or {})


@pytest.mark.parametrize("nonce_bytes", [16, 32, 64])
def test_the_proof_is_the_hmac_of_the_nonce_keyed_by_the_token(client, app, nonce_bytes):
    nonce = secrets.token_hex(nonce_bytes)
    # No token: the extension asks before it trusts the port with one.
    response = _proof(client, {"nonce": nonce}, {"Origin": EXT})
    assert response.status_code == 200
    the_token = token.get(app.config["DATA_DIR"])
    expected = hmac.new(the_token.encode(), nonce.encode(), hashlib.sha256).hexdigest()
    assert response.get_json() == {"proof": expected}
    assert the_token not in response.get_data(as_text=True)
    assert _proof(client, {"nonce": nonce}).get_json() == {"proof": expected}, "no Origin: the CLI"


def test_the_proof_never_reveals_the_token(client, app):
    the_token = token.get(app.config["DATA_DIR"])
    proofs = {
        _proof(client, {"nonce": secrets.token_hex(16)}).get_json()["proof"] for _ in range(5)
    }
    assert len(proofs) == 5, "a fresh nonce, a fresh proof"
    for proof in proofs:
        assert the_token not in proof
        assert proof != hashlib.sha256(the_token.encode()).hexdigest()
    # A proof made with another token is not ours: what the extension tells apart.
    nonce = "0" * 32
    forged = hmac.new(b"not-the-token", nonce.encode(), hashlib.sha256).hexdigest()
    assert _proof(client, {"nonce": nonce}).get_json()["proof"] != forged


def test_the_proof_follows_a_rotated_token(client, app):
    nonce = secrets.token_hex(16)
    before = _proof(client, {"nonce": nonce}).get_json()["proof"]
    new_token = token.rotate(app.config["DATA_DIR"])
    after = _proof(client, {"nonce": nonce}).get_json()["proof"]
    assert after != before
    assert after == hmac.new(new_token.encode(), nonce.encode(), hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"nonce": ""},
        {"nonce": "0" * 31},  # less than 128 bits
        {"nonce": "0" * 129},
        {"nonce": "A" * 32},  # lowercase hex only
        {"nonce": "z" * 32},
        {"nonce": "0" * 32 + "\n"},
        {"nonce": 12345678901234567890123456789012},
        {"nonce": None},
        {"nonce": "0" * 32, "token": "x"},
        ["0" * 32],
    ],
)
def test_a_malformed_nonce_is_refused_with_400(client, app, body):
    response = _proof(client, body)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"
    assert token.get(app.config["DATA_DIR"]) not in response.get_data(as_text=True)


def test_the_proof_keeps_the_other_checks(client):
    # A web page cannot use the proof route (Origin check, 403 with an empty body), nor post
    # it as a form or text/plain (415).
    refused = _proof(client, {"nonce": "0" * 32}, {"Origin": "https://evil.example"})
    assert refused.status_code == 403 and refused.data == b""
    text = client.post("/api/v1/proof", data='{"nonce": "' + "0" * 32 + '"}',
                       content_type="text/plain")  # fmt: skip
    assert text.status_code == 415
    assert client.get("/api/v1/proof").status_code == 405
