"""In-app visits: LinkedIn reaches the SSI page from its other pages by history.pushState.

The pages served here are a reconstruction of a single-page app, not LinkedIn's code: one
document whose own script changes the address with history.pushState / replaceState and draws
the view for it (the SSI page from a fixture, after a short "fetch"), as Sales Navigator does.
The extension must capture each visit to /sales/ssi once, however it was reached, and run
nothing on the other pages. A page that cannot turn into the SSI page is sent at once.
"""

import json
import re
import time

import pytest

from tests.browser.conftest import (
    SSI_URL,
    ContentScriptWorld,
    fixture_html,
    inject_head,
    pause,
    wait_until,
)

HOME_URL = "https://www.linkedin.com/sales/home"
CURRENT_EN = fixture_html("current_en.html")
LOGIN = fixture_html("login.html")
AUTHWALL = fixture_html("authwall.html")
LOADING = fixture_html("loading.html")

# The content script sends after 1 s without DOM changes; nothing is sent by then = nothing is.
SETTLE_S = 3
# "At once": the content script waits 30 s for a page that may still render.
AT_ONCE_S = 10

SSI_VIEW = re.search(r"<body[^>]*>(.*)</body>", CURRENT_EN, re.S).group(1)
# Sales Navigator's home, here with a widget that shows the same numbers as the SSI page (the
# very markup the content script waits for): only the address may decide what is captured.
HOME_VIEW = (
    '<main class="home-page" role="main"><h1>Sales Navigator</h1>'
    f'<section class="home-ssi-widget">{SSI_VIEW}</section></main>'
)
LOADING_VIEW = (
    '<main class="ssi-page" role="main"><div class="artdeco-loader" aria-busy="true">'
    "Loading…</div></main>"
)


def spa(boot_replace_ms: tuple[int, ...] = (), render_ms: int = 400) -> str:
    """One document, any route: links change the address with pushState, back and forward
    draw the view again, and each view appears `render_ms` after its address (the app
    fetches it). At boot, and `boot_replace_ms` later, the router calls replaceState on the
    same address, as routers do: each is a history update the extension is told about."""
    views = json.dumps({"ssi": SSI_VIEW, "home": HOME_VIEW, "loading": LOADING_VIEW})
    views = views.replace("</", "<\\/")  # no "</script>" inside the script
    script = f"""
(() => {{
  const VIEWS = {views};
  let drawing = 0;
  window.__rendered = null;
  const route = () => location.pathname.startsWith('/sales/ssi') ? 'ssi' : 'home';
  function draw() {{
    const ticket = ++drawing;
    const path = location.pathname;
    window.__rendered = null;
    document.getElementById('outlet').innerHTML = VIEWS.loading;
    setTimeout(() => {{
      if (ticket !== drawing) return;
      document.getElementById('outlet').innerHTML = VIEWS[route()];
      window.__rendered = path;
    }}, {render_ms});
  }}
  document.addEventListener('click', (event) => {{
    const link = event.target.closest('a[data-route]');
    if (!link) return;
    event.preventDefault();
    history.pushState({{}}, '', link.getAttribute('href'));
    draw();
  }});
  addEventListener('popstate', draw);
  document.addEventListener('DOMContentLoaded', () => {{
    history.replaceState({{}}, '', location.href);
    draw();
  }});
  for (const ms of {list(boot_replace_ms)}) {{
    setTimeout(() => history.replaceState({{}}, '', location.href), ms);
  }}
}})();
"""
    shell = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>LinkedIn Sales Navigator</title></head><body>"
        '<nav class="app-nav" aria-label="Sales Navigator">'
        '<a id="to-home" data-route href="/sales/home">Home</a> '
        '<a id="to-ssi" data-route href="/sales/ssi">Social Selling Index</a></nav>'
        '<div id="outlet"></div></body></html>'
    )
    return inject_head(shell, script)


def rendered(page, path: str):
    wait_until(lambda: page.evaluate("window.__rendered") == path, what=f"the app to draw {path}")


def capture_ids(companion) -> list[str]:
    return [c["id"] for c in companion.captures()]


# ---------------------------------------------------------------- in-app visits


def test_in_app_visits_are_captured_once_each_and_nothing_runs_on_home(browser, companion):
    browser.configure_storage(companion.port, companion.token)
    page = browser.visit(spa(), HOME_URL)
    world = ContentScriptWorld(page, browser.ext_id)
    rendered(page, "/sales/home")
    # An in-app move within home is a history update too; the worker is not even woken.
    page.click("#to-home")
    rendered(page, "/sales/home")
    pause(SETTLE_S)
    assert companion.captures() == [], "home shows SSI numbers, but it is not the SSI page"
    assert browser.outbox() == []
    assert world.state() is None, "no script of the extension ran in the page"
    assert world.extension_contexts() == []

    # In-app to the SSI page: the worker injects the content script, which captures once.
    page.click("#to-ssi")
    [first] = companion.wait_captures(1, timeout=15)
    assert first["status"] == "ok"
    assert first["url"] == SSI_URL
    assert world.state()["visits"] == 1  # the control: the same check does see the script
    pause(SETTLE_S)
    assert capture_ids(companion) == [first["id"]]

    # Leaving: home (SSI numbers and all) is not captured, though the script stays in the
    # document.
    page.click("#to-home")
    rendered(page, "/sales/home")
    pause(SETTLE_S)
    assert capture_ids(companion) == [first["id"]]

    # Coming back by the same route is a second visit, and a second capture.
    page.click("#to-ssi")
    captures = companion.wait_captures(2, timeout=15)
    assert [c["status"] for c in captures] == ["ok", "ok"]
    assert world.state()["visits"] == 2
    pause(SETTLE_S)
    assert len(companion.captures()) == 2

    # Back (to home) and back again (to the SSI page): a third visit.
    page.evaluate("history.back()")
    rendered(page, "/sales/home")
    pause(SETTLE_S)
    assert len(companion.captures()) == 2
    page.evaluate("history.back()")
    rendered(page, "/sales/ssi")
    companion.wait_captures(3, timeout=15)
    pause(SETTLE_S)
    assert len(companion.captures()) == 3
    assert len(companion.readings()) == 3

    assert browser.linkedin.fulfilled == [HOME_URL], "one document: every move was in-app"


def test_full_load_of_the_ssi_page_is_one_capture(browser, companion):
    browser.configure_storage(companion.port, companion.token)
    # The router's replaceState at boot, while the page is still drawing, and once more
    # after the capture: each makes the worker inject the script again.
    page = browser.visit(spa(boot_replace_ms=(SETTLE_S * 1000,)), SSI_URL)
    world = ContentScriptWorld(page, browser.ext_id)

    [capture] = companion.wait_captures(1, timeout=15)
    assert capture["status"] == "ok"
    # The manifest's content script, and the worker's for the two replaceState calls.
    wait_until(
        lambda: (world.state() or {}).get("runs", 0) >= 3,
        timeout=SETTLE_S + 10,
        what="three injections into the page",
    )
    pause(SETTLE_S)
    assert capture_ids(companion) == [capture["id"]]
    assert world.state()["visits"] == 1
    assert browser.linkedin.fulfilled == [SSI_URL]


# ---------------------------------------------------------------- pages that are not the SSI page


@pytest.mark.parametrize(
    "html, code, message",
    [
        (LOGIN, "not_ssi_page", "sign-in page"),
        # The companion does not know the join form for what it is; it is sent at once all
        # the same.
        (AUTHWALL, None, None),
    ],
    ids=["login", "authwall"],
)
def test_sign_in_page_at_the_ssi_address_is_sent_at_once(browser, companion, html, code, message):
    browser.configure_storage(companion.port, companion.token)
    started = time.monotonic()
    browser.visit(html)

    [failed] = companion.wait_captures(1, timeout=AT_ONCE_S, status="failed")
    assert time.monotonic() - started < AT_ONCE_S
    assert failed["url"] == SSI_URL
    if code is not None:
        assert failed["error_code"] == code
        assert message in failed["error_message"]
    assert companion.readings() == []
    wait_until(lambda: browser.storage().get("rejected"), what="the rejected capture")
    pause(1)
    assert len(companion.captures()) == 1


@pytest.mark.parametrize(
    "path, message",
    [
        ("/login", "LinkedIn showed its sign-in page"),
        ("/sales/home", "/sales/home is not the SSI page"),
    ],
)
def test_page_still_loading_that_leaves_the_ssi_address_is_sent_at_once(
    browser, companion, path, message
):
    # LinkedIn's app moves to another address (its sign-in page, or the user clicked away)
    # while the SSI page still shows its loader: it will never show values.
    leave = f"setTimeout(() => history.replaceState({{}}, '', {json.dumps(path)}), 1500);"
    browser.configure_storage(companion.port, companion.token)
    started = time.monotonic()
    page = browser.visit(inject_head(LOADING, leave))

    [failed] = companion.wait_captures(1, timeout=AT_ONCE_S, status="failed")
    assert time.monotonic() - started < AT_ONCE_S
    assert page.url == "https://www.linkedin.com" + path
    assert failed["url"] == "https://www.linkedin.com" + path
    assert failed["error_code"] == "not_ssi_page"
    assert message in failed["error_message"]
    pause(1)
    assert len(companion.captures()) == 1


def test_page_still_loading_waits(browser, companion):
    """The other side of "at once": the loader alone is not given up on within seconds."""
    browser.configure_storage(companion.port, companion.token)
    browser.visit(LOADING)
    pause(SETTLE_S + 2)
    assert companion.captures() == []
    assert browser.outbox() == []
