"""A real Debian Chromium with the built extension, a real companion, and LinkedIn served locally.

Nothing here reaches the network: every https request is either a LinkedIn page fulfilled from
a fixture or aborted and recorded. The extension's own requests to http://127.0.0.1 are not
routed, so they reach the real `ssi-companion serve` under test.

This file holds the fixtures; the helpers are modules of their own: waiting.py (`pause`,
`wait_until`), linkedin.py, companion_under_test.py, proxies.py, extension_browser.py,
content_world.py, worker_state.py. The names tests imported from here are still importable.

Every test here is marked `browser` (tests/conftest.py, FOLDER_MARKS): -m "not browser" skips them.
"""

import contextlib
import tempfile
from pathlib import Path

import pytest

from companion.extension_build import build
from tests.browser.companion_under_test import Companion
from tests.browser.content_world import ContentScriptWorld
from tests.browser.extension_browser import (
    ACTION_TIMEOUT_MS,
    CHROMIUM,
    ExtensionBrowser,
    launch,
    wait_options_loaded,
)
from tests.browser.linkedin import SSI_URL, fixture_html, inject_head
from tests.browser.proxies import AnsweringProxy, Impostor, SlowProxy, api_error
from tests.browser.screenshot import CHROMIUM_ARGS, demo_server
from tests.browser.waiting import close_pump, pause, wait_until
from tests.conftest import free_port, require_system_package

# Imported from here by tests written before the split.
__all__ = [
    "ACTION_TIMEOUT_MS",
    "SSI_URL",
    "AnsweringProxy",
    "Companion",
    "ContentScriptWorld",
    "ExtensionBrowser",
    "Impostor",
    "SlowProxy",
    "api_error",
    "fixture_html",
    "inject_head",
    "pause",
    "wait_options_loaded",
    "wait_until",
]


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


@contextlib.contextmanager
def extension_browser(playwright, extension_dir, **launch_options):
    """Chromium with the built extension loaded, in a fresh profile; `launch_options` are
    launch()'s own (extra_args, env): the language tests ask for another UI language."""
    require_system_package(CHROMIUM, "chromium")
    with tempfile.TemporaryDirectory(prefix="ssi-browser-") as profile:
        ctx, linkedin = launch(playwright, extension_dir, Path(profile), **launch_options)
        try:
            extension = ExtensionBrowser(ctx, linkedin)
            # Before the test opens a page: the install's options tab could land in it.
            extension.settle_welcome()
            yield extension
        finally:
            close_pump()
            ctx.close()
        # In every test: the extension itself never sent a request to LinkedIn.
        assert linkedin.extra == []


@pytest.fixture
def browser(playwright, extension_dir):
    with extension_browser(playwright, extension_dir) as extension:
        yield extension


@pytest.fixture(scope="module")
def chromium(playwright):
    """A plain headless Chromium for the companion's pages (no extension)."""
    require_system_package(CHROMIUM, "chromium")
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def plain_browser(playwright):
    """The same Chromium without the extension: the control run."""
    require_system_package(CHROMIUM, "chromium")
    with tempfile.TemporaryDirectory(prefix="ssi-browser-") as profile:
        ctx, linkedin = launch(playwright, None, Path(profile))
        try:
            yield ctx, linkedin
        finally:
            close_pump()
            ctx.close()


@pytest.fixture(scope="module")
def demo_server_log(tmp_path_factory):
    """A real companion with a year of made-up readings, one per test module that asks for
    it (the summary pages, the accessibility checks): its base URL and its log."""
    require_system_package(CHROMIUM, "chromium")
    folder = tmp_path_factory.mktemp("demo")
    log_path = folder / "serve.log"
    with log_path.open("w") as log:
        try:
            with demo_server(free_port(), folder / "home", log=log) as base:
                yield base, log_path
        except (RuntimeError, TimeoutError) as exc:
            raise RuntimeError(f"{exc}; serve.log:\n{log_path.read_text()}") from None
