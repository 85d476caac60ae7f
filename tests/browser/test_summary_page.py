"""The summary and settings pages in a real Chromium, against `ssi-companion serve --demo`.

One demo companion and one plain Chromium (no extension) serve the whole module; each test gets
a fresh browser context, signed in as a user does (the link `ssi-companion open --print`
prints), that records every request, console message and page error. Nothing may leave
127.0.0.1: no CDN, no web fonts.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.extension_browser import ACTION_TIMEOUT_MS
from tests.browser.screenshot import (
    demo_data_dir,
    signin_link,
)

RANGES = {"30 days": "30d", "90 days": "90d", "A year": "1y", "All": "all"}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def demo(demo_server_log):
    return demo_server_log[0]


@pytest.fixture(scope="module")
def demo_home(demo_server_log):
    """The demo's data directory: what `ssi-companion open` needs to sign a browser in."""
    return demo_data_dir(demo_server_log[1])


class Recorder:
    """What one browser context did: every request, console errors and uncaught page errors."""

    def __init__(self, ctx):
        self.requests: list[str] = []
        self.all_console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.expected: list[re.Pattern] = []
        ctx.on("request", lambda request: self.requests.append(request.url))
        ctx.on("page", self.watch)

    def watch(self, page):
        page.on("console", self.on_console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def on_console(self, message):
        if message.type == "error":
            self.all_console_errors.append(f"{message.text} ({message.location.get('url')})")

    @property
    def console_errors(self) -> list[str]:
        """Console errors, less those expected (`self.expected`)."""
        return [
            text
            for text in self.all_console_errors
            if not any(pattern.search(text) for pattern in self.expected)
        ]

    def assert_clean(self, base: str):
        assert self.console_errors == []
        assert self.page_errors == []
        outside = [url for url in self.requests if not url.startswith(base + "/")]
        assert outside == [], "requests left the companion"
        assert self.requests, "nothing was recorded"


def open_tab(chromium, base: str, home, viewport=None):
    """A new browser context, signed in through a fresh one-time link, on the summary page."""
    ctx = chromium.new_context(viewport=viewport or {"width": 1100, "height": 900})
    ctx.set_default_timeout(ACTION_TIMEOUT_MS)
    recorder = Recorder(ctx)
    page = ctx.new_page()
    page.goto(signin_link(home))
    page.wait_for_url(base + "/")
    expect(page).to_have_title("SSI Companion")
    return ctx, page, recorder


@pytest.fixture
def tab(chromium, demo, demo_home):
    ctx, page, recorder = open_tab(chromium, demo, demo_home)
    yield page, recorder
    ctx.close()
    recorder.assert_clean(demo)


def test_a_browser_that_has_not_signed_in_sees_only_how_to(chromium, demo, demo_home):
    ctx = chromium.new_context()
    try:
        page = ctx.new_page()
        response = page.goto(demo + "/")
        assert response.status == 401
        expect(page.locator("body")).to_contain_text("ssi-companion open")
        expect(page.locator("img.chart")).to_have_count(0)
        link = signin_link(demo_home)
        page.goto(link)
        page.wait_for_url(demo + "/")
        expect(page.locator("img.chart")).to_have_count(3)
        # The link worked once: a second browser that got hold of it is not signed in.
        other = chromium.new_context()
        try:
            assert other.new_page().goto(link).status == 403
        finally:
            other.close()
    finally:
        ctx.close()


def charts_loaded(page) -> list[dict]:
    """Each chart image's src and whether it decoded, once every image has finished."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.chart')].every((img) => img.complete)"
    )
    return page.eval_on_selector_all(
        "img.chart",
        "(imgs) => imgs.map((img) => ({src: img.getAttribute('src'), ok: img.naturalWidth > 0}))",
    )


def test_summary_page_charts_ranges_and_table(tab, demo):
    page, recorder = tab
    page.goto(demo + "/")

    expect(page).to_have_title("SSI Companion")
    headline = page.locator("#headline-title .big")
    expect(headline).to_have_text(re.compile(r"^\d{1,3}$"))
    assert 0 <= int(headline.inner_text()) <= 100

    charts = charts_loaded(page)
    assert [chart["src"].split("?")[0] for chart in charts] == [
        "/charts/ssi.svg",
        "/charts/pillars.svg",
        "/charts/ranks.svg",
    ]
    assert all(chart["ok"] for chart in charts), charts

    # The charts' data as an accessible table: column headers and one row per day.
    table = page.locator("details table.data")
    expect(table).to_have_count(1)
    expect(table.locator("thead th[scope=col]")).to_have_count(8)
    assert table.locator("tbody tr").count() > 0
    page.get_by_text("The charts' data as a table").click()
    expect(table).to_be_visible()
    expect(page.get_by_role("table").filter(has_text="Relationships").first).to_be_visible()

    ranges = page.get_by_role("navigation", name="Chart range")
    for label, key in RANGES.items():
        ranges.get_by_role("link", name=label, exact=True).click()
        page.wait_for_url(re.compile(rf"[?&]range={key}\b"))
        expect(ranges.get_by_role("link", name=label, exact=True)).to_have_attribute(
            "aria-current", "true"
        )
        charts = charts_loaded(page)
        assert len(charts) == 3
        for chart in charts:
            assert f"range={key}" in chart["src"], (label, chart)
            assert chart["ok"], (label, chart)
        assert recorder.console_errors == [], label


def test_settings_round_trip(tab, demo):
    page, recorder = tab
    # The form with an error comes back as 400 Bad Request, which Chromium logs as a failed
    # load of the document: that one is meant.
    recorder.expected.append(
        re.compile(r"status of 400 \(BAD REQUEST\) \(http://127\.0\.0\.1:\d+/settings\)$")
    )
    stale_label = "Remind me after this many days without a visit to the SSI page"
    page.goto(demo + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.wait_for_url(demo + "/settings")

    stale = page.get_by_label(stale_label)
    expect(stale).to_have_attribute("type", "number")
    stale.fill("10")
    page.get_by_label("Add a time").fill("17:00")  # a check time added without any script
    page.get_by_label("Saturday", exact=True).check()
    page.get_by_label("Send the weekly summary on").select_option("sat")
    # A switch is a real checkbox: the keyboard turns it off, and its focus shows.
    weekly = page.get_by_role("switch", name="Weekly summary")
    expect(weekly).to_be_checked()
    weekly.focus()
    page.keyboard.press("Space")
    expect(weekly).not_to_be_checked()
    assert weekly.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()

    page.reload()
    expect(page.get_by_text("Settings saved.")).to_have_count(0)  # flashed once only
    expect(page.get_by_label(stale_label)).to_have_value("10")
    expect(page.get_by_label("Check time 1", exact=True)).to_have_value("09:30")
    expect(page.get_by_label("Check time 2", exact=True)).to_have_value("17:00")
    expect(page.get_by_label("Saturday", exact=True)).to_be_checked()
    expect(page.get_by_label("Send the weekly summary on")).to_have_value("sat")
    expect(page.get_by_role("switch", name="Weekly summary")).not_to_be_checked()

    # An invalid value: a plain error next to the field, and nothing stored.
    page.get_by_label(stale_label).fill("0")
    page.get_by_role("button", name="Save settings").click()
    error = page.locator("#stale_days-error")
    expect(error).to_be_visible()
    expect(error).to_have_text("0 is out of range: use a whole number of days from 1 to 365.")
    expect(page.get_by_label(stale_label)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label(stale_label)).to_have_value("0")  # what was typed, to fix
    page.goto(demo + "/settings")
    expect(page.get_by_label(stale_label)).to_have_value("10")

    # Back as the other tests of this demo expect it.
    page.get_by_label("Check time 2", exact=True).locator("xpath=..").get_by_label("Remove").check()
    page.get_by_label("Saturday", exact=True).uncheck()
    page.get_by_label("Send the weekly summary on").select_option("mon")
    page.get_by_role("switch", name="Weekly summary").check()
    page.get_by_label(stale_label).fill("7")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    expect(page.get_by_label("Check time 2", exact=True)).to_have_count(0)


def test_token_shown_only_on_request(tab, demo):
    page, _ = tab
    page.goto(demo + "/settings")
    expect(page.get_by_role("button", name="Show the token")).to_be_visible()
    expect(page.locator("#token-value")).to_have_count(0)
    assert "token-value" not in page.content()

    page.get_by_role("button", name="Show the token").click()
    page.wait_for_url(re.compile(r"/settings/token#token-title$"))
    token = page.locator("#token-value")
    expect(token).to_be_visible()
    expect(token).to_have_value(re.compile(r"\S{16,}"))
    expect(token).not_to_be_editable()
    # In place: the page opens at the token's section, not at the top of a long page.
    expect(page.locator("#token-title")).to_be_in_viewport()
    expect(token).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > 0
    assert page.get_by_role("textbox", name="Token").input_value() == token.input_value()

    page.goto(demo + "/settings")  # a plain visit hides it again
    expect(page.locator("#token-value")).to_have_count(0)


def test_favicon_is_served(tab, demo):
    page, _ = tab
    page.goto(demo + "/")
    response = page.request.get(demo + "/favicon.ico")
    assert response.ok, f"/favicon.ico: {response.status}"


@pytest.mark.parametrize("path", ["/", "/settings"])
def test_no_horizontal_scroll_on_a_phone(chromium, demo, demo_home, path):
    ctx, page, recorder = open_tab(chromium, demo, demo_home, viewport=PHONE)
    try:
        page.goto(demo + path)
        if path == "/":
            charts_loaded(page)
            page.get_by_text("The charts' data as a table").click()  # widest content shown
        widths = page.evaluate(
            "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
        )
        assert widths["inner"] == PHONE["width"]
        assert widths["scroll"] <= widths["inner"] + 1, widths
        if path == "/":
            # The history table scrolls inside its own box, and no date breaks over two lines.
            box = page.locator("section[aria-labelledby=history-title] .table-wrap")
            assert box.evaluate("e => e.scrollWidth > e.clientWidth"), "the table scrolls inside"
            assert box.evaluate("e => getComputedStyle(e).overflowX") == "auto"
            lines = page.eval_on_selector_all(
                "table.history td.date time",
                "dates => dates.map((d) => d.getClientRects().length)",
            )
            assert lines and set(lines) == {1}, "each date on one line"
            # Charts in the narrow layout, chosen by the browser from the <picture>.
            sources = page.eval_on_selector_all(
                "img.chart", "imgs => imgs.map((i) => i.currentSrc)"
            )
            assert sources and all("width=400" in src for src in sources), sources
    finally:
        ctx.close()
    recorder.assert_clean(demo)
