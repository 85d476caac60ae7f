"""Waiting in a test that drives a browser: `pause` and `wait_until`.

Playwright's sync API handles route callbacks only while Python is inside a Playwright call:
a plain time.sleep() would hold every routed request of the browser for that long. So a test
pauses through the open browser: each launch (extension_browser.launch) registers a pump that
waits in an idle tab of its own; time.sleep only when no browser is open.
"""

import time

_pumps: list = []
_idle: list = []  # the tab each of those waits in


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


def open_pump() -> None:
    """A browser was launched: `pause` waits in its idle tab (set by `use_idle`) from now on."""
    _idle.append(None)
    slot = len(_idle) - 1
    _pumps.append(lambda seconds: _idle[slot].wait_for_timeout(seconds * 1000))


def use_idle(page) -> None:
    """`page` is the tab that `pause` waits in for the browser launched last."""
    _idle[-1] = page


def idle_page():
    """The tab that `pause` waits in for the browser launched last."""
    return _idle[-1]


def close_pump() -> None:
    """The browser launched last is closing: `pause` no longer waits in it."""
    _pumps.pop()
    _idle.pop()
