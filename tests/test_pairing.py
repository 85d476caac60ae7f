"""One-click pairing: the extension asks, the user approves on the companion's page."""

import re

import pytest

from companion import store, token
from companion.pairing import EXPIRY_S, Pairings

EXT = "chrome-extension://" + "a" * 32
OTHER_EXT = "chrome-extension://" + "b" * 32
OWN = "http://127.0.0.1:47613"


def _start(client, origin=EXT):
    return client.post("/api/v1/pairing", json={}, headers={"Origin": origin})


def _csrf(client) -> str:
    page = client.get("/pairing").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)


def _decide(client, request_id, decision, headers=None, csrf=None):
    return client.post(
        f"/pairing/{request_id}/{decision}",
        data={"csrf_token": csrf if csrf is not None else _csrf(client)},
        headers={"Origin": OWN, "Host": "127.0.0.1:47613", **(headers or {})},
    )


def test_the_whole_flow_gives_the_token_once_to_the_origin_that_asked(client, app):
    started = _start(client)
    assert started.status_code == 201
    pairing = started.get_json()["pairing"]
    assert re.fullmatch(r"\d{3}-\d{3}", pairing["code"])
    assert pairing["expires_in"] == EXPIRY_S

    page = client.get("/pairing").get_data(as_text=True)
    assert pairing["code"] in page and EXT in page

    status = client.post(f"/api/v1/pairing/{pairing['id']}", json={}, headers={"Origin": EXT})
    assert status.get_json() == {"status": "pending"}

    assert _decide(client, pairing["id"], "approve").status_code == 303
    first = client.post(
        f"/api/v1/pairing/{pairing['id']}", json={}, headers={"Origin": EXT}
    ).get_json()
    assert first == {"status": "approved", "token": token.get(app.config["DATA_DIR"])}
    again = client.post(
        f"/api/v1/pairing/{pairing['id']}", json={}, headers={"Origin": EXT}
    ).get_json()
    assert again == {"status": "approved"}, "the token is handed out once"


def test_another_origin_learns_nothing(client):
    pairing = _start(client).get_json()["pairing"]
    _decide(client, pairing["id"], "approve")
    other = client.post(f"/api/v1/pairing/{pairing['id']}", json={}, headers={"Origin": OTHER_EXT})
    assert other.status_code == 404
    assert "token" not in other.get_data(as_text=True)
    # ... and the origin that asked still gets it.
    mine = client.post(
        f"/api/v1/pairing/{pairing['id']}", json={}, headers={"Origin": EXT}
    ).get_json()
    assert "token" in mine


def test_denied_request_gives_no_token(client):
    pairing = _start(client).get_json()["pairing"]
    _decide(client, pairing["id"], "deny")
    answer = client.post(
        f"/api/v1/pairing/{pairing['id']}", json={}, headers={"Origin": EXT}
    ).get_json()
    assert answer == {"status": "denied"}


@pytest.mark.parametrize(
    "headers", [{"Origin": "https://evil.example"}, {}, {"Origin": OWN}, {"Origin": "null"}]
)
def test_only_an_extension_may_ask_to_pair(client, headers):
    response = client.post("/api/v1/pairing", json={}, headers=headers)
    assert response.status_code == 403
    assert client.get("/pairing").get_data(as_text=True).count("pairing-code") == 0


def test_at_most_five_new_requests_a_minute(client):
    codes = [_start(client).status_code for _ in range(6)]
    assert codes == [201] * 5 + [429]


def test_requests_expire_after_two_minutes():
    now = [1000.0]
    pairings = Pairings(clock=lambda: now[0])
    request = pairings.start(EXT)
    now[0] += EXPIRY_S - 1
    assert pairings.poll(request.id, EXT, lambda: "t") == {"status": "pending"}
    now[0] += 2
    assert pairings.poll(request.id, EXT, lambda: "t") == {"status": "expired"}
    assert pairings.decide(request.id, approve=True) is None, "an expired request stays shut"
    assert pairings.pending() == []


def test_asking_again_replaces_the_earlier_request():
    pairings = Pairings()
    first = pairings.start(EXT)
    second = pairings.start(EXT)
    assert [r.id for r in pairings.pending()] == [second.id]
    assert pairings.poll(first.id, EXT, lambda: "t") == {"status": "denied"}


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
    pairing = _start(client).get_json()["pairing"]
    form_headers = {"Host": "127.0.0.1:47613", **headers}
    response = client.post(
        f"/pairing/{pairing['id']}/approve",
        data={"csrf_token": csrf if csrf is not None else _csrf(client)},
        headers=form_headers if headers else {"Host": "127.0.0.1:47613"},
    )
    assert response.status_code == 403
    answer = client.post(
        f"/api/v1/pairing/{pairing['id']}", json={}, headers={"Origin": EXT}
    ).get_json()
    assert answer == {"status": "pending"}
    db = store.connect(app.config["DATA_DIR"])
    assert store.counts(db)["captures"] == 0


def test_sec_fetch_site_same_origin_is_accepted_without_origin(client):
    pairing = _start(client).get_json()["pairing"]
    response = client.post(
        f"/pairing/{pairing['id']}/approve",
        data={"csrf_token": _csrf(client)},
        headers={"Host": "127.0.0.1:47613", "Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 303


def test_no_state_changing_get(client):
    pairing = _start(client).get_json()["pairing"]
    assert client.get(f"/pairing/{pairing['id']}/approve").status_code == 405


def test_index_announces_a_waiting_request(client):
    _start(client)
    assert "ask to pair" in client.get("/").get_data(as_text=True)


def test_a_browser_form_post_under_no_referrer_is_accepted(client):
    # Our pages send Referrer-Policy: no-referrer, so Chromium posts their forms with
    # "Origin: null"; Sec-Fetch-Site (which no page can set) says it is our own page.
    pairing = _start(client).get_json()["pairing"]
    response = client.post(
        f"/pairing/{pairing['id']}/approve",
        data={"csrf_token": _csrf(client)},
        headers={"Host": "127.0.0.1:47613", "Origin": "null", "Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 303


@pytest.mark.parametrize("site", ["cross-site", "same-site", "none", None])
def test_origin_null_from_elsewhere_is_refused(client, site):
    pairing = _start(client).get_json()["pairing"]
    headers = {"Host": "127.0.0.1:47613", "Origin": "null"}
    if site:
        headers["Sec-Fetch-Site"] = site
    response = client.post(
        f"/pairing/{pairing['id']}/approve", data={"csrf_token": _csrf(client)}, headers=headers
    )
    assert response.status_code == 403
    answer = client.post(
        f"/api/v1/pairing/{pairing['id']}", json={}, headers={"Origin": EXT}
    ).get_json()
    assert answer == {"status": "pending"}


def test_settings_page_lists_the_request_with_its_approve_button(client):
    pairing = _start(client).get_json()["pairing"]
    page = client.get("/settings").get_data(as_text=True)
    assert f"Approve {pairing['code']}" in page and f"Deny {pairing['code']}" in page
    assert f"/pairing/{pairing['id']}/approve" in page
