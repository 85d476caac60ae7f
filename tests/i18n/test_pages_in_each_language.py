"""The pages in each of the six languages, through Flask's test client, as a browser asks.

The page's language is the `language` preference, else the browser's Accept-Language. What
each page must say is the catalog's translation (`companion.i18n.translations(lang)`), and
for every language but English it must differ from the English: an empty catalog fails.
"""

from datetime import datetime, timedelta

import pytest
from bs4 import BeautifulSoup

from companion import i18n, store
from companion.ingest.imports import import_file
from companion.store import preferences
from tests.builders import reading, write_csv
from tests.i18n.expected import translated

NAV = ("Summary", "Settings", "Pairing")
# (page, its headings: (CSS selector, msgid)), the words a user finds their way by.
HEADINGS = {
    "/": (
        ("#pillars-title", "The four pillars"),
        ("#ranks-title", "Ranks"),
        ("#charts-title", "Over time"),
        ("#advice-title", "What to do this week"),
        ("#reminders-title", "Reminders"),
        ("#history-title", "History"),
    ),
    "/settings": (
        ("main h1", "Settings"),
        ("label[for=language]", "Language"),
        ("#pairing-title", "Pairing"),
        ("#autostart-title", "Start at login"),
        ("#signin-title", "Signed-in browsers"),
    ),
    "/pairing": (("main h1", "Pair a browser extension"),),
}


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    i18n.activate(i18n.DEFAULT)


@pytest.fixture
def db(app):
    return store.connect(app.config["DATA_DIR"])


@pytest.fixture
def with_reading(db, tmp_path):
    """One reading of 61.23 (pillars 15.5, 15.25, 15.23, 15.25), two hours ago."""
    moment = (datetime.now().astimezone() - timedelta(hours=2)).isoformat(timespec="seconds")
    row = reading(moment, brand=15.5, people=15.25, insights=15.23, relationships=15.25)
    result = import_file(db, write_csv(tmp_path / "one.csv", [row]))
    assert (result.refused, result.added) == (None, 1)
    return db


def fetch(client, path="/", accept=None, status=200):
    headers = {"Accept-Language": accept} if accept else {}
    response = client.get(path, headers=headers)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response, BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text(element) -> str:
    return " ".join(element.get_text(" ").split())


def expected(language: str, msgid: str) -> str:
    words = translated(language, msgid)
    if language != i18n.DEFAULT:
        assert words != msgid, f"the {language} catalog has no translation of {msgid!r}"
    return words


def assert_page_in(soup, language: str, path: str) -> None:
    assert soup.html.get("lang") == language
    nav = [text(a) for a in soup.select("header.site nav a")]
    assert nav == [expected(language, word) for word in NAV], f"{path} ({language}): nav"
    for selector, msgid in HEADINGS[path]:
        found = soup.select_one(selector)
        assert found is not None, f"{path} ({language}): no {selector}"
        assert text(found) == expected(language, msgid), f"{path} ({language}): {selector}"


@pytest.mark.parametrize("path", HEADINGS)
@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_each_page_in_the_browsers_language(client, with_reading, language, path):
    response, soup = fetch(client, path, accept=language)
    assert "Accept-Language" in response.vary
    assert_page_in(soup, language, path)


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_the_language_preference_wins_over_the_browser(client, with_reading, language):
    preferences.set_value(with_reading, "language", language)
    other = "de" if language != "de" else "it"
    for path in ("/", "/settings"):
        _, soup = fetch(client, path, accept=f"{other},en;q=0.5")
        assert_page_in(soup, language, path)


@pytest.mark.parametrize(
    "accept, language",
    [
        ("pt-BR,pt;q=0.9", "pt"),
        ("pt-PT", "pt"),
        # The browser's first choice, by its language: a region of it is still it.
        ("de-CH, en;q=0.8", "de"),
        ("fr-CA,en;q=0.5", "fr"),
        ("en-US,de;q=0.5", "en"),
        ("en-GB,it;q=0.8", "en"),
        ("ja", "en"),
        ("ja,fr;q=0.5", "fr"),
        ("zh-CN,zh;q=0.9,es;q=0.3", "es"),
        ("*", "en"),
        (None, "en"),
    ],
)
def test_the_browsers_choice_is_matched_to_one_of_the_six(client, accept, language):
    response, soup = fetch(client, "/settings", accept=accept)
    assert soup.html.get("lang") == language
    assert text(soup.select_one("main h1")) == expected(language, "Settings")
    assert "Accept-Language" in response.vary


def test_auto_follows_the_browser(client, with_reading):
    """auto is the stored default: the browser's language decides."""
    assert preferences.load(with_reading)["language"] == "auto"
    _, soup = fetch(client, "/settings", accept="fr")
    assert soup.html.get("lang") == "fr"


def test_numbers_on_the_summary_follow_the_page_language(client, with_reading):
    _, italian = fetch(client, "/", accept="it")
    _, english = fetch(client, "/", accept="en")
    shown_it, shown_en = text(italian.find("main")), text(english.find("main"))
    assert "61,23" in shown_it and "61.23" not in shown_it
    assert "61.23" in shown_en and "61,23" not in shown_en
    # The precise total beside the rounded one, in the headline.
    assert "61,23" in text(italian.select_one("#headline-title"))
    assert "61.23" in text(english.select_one("#headline-title"))


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_the_signed_out_page_is_in_the_browsers_language(anonymous, language):
    response, soup = fetch(anonymous, "/", accept=language, status=401)
    assert soup.html.get("lang") == language
    assert "Accept-Language" in response.vary
    heading = soup.find("h2")
    assert text(heading) == expected(language, "How to open your summary")
