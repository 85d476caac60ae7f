"""The extension's own pages in a real Chromium: the options page and the popup.

The options page writes no storage (Save is SAVE_SETTINGS to the service worker), explains the
port before "Pair", links the pairing page, and says what each outcome is (styled as success or
error, cleared once it no longer applies). The popup shows the latest reading as LinkedIn does,
what waits to be sent with the companion's words, and the refused captures in plain words.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.extension_browser import wait_options_loaded
from tests.browser.linkedin import fixture_html
from tests.browser.proxies import AnsweringProxy, api_error
from tests.browser.waiting import wait_until
from tests.conftest import free_port

CURRENT_EN = fixture_html("current_en.html")
DISK_FULL = "The disk is full: nothing was stored. Free some space."
OK = re.compile(r"\bstatus-ok\b")
ERROR = re.compile(r"\bstatus-error\b")


def count_page_storage_writes(page):
    """From now on, count every chrome.storage write the page itself makes."""
    page.evaluate(
        """() => {
          window.__storageWrites = [];
          for (const area of ["local", "session", "sync"]) {
            const store = chrome.storage[area];
            if (!store) continue;
            for (const name of ["set", "remove", "clear"]) {
              const original = store[name].bind(store);
              store[name] = (...args) => {
                window.__storageWrites.push(`${area}.${name}`);
                return original(...args);
              };
            }
          }
        }"""
    )


def page_storage_writes(page) -> list:
    return page.evaluate("window.__storageWrites")


def before_pseudo(locator) -> str:
    return locator.evaluate("(element) => getComputedStyle(element, '::before').content")


# ---------------------------------------------------------------- options: Save


def test_save_goes_through_the_service_worker(browser, companion):
    options = browser.options()
    wait_options_loaded(options)
    count_page_storage_writes(options)
    assert "settings" not in browser.storage()

    # Pairing saves a token while this page is open (it loaded without one).
    browser.set_storage({"settings": {"port": 47613, "token": companion.token}})
    expect(options.locator("#token-state")).to_contain_text("A token is saved")
    options.get_by_label("Port").fill(str(companion.port))
    options.get_by_role("button", name="Save").click()
    expect(options.locator("#save-status")).to_have_text("Saved.")
    expect(options.locator("#save-status")).to_have_class(OK)
    assert "✓" in before_pseudo(options.locator("#save-status"))  # an icon, not colour alone
    # The empty token field kept the token that pairing saved: nothing was put back.
    assert browser.storage()["settings"] == {"port": companion.port, "token": companion.token}

    options.get_by_label("Token").fill("typed-" + "x" * 40)
    options.get_by_role("button", name="Save").click()
    expect(options.locator("#save-status")).to_have_text("Saved.")
    expect(options.get_by_label("Token")).to_have_value("")  # never shown again
    wait_until(
        lambda: browser.storage()["settings"]["token"] == "typed-" + "x" * 40,
        what="the typed token saved",
    )
    assert browser.storage()["settings"]["port"] == companion.port
    assert page_storage_writes(options) == [], "the options page wrote storage itself"


@pytest.mark.parametrize("port", ["70000", "0", "1.5", ""])
def test_an_invalid_port_is_an_error_and_nothing_is_saved(browser, port):
    options = browser.options()
    wait_options_loaded(options)
    count_page_storage_writes(options)
    options.get_by_label("Port").fill(port)
    options.get_by_role("button", name="Save").click()
    status = options.locator("#save-status")
    expect(status).to_contain_text("Not saved")
    expect(status).to_contain_text("1 to 65535")
    expect(status).to_have_class(ERROR)
    assert "✗" in before_pseudo(status)
    expect(options.get_by_label("Port")).to_have_attribute("aria-invalid", "true")
    assert "settings" not in browser.storage()
    assert page_storage_writes(options) == []

    # Typing again clears the message and the mark.
    options.get_by_label("Port").fill("47613")
    expect(status).to_be_empty()
    expect(status).not_to_have_class(ERROR)
    expect(options.get_by_label("Port")).not_to_have_attribute("aria-invalid", "true")


def test_a_refusal_of_the_service_worker_is_shown_as_an_error(browser):
    """A token the worker will not take (not a token at all): its reason, styled as error."""
    options = browser.options()
    wait_options_loaded(options)
    options.get_by_label("Token").fill("has spaces in it")
    options.get_by_role("button", name="Save").click()
    status = options.locator("#save-status")
    expect(status).to_contain_text("Not saved")
    expect(status).to_have_class(ERROR)
    assert "settings" not in browser.storage()


# ---------------------------------------------------------------- options: messages


def test_messages_are_cleared_when_they_no_longer_apply(browser, companion):
    options = browser.options()
    wait_options_loaded(options)
    save_status = options.locator("#save-status")
    test_result = options.locator("#test-result")

    options.get_by_label("Port").fill(str(companion.port))
    options.get_by_role("button", name="Save").click()
    expect(save_status).to_have_text("Saved.")
    options.get_by_label("Token").press_sequentially("a")
    expect(save_status).to_be_empty()
    expect(save_status).not_to_have_class(OK)

    options.get_by_label("Port").fill(str(free_port()))  # nothing listens there
    options.get_by_role("button", name="Test connection").click()
    expect(test_result).to_contain_text("not running")
    expect(test_result).to_have_class(ERROR)
    options.get_by_label("Port").fill(str(companion.port))
    expect(test_result).to_be_empty()

    # A new action clears the outcome of the one before.
    options.get_by_label("Token").fill(companion.token)
    options.get_by_role("button", name="Test connection").click()
    expect(test_result).to_contain_text("Connected to SSI Companion")
    expect(test_result).to_have_class(OK)
    options.get_by_role("button", name="Save").click()
    expect(save_status).to_have_text("Saved.")
    expect(test_result).to_be_empty()
    options.get_by_role("button", name="Test connection").click()
    expect(test_result).to_contain_text("Connected to SSI Companion")
    expect(save_status).to_be_empty()


def test_typed_and_saved_token_refused_are_told_apart(browser, companion):
    # The port proves the token (ping and proof reach the companion), then refuses it.
    refused = (401, api_error("unauthorized", "The token is missing or wrong."))
    with AnsweringProxy(companion.port, {("GET", "/api/v1/status"): refused}) as proxy:
        options = browser.options()
        wait_options_loaded(options)
        options.get_by_label("Port").fill(str(proxy.port))
        options.get_by_label("Token").fill(companion.token)
        options.get_by_role("button", name="Test connection").click()
        result = options.locator("#test-result")
        expect(result).to_contain_text("The token you typed was refused")
        expect(result).to_have_class(ERROR)
        assert "settings" not in browser.storage(), "a test saves nothing"

        browser.set_storage({"settings": {"port": proxy.port, "token": companion.token}})
        options.reload()
        wait_options_loaded(options)
        expect(options.get_by_label("Token")).to_have_value("")
        options.get_by_role("button", name="Test connection").click()
        expect(result).to_contain_text("The saved token was refused")
        expect(result).not_to_contain_text("you typed")
        expect(result).to_have_class(ERROR)
        assert "GET /api/v1/status" in proxy.overridden


def test_a_typed_token_the_companion_cannot_prove_names_the_typed_token(browser, companion):
    options = browser.options()
    wait_options_loaded(options)
    options.get_by_label("Port").fill(str(companion.port))
    options.get_by_label("Token").fill("not-the-token")
    options.get_by_role("button", name="Test connection").click()
    result = options.locator("#test-result")
    expect(result).to_contain_text("it is not your companion")
    expect(result).to_contain_text("the token you typed")
    expect(result).to_have_class(ERROR)


# ---------------------------------------------------------------- options: port and pairing


def test_the_port_is_explained_before_pair_and_the_pairing_page_is_a_link(browser, companion):
    options = browser.options()
    wait_options_loaded(options)
    explained = options.locator("#port-explained")
    expect(explained).to_contain_text("127.0.0.1:47613")
    expect(explained).to_contain_text("47613 unless you changed it")
    before_pair = options.evaluate(
        """() => {
          const pair = document.getElementById("pair");
          const follows = (id) => Boolean(
            document.getElementById(id).compareDocumentPosition(pair) & Node.DOCUMENT_POSITION_FOLLOWING);
          return follows("port-explained") && follows("port");
        }"""
    )
    assert before_pair, "the port and its explanation come before the Pair button"

    options.get_by_label("Port").fill(str(companion.port))
    expect(explained).to_contain_text(f"127.0.0.1:{companion.port}")
    options.get_by_role("button", name="Pair with the companion").click()
    expect(options.locator("#pair-code .code")).to_have_text(re.compile(r"^\d{3}-\d{3}$"))
    expect(options.locator("#pair-status")).to_have_text("Waiting for approval…")
    link = options.get_by_role("link", name=f"{companion.base}/pairing")
    expect(link).to_have_attribute("href", f"{companion.base}/pairing")
    expect(link).to_have_attribute("target", "_blank")
    with browser.ctx.expect_page() as opened:
        link.click()
    pairing = opened.value
    pairing.wait_for_load_state()
    assert pairing.url == f"{companion.base}/pairing"
    expect(pairing.locator("body")).to_contain_text("ssi-companion open")  # not signed in yet


# ---------------------------------------------------------------- popup: the latest reading


def local_iso(page, *parts) -> str:
    """The browser's local time `parts` (year, month from 1, day, hour, minute), as ISO."""
    return page.evaluate(
        "([y, m, d, h, min]) => new Date(y, m - 1, d, h, min, 3).toISOString()", list(parts)
    )


def test_popup_shows_the_reading_as_linkedin_does_with_change_ranks_and_time(browser):
    probe = browser.popup()
    reading = {
        "total": 27.54,
        "total_displayed": 28,
        "brand": 8.1,
        "people": 6.2,
        "insights": 5.99,
        "relationships": 7.25,
        "industry_rank": 4,
        "network_rank": 17,
        "industry_avg": 21.0,
        "network_avg": 25.0,
        "industry": "Computer Software",
        "source": "dom_current",
        "capture_id": "c2",
        "captured_at": local_iso(probe, 2026, 11, 26, 21, 5),
        "date": "2026-11-26",
    }
    previous = {
        **reading,
        "total": 26.29,
        "brand": 7.6,
        "captured_at": local_iso(probe, 2026, 11, 19, 8, 30),
        "date": "2026-11-19",
    }
    change = {"total": 1.25, "brand": 0.5, "people": 0.0, "insights": 0.0, "relationships": -0.75}
    browser.set_storage(
        {
            "latest": {
                "reading": reading,
                "previous": previous,
                "change": change,
                "deliveredAt": None,
            }
        }
    )
    probe.close()

    popup = browser.popup()
    latest = popup.locator("#latest")
    expect(latest.locator(".total")).to_have_text("28")
    expect(latest.locator(".precise")).to_contain_text("27.54")
    expect(latest).to_contain_text("+1.25")
    expect(latest).to_contain_text("since the previous reading")
    expect(latest).to_contain_text("-0.75")
    expect(latest.locator(".ranks")).to_contain_text("Top 4%")
    expect(latest.locator(".ranks")).to_contain_text("Top 17%")
    expect(latest.locator(".ranks")).to_contain_text("industry")
    expect(latest.locator(".ranks")).to_contain_text("network")
    taken = popup.locator("#reading-time")
    expect(taken).to_contain_text("21:05")
    expect(taken).to_contain_text("2026")
    expect(taken).to_contain_text("26")
    # Nothing waits, nothing was refused: neither list is shown.
    expect(popup.locator("#outbox-section")).to_be_hidden()
    expect(popup.get_by_role("heading", name="Waiting to be sent")).to_be_hidden()
    expect(popup.locator("#rejected-section")).to_be_hidden()
    for name in ("Retry now", "Open summary"):
        expect(popup.get_by_role("button", name=name)).to_be_visible()
    for name in ("Your SSI on LinkedIn", "Options"):
        expect(popup.get_by_role("link", name=name)).to_be_visible()


def test_popup_after_a_real_delivery_shows_the_whole_number_and_the_precise_one(browser, companion):
    browser.configure_storage(companion.port, companion.token)
    browser.visit(CURRENT_EN)
    companion.wait_captures(1)
    browser.wait_badge("20")
    [reading] = companion.readings()

    popup = browser.popup()
    latest = popup.locator("#latest")
    expect(latest.locator(".total")).to_have_text("20")
    expect(latest.locator(".precise")).to_contain_text("19.71")
    expect(latest).to_contain_text("First reading")
    for rank in ("industry_rank", "network_rank"):
        if reading[rank] is not None:
            expect(latest.locator(".ranks")).to_contain_text(f"Top {reading[rank]}%")


# ---------------------------------------------------------------- popup: waiting to be sent


@pytest.mark.parametrize(
    ("status", "answer", "words"),
    [
        (507, api_error("disk_full", DISK_FULL), DISK_FULL),
        (500, b"Internal Server Error", "The companion answered HTTP 500."),
    ],
)
def test_popup_lists_what_waits_with_the_companion_message(
    browser, companion, status, answer, words
):
    with AnsweringProxy(companion.port, {("POST", "/api/v1/captures"): (status, answer)}) as proxy:
        browser.configure_storage(proxy.port, companion.token)
        browser.visit(CURRENT_EN)
        wait_until(
            lambda: [i for i in browser.outbox() if i.get("attempts", 0) >= 1],
            what="a failed attempt",
        )
        popup = browser.popup()
        section = popup.locator("#outbox-section")
        expect(section).to_be_visible()
        expect(section.get_by_role("heading", name="Waiting to be sent")).to_be_visible()
        expect(popup.locator("#outbox-count")).to_have_text("1")
        expect(section.locator("#outbox li")).to_have_count(1)
        item = section.locator("#outbox li")
        expect(item).to_contain_text(words)
        expect(item).to_contain_text("Captured")
        expect(item).to_contain_text("1 attempt")
        expect(item).to_contain_text("Next try:")
        expect(item.locator("time").last).to_have_text(re.compile(r"Next try: .*\d{1,2}:\d{2}"))

        # The companion has room again: "Retry now" delivers, and the list goes away.
        proxy.answers.clear()
        popup.get_by_role("button", name="Retry now").click()
        companion.wait_captures(1)
        browser.wait_outbox(0)
        expect(section).to_be_hidden()
        expect(popup.locator("#outbox-count")).to_have_text("0")


def test_popup_lists_what_waits_while_the_companion_is_stopped(browser, stopped_companion):
    browser.configure_storage(stopped_companion.port, stopped_companion.token)
    browser.visit(CURRENT_EN)
    browser.wait_outbox(1)
    popup = browser.popup()
    expect(popup.locator("#connection")).to_contain_text("Companion not running")
    section = popup.locator("#outbox-section")
    expect(section).to_be_visible()
    expect(section.locator("#outbox li")).to_have_count(1)
    expect(section.locator("#outbox li")).to_contain_text("Captured")
    expect(section.locator("#outbox li")).to_contain_text("Next try:")


def test_popup_warns_when_the_outbox_fills_up(browser):
    # Stand-ins for waiting captures, sized as the outbox counts them; nothing can send them.
    browser.set_storage({"settings": {"port": free_port(), "token": "t" * 43}})
    probe = browser.popup()
    now = local_iso(probe, 2026, 11, 26, 9, 0)
    probe.close()
    item = {"url": "https://www.linkedin.com/sales/ssi", "capturedAt": now, "html": "<p></p>"}
    items = [{**item, "id": f"w{i}", "attempts": 1, "bytes": 700_000} for i in range(5)]
    browser.set_storage({"outbox": items})
    popup = browser.popup()
    expect(popup.locator("#outbox-count")).to_have_text("5")
    warning = popup.locator("#outbox-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("start the companion")


# ---------------------------------------------------------------- popup: refused captures


REFUSED = [
    # Oldest first, as the worker stores them.
    {
        "id": "r-values",
        "code": "invalid_values",
        "status": 422,
        "message": "people is 27.5; each pillar lies between 0 and 25.",
        "rejectedAt": "2026-11-24T10:00:00.000Z",
    },
    {
        "id": "r-loading",
        "code": "not_rendered",
        "status": 422,
        "message": "The SSI page had not finished showing its numbers (brand, people still empty).",
        "rejectedAt": "2026-11-25T10:00:00.000Z",
    },
    {
        "id": "r-signin",
        "code": "not_ssi_page",
        "status": 422,
        "message": "This is LinkedIn's sign-in page: sign in, then open the SSI page.",
        "rejectedAt": "2026-11-26T10:00:00.000Z",
    },
]


def test_popup_lists_refused_captures_newest_first_in_plain_words(browser):
    rejected = [
        {**entry, "url": "https://www.linkedin.com/sales/ssi", "capturedAt": entry["rejectedAt"]}
        for entry in REFUSED
    ]
    browser.set_storage({"rejected": rejected})
    popup = browser.popup()
    section = popup.locator("#rejected-section")
    expect(section).to_be_visible()
    items = section.locator("#rejected li")
    expect(items).to_have_count(3)
    expect(items.nth(0)).to_contain_text("This page was not the SSI page")
    expect(items.nth(0)).to_contain_text("sign-in page")  # the companion's plain words
    expect(items.nth(1)).to_contain_text("The page had not finished loading")
    expect(items.nth(1)).to_contain_text("open it again and wait")
    expect(items.nth(2)).to_contain_text("The values did not add up")
    for raw in ("people is 27.5", "brand, people still empty", "invalid_values", "not_rendered"):
        expect(section).not_to_contain_text(raw)

    # Dismiss the middle one: it goes, from the list and from storage.
    items.nth(1).get_by_role("button", name=re.compile("^Dismiss")).click()
    expect(items).to_have_count(2)
    expect(section).not_to_contain_text("had not finished loading")
    assert [e["id"] for e in browser.storage()["rejected"]] == ["r-values", "r-signin"]

    for _ in range(2):
        items.first.get_by_role("button", name=re.compile("^Dismiss")).click()
    expect(section).to_be_hidden()
    assert browser.storage()["rejected"] == []
