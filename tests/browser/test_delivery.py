"""Delivery without the user: the outbox's own schedule in a real Chromium.

No test here presses "Retry now": what waits reaches the companion by the worker's `flush`
alarm alone (a pass at least every minute while anything waits; Chrome runs an extension's
alarms 30 s apart at the soonest), each capture on its own backoff (0.5, 1, 2, 5, ... min after
its 1st, 2nd, ... failed send). Storage is read through the service worker only
(`worker_eval`), so that no extension page is open while the alarm does its work.
"""

import time

from playwright.sync_api import expect

from tests.browser.companion_under_test import captures_by_id, wait_delivered
from tests.browser.proxies import AnsweringProxy, api_error
from tests.browser.waiting import pause, wait_until
from tests.browser.worker_state import (
    CURRENT_EN,
    badge,
    fill_outbox,
    iso_seconds,
    js_constants,
    outbox,
    save_settings,
    state,
    stored,
    visit_queued,
    wait_badge,
)
from tests.conftest import free_port

# A pass runs at least every minute while anything waits; Chrome may start an alarm a little
# late, and the pass itself takes a moment.
WITHIN_A_MINUTE_S = 90


# ---------------------------------------------------------------- install


def test_installing_opens_the_options_page(browser):
    # The browser fixture waits for that tab and closes it (settle_welcome), so that it can
    # land in no test's own page; it notes what it saw.
    assert browser.welcome_url == browser.url("options.html"), "no options tab after install"
    assert browser.welcome_title == "SSI Companion: options"
    pause(2)
    assert browser.extension_pages() == [], "the options opened once, not again"


# ---------------------------------------------------------------- a. the companion comes back


def test_captures_made_while_the_companion_was_down_arrive_within_a_minute_of_its_start(
    browser, stopped_companion
):
    companion = stopped_companion
    # The extension's port: nothing listens there until "the companion" starts, then a proxy
    # that forwards to it and counts every POST of each capture.
    port = free_port()
    save_settings(browser, port, companion.token)

    queued = [visit_queued(browser, count)["id"] for count in range(1, 6)]
    assert len(set(queued)) == 5, "each visit is a capture of its own"

    def no_backoff_moved():
        items = outbox(browser)
        assert [item["id"] for item in items] == queued
        # Nothing can be sent (nothing listens on the port), so nothing failed a send.
        assert all(item["attempts"] == 0 for item in items), [i["attempts"] for i in items]
        assert all(item["lastStatus"] is None for item in items)
        assert all(item["lastError"] is None for item in items), [i["lastError"] for i in items]
        assert state(browser)["connection"] == "not_running"

    no_backoff_moved()
    # The pass of the fifth visit has scheduled the next one a minute away.
    last_queued = iso_seconds(outbox(browser)[-1]["queuedAt"])

    def next_pass() -> float:
        at = state(browser).get("nextRetryAt")
        return iso_seconds(at) if at else 0.0

    wait_until(lambda: next_pass() >= last_queued + 55, what="the pass after the fifth visit")
    first_check = next_pass()
    alarm = browser.worker_eval('chrome.alarms.get("flush")')
    assert alarm and alarm.get("periodInMinutes") == 1, alarm

    # The alarm's own pass, while the companion is still down (no page of the extension is
    # open, nothing else asks for one): nothing was sent, so no backoff moves.
    wait_until(
        lambda: next_pass() > first_check + 30,
        75,
        interval=1,
        what="a pass of the flush alarm while the companion is down",
    )
    no_backoff_moved()

    # The companion starts; a minute at most (the next pass is a full minute away now).
    companion.start()
    with AnsweringProxy(companion.port, port=port) as proxy:
        assert browser.extension_pages() == [], "no extension page is open"
        took = wait_delivered(companion, set(queued), WITHIN_A_MINUTE_S)
        print(f"\nfive captures delivered {took:.1f} s after the companion started")
        assert browser.extension_pages() == [], "no extension page was opened"
        wait_until(lambda: outbox(browser) == [], what="the outbox emptied")
        wait_badge(browser, "20")
        pause(2)  # a pass that would send any of them again had its chance
        assert sorted(captures_by_id(companion)) == sorted(queued), "exactly the five"
        assert len(companion.readings()) == 5
        for capture_id in queued:
            assert len(proxy.posted(capture_id)) == 1, f"{capture_id} was sent more than once"
    assert stored(browser)["state"]["connection"] == "connected"


# ---------------------------------------------------------------- b. one capture keeps failing


def test_a_failing_capture_retries_on_its_own_backoff_and_holds_up_none_behind_it(
    browser, companion
):
    message = "The capture could not be stored: the database is busy. Try again later."
    failing = {"on": True, "id": None}

    def first_capture_fails(body):
        """500 for the first capture the proxy sees, while `failing`; the others go through."""
        capture_id = (body or {}).get("id")
        if failing["id"] is None:
            failing["id"] = capture_id
        if failing["on"] and capture_id == failing["id"]:
            return 500, api_error("internal_error", message)
        return None

    answers = {("POST", "/api/v1/captures"): first_capture_fails}
    with AnsweringProxy(companion.port, answers) as proxy:
        save_settings(browser, proxy.port, companion.token)
        first = visit_queued(browser, 1)["id"]
        [failed] = wait_until(
            lambda: [i for i in outbox(browser) if i["id"] == first and i["attempts"] >= 1],
            what="the first capture's failed send",
        )
        assert failing["id"] == first
        assert failed["attempts"] == 1
        assert failed["lastStatus"] == 500
        assert failed["lastError"] == message, "the companion's own words"
        [refused] = proxy.posted(first)
        wait_s = iso_seconds(failed["nextTryAt"]) - refused["wall"]
        assert 28 <= wait_s <= 32, f"the first retry is due 30 s after the failure ({wait_s:.1f})"

        # A second capture, queued behind the failing one, goes at once.
        page = browser.visit(CURRENT_EN)
        visited = time.monotonic()
        wait_until(lambda: set(captures_by_id(companion)) - {first}, 10, what="the second capture")
        second_after = time.monotonic() - visited
        page.close()
        [second] = set(captures_by_id(companion)) - {first}
        assert second_after < 10

        # The companion has stored it a moment before the worker reads the 201 and takes it
        # out of the outbox: wait for that, rather than read the outbox mid-answer.
        def only_one_waits():
            items = outbox(browser)
            return items if len(items) == 1 else None

        [waiting] = wait_until(only_one_waits, 10, what="the second capture out of the outbox")
        assert waiting["id"] == first, "the first still waits"
        assert waiting["attempts"] == 1 and waiting["lastStatus"] == 500
        assert waiting["lastError"] == message
        assert len(proxy.posted(first)) == 1, "not sent again before its time"
        assert len(proxy.posted(second)) == 1

        # The companion takes it again: its own backoff delivers it, without "Retry now".
        failing["on"] = False
        assert browser.extension_pages() == []
        wait_delivered(companion, {first}, WITHIN_A_MINUTE_S)
        retry = proxy.posted(first)[-1]
        print(f"\nfirst capture retried {retry['wall'] - refused['wall']:.1f} s after its failure")
        assert retry["wall"] >= iso_seconds(failed["nextTryAt"]) - 0.5, "not before its nextTryAt"
        wait_until(lambda: outbox(browser) == [], what="the outbox emptied")
        pause(2)
        assert sorted(captures_by_id(companion)) == sorted([first, second])
        assert len(proxy.posted(first, answered=False)) == 1, "delivered exactly once"
        assert len(proxy.posted(first, answered=True)) == 1
        assert len(proxy.posted(second)) == 1
        assert browser.extension_pages() == []


# ---------------------------------------------------------------- c. the outbox at its budget


def test_a_visit_past_the_budget_is_refused_out_loud_and_nothing_queued_is_lost(
    browser, stopped_companion, extension_dir
):
    # test_pages.py has the warning from storage alone; here real visits meet the budget.
    # The budget and its warning as the built extension has them (budget.js).
    budget = js_constants(extension_dir / "budget.js")
    mb = budget["MB"]
    budget_bytes = budget["OUTBOX_BUDGET_BYTES"]
    warn_at = budget_bytes * budget["OUTBOX_WARN_FRACTION"]
    companion = stopped_companion
    save_settings(browser, companion.port, companion.token)
    filled = fill_outbox(browser, [1_400_000] * 3)
    assert [item["bytes"] for item in filled] == [1_400_000] * 3
    # Past the warning, with room for a visit below the budget (else the sizes need a change).
    assert warn_at <= 3 * 1_400_000 <= budget_bytes - 100_000, budget

    kept = visit_queued(browser, 4)  # it fits
    assert kept["bytes"] < 50_000
    popup = browser.popup()
    warning = popup.locator("#outbox-warning")
    queued_bytes = 3 * 1_400_000 + kept["bytes"]
    expect(warning).to_contain_text(
        f"4 captures wait ({queued_bytes / mb:.1f} MB of {budget_bytes / mb:.1f} MB) "
        "and space is running out"
    )

    # Up to half a visit below the budget: the next visit of the same page cannot fit.
    filler = budget_bytes - queued_bytes - kept["bytes"] // 2
    filled += fill_outbox(browser, [filler])
    before = outbox(browser)
    total = sum(item["bytes"] for item in before)
    assert total == budget_bytes - kept["bytes"] // 2
    refusal = (
        f"The outbox is full (5 captures, {total / mb:.1f} MB wait): start the companion so "
        "they can be delivered. This visit was not kept."
    )

    page = browser.visit(CURRENT_EN)
    wait_until(lambda: state(browser).get("outboxRefusal"), what="the refusal")
    assert state(browser)["outboxRefusal"] == refusal
    assert state(browser)["message"] == refusal
    pause(1)
    page.close()
    after = outbox(browser)
    assert [(i["id"], i["bytes"], len(i["html"])) for i in after] == [
        (i["id"], i["bytes"], len(i["html"])) for i in before
    ], "nothing queued was dropped to make room"
    expect(warning).to_have_text(f"⚠ {refusal}")
    expect(popup.locator("#outbox-count")).to_have_text("5")
    assert badge(browser) == "!"
    popup.close()

    # The companion starts: the alarm delivers all that waited, and the refusal is over.
    companion.start()
    ids = {item["id"] for item in before}
    assert ids == {item["id"] for item in filled} | {kept["id"]}
    took = wait_delivered(companion, ids, WITHIN_A_MINUTE_S)
    print(f"\nthe full outbox delivered {took:.1f} s after the companion started")
    wait_until(lambda: outbox(browser) == [], what="the outbox emptied")
    assert state(browser)["outboxRefusal"] is None
    wait_badge(browser, "20")
    assert set(captures_by_id(companion)) == ids, "the refused visit was never queued"
    assert all(c["status"] == "ok" for c in companion.captures())
