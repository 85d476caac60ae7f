"""The browser under test: a persistent Chromium context with the built extension loaded.

`launch` starts one (LinkedIn routed offline, a tab for `pause` to wait in); `ExtensionBrowser`
is what a test drives: the service worker's storage and badge, the extension's pages, visits
to LinkedIn. The fixtures (`browser`, `plain_browser`) are in conftest.py.
"""

import time
from pathlib import Path

from tests.browser.linkedin import SSI_URL, LinkedIn
from tests.browser.waiting import idle_page, open_pump, pause, use_idle, wait_until

CHROMIUM = "/usr/bin/chromium"

# Playwright's own timeout for one action or expectation, in ms.
ACTION_TIMEOUT_MS = 15_000


def wait_options_loaded(page):
    """options.js fills the saved port in after load: typing before that would be undone."""
    from playwright.sync_api import expect

    expect(page.locator("#token-state")).not_to_be_empty()
    expect(page.get_by_label("Port")).not_to_have_value("")


class ExtensionBrowser:
    """One persistent Chromium context with the extension loaded."""

    def __init__(self, ctx, linkedin: LinkedIn):
        self.ctx = ctx
        self.linkedin = linkedin
        sw = ctx.service_workers[0] if ctx.service_workers else ctx.wait_for_event("serviceworker")
        self.ext_id = sw.url.split("/")[2]
        self._probe = None
        # The tab a first install opened (see `settle_welcome`): its address, or None.
        self.welcome_url: str | None = None
        self.welcome_title: str | None = None

    def url(self, page: str) -> str:
        return f"chrome-extension://{self.ext_id}/{page}"

    def _worker(self):
        prefix = self.url("")
        live = [w for w in self.ctx.service_workers if w.url.startswith(prefix)]
        return live[-1] if live else None

    def ext_eval(self, expression: str, arg=None):
        """Evaluate in the service worker; in an extension page if Chrome has stopped it."""
        worker = self._worker()
        if worker is not None:
            try:
                return worker.evaluate(expression, arg)
            except Exception:
                pass
        if self._probe is None or self._probe.is_closed():
            self._probe = self.ctx.new_page()
            self._probe.goto(self.url("options.html"))
        return self._probe.evaluate(expression, arg)

    def worker_eval(self, expression: str, arg=None, timeout: float = 10):
        """Evaluate in the service worker only, never opening an extension page to do it
        (an open page keeps the worker alive and may ask it for a pass). Chrome starts the
        worker again for its next event; this waits up to `timeout` s for a live one."""

        def attempt():
            worker = self._worker()
            if worker is None:
                return None
            try:
                return (worker.evaluate(expression, arg),)
            except Exception:
                return None

        return wait_until(attempt, timeout, what="a live service worker")[0]

    def extension_pages(self) -> list[str]:
        """The addresses of the extension's own pages open now (popup, options, probe)."""
        prefix = self.url("")
        return [page.url for page in self.ctx.pages if page.url.startswith(prefix)]

    def settle_welcome(self, timeout: float = 10):
        """A first install opens the options in a tab (the worker's onInstalled), a moment
        after the worker starts. Chrome may put it in whatever tab is new and blank, even one a
        test has just opened, interrupting that page's own navigation. So wait for it here,
        once, note where it went, and close it (the idle tab that `pause` runs in, when Chrome
        chose that one, is replaced first)."""
        options = self.url("options.html")
        deadline = time.monotonic() + timeout
        welcome = None
        while welcome is None and time.monotonic() < deadline:
            welcome = next((p for p in self.ctx.pages if p.url == options), None)
            if welcome is None:
                pause(0.05)
        if welcome is None:
            return  # the test that says install opens the options fails on welcome_url
        welcome.wait_for_load_state()
        self.welcome_url = welcome.url
        self.welcome_title = welcome.title()
        if idle_page() is welcome:
            use_idle(self.ctx.new_page())
        welcome.close()

    # storage and badge ---------------------------------------------------------------

    def storage(self) -> dict:
        return self.ext_eval("chrome.storage.local.get()")

    def set_storage(self, values: dict):
        self.ext_eval("(values) => chrome.storage.local.set(values)", values)

    def outbox(self) -> list:
        return self.storage().get("outbox", [])

    def badge(self) -> str:
        return self.ext_eval("chrome.action.getBadgeText({})")

    def wait_badge(self, text: str, timeout: float = 15) -> str:
        return wait_until(
            lambda: self.badge() == text, timeout, what=f"badge {text!r} (is {self.badge()!r})"
        )

    def wait_outbox(self, count: int, timeout: float = 15) -> list:
        def exactly():
            items = self.outbox()
            return items if len(items) == count else None

        # An empty list is falsy: wait for a flag, then read the outbox again.
        wait_until(
            lambda: exactly() is not None,
            timeout,
            what=f"{count} capture(s) in the outbox",
        )
        return self.outbox()

    # pages ---------------------------------------------------------------------------

    def open(self, url: str):
        page = self.ctx.new_page()
        page.set_default_timeout(ACTION_TIMEOUT_MS)
        page.goto(url)
        return page

    def visit(self, html: str, url: str = SSI_URL):
        """Open `url` (a LinkedIn address) in a new tab, served with `html`."""
        self.linkedin.serve(url, html)
        return self.open(url)

    def options(self):
        return self.open(self.url("options.html"))

    def popup(self):
        return self.open(self.url("popup.html"))

    def configure(self, port: int, token: str):
        """Through the options page, as a user does: the labels are the contract."""
        page = self.options()
        wait_options_loaded(page)
        page.get_by_label("Port").fill(str(port))
        page.get_by_label("Token").fill(token)
        page.get_by_role("button", name="Save").click()
        wait_until(
            lambda: self.storage().get("settings", {}).get("token") == token,
            what="the token saved by the options page",
        )
        page.close()

    def configure_storage(self, port: int, token: str):
        """The quick way, straight into the storage the options page writes."""
        self.set_storage({"settings": {"port": port, "token": token}})


def launch(playwright, extension_dir: Path | None, profile: Path, *, extra_args=(), env=None):
    """`extra_args` and `env`: more for Chromium (its language, say), on top of these."""
    args = ["--no-first-run", "--disable-background-networking", "--disable-component-update"]
    args += ["--disable-sync", *extra_args]
    if extension_dir is not None:
        args += [
            f"--disable-extensions-except={extension_dir}",
            f"--load-extension={extension_dir}",
        ]
    ctx = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=args, env=env
    )
    ctx.set_default_timeout(ACTION_TIMEOUT_MS)
    linkedin = LinkedIn()
    ctx.route("https://**/*", linkedin.handle)
    # Plain http to LinkedIn too. Globs only: a predicate would send every request, the
    # companion's included, through Python. http://127.0.0.1 (the companion) is not routed.
    ctx.route("http://linkedin.com/**", linkedin.handle)
    ctx.route("http://*.linkedin.com/**", linkedin.handle)
    ctx.on("request", linkedin.on_request)
    open_pump()
    use_idle(ctx.pages[0] if ctx.pages else ctx.new_page())
    return ctx, linkedin
