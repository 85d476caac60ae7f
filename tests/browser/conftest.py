"""A real Debian Chromium with the built extension, a real companion, and LinkedIn served locally.

Nothing here reaches the network: every https request is either a LinkedIn page fulfilled from
a fixture or aborted and recorded. The extension's own requests to http://127.0.0.1 are not
routed, so they reach the real `ssi-companion serve` under test.

Every test here is marked `browser` (tests/conftest.py, FOLDER_MARKS): -m "not browser" skips them.
"""

import json
import re
import secrets
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from companion.extension_build import build
from companion.store import access_token as companion_token
from tests.browser.screenshot import signin_link
from tests.conftest import DATA, ServerProcess, require_system_package

CHROMIUM = "/usr/bin/chromium"
SSI_URL = "https://www.linkedin.com/sales/ssi"

# Playwright's own timeout for one action or expectation, in ms.
ACTION_TIMEOUT_MS = 15_000


# Playwright's sync API handles route callbacks only while Python is inside a Playwright call:
# a plain time.sleep() would hold every routed request of the browser for that long. So a
# test pauses through the open browser (see `pause`); time.sleep only when none is open.
_pumps: list = []


def pause(seconds: float) -> None:
    if _pumps:
        _pumps[-1](seconds)
    else:
        time.sleep(seconds)


def wait_until(check, timeout: float = 15, interval: float = 0.1, what: str = "condition"):
    """Poll `check` until it returns something truthy; return that, or fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        pause(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what} (last: {last!r})")


def fixture_html(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def inject_head(html: str, script: str) -> str:
    """`script` (JS source) as the first element of <head>, so it runs before anything else."""
    tag = f"<script>{script}</script>"
    head = re.search(r"<head[^>]*>", html, re.IGNORECASE)
    if head is None:
        return tag + html
    return html[: head.end()] + tag + html[head.end() :]


# ---------------------------------------------------------------- the companion


class Companion(ServerProcess):
    """The real server, plus a small authenticated client for its API."""

    @property
    def token(self) -> str:
        return companion_token.get(self.home)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str) -> dict:
        req = urllib.request.Request(
            self.base + path, headers={"Authorization": f"Bearer {self.token}"}
        )
        with urllib.request.urlopen(req, timeout=5) as response:
            return json.loads(response.read())

    def signin_link(self) -> str:
        """What the user runs to open the pages: `ssi-companion open --print`."""
        return signin_link(self.home)

    def sign_in(self, page):
        """Open a fresh sign-in link in `page`, as a user does; it lands on the summary."""
        page.goto(self.signin_link())
        page.wait_for_url(self.base + "/")

    def captures(self, status: str | None = None) -> list[dict]:
        return self.get("/api/v1/captures" + (f"?status={status}" if status else ""))["captures"]

    def readings(self) -> list[dict]:
        return self.get("/api/v1/readings")["readings"]

    def wait_captures(self, count: int, timeout: float = 20, status: str | None = None) -> list:
        def enough():
            found = self.captures(status)
            return found if len(found) >= count else None

        return wait_until(
            enough,
            timeout,
            what=f"{count} capture(s) at the companion",
        )


@pytest.fixture
def companion(tmp_path):
    """A companion that runs for the whole test."""
    server = Companion(tmp_path / "companion-home").start()
    yield server
    server.stop()


@pytest.fixture
def stopped_companion(tmp_path):
    """A companion with a home, a token and a port, not started: the test starts it."""
    home = tmp_path / "companion-home"
    home.mkdir(mode=0o700)
    server = Companion(home)
    yield server
    server.stop()


class SlowProxy:
    """Forwards to the companion, answering `slow_path` only after `delay` seconds.

    `started` is set when a request for `slow_path` has arrived (and is being held).
    """

    def __init__(self, target_port: int, slow_path: str, delay: float):
        self.started = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _forward(self):
                if self.path == slow_path:
                    proxy.started.set()
                    time.sleep(delay)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() in ("authorization", "content-type", "origin")
                }
                req = urllib.request.Request(
                    f"http://127.0.0.1:{target_port}{self.path}",
                    data=body,
                    headers=headers,
                    method=self.command,
                )
                try:
                    response = urllib.request.urlopen(req, timeout=10)
                except urllib.error.HTTPError as error:
                    response = error
                payload = response.read()
                self.send_response(response.status)
                for key, value in response.headers.items():
                    if key.lower() not in ("content-length", "connection", "server", "date"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_OPTIONS = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class Impostor:
    """A program squatting a port (threat S): it answers GET /api/v1/ping exactly as the
    companion does (the same status, headers and body, copied from a real one), says yes to
    everything else, and records every request it gets."""

    def __init__(self, companion: Companion):
        with urllib.request.urlopen(companion.base + "/api/v1/ping", timeout=5) as answer:
            ping_status, ping_body = answer.status, answer.read()
            ping_headers = [
                (k, v)
                for k, v in answer.headers.items()
                if k.lower() not in ("date", "server", "content-length", "connection")
            ]
        self.requests: list[dict] = []
        impostor = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _answer(self, status, body: bytes, headers=(("Content-Type", "application/json"),)):
                self.send_response(status)
                for key, value in headers:
                    self.send_header(key, value)
                origin = self.headers.get("Origin")
                if origin:  # as permissive as a lure would be
                    self.send_header("Access-Control-Allow-Origin", origin)
                    self.send_header("Access-Control-Allow-Headers", "Authorization, Content-Type")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                impostor.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": dict(self.headers.items()),
                        "body": body.decode("utf-8", "replace"),
                    }
                )
                if self.command == "GET" and self.path == "/api/v1/ping":
                    self._answer(ping_status, ping_body, ping_headers)
                elif self.path == "/api/v1/proof":
                    # Well formed, of the right length: all it can do without the token.
                    proof = json.dumps({"proof": secrets.token_hex(32)}).encode()
                    self._answer(200, proof)
                else:
                    self._answer(201 if self.command == "POST" else 200, b"{}")

            do_GET = do_POST = do_PUT = do_OPTIONS = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def paths(self) -> set[str]:
        return {request["path"] for request in self.requests}

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


# ---------------------------------------------------------------- LinkedIn, offline


class LinkedIn:
    """Serves fixture pages at LinkedIn URLs; aborts and records every other https request.

    `extra` lists every request to linkedin.com except the top-level navigations fulfilled
    here: the extension must never add one.
    """

    def __init__(self):
        self.pages: dict[str, str] = {}
        self.fulfilled: list[str] = []
        self.aborted: list[str] = []
        self.extra: list[str] = []
        self._navigations: set[str] = set()

    def serve(self, url: str, html: str) -> str:
        self.pages[url] = html
        return url

    @staticmethod
    def is_linkedin(url: str) -> bool:
        host = urlsplit(url).hostname or ""
        return host == "linkedin.com" or host.endswith(".linkedin.com")

    def _is_navigation(self, request) -> bool:
        try:
            frame = request.frame
        except Exception:  # a service worker's request has no frame
            return False
        return (
            request.is_navigation_request()
            and request.resource_type == "document"
            and frame.parent_frame is None
        )

    def handle(self, route, request):
        url = request.url
        if url in self.pages and self._is_navigation(request):
            self.fulfilled.append(url)
            self._navigations.add(id(request))
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=self.pages[url])
            return
        self.aborted.append(url)
        route.abort()

    def on_request(self, request):
        # Seen by every request the context sees, routed or not (also http://*.linkedin.com).
        if self.is_linkedin(request.url) and id(request) not in self._navigations:
            if not (request.url in self.pages and self._is_navigation(request)):
                self.extra.append(f"{request.method} {request.url} ({request.resource_type})")


# ---------------------------------------------------------------- the browser


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


@pytest.fixture(scope="session")
def extension_dir(tmp_path_factory):
    folder, _ = build("chrome", tmp_path_factory.mktemp("extension"))
    return folder


@pytest.fixture(scope="session")
def playwright():
    require_system_package(CHROMIUM, "chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


def launch(playwright, extension_dir: Path | None, profile: Path):
    args = ["--no-first-run", "--disable-background-networking", "--disable-component-update"]
    args.append("--disable-sync")
    if extension_dir is not None:
        args += [
            f"--disable-extensions-except={extension_dir}",
            f"--load-extension={extension_dir}",
        ]
    ctx = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=args
    )
    ctx.set_default_timeout(ACTION_TIMEOUT_MS)
    linkedin = LinkedIn()
    ctx.route("https://**/*", linkedin.handle)
    # Plain http to LinkedIn too. Globs only: a predicate would send every request, the
    # companion's included, through Python. http://127.0.0.1 (the companion) is not routed.
    ctx.route("http://linkedin.com/**", linkedin.handle)
    ctx.route("http://*.linkedin.com/**", linkedin.handle)
    ctx.on("request", linkedin.on_request)
    idle = ctx.pages[0] if ctx.pages else ctx.new_page()
    _pumps.append(lambda seconds: idle.wait_for_timeout(seconds * 1000))
    return ctx, linkedin


@pytest.fixture
def browser(playwright, extension_dir):
    require_system_package(CHROMIUM, "chromium")
    with tempfile.TemporaryDirectory(prefix="ssi-browser-") as profile:
        ctx, linkedin = launch(playwright, extension_dir, Path(profile))
        try:
            yield ExtensionBrowser(ctx, linkedin)
        finally:
            _pumps.pop()
            ctx.close()
        # In every test: the extension itself never sent a request to LinkedIn.
        assert linkedin.extra == []


@pytest.fixture
def plain_browser(playwright):
    """The same Chromium without the extension: the control run."""
    require_system_package(CHROMIUM, "chromium")
    with tempfile.TemporaryDirectory(prefix="ssi-browser-") as profile:
        ctx, linkedin = launch(playwright, None, Path(profile))
        try:
            yield ctx, linkedin
        finally:
            _pumps.pop()
            ctx.close()
