"""The extension in a real Chromium, against a real companion, with LinkedIn served offline.

Each test gets a fresh browser profile and a fresh companion; the extension is built once.
The companion's pages are opened as a user opens them: signed in through the one-time link
that `ssi-companion open --print` prints, or through the popup's "Open summary".
"""

import json
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.extension_browser import wait_options_loaded
from tests.browser.linkedin import SSI_URL, fixture_html, inject_head
from tests.browser.proxies import Impostor, SlowProxy
from tests.browser.waiting import pause, wait_until
from tests.conftest import free_port

CURRENT_EN = fixture_html("current_en.html")
CURRENT_EN_TOTAL = 19.706  # tests/data/README.md; the page shows 20
FEED = fixture_html("feed.html")
SKELETON = fixture_html("skeleton.html")
OUT_OF_RANGE = fixture_html("out_of_range_pillar.html")
OUT_OF_RANGE_MESSAGE = "brand is 26.5; each pillar lies between 0 and 25."

# The content script sends after 1 s without DOM changes; nothing is sent by then = nothing is.
SETTLE_S = 3


def renders_late(delay_ms: int = 3000) -> str:
    """The skeleton page, whose own script puts the values in `delay_ms` after load."""
    body = re.search(r"<body[^>]*>(.*)</body>", CURRENT_EN, re.S).group(1)
    body = json.dumps(body).replace("</", "<\\/")  # no "</script>" inside the script
    script = (
        "addEventListener('load', () => setTimeout(() => {"
        f" document.body.innerHTML = {body}; window.__rendered = Date.now();"
        f" }}, {delay_ms}));"
    )
    return inject_head(SKELETON, script)


# The page's own mutation counter, shared with the Firefox tests (extension/test/firefox).
MUTATION_COUNTER = (Path(__file__).with_name("mutation-counter.js")).read_text(encoding="utf-8")


def mutations(page) -> dict:
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 0))")  # deliver records
    return page.evaluate(
        "() => ({total: window.__mutations, afterParse: window.__mutationsAfterParse,"
        " log: window.__mutationLog})"
    )


def retry_now(browser):
    """The popup's "Retry now": Chrome's retry alarm cannot fire sooner than 30 s."""
    popup = browser.popup()
    popup.get_by_role("button", name="Retry now").click()
    return popup


# ---------------------------------------------------------------- 1. a visit is stored


def test_visit_stores_the_reading_and_shows_it_on_the_badge(browser, companion):
    browser.configure(companion.port, companion.token)  # the options page's labels
    browser.visit(CURRENT_EN)

    [capture] = companion.wait_captures(1)
    assert capture["status"] == "ok"
    assert capture["url"] == SSI_URL
    [reading] = companion.readings()
    assert reading["total"] == pytest.approx(CURRENT_EN_TOTAL)
    assert reading["capture_id"] == capture["id"]
    browser.wait_badge("20")
    stored = browser.storage()
    assert stored["outbox"] == []
    assert stored["latest"]["reading"]["total"] == pytest.approx(CURRENT_EN_TOTAL)

    popup = browser.popup()
    expect(popup.locator("#latest")).to_contain_text("19.71")
    expect(popup.locator("#outbox-count")).to_have_text("0")


# ---------------------------------------------------------------- 2. late rendering


def test_values_rendered_late_are_captured_exactly_once(browser, companion):
    browser.configure_storage(companion.port, companion.token)
    started = time.monotonic()
    page = browser.visit(renders_late(3000))
    assert companion.captures() == []  # nothing before the values are there

    [capture] = companion.wait_captures(1, timeout=15)
    assert page.evaluate("window.__rendered") is not None
    # Past the render (3 s) and the content script's quiet period, with time to spare.
    pause(max(0.0, started + 6 + SETTLE_S - time.monotonic()))
    assert [c["id"] for c in companion.captures()] == [capture["id"]]
    assert capture["status"] == "ok"
    [reading] = companion.readings()
    assert reading["total"] == pytest.approx(CURRENT_EN_TOTAL)
    assert browser.outbox() == []


# ---------------------------------------------------------------- 3. companion down


def test_capture_waits_while_the_companion_is_down_and_is_delivered_once(
    browser, stopped_companion
):
    companion = stopped_companion
    browser.configure_storage(companion.port, companion.token)
    browser.visit(CURRENT_EN)

    [queued] = browser.wait_outbox(1)
    browser.wait_badge("!")
    state = browser.storage()["state"]
    assert state["connection"] == "not_running"
    assert state["nextRetryAt"]  # the alarm is set

    companion.start()
    # The retry alarm would fire after 30 s at the soonest (Chrome's minimum): retry now.
    popup = retry_now(browser)
    [capture] = companion.wait_captures(1)
    assert capture["id"] == queued["id"]
    browser.wait_outbox(0)
    browser.wait_badge("20")
    expect(popup.locator("#outbox-count")).to_have_text("0")

    # A second retry (and the alarm, were it to fire) sends nothing again.
    retry_now(browser)
    pause(1)
    assert [c["id"] for c in companion.captures()] == [queued["id"]]
    assert len(companion.readings()) == 1


# ---------------------------------------------------------------- 4. wrong token


def test_wrong_token_is_never_sent_and_the_capture_waits_until_fixed(browser, companion):
    # With another token the companion cannot prove ours: the extension cannot tell it from
    # an impostor, so it sends nothing and says how to fix it (pair again).
    browser.configure(companion.port, "not-the-token")
    browser.visit(CURRENT_EN)

    browser.wait_outbox(1)
    wait_until(
        lambda: browser.storage().get("state", {}).get("connection") == "not_companion",
        what="state not_companion",
    )
    browser.wait_badge("!")
    popup = browser.popup()
    expect(popup.locator("#connection")).to_contain_text(
        f"Something else answers on port {companion.port}: it is not your companion"
    )
    expect(popup.locator("#connection-detail")).to_contain_text("pair again")
    expect(popup.locator("#outbox-count")).to_have_text("1")
    assert companion.captures() == []

    browser.configure(companion.port, companion.token)  # saving the token flushes
    companion.wait_captures(1)
    browser.wait_outbox(0)
    browser.wait_badge("20")
    expect(popup.locator("#connection")).to_contain_text("Connected to SSI Companion")
    pause(1)
    assert len(companion.captures()) == 1


# ---------------------------------------------------------------- 5. pairing


def test_pairing_end_to_end(browser, companion):
    options = browser.options()
    wait_options_loaded(options)
    options.get_by_label("Port").fill(str(companion.port))
    options.get_by_role("button", name="Save").click()
    expect(options.locator("#save-status")).to_have_text("Saved.")
    assert browser.storage()["settings"] == {"port": companion.port, "token": ""}

    options.get_by_role("button", name="Pair with the companion").click()
    expect(options.locator("#pair-code .code")).to_have_text(re.compile(r"^\d{3}-\d{3}$"))
    code = options.locator("#pair-code .code").inner_text()
    expect(options.locator("#pair-status")).to_have_text("Waiting for approval…")
    origin = f"chrome-extension://{browser.ext_id}"
    expect(options.locator("#pair-code")).to_contain_text(origin)
    # The secret behind the request stays in the extension's memory-only storage.
    [kept] = browser.ext_eval("chrome.storage.session.get()").values()
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", kept["verifier"])
    assert kept["verifier"] not in json.dumps(browser.storage())

    # Without signing in, the pairing page shows nothing of the request.
    pairing = browser.open(f"{companion.base}/pairing")
    expect(pairing.locator("body")).to_contain_text("ssi-companion open")
    expect(pairing.locator(".pairing-code")).to_have_count(0)
    assert code not in pairing.content()

    companion.sign_in(pairing)  # the link that `ssi-companion open --print` prints
    pairing.get_by_role("navigation", name="Main").get_by_role("link", name="Pairing").click()
    pairing.wait_for_url(f"{companion.base}/pairing")
    request = pairing.locator(f'li[data-code="{code}"]')
    expect(request.locator(".pairing-code")).to_have_text(code)
    expect(request.locator(".pairing-origin")).to_have_text(origin)
    expect(pairing.locator("main")).to_contain_text("compare the code below with the one on the")
    font_px = request.locator(".pairing-code").evaluate(
        "(element) => parseFloat(getComputedStyle(element).fontSize)"
    )
    assert font_px >= 32, f"the code is in large type ({font_px} px)"
    with pairing.expect_response(re.compile(r"/pairing/[^/]+/approve$")) as approved:
        request.get_by_role("button", name=f"Approve {code}").click()
    answer = approved.value
    assert answer.status == 303, (
        f"the companion refused its own Approve form with HTTP {answer.status}; the browser "
        f"sent Origin: {answer.request.header_value('origin')!r}"
    )
    expect(pairing.locator("body")).to_contain_text(f"Approved {code}")

    expect(options.locator("#pair-status")).to_have_text("Paired.")
    assert browser.storage()["settings"] == {"port": companion.port, "token": companion.token}
    expect(options.locator("#token-state")).to_contain_text("A token is saved")
    expect(options.locator("#connection-status")).to_contain_text("Connected to SSI Companion")
    assert browser.ext_eval("chrome.storage.session.get()") == {}, "the secret is forgotten"

    browser.visit(CURRENT_EN)
    [capture] = companion.wait_captures(1)
    assert capture["status"] == "ok"
    browser.wait_badge("20")


# ---------------------------------------------------------------- 5b. an impostor on the port


def test_an_impostor_on_the_port_gets_neither_the_token_nor_a_capture(browser, companion):
    with Impostor(companion) as impostor:
        message = f"Something else answers on port {impostor.port}: it is not your companion"
        # Paired with the real companion, but something else now answers on the saved port.
        browser.configure(impostor.port, companion.token)
        wait_until(
            lambda: browser.storage().get("state", {}).get("connection") == "not_companion",
            what="state not_companion",
        )
        options = browser.options()
        wait_options_loaded(options)
        expect(options.locator("#connection-status")).to_contain_text(message)
        options.get_by_role("button", name="Test connection").click()
        expect(options.locator("#test-result")).to_contain_text(message)

        browser.visit(CURRENT_EN)
        [queued] = browser.wait_outbox(1)
        browser.wait_badge("!")
        popup = retry_now(browser)
        expect(popup.locator("#connection")).to_contain_text(message)
        expect(popup.locator("#outbox-count")).to_have_text("1")

        pages_before = len(browser.ctx.pages)
        popup.get_by_role("button", name="Open summary").click()
        expect(popup.locator("#summary-status")).to_contain_text(message)
        pause(1)
        assert len(browser.ctx.pages) == pages_before, "no tab was opened"

        # It was asked (ping, proof), and got nothing it could use.
        assert {"/api/v1/ping", "/api/v1/proof"} <= impostor.paths()
        assert impostor.paths() <= {"/api/v1/ping", "/api/v1/proof"}
        for seen in impostor.requests:
            assert "authorization" not in {name.lower() for name in seen["headers"]}, seen
            assert companion.token not in json.dumps(seen), seen
            assert "captured_at" not in seen["body"] and queued["id"] not in seen["body"], seen
    assert companion.captures() == []

    # The same extension delivers as soon as the port holds the companion.
    browser.configure(companion.port, companion.token)
    [capture] = companion.wait_captures(1)
    assert capture["id"] == queued["id"]
    browser.wait_outbox(0)


# ---------------------------------------------------------------- 5c. open summary


def test_open_summary_opens_the_summary_signed_in(browser, companion):
    browser.configure_storage(companion.port, companion.token)
    browser.visit(CURRENT_EN)
    companion.wait_captures(1)
    browser.wait_badge("20")

    popup = browser.popup()
    with browser.ctx.expect_page() as opened:
        popup.get_by_role("button", name="Open summary").click()
    summary = opened.value
    summary.wait_for_url(companion.base + "/")  # the one-time code is not in the tab's URL
    expect(summary).to_have_title("SSI Companion")
    expect(summary.locator("#headline-title .big")).to_have_text("20")
    # Signed in: the other pages open too, without another link.
    summary.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    summary.wait_for_url(companion.base + "/settings")
    expect(summary.get_by_role("button", name="Show the token")).to_be_visible()


# ---------------------------------------------------------------- 6. other pages


@pytest.mark.parametrize(
    "url", ["https://www.linkedin.com/feed/", "https://www.linkedin.com/sales/home"]
)
def test_other_linkedin_pages_are_not_captured(browser, companion, url):
    browser.configure_storage(companion.port, companion.token)
    # An SSI-looking page at another address: only the address decides.
    browser.visit(FEED, url)
    browser.visit(CURRENT_EN, url + "?ssi=1" if url.endswith("home") else url + "ssi")
    pause(SETTLE_S)
    assert browser.outbox() == []
    assert browser.storage().get("rejected", []) == []
    assert companion.captures() == []
    assert browser.badge() == ""

    # The same browser does capture the SSI page, within the time waited above.
    browser.visit(CURRENT_EN)
    companion.wait_captures(1, timeout=SETTLE_S + 2)


# ---------------------------------------------------------------- 7. passive on LinkedIn


def test_no_request_to_linkedin_and_no_change_to_its_page(browser, plain_browser, companion):
    page_html = inject_head(CURRENT_EN, MUTATION_COUNTER)

    # Control: the same page in the same Chromium without the extension.
    ctx, control_linkedin = plain_browser
    control_linkedin.serve(SSI_URL, page_html)
    control = ctx.new_page()
    control.goto(SSI_URL)
    pause(SETTLE_S)
    expected = mutations(control)
    assert expected["afterParse"] == 0, expected["log"]
    # The counter does see a change after the parse (one attribute here).
    control.evaluate("document.body.setAttribute('data-probe', '1')")
    assert mutations(control)["afterParse"] == 1

    browser.configure_storage(companion.port, companion.token)
    page = browser.visit(page_html)
    companion.wait_captures(1)
    browser.wait_outbox(0)
    browser.wait_badge("20")
    seen = mutations(page)
    assert seen["afterParse"] == 0, seen["log"]
    assert seen["total"] == expected["total"]

    assert browser.linkedin.fulfilled == [SSI_URL]
    assert browser.linkedin.extra == []
    # What was aborted is the page's own static.licdn.com assets, as in the control run.
    assert sorted(browser.linkedin.aborted) == sorted(control_linkedin.aborted)


# ---------------------------------------------------------------- 8. refused page


def test_page_the_companion_cannot_read_is_shown_and_kept(browser, companion):
    browser.configure_storage(companion.port, companion.token)
    browser.visit(OUT_OF_RANGE)

    [failed] = companion.wait_captures(1, status="failed")
    assert failed["error_code"] == "invalid_values"
    assert failed["error_message"] == OUT_OF_RANGE_MESSAGE
    assert failed["payload_kept"] is True
    assert companion.readings() == []

    wait_until(lambda: browser.storage().get("rejected"), what="the rejected capture")
    stored = browser.storage()
    assert stored["outbox"] == []
    [rejected] = stored["rejected"]
    assert rejected["id"] == failed["id"]
    assert rejected["status"] == 422
    popup = browser.popup()
    # In plain words: the companion's own message names a field and a raw value.
    expect(popup.locator("#rejected")).to_contain_text("The values did not add up")
    expect(popup.locator("#rejected")).not_to_contain_text(OUT_OF_RANGE_MESSAGE)
    expect(popup.locator("#rejected")).not_to_contain_text("26.5")
    expect(popup.locator("#rejected-section")).to_be_visible()
    expect(popup.locator("#outbox-section")).to_be_hidden()  # nothing waits


# ---------------------------------------------------------------- test connection


def test_options_test_connection(browser, companion):
    options = browser.options()
    wait_options_loaded(options)
    options.get_by_label("Port").fill(str(free_port()))  # nothing listens there
    options.get_by_role("button", name="Test connection").click()
    expect(options.locator("#test-result")).to_contain_text("not running")

    options.get_by_label("Port").fill(str(companion.port))
    options.get_by_label("Token").fill(companion.token)
    options.get_by_role("button", name="Test connection").click()
    expect(options.locator("#test-result")).to_contain_text("Connected to SSI Companion")
    expect(options.locator("#test-result")).to_contain_text(str(companion.port))

    options.get_by_label("Token").fill("not-the-token")
    options.get_by_role("button", name="Test connection").click()
    # A companion that cannot prove this token is, as far as the extension can tell, not ours.
    expect(options.locator("#test-result")).to_contain_text(
        f"Something else answers on port {companion.port}: it is not your companion"
    )


# ---------------------------------------------------------------- a capture during a check


def test_capture_arriving_during_a_connection_check_is_still_delivered(browser, companion):
    """A capture queued while another flush (here "Retry now" with nothing queued) holds the
    flush lock must still be sent, without waiting for the user or the next browser start."""
    with SlowProxy(companion.port, "/api/v1/ping", delay=2) as proxy:
        browser.configure_storage(proxy.port, companion.token)
        wait_until(
            lambda: browser.storage().get("state", {}).get("connection") == "connected",
            what="the first connection check",
        )
        proxy.started.clear()
        popup = browser.popup()
        popup.get_by_role("button", name="Retry now").click()
        wait_until(proxy.started.is_set, what="the check's ping to be under way")
        # The capture the content script would hand over, while the ping is held.
        reply = popup.evaluate(
            """([url, html]) => chrome.runtime.sendMessage({type: "CAPTURE", url,
                capturedAt: new Date().toISOString(), html})""",
            [SSI_URL, CURRENT_EN],
        )
        assert reply["queued"] is True
        try:
            companion.wait_captures(1, timeout=10)
        except AssertionError:
            stored = browser.storage()
            pytest.fail(
                f"not delivered after 10 s: outbox {len(stored['outbox'])}, connection "
                f"{stored['state']['connection']!r}, badge {browser.badge()!r}, alarms "
                f"{browser.ext_eval('chrome.alarms.getAll()')}"
            )
        browser.wait_outbox(0)
