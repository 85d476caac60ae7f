"""The companion under test: the real `ssi-companion serve`, with a small client for its API.

The fixtures that start it (`companion`, `stopped_companion`) are in conftest.py.
"""

import json
import time
import urllib.request

from companion.store import access_token as companion_token
from tests.browser.screenshot import signin_link
from tests.browser.waiting import wait_until
from tests.conftest import ServerProcess


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


def captures_by_id(companion: Companion) -> dict:
    return {capture["id"]: capture for capture in companion.captures()}


def wait_delivered(companion: Companion, ids: set, timeout: float) -> float:
    """Wait until the companion holds every capture of `ids`; the seconds that took."""
    started = time.monotonic()
    wait_until(
        lambda: ids <= set(captures_by_id(companion)),
        timeout,
        interval=0.5,
        what=f"{len(ids)} capture(s) at the companion",
    )
    return time.monotonic() - started
