"""The settings page's "Start at login": what it says, the button that changes it (a real XDG
autostart entry under the test's own XDG_CONFIG_HOME), and the CSRF check before anything."""

import os
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.autostart.isolation import isolate, tree

PORT = 47613
BASE = f"http://127.0.0.1:{PORT}"
OWN = {"Origin": BASE, "Host": f"127.0.0.1:{PORT}"}


@pytest.fixture(autouse=True)
def user(tmp_path, monkeypatch):
    return isolate(tmp_path, monkeypatch)


def entry() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"]) / "autostart" / "ssi-companion.desktop"


def section(client) -> BeautifulSoup:
    response = client.get("/settings", base_url=BASE)
    assert response.status_code == 200
    return _section(response.get_data(as_text=True))


def _section(html: str):
    return BeautifulSoup(html, "html.parser").find(id="autostart-title").parent


def text(part) -> str:
    return " ".join(part.get_text(" ").split())


def csrf(client) -> str:
    page = client.get("/settings", base_url=BASE).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)


def press(client, wanted: str, token: str | None = None, headers=None):
    form = {"autostart": wanted, "csrf_token": csrf(client) if token is None else token}
    return client.post("/settings/autostart", data=form, headers=headers or OWN, base_url=BASE)


def test_the_page_says_the_companion_does_not_start_at_login_and_offers_to(client):
    shown = section(client)
    assert "does not start when you log in" in text(shown)
    assert "XDG autostart entry" in text(shown) and str(entry()) in text(shown)
    form = shown.find("form")
    assert form["action"] == "/settings/autostart" and form["method"] == "post"
    assert form.find("input", {"name": "autostart"})["value"] == "on"
    assert form.find("button").get_text() == "Start at login"


def test_the_button_turns_it_on_and_off(client, home, user):
    before = tree(user)
    response = press(client, "on")
    assert response.status_code == 303 and response.headers["Location"].endswith("/settings")
    assert f"SSI_COMPANION_HOME={home}" in entry().read_text()  # this companion's data dir

    page = client.get("/settings", base_url=BASE).get_data(as_text=True)
    assert "The companion now starts when you log in (XDG autostart entry)." in page
    shown = _section(page)
    assert "starts when you log in" in text(shown) and "does not" not in text(shown)
    assert shown.find("input", {"name": "autostart"})["value"] == "off"
    assert shown.find("button").get_text() == "Don't start at login"

    assert press(client, "off").status_code == 303
    assert tree(user) == before
    assert "does not start when you log in" in text(section(client))


def test_pressing_twice_changes_nothing(client):
    press(client, "on")
    written = entry().read_bytes()
    assert press(client, "on").status_code == 303
    assert entry().read_bytes() == written


@pytest.mark.parametrize(
    "token, headers",
    [
        ("", OWN),
        ("f" * 64, OWN),
        (None, {"Origin": "https://evil.example", "Host": f"127.0.0.1:{PORT}"}),
    ],
    ids=["no-token", "wrong-token", "foreign-origin"],
)
def test_without_the_forms_csrf_token_nothing_changes(client, user, token, headers):
    before = tree(user)
    response = press(client, "on", token=token, headers=headers)
    assert response.status_code == 403
    assert tree(user) == before


def test_signed_out_the_page_neither_shows_nor_changes_it(anonymous, user):
    before = tree(user)
    response = anonymous.post(
        "/settings/autostart", data={"autostart": "on"}, headers=OWN, base_url=BASE
    )
    assert response.status_code in (401, 403)
    assert tree(user) == before


def test_a_file_that_is_not_ours_is_an_error_on_the_page_not_a_500(client):
    entry().parent.mkdir(parents=True)
    entry().write_text("[Desktop Entry]\nExec=mine\n")
    response = press(client, "on")
    assert response.status_code == 409
    shown = _section(response.get_data(as_text=True))
    assert "was not written by ssi-companion" in text(shown.find(class_="error"))
    assert entry().read_text() == "[Desktop Entry]\nExec=mine\n"
    assert "left as it is" in text(section(client))  # the plain page says so too


def test_an_unknown_choice_changes_nothing(client, user):
    before = tree(user)
    response = press(client, "maybe")
    assert response.status_code == 400
    assert "Nothing was changed." in text(_section(response.get_data(as_text=True)))
    assert tree(user) == before


def test_a_registration_for_another_port_offers_an_update(client, monkeypatch):
    from companion import autostart

    autostart.enable(port=47740)
    shown = section(client)
    assert "another data directory, port or install" in text(shown)
    values = [field["value"] for field in shown.find_all("input", {"name": "autostart"})]
    assert values == ["on", "off"]
    assert press(client, "on").status_code == 303
    assert "--port" not in entry().read_text()


def test_the_demo_offers_no_start_at_login_and_registers_nothing(app, client):
    # `serve --demo` runs from a temporary folder: registering it would start a companion
    # on a folder that no longer exists.
    app.config["COMPANION_CONFIG"]["DEMO"] = True
    shown = section(client)
    assert "This is the demo" in text(shown) and shown.find("form") is None
    assert press(client, "on").status_code == 409
    assert not entry().exists()
