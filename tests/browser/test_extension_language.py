"""The extension in the browser's language: a Chromium asked for Italian shows the popup and
the options page in the words of extension/_locales/it/messages.json, with <html lang="it">,
Italian numbers, and the service worker's own sentences in Italian too.

Chromium is asked with --lang=it and LANGUAGE=it (Debian's Chromium reads the second; without
its Italian resources, chromium-l10n, it still takes extension messages from the first while
it reports en-US as its UI language: the pages' lang comes from the messages, not from that).
The English pages are what every other extension test drives.
"""

import json
import os
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import extension_browser
from tests.browser.extension_browser import wait_options_loaded
from tests.browser.waiting import wait_until
from tests.conftest import REPO, free_port

LANGUAGE = "it"
LOCALES = REPO / "extension" / "_locales"


def messages(language: str) -> dict:
    return json.loads((LOCALES / language / "messages.json").read_text(encoding="utf-8"))


def say(entry: dict, *values) -> str:
    """A message as chrome.i18n.getMessage gives it: $NAME$ becomes its placeholder's content,
    $1 ... $9 in that the values, $$ a dollar sign."""
    placeholders = {name.lower(): p["content"] for name, p in entry.get("placeholders", {}).items()}
    text = re.sub(r"\$(\w+)\$", lambda m: placeholders.get(m[1].lower(), ""), entry["message"])
    return re.sub(
        r"\$(\$|[1-9])",
        lambda m: (
            "$" if m[1] == "$" else (str(values[int(m[1]) - 1]) if int(m[1]) <= len(values) else "")
        ),
        text,
    )


ITALIAN = messages(LANGUAGE)


@pytest.fixture
def italian_browser(playwright, extension_dir):
    """The `browser` fixture's Chromium (conftest.py), asked for Italian."""
    with extension_browser(
        playwright, extension_dir,
        extra_args=[f"--lang={LANGUAGE}"], env={**os.environ, "LANGUAGE": LANGUAGE},
    ) as extension:  # fmt: skip
        yield extension


def test_the_italian_messages_are_a_translation():
    english = messages("en")
    assert ITALIAN.keys() == english.keys()
    assert ITALIAN["optionsPairButton"]["message"] != english["optionsPairButton"]["message"]


def test_options_page_speaks_italian(italian_browser):
    # The tab a first install opens is in Italian already.
    assert italian_browser.welcome_title == ITALIAN["optionsTitle"]["message"]
    options = italian_browser.options()
    wait_options_loaded(options)
    expect(options.locator("html")).to_have_attribute("lang", LANGUAGE)
    expect(options).to_have_title(ITALIAN["optionsTitle"]["message"])
    pair = ITALIAN["optionsPairButton"]["message"]
    expect(options.get_by_role("button", name=pair)).to_be_visible()
    expect(options.get_by_label(ITALIAN["optionsPortLabel"]["message"])).to_have_value("47613")
    # A sentence with code inside it: the <code> elements stay, where Italian puts them.
    explained = options.locator("#port-explained")
    expect(explained).to_have_text(
        say(ITALIAN["optionsPortExplained"], "127.0.0.1:47613", "ssi-companion serve --port")
    )
    expect(explained.locator("code #port-shown")).to_have_text("47613")
    expect(options.locator("#token-state")).to_have_text(ITALIAN["optionsNoToken"]["message"])

    # What happens says so in Italian too, the screen reader's word included.
    options.get_by_label(ITALIAN["optionsPortLabel"]["message"]).fill("0")
    options.get_by_role("button", name=ITALIAN["optionsSave"]["message"]).click()
    expect(options.locator("#save-status")).to_have_text(ITALIAN["optionsPortNotSaved"]["message"])
    word = options.locator("#save-status").evaluate(
        "(element) => getComputedStyle(element, '::before').content"
    )
    assert ITALIAN["statusErrorWord"]["message"] in word, word


def test_popup_speaks_italian_with_italian_numbers_and_worker_sentences(italian_browser):
    browser = italian_browser
    # Nothing listens on this port: the worker's pass says so, in its own (Italian) words.
    port = free_port()
    browser.configure_storage(port, "t" * 43)
    expected = say(ITALIAN["workerNotRunning"], port)
    wait_until(
        lambda: browser.storage().get("state", {}).get("message") == expected,
        what="the worker's Italian sentence",
    )
    reading = {
        "total": 27.54,
        "total_displayed": 28,
        "brand": 8.1,
        "people": 6.2,
        "insights": 5.99,
        "relationships": 7.25,
        "industry_rank": 4,
        "network_rank": 17,
        "captured_at": "2026-11-26T21:05:03.000Z",
        "date": "2026-11-26",
    }
    change = {"total": 1.25, "brand": 0.5, "people": 0.0, "insights": 0.0, "relationships": -0.75}
    browser.set_storage(
        {"latest": {"reading": reading, "previous": None, "change": change, "deliveredAt": None}}
    )

    popup = browser.popup()
    expect(popup.locator("html")).to_have_attribute("lang", LANGUAGE)
    expect(popup.get_by_role("button", name=ITALIAN["popupRetry"]["message"])).to_be_visible()
    expect(popup.get_by_role("link", name=ITALIAN["popupOptionsLink"]["message"])).to_be_visible()
    expect(popup.locator("#connection")).to_have_text(ITALIAN["popupNotRunning"]["message"])
    expect(popup.locator("#connection-detail")).to_have_text(expected)
    latest = popup.locator("#latest")
    expect(latest.locator(".precise")).to_have_text(say(ITALIAN["popupPrecisely"], "27,54"))
    expect(latest.locator(".change")).to_have_text(say(ITALIAN["popupChange"], "▲ +1,25"))
    expect(latest.locator(".ranks")).to_contain_text(ITALIAN["rank_industry"]["message"])
    expect(latest.locator(".ranks")).to_contain_text(say(ITALIAN["popupTopPercent"], 17))
    expect(latest.locator(".pillars")).to_contain_text(ITALIAN["pillar_relationships"]["message"])
    expect(latest.locator(".pillars")).to_contain_text("▼ -0,75")
    expect(popup.get_by_role("region", name=ITALIAN["popupLatestLabel"]["message"])).to_be_visible()
