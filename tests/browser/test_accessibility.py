"""axe-core on the pages as a user sees them: demo data, light and dark, wide and narrow.

One `ssi-companion serve --demo` and one Debian Chromium serve the module. Each check gets a
fresh browser context, signed in as a user is (the link `ssi-companion open --print` prints),
in the colour scheme and width it checks. axe-core comes from npm (extension/node_modules, as
`make test` installs it) and is injected from disk. The pages' CSP forbids inline script, so
these contexts bypass CSP to let axe in; the other browser tests keep the CSP, and would catch
a page that worked only without it.

Only "serious" and "critical" violations fail a check: those are the ones that lock someone
out (unreadable contrast, an unnamed button, a chart with no text); "moderate" ones are advice.
"""

import json
import re
import secrets
import urllib.request

import pytest

from companion.web.pairing import challenge_of
from tests.browser.extension_browser import ACTION_TIMEOUT_MS
from tests.browser.screenshot import (
    demo_data_dir,
    signin_link,
)
from tests.conftest import REPO, skip_outside_ci

AXE = REPO / "extension" / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")
PAGES = ("/", "/settings", "/pairing")
SCHEMES = ("light", "dark")
WIDTHS = {"wide": 1100, "narrow": 360}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        skip_outside_ci(
            f"{AXE.relative_to(REPO)} is missing: run `npm ci` in extension/ (make test does)"
        )
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def demo(demo_server_log):
    """The module's demo companion (conftest.py): (base URL, its data directory)."""
    base, log_path = demo_server_log
    return base, demo_data_dir(log_path)


@pytest.fixture
def open_page(chromium, demo, axe_source):
    """open_page(path, scheme, width): a signed-in page at `path`, loaded, with axe-core in it."""
    base, home = demo
    contexts = []

    def opened(path: str, scheme: str, width: int):
        ctx = chromium.new_context(
            viewport={"width": width, "height": 900}, color_scheme=scheme, bypass_csp=True
        )
        contexts.append(ctx)
        ctx.set_default_timeout(ACTION_TIMEOUT_MS)
        page = ctx.new_page()
        page.goto(signin_link(home))
        page.wait_for_url(base + "/")
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        # The dark run must really be dark: otherwise it checks the light page twice.
        dark_or_light = f"matchMedia('(prefers-color-scheme: {scheme})').matches"
        assert page.evaluate(dark_or_light), f"the browser did not prefer the {scheme} scheme"
        page.add_script_tag(content=axe_source)
        return page

    yield opened
    for ctx in contexts:
        ctx.close()


def violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the whole page."""
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']}))")
    assert found["passes"] or found["violations"], "axe-core checked nothing"
    return [v for v in found["violations"] if v["impact"] in FAILING_IMPACTS]


def described(found: list[dict]) -> str:
    """Each violation with what it is and the first elements it was found on."""
    lines = []
    for v in found:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} [{len(v['nodes'])} element(s)]")
        for node in v["nodes"][:3]:
            lines.append(f"    {json.dumps(node['target'])}  {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:240]}")
    return "\n".join(lines)


def assert_accessible(page, where: str) -> None:
    found = violations(page)
    if found:
        # pytest.fail, not assert: the message is the report, without a diff of axe's JSON.
        pytest.fail(f"{where}: serious or critical accessibility violations\n{described(found)}")


def extension_origin() -> str:
    """A new Chrome extension's origin (its id is 32 letters a-p): each may ask 5 times a minute."""
    return "chrome-extension://" + "".join(secrets.choice("abcdefghijklmnop") for _ in range(32))


def ask_to_pair(base: str) -> str:
    """What the extension's "Pair with the companion" sends; the code the pairing page shows."""
    request = urllib.request.Request(
        base + "/api/v1/pairing",
        data=json.dumps({"challenge": challenge_of(secrets.token_urlsafe(32))}).encode(),
        headers={"Content-Type": "application/json", "Origin": extension_origin()},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())["pairing"]["code"]


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violation(open_page, path, scheme, width):
    page = open_page(path, scheme, width)
    assert_accessible(page, f"{path} ({scheme}, {width} px)")


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("path", ("/pairing", "/settings"))
def test_a_pending_pairing_request_is_accessible(open_page, demo, path, scheme, width):
    code = ask_to_pair(demo[0])
    page = open_page(path, scheme, width)
    # The request's code and its Approve and Deny buttons are on the page that axe checks.
    assert code in page.locator("main").inner_text()
    for decision in ("Approve", "Deny"):
        assert page.get_by_role("button", name=re.compile(decision)).count() >= 1, decision
    assert_accessible(page, f"{path} with a pairing request ({scheme}, {width} px)")


def test_the_check_finds_what_a_screen_reader_user_would_miss(open_page):
    """The check itself: an unnamed image and an unnamed button are reported, with where."""
    page = open_page("/", "light", WIDTHS["wide"])
    page.evaluate(
        """() => {
          const main = document.querySelector('main') || document.body;
          const img = document.createElement('img');
          img.src = '/nothing.png';
          img.id = 'unnamed-image';
          const button = document.createElement('button');
          button.id = 'unnamed-button';
          main.prepend(img, button);
        }"""
    )
    found = {v["id"]: v for v in violations(page)}
    assert {"image-alt", "button-name"} <= set(found)
    message = described(list(found.values()))
    assert "#unnamed-image" in message and "#unnamed-button" in message
