"""The reminders inbox on the summary page: each reminder links where it points and can be
dismissed (a real Flask app and SQLite file; the desktop notification is not touched)."""

import re

import pytest
from bs4 import BeautifulSoup

from companion import store
from companion.reading import SSI_URL

BASE = "http://127.0.0.1:47613"
OWN = {"Origin": BASE}


def db_of(app):
    return store.connect(app.config["DATA_DIR"])


def remind(app, key="stale:2026-11-20", link=SSI_URL, status="inbox", title="Time to check"):
    assert store.claim_notification(
        db_of(app),
        {
            "key": key,
            "kind": key.split(":")[0],
            "title": title,
            "body": f"The body of {key}.",
            "link": link,
            "status": status,
        },
    )


def inbox(client) -> list:
    html = client.get("/", base_url=BASE).get_data(as_text=True)
    return BeautifulSoup(html, "html.parser").select("#reminders ul.inbox li")


def csrf(client) -> str:
    html = client.get("/", base_url=BASE).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', html).group(1)


def dismiss(client, key, token=None, headers=None):
    form = {"key": key, "csrf_token": csrf(client) if token is None else token}
    return client.post(
        "/reminders/dismiss", data=form, base_url=BASE, headers=OWN if headers is None else headers
    )


def test_a_reminder_links_where_it_points(client, app):
    remind(app)
    [item] = inbox(client)
    link = item.find("a")
    assert link["href"] == SSI_URL
    assert link.get_text() == "Open your SSI page on LinkedIn"
    assert "The body of stale:2026-11-20." in item.get_text()
    assert "not shown on the desktop" in item.get_text()


@pytest.mark.parametrize("link", ["javascript:alert(1)", "", "http://evil.example/"])
def test_a_link_that_is_not_a_web_page_of_ours_or_https_is_not_offered(client, app, link):
    remind(app, link=link)
    [item] = inbox(client)
    assert item.find("a") is None
    assert "javascript:" not in str(item)


def test_dismiss_takes_a_reminder_out_of_the_inbox_for_good(client, app):
    remind(app, "stale:2026-11-20", title="First")
    remind(app, "drop:2026-11-21", status="sent", title="Second")
    assert len(inbox(client)) == 2
    response = dismiss(client, "stale:2026-11-20")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/#reminders")
    left = inbox(client)
    assert [li.find("strong").get_text() for li in left] == ["Second"]
    # Still claimed: the same reminder is not sent again, and a late desktop answer
    # (delivery marks "inbox" when the desktop failed) does not bring it back.
    assert not store.claim_notification(
        db_of(app),
        {
            "key": "stale:2026-11-20",
            "kind": "stale",
            "title": "t",
            "body": "b",
            "link": "",
            "status": "inbox",
        },
    )
    store.set_notification_status(db_of(app), "stale:2026-11-20", "inbox")
    assert len(inbox(client)) == 1
    keys = [n["key"] for n in store.list_notifications(db_of(app), include_dismissed=True)]
    assert sorted(keys) == ["drop:2026-11-21", "stale:2026-11-20"]


def test_the_last_reminder_dismissed_leaves_an_empty_inbox(client, app):
    remind(app)
    dismiss(client, "stale:2026-11-20")
    text = BeautifulSoup(client.get("/", base_url=BASE).data, "html.parser").get_text()
    assert "No reminders yet." in text


def test_dismissing_one_no_longer_there_says_so(client, app):
    remind(app)
    token = csrf(client)  # the page as it was: the second press comes from it too
    dismiss(client, "stale:2026-11-20", token=token)
    response = dismiss(client, "stale:2026-11-20", token=token)
    assert response.status_code == 303
    html = client.get("/", base_url=BASE).get_data(as_text=True)
    assert "That reminder is no longer in the inbox." in html


def test_every_dismiss_form_carries_the_csrf_token_and_its_key(client, app):
    remind(app)
    [item] = inbox(client)
    form = item.find("form")
    assert form["method"] == "post" and form["action"] == "/reminders/dismiss"
    assert form.find("input", attrs={"name": "csrf_token"})["value"]
    assert form.find("input", attrs={"name": "key"})["value"] == "stale:2026-11-20"


@pytest.mark.parametrize(
    "headers, token",
    [({"Origin": "https://evil.example"}, None), (OWN, ""), (OWN, "0" * 64)],
    ids=["foreign-origin", "no-csrf", "bad-csrf"],
)
def test_dismiss_needs_the_page_and_its_csrf_token(client, app, headers, token):
    remind(app)
    assert dismiss(client, "stale:2026-11-20", token=token, headers=headers).status_code == 403
    assert len(inbox(client)) == 1


def test_dismiss_needs_a_session_and_is_never_a_get(client, app, anonymous):
    remind(app)
    response = anonymous.post(
        "/reminders/dismiss", data={"key": "stale:2026-11-20"}, base_url=BASE, headers=OWN
    )
    assert response.status_code == 401
    assert "ssi-companion open" in response.get_data(as_text=True)
    assert client.get("/reminders/dismiss", base_url=BASE).status_code == 405
    assert len(inbox(client)) == 1
