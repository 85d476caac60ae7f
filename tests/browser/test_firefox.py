"""The extension in a real Firefox ESR, against a real companion, with LinkedIn served offline.

Debian's /usr/bin/firefox-esr, headless, driven by puppeteer-core (npm, extension/) over
WebDriver BiDi: Python cannot drive Firefox offline here (docs/reference/testing.md). Each test
runs one scenario of extension/test/firefox/scenarios.mjs in a fresh Firefox with the built
extension installed as a temporary add-on (its moz-extension UUID pinned), the SSI page served
from tests/data by request interception, and everything else Firefox would send outside
127.0.0.1 refused by a recording proxy. The scenario checks the extension's side and reports
it as JSON; the test checks that report against the companion's own API.

The companion starts (or not) here: a scenario stops at checkpoints (a JSON line on its
stdout) and goes on when answered (a JSON line on its stdin).
"""

import hashlib
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest

from companion.extension_build import build
from tests.browser.linkedin import SSI_URL
from tests.browser.proxies import AnsweringProxy
from tests.conftest import DATA, REPO, free_port, require_system_package, skip_outside_ci

FIREFOX = "/usr/bin/firefox-esr"
EXTENSION = REPO / "extension"
RUN = EXTENSION / "test" / "firefox" / "run.mjs"
FIXTURE = DATA / "current_en.html"
CURRENT_EN_TOTAL = 19.706  # tests/data/README.md; the page shows 20

# A scenario's launch, set-up and checks (without the wait for a delivery), in seconds.
SCENARIO_TIMEOUT = 120
# From the companion's start to the delivery of what was queued while it was down. The
# outbox checks at least once a minute on its own ("Retry now" is never pressed).
DELIVERY_TIMEOUT = 90
# After a delivery, how long to watch for a second one.
SETTLE_S = 5


@pytest.fixture(scope="session")
def firefox_extension(tmp_path_factory):
    """The built firefox/ folder, once the browser, node and puppeteer-core are there."""
    require_system_package(FIREFOX, "firefox-esr")
    require_system_package(shutil.which("node") or "/usr/bin/node", "nodejs")
    if not (EXTENSION / "node_modules" / "puppeteer-core" / "package.json").exists():
        skip_outside_ci(
            "puppeteer-core is missing from extension/node_modules: run `npm ci` in extension/ "
            "(make test does)"
        )
    folder, _ = build("firefox", tmp_path_factory.mktemp("firefox-extension"))
    return folder


class Scenario:
    """`node run.mjs <name>`: a scenario in its own process group, read line by line."""

    def __init__(self, name: str, extension_dir, port: int, token: str = ""):
        self.name = name
        env = {
            **os.environ,
            "PUPPETEER_SKIP_DOWNLOAD": "1",
            "SSI_FIREFOX_BINARY": FIREFOX,
            "SSI_FIREFOX_EXTENSION_DIR": str(extension_dir),
            "SSI_COMPANION_PORT": str(port),
            "SSI_COMPANION_TOKEN": token,
            "SSI_FIXTURE": str(FIXTURE),
        }
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [shutil.which("node"), str(RUN), name],
            cwd=EXTENSION,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # node and its Firefox: one group, ended together
        )
        self.messages: queue.Queue = queue.Queue()
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self):
        for line in self.proc.stdout:
            self.stdout.append(line)
            if line.startswith("{"):
                self.messages.put(json.loads(line))
        self.messages.put(None)  # end of output

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.stderr.append(line)

    def output(self) -> str:
        return (
            f"scenario {self.name!r} after {time.monotonic() - self.started:.0f} s; stderr:\n"
            + "".join(self.stderr)[-6000:]
            + "\nstdout:\n"
            + "".join(line for line in self.stdout if not line.startswith('{"result"'))[-3000:]
        )

    def next(self, timeout: float = SCENARIO_TIMEOUT) -> dict:
        try:
            message = self.messages.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"no word from the scenario in {timeout} s\n" + self.output())
        if message is None:
            self.proc.wait(10)
            pytest.fail(f"the scenario ended (exit {self.proc.returncode})\n" + self.output())
        if "error" in message:
            pytest.fail(f"the scenario failed: {message['error']}\n{self.output()}")
        return message

    def checkpoint(self, name: str) -> dict:
        message = self.next()
        assert message.get("checkpoint") == name, message
        return message

    def answer(self, reply: dict):
        self.proc.stdin.write(json.dumps(reply) + "\n")
        self.proc.stdin.flush()

    def result(self) -> dict:
        message = self.next()
        assert "result" in message, message
        assert self.proc.wait(30) == 0, self.output()
        return message["result"]

    def stop(self):
        if self.proc.poll() is None:
            # SIGTERM first: puppeteer then closes its Firefox (and its temporary profile).
            for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 10)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                pipe.close()
            except OSError:
                pass


@pytest.fixture
def scenario(firefox_extension):
    """Starts scenarios; ends whatever is left of them after the test."""
    started: list[Scenario] = []

    def start(name: str, port: int, token: str = "") -> Scenario:
        run = Scenario(name, firefox_extension, port, token)
        started.append(run)
        return run

    yield start
    for run in started:
        run.stop()


def assert_nothing_to_linkedin(report: dict):
    linkedin = report["linkedin"]
    assert linkedin["extra"] == [], "a LinkedIn tab asked LinkedIn for more than its page"
    assert linkedin["proxied"] == [], "Firefox sent a request to LinkedIn outside the tabs"
    assert set(linkedin["fulfilled"]) == {SSI_URL}


def is_listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


# ---------------------------------------------------------------- 1. a visit is stored


def test_firefox_visit_stores_the_reading(scenario, companion):
    report = scenario("capture", companion.port, companion.token).result()

    [capture] = companion.captures()
    assert capture["status"] == "ok"
    assert capture["url"] == SSI_URL
    [reading] = companion.readings()
    assert reading["total"] == pytest.approx(CURRENT_EN_TOTAL)
    assert reading["capture_id"] == capture["id"]

    after = report["after"]
    assert after["outbox"] == []
    assert after["badge"] == "20"
    assert after["latest"]["reading"]["total"] == pytest.approx(CURRENT_EN_TOTAL)
    assert after["state"]["connection"] == "connected"
    assert_nothing_to_linkedin(report)


# ---------------------------------------------------------------- 2, 3. companion down


def deliver_after_start(
    run: Scenario, companion, proxy_port: int, count: int
) -> tuple[list, dict, float]:
    """At the scenario's checkpoint, start the companion and, on `proxy_port` (the port the
    extension was given), a proxy that forwards to it and logs every request; wait for `count`
    captures, then check that each was POSTed exactly once, and none before the start.

    The proxy is what can tell a duplicate: the companion answers a capture id it holds
    already with 200 and stores nothing new, so its own list looks the same after one."""
    queued = run.checkpoint("queued")
    ids = queued["ids"]
    assert len(ids) == count, queued
    assert not is_listening(proxy_port)
    assert queued["queued"]["state"]["connection"] == "not_running"

    companion.start()
    started = time.monotonic()
    with AnsweringProxy(companion.port, port=proxy_port) as proxy:
        try:
            companion.wait_captures(count, timeout=DELIVERY_TIMEOUT)
            delivered = True
        except AssertionError:
            delivered = False
        seconds = round(time.monotonic() - started, 1)
        print(f"{len(companion.captures())} of {count} delivered {seconds} s after the start")
        if delivered:
            time.sleep(SETTLE_S)  # a second delivery would show by now
        run.answer({"delivered": delivered, "seconds": seconds})
        report = run.result()
    if not delivered:
        after = report["after"]
        pytest.fail(
            f"{len(companion.captures())} of {count} capture(s) delivered {DELIVERY_TIMEOUT} s "
            'after the companion started, without "Retry now" (the outbox should check at '
            f"least once a minute). The extension: outbox {after['outbox']}, state "
            f"{after['state']}, alarms {after['alarms']}"
        )
    posts = proxy.posts()
    assert sorted(post["id"] for post in posts) == sorted(ids), "each capture POSTed exactly once"
    assert all(post["at"] >= started for post in posts), "no POST before the companion started"
    return ids, report, seconds


def test_firefox_capture_waits_while_the_companion_is_down_and_is_delivered_once(
    scenario, stopped_companion
):
    companion = stopped_companion
    proxy_port = free_port()  # the extension's port: the companion itself runs on another
    run = scenario("companion_down", proxy_port, companion.token)
    [queued_id], report, seconds = deliver_after_start(run, companion, proxy_port, 1)

    assert [c["id"] for c in companion.captures()] == [queued_id]
    assert len(companion.readings()) == 1
    assert report["queued"]["badge"] == "!"
    after = report["after"]
    assert after["outbox"] == []
    assert after["badge"] == "20"
    assert seconds <= DELIVERY_TIMEOUT
    assert_nothing_to_linkedin(report)


def test_firefox_five_captures_queued_while_down_are_all_delivered(scenario, stopped_companion):
    companion = stopped_companion
    proxy_port = free_port()  # the extension's port: the companion itself runs on another
    run = scenario("five_queued", proxy_port, companion.token)
    ids, report, _ = deliver_after_start(run, companion, proxy_port, 5)

    assert len(set(ids)) == 5
    assert sorted(c["id"] for c in companion.captures()) == sorted(ids)
    assert len(companion.readings()) == 5
    assert report["after"]["outbox"] == []
    assert_nothing_to_linkedin(report)


# ---------------------------------------------------------------- 4. passive on LinkedIn


def test_firefox_no_request_to_linkedin_and_no_change_to_its_page(scenario, companion):
    report = scenario("passive", companion.port, companion.token).result()

    [capture] = companion.captures()
    assert capture["status"] == "ok"
    control, seen = report["control"], report["withExtension"]
    assert control["mutations"]["afterParse"] == 0
    assert seen["mutations"]["afterParse"] == 0, seen["mutations"]["log"]
    assert seen["mutations"]["count"] == control["mutations"]["count"]
    # The page's own assets (static.licdn.com), aborted in both runs, and nothing else.
    assert sorted(seen["aborted"]) == sorted(control["aborted"])
    assert all("licdn.com" in url for url in seen["aborted"]), seen["aborted"]
    assert_nothing_to_linkedin(report)


# ---------------------------------------------------------------- 5. pairing


def test_firefox_pairing_end_to_end(scenario, companion):
    run = scenario("pairing", companion.port)  # no token: pairing gets it
    shown = run.checkpoint("code")
    assert re.fullmatch(r"\d{3}-\d{3}", shown["code"])
    assert re.fullmatch(
        r"moz-extension://[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", shown["origin"]
    )
    run.answer({"signin": companion.signin_link()})  # what `ssi-companion open --print` prints
    report = run.result()

    assert report["settings"] == {
        "port": companion.port,
        "tokenSha256": hashlib.sha256(companion.token.encode()).hexdigest(),
    }
    assert "Paired" in report["pairStatus"]
    assert report["sessionAfter"] == {}, "the pairing secret is forgotten"
    [capture] = companion.captures()
    assert capture["status"] == "ok"
    assert report["after"]["outbox"] == []
    assert report["after"]["badge"] == "20"
    assert_nothing_to_linkedin(report)
