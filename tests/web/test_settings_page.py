"""The settings page through Flask: the right input for each setting, the stored texts
`ssi-companion settings set` takes, plain messages next to their field, the rules between
settings, approving a pairing from here, and the token shown in place."""

import re
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup

from companion import store
from companion.store import access_token as token
from companion.store import preferences

PORT = 47613
BASE = f"http://127.0.0.1:{PORT}"
OWN = {"Origin": BASE, "Host": f"127.0.0.1:{PORT}"}
EXT = "chrome-extension://" + "a" * 32


def soup_of(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def page(client, path="/settings") -> str:
    response = client.get(path, base_url=BASE)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def text_of(html_or_tag) -> str:
    tag = soup_of(html_or_tag) if isinstance(html_or_tag, str) else html_or_tag
    return " ".join(tag.get_text(" ").split())


def browser_form(html: str) -> list[tuple[str, str]]:
    """What a browser sends from the settings form as shown: ticked boxes with their value,
    every other input (an empty one too), and the selected option of each select."""
    form = soup_of(html).find("form", class_="settings")
    sent = []
    for field in form.find_all(["input", "select"]):
        if field.name == "select":
            chosen = field.find("option", selected=True) or field.find("option")
            sent.append((field["name"], chosen["value"]))
        elif field.get("type") == "checkbox":
            if field.has_attr("checked"):
                sent.append((field["name"], field.get("value", "on")))
        else:
            sent.append((field["name"], field.get("value", "")))
    return sent


def change(sent, **values) -> list[tuple[str, str]]:
    """The form with some fields typed over (None: a box unticked, a field left out)."""
    kept = [(name, value) for name, value in sent if name not in values]
    for name, value in values.items():
        if isinstance(value, list):
            kept += [(name, one) for one in value]
        elif value is not None:
            kept.append((name, value))
    return kept


def post(client, path, data, headers=None):
    from werkzeug.datastructures import MultiDict

    return client.post(path, data=MultiDict(data), headers=headers or OWN, base_url=BASE)


def csrf(client) -> str:
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', page(client)).group(1)


def save(client, **values):
    return post(client, "/settings", change(browser_form(page(client)), **values))


def stored(app) -> dict:
    return preferences.load(store.connect(app.config["DATA_DIR"]))


def defaults() -> dict:
    return {key: s.default for key, s in preferences.SETTINGS.items()}


def field(html: str, field_id: str):
    return soup_of(html).find(id=field_id)


# -- the inputs --------------------------------------------------------------------------------

NUMBERS = {
    "stale_days": ("1", "365", "1"),
    "drop_points": ("0.1", "100", "0.1"),
    "rank_points": ("1", "99", "1"),
    "recalibration_points": ("0.1", "100", "0.1"),
    "goal_score": ("1", "100", "0.1"),
    "retention_days": ("1", "3650", "1"),
}


def test_each_setting_has_the_input_that_fits_it(client):
    html = page(client)
    for key, (low, high, step) in NUMBERS.items():
        box = field(html, key)
        assert (box["type"], box["min"], box["max"], box["step"]) == ("number", low, high, step)
    for key in ("pause_until", "goal_date"):
        assert field(html, key)["type"] == "date"
    assert field(html, "check_time_0")["type"] == "time"
    assert field(html, "check_time_0")["value"] == "09:30"
    assert [field(html, f"check_time_{n}")["value"] for n in (1, 2)] == ["", ""], "room to add"
    assert (field(html, "quiet_from")["type"], field(html, "quiet_to")["type"]) == ("time", "time")
    days = soup_of(html).find_all("input", attrs={"name": "check_weekdays"})
    assert [d["value"] for d in days] == list(preferences.WEEKDAYS)
    assert [d["type"] for d in days] == ["checkbox"] * 7
    assert [d.has_attr("checked") for d in days] == [True] * 5 + [False] * 2
    weekly = field(html, "weekly_weekday")
    assert weekly.name == "select"
    assert weekly.find("option", selected=True).get_text() == "Monday"


def test_every_field_has_a_plain_label_and_every_rule_a_switch_with_its_sentence(client):
    soup = soup_of(page(client))
    for key in ("stale_days", "goal_score", "goal_date", "weekly_weekday", "check_time_0"):
        label = soup.find("label", attrs={"for": key})
        assert label is not None, key
        assert "_" not in label.get_text()
    assert soup.find("label", attrs={"for": "goal_score"}).get_text() == "Your target SSI"
    assert soup.find("label", attrs={"for": "goal_date"}).get_text() == "Reach it by"
    legends = [text_of(legend) for legend in soup.find_all("legend")]
    assert "Check for reminders at" in legends and "On these days" in legends
    assert "The ssi you aim for" not in text_of(soup)
    for key in (k for k in preferences.SETTINGS if k.startswith("rule_")):
        switch = soup.find(id=key)
        assert (switch["type"], switch["role"], switch.has_attr("checked")) == (
            "checkbox",
            "switch",
            True,
        )
        assert soup.find("label", attrs={"for": key}).get_text() == preferences.SETTINGS[key].label
        sentence = soup.find(id=switch["aria-describedby"])
        assert sentence.get_text() == preferences.SETTINGS[key].help


def test_the_page_as_shown_saves_to_the_same_settings(client, app):
    response = post(client, "/settings", browser_form(page(client)))
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/settings")
    assert stored(app) == defaults()
    assert "Settings saved." in text_of(page(client))


def test_settings_are_saved_as_the_cli_would_store_them(client, app):
    goal_day = (date.today() + timedelta(days=200)).isoformat()
    response = save(
        client,
        check_time_1="17:00",
        check_weekdays=["mon", "wed", "fri"],
        stale_days="3",
        drop_points="1.5",
        rank_points="10",
        recalibration_points="4",
        weekly_weekday="fri",
        quiet_from="22:00",
        quiet_to="07:00",
        pause_until="2030-08-31",
        goal_score="60",
        goal_date=goal_day,
        retention_days="90",
        rule_weekly=None,
    )
    assert response.status_code == 303
    assert stored(app) == defaults() | {
        "check_times": ["09:30", "17:00"],
        "check_weekdays": ["mon", "wed", "fri"],
        "stale_days": 3,
        "drop_points": 1.5,
        "rank_points": 10,
        "recalibration_points": 4.0,
        "weekly_weekday": "fri",
        "quiet_hours": "22:00-07:00",
        "pause_until": "2030-08-31",
        "goal_score": 60.0,
        "goal_date": goal_day,
        "retention_days": 90,
        "rule_weekly": False,
    }
    html = page(client)
    assert [field(html, f"check_time_{n}")["value"] for n in range(4)] == [
        "09:30",
        "17:00",
        "",
        "",
    ]
    assert (field(html, "quiet_from")["value"], field(html, "quiet_to")["value"]) == (
        "22:00",
        "07:00",
    )
    assert field(html, "goal_date")["value"] == goal_day
    assert field(html, "weekly_weekday").find("option", selected=True)["value"] == "fri"
    assert not field(html, "rule_weekly").has_attr("checked")
    assert field(html, "rule_stale").has_attr("checked")


def test_a_time_typed_as_h_mm_is_saved_as_hh_mm(client, app):
    # A browser without a time picker sends what was typed.
    assert save(client, check_time_0="9:30", check_time_1="7:05").status_code == 303
    assert stored(app)["check_times"] == ["07:05", "09:30"]


def test_a_time_is_removed_by_its_box_or_by_emptying_it_and_one_always_stays(client, app):
    save(client, check_time_1="12:00", check_time_2="18:00")
    assert stored(app)["check_times"] == ["09:30", "12:00", "18:00"]
    assert save(client, remove_check_time_1="on", check_time_2="").status_code == 303
    assert stored(app)["check_times"] == ["09:30"]
    response = save(client, remove_check_time_0="on")
    assert response.status_code == 400
    error = field(response.get_data(as_text=True), "check_times-error")
    assert error.get_text() == "Give at least one time for the checks, such as 09:30."
    assert stored(app)["check_times"] == ["09:30"]


def test_rule_switches_round_trip(client, app):
    rules = [key for key in preferences.SETTINGS if key.startswith("rule_")]
    assert save(client, **{key: None for key in rules}).status_code == 303
    assert all(stored(app)[key] is False for key in rules)
    html = page(client)
    assert not any(field(html, key).has_attr("checked") for key in rules)
    assert save(client, rule_drop="on", rule_goal="on").status_code == 303
    assert [key for key in rules if stored(app)[key]] == ["rule_drop", "rule_goal"]


def test_quiet_hours_are_off_when_both_times_are_empty(client, app):
    preferences.set_values(store.connect(app.config["DATA_DIR"]), {"quiet_hours": "22:00-07:00"})
    assert save(client, quiet_from="", quiet_to="").status_code == 303
    assert stored(app)["quiet_hours"] is None
    response = save(client, quiet_from="22:00", quiet_to="")
    assert response.status_code == 400
    error = field(response.get_data(as_text=True), "quiet_hours-error")
    assert error.get_text().startswith("Quiet hours need both a start and an end time")


def test_optional_values_are_cleared_by_emptying_them(client, app):
    db = store.connect(app.config["DATA_DIR"])
    preferences.set_values(db, {"goal_score": "60", "retention_days": "90"})
    assert save(client, goal_score="", retention_days="").status_code == 303
    assert (stored(app)["goal_score"], stored(app)["retention_days"]) == (None, None)
    assert field(page(client), "retention_days")["value"] == ""


# -- the language ------------------------------------------------------------------------------


def lang_of(html: str) -> str:
    return soup_of(html).find("html")["lang"]


def chosen_language(html: str) -> str:
    return field(html, "language").find("option", selected=True)["value"]


def test_the_language_select_offers_auto_and_each_language_in_its_own_words(client):
    html = page(client)
    select = field(html, "language")
    assert select.name == "select" and select["name"] == "language"
    options = select.find_all("option")
    assert [(o["value"], o.get_text()) for o in options] == [
        ("auto", "Automatic (your browser's language)"),
        ("en", "English"),
        ("it", "Italiano"),
        ("pt", "Português"),
        ("de", "Deutsch"),
        ("fr", "Français"),
        ("es", "Español"),
    ]
    # A screen reader says each name in its own language; "auto" is in the page's.
    assert [o.get("lang") for o in options] == [None, "en", "it", "pt", "de", "fr", "es"]
    assert chosen_language(html) == "auto"
    label = soup_of(html).find("label", attrs={"for": "language"})
    assert label.get_text() == preferences.SETTINGS["language"].label
    help_ = soup_of(html).find(id=select["aria-describedby"])
    assert help_.get_text() == preferences.SETTINGS["language"].help


def test_choosing_a_language_saves_it_and_the_next_page_is_in_it(client, app):
    assert lang_of(page(client)) == "en"
    response = save(client, language="it")
    assert response.status_code == 303
    assert stored(app) == defaults() | {"language": "it"}
    html = page(client)
    assert lang_of(html) == "it"
    assert chosen_language(html) == "it"
    assert lang_of(page(client, "/")) == "it"
    assert lang_of(page(client, "/pairing")) == "it"


def test_a_chosen_language_wins_over_the_browser_s_and_auto_follows_the_browser(client, app):
    def shown(accept: str) -> str:
        response = client.get("/settings", base_url=BASE, headers={"Accept-Language": accept})
        assert response.status_code == 200
        return response.get_data(as_text=True)

    assert lang_of(shown("de-DE,de;q=0.9")) == "de"
    assert chosen_language(shown("de-DE,de;q=0.9")) == "auto"
    save(client, language="pt")
    assert lang_of(shown("de-DE,de;q=0.9")) == "pt"
    save(client, language="auto")
    assert stored(app)["language"] == "auto"
    assert lang_of(shown("fr-CA,fr;q=0.8")) == "fr"
    assert lang_of(shown("ja")) == "en", "a language the companion does not speak: English"


def test_the_saved_message_is_said_in_the_language_just_chosen(client, monkeypatch):
    # The catalogs may still be empty: one sentence gets an Italian translation, for this test.
    from babel.support import NullTranslations

    from companion import i18n

    class Italian(NullTranslations):
        def ugettext(self, message):
            return {"Settings saved.": "Impostazioni salvate."}.get(message, message)

    english = i18n.translations
    monkeypatch.setattr(
        i18n, "translations", lambda lang: Italian() if lang == "it" else english(lang)
    )
    save(client, language="it")
    assert "Impostazioni salvate." in text_of(soup_of(page(client)).find(class_="flash"))
    save(client, language="en")
    assert "Settings saved." in text_of(soup_of(page(client)).find(class_="flash"))


def test_a_language_no_page_offers_is_refused_beside_the_select(client, app):
    response = save(client, language="xx")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = field(html, "language-error")
    assert error is not None and "xx" in error.get_text()
    assert "language-error" in field(html, "language")["aria-describedby"]
    assert stored(app) == defaults()


# -- refusals in plain words, next to their field ----------------------------------------------

REFUSED = [
    ({"check_time_0": "25:99"}, "check_times", "25:99 is not a time of day: use a time such as 09:30."),
    ({"check_weekdays": None}, "check_weekdays", "Pick at least one day for the checks"),
    ({"check_weekdays": ["mon", "someday"]}, "check_weekdays", "someday is not a day of the week"),
    ({"stale_days": "0"}, "stale_days", "0 is out of range: use a whole number of days from 1 to 365."),
    ({"stale_days": ""}, "stale_days", "This cannot be empty: use a whole number of days"),
    ({"drop_points": "0"}, "drop_points", "0 is out of range: use a number of points above 0"),
    ({"recalibration_points": "abc"}, "recalibration_points", "abc is not a number"),
    ({"rank_points": "100"}, "rank_points", "100 is out of range: use a whole number from 1 to 99."),
    ({"weekly_weekday": "mon,tue"}, "weekly_weekday", "mon,tue is not a day of the week"),
    ({"quiet_from": "22:00", "quiet_to": "22:00"}, "quiet_hours", "cannot start and end at the same"),
    ({"pause_until": "tomorrow"}, "pause_until", "tomorrow is not a date: use a date such as"),
    ({"goal_score": "101"}, "goal_score", "101 is out of range: use a score above 0 and at most 100."),
    ({"goal_date": "2030-13-01"}, "goal_date", "2030-13-01 is not a date"),
    ({"retention_days": "3651"}, "retention_days", "3651 is out of range"),
]  # fmt: skip


@pytest.mark.parametrize("typed, key, message", REFUSED, ids=[r[1] for r in REFUSED])
def test_a_refused_value_is_said_in_plain_words_next_to_its_field(client, app, typed, key, message):
    other = "rank_points" if key != "rank_points" else "stale_days"
    response = save(client, **typed, **{other: "12"}, rule_drop=None)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = field(html, f"{key}-error")
    assert error is not None, "the message is next to the field"
    assert message in error.get_text()
    assert "_" not in error.get_text(), "no internal key such as check_times"
    assert key not in text_of(html).replace(f"{key}-", "")
    assert "Nothing was saved: 1 value needs fixing" in text_of(html)
    assert field(html, f"{other}-error") is None
    # The message belongs to its control: inside its field or group, read with it.
    owner = error.find_parent(class_=re.compile(r"\b(field|group)\b"))
    assert "invalid" in owner["class"]
    described = [owner, *owner.find_all(attrs={"aria-describedby": True})]
    assert any(f"{key}-error" in tag.get("aria-describedby", "") for tag in described)
    assert stored(app) == defaults(), "nothing was stored, not even the valid change"


def test_a_refused_form_shows_back_what_was_typed(client, app):
    response = save(
        client, stale_days="3", goal_score="lots", check_time_1="17:00", rule_weekly=None
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert field(html, "goal_score")["value"] == "lots"
    assert field(html, "stale_days")["value"] == "3"
    assert field(html, "check_time_1")["value"] == "17:00"
    assert not field(html, "rule_weekly").has_attr("checked")
    assert field(html, "goal_score")["aria-invalid"] == "true"


def test_several_refused_values_each_get_their_message(client, app):
    response = save(client, stale_days="-3", goal_score="lots", retention_days="0")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    for key in ("stale_days", "goal_score", "retention_days"):
        assert field(html, f"{key}-error") is not None
    assert "3 values need fixing" in text_of(html)


def test_a_typed_value_is_escaped_when_shown_back(client, app):
    response = save(client, goal_score='"><script>alert(1)</script>')
    assert response.status_code == 400
    assert "<script" not in response.get_data(as_text=True).lower()


# -- rules between settings --------------------------------------------------------------------


def test_a_goal_date_in_the_past_is_refused(client, app):
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    response = save(client, goal_score="60", goal_date=yesterday)
    assert response.status_code == 400
    error = field(response.get_data(as_text=True), "goal_date-error")
    assert (
        error.get_text()
        == f"{yesterday} has passed: pick today or a later date, or leave it empty."
    )
    assert stored(app)["goal_score"] is None
    assert save(client, goal_score="60", goal_date=date.today().isoformat()).status_code == 303


def test_a_target_without_a_date_is_saved_with_a_note_beside_the_date(client, app):
    response = save(client, goal_score="60")
    assert response.status_code == 303
    assert stored(app)["goal_score"] == 60.0
    html = page(client)
    assert "Settings saved. One thing may not work as you expect" in text_of(html)
    note = field(html, "goal_date-note1")
    assert "Your target SSI has no date yet" in note.get_text()
    assert "goal_date-note1" in field(html, "goal_date")["aria-describedby"]


def test_a_weekly_summary_on_a_day_without_checks_is_pointed_out_beside_it(client, app):
    assert save(client, weekly_weekday="sat").status_code == 303
    html = page(client)
    note = field(html, "weekly_weekday-note1")
    assert note.get_text().startswith(
        "The weekly summary is sent by a check on Saturday, but no check is scheduled on Saturdays"
    )
    assert "weekly_weekday-note1" in field(html, "weekly_weekday")["aria-describedby"]
    save(client, check_weekdays=["mon", "sat"])
    assert field(page(client), "weekly_weekday-note1") is None
    assert stored(app)["check_weekdays"] == ["mon", "sat"]


# -- forms from elsewhere ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers, csrf_value",
    [
        ({"Origin": "https://evil.example", "Host": f"127.0.0.1:{PORT}"}, None),
        ({"Origin": "http://127.0.0.1:8080", "Host": f"127.0.0.1:{PORT}"}, None),
        ({"Origin": EXT, "Host": f"127.0.0.1:{PORT}"}, None),
        ({"Host": f"127.0.0.1:{PORT}"}, None),
        ({"Origin": "null", "Host": f"127.0.0.1:{PORT}"}, None),
        ({"Origin": "null", "Host": f"127.0.0.1:{PORT}", "Sec-Fetch-Site": "same-site"}, None),
        ({"Host": f"127.0.0.1:{PORT}", "Sec-Fetch-Site": "cross-site"}, None),
        (OWN, ""),
        (OWN, "0" * 64),
    ],
    ids=[
        "foreign",
        "other-port",
        "extension",
        "no-origin",
        "null-origin",
        "null-same-site",
        "cross-site",
        "none",
        "bad",
    ],  # fmt: skip
)
def test_settings_refuse_a_form_from_elsewhere_and_change_nothing(client, app, headers, csrf_value):
    sent = change(browser_form(page(client)), stale_days="2")
    if csrf_value is not None:
        sent = change(sent, csrf_token=csrf_value)
    assert post(client, "/settings", sent, headers=headers).status_code == 403
    assert stored(app) == defaults()


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": f"127.0.0.1:{PORT}", "Origin": "null", "Sec-Fetch-Site": "same-origin"},
        {"Host": f"localhost:{PORT}", "Origin": f"http://localhost:{PORT}"},
    ],
)
def test_settings_accept_the_companion_s_own_page(client, app, headers):
    sent = change(browser_form(page(client)), stale_days="2")
    assert post(client, "/settings", sent, headers=headers).status_code == 303
    assert stored(app)["stale_days"] == 2


# -- pairing from the settings page ------------------------------------------------------------


def _ask_to_pair(client) -> dict:
    started = client.post("/api/v1/pairing", json={"challenge": "0" * 64}, headers={"Origin": EXT})
    assert started.status_code == 201
    return started.get_json()["pairing"]


def _decision_form(html: str, decision: str):
    return soup_of(html).find(
        "form", action=re.compile(rf"^/pairing/[^/]+/{decision}$")
    )  # the request's own form


@pytest.mark.parametrize("decision, said", [("approve", "Approved"), ("deny", "Denied")])
def test_a_decision_on_the_settings_page_comes_back_to_it(client, app, decision, said):
    pairing = _ask_to_pair(client)
    form = _decision_form(page(client), decision)
    sent = [(i["name"], i["value"]) for i in form.find_all("input")]
    assert ("next", "settings") in sent
    response = post(client, form["action"], sent)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/settings#pairing-title")
    html = page(client)
    assert f"{said} {pairing['code']}" in text_of(html)
    assert "No extension is asking to pair" in text_of(html)


@pytest.mark.parametrize(
    "hostile", ["https://evil.example/", "//evil.example", "/settings", "settings_page.show", ""]
)
def test_a_hostile_next_goes_to_the_pairing_page(client, hostile):
    pairing = _ask_to_pair(client)
    sent = [("csrf_token", csrf(client)), ("next", hostile)]
    response = post(client, f"/pairing/{pairing['id']}/deny", sent)
    assert response.status_code == 303
    assert response.headers["Location"] in ("/pairing", f"{BASE}/pairing")


def test_the_pairing_page_s_own_decision_stays_there(client):
    pairing = _ask_to_pair(client)
    form = _decision_form(page(client, "/pairing"), "approve")
    sent = [(i["name"], i["value"]) for i in form.find_all("input")]
    response = post(client, form["action"], sent)
    assert response.headers["Location"].endswith("/pairing")
    assert f"Approved {pairing['code']}" in text_of(page(client, "/pairing"))


# -- the token ---------------------------------------------------------------------------------


def test_show_the_token_opens_the_page_at_the_token(client, app):
    html = page(client)
    secret = token.get(app.config["DATA_DIR"])
    assert secret not in html
    form = soup_of(html).find("button", string="Show the token").find_parent("form")
    assert form["action"] == "/settings/token#token-title", "the page comes back at the token"
    response = post(client, "/settings/token", [("csrf_token", csrf(client))])
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    shown = response.get_data(as_text=True)
    section = field(shown, "token-title").find_parent("section")
    value = section.find("input", id="token-value")
    assert value["value"] == secret and value.has_attr("readonly")
    assert section.find("label", attrs={"for": "token-value"}).get_text() == "Token"
    assert shown.count(secret) == 1, "only in its own section"
    assert secret not in page(client), "a plain visit hides it again"


@pytest.mark.parametrize(
    "junk",
    [
        {},
        {"check_time_0": "٩:٣٠", "check_weekdays": "\x00", "weekly_weekday": "mon" * 1000},
        {"check_time_7": "-", "quiet_from": "22:00-07:00", "quiet_to": "-", "stale_days": "1e999"},
        {"check_time_0001": "09:30", "goal_date": "9999-99-99", "goal_score": "--1"},
    ],
)
def test_a_form_no_page_would_send_is_refused_in_words_never_a_500(client, app, junk):
    response = post(client, "/settings", [("csrf_token", csrf(client)), *junk.items()])
    assert response.status_code == 400
    assert "Nothing was saved" in text_of(response.get_data(as_text=True))
    assert stored(app) == defaults()
