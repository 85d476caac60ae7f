"""The extension's state as its service worker holds it, read and written through the worker
only (`worker_eval`), so that no extension page is open while its alarm does its work; and the
extension's own constants, read from its shipped source.
"""

import ast
import operator
import re
from datetime import datetime
from pathlib import Path

from tests.browser.linkedin import SSI_URL, fixture_html
from tests.browser.waiting import wait_until

CURRENT_EN = fixture_html("current_en.html")


def stored(browser) -> dict:
    return browser.worker_eval("chrome.storage.local.get()")


def outbox(browser) -> list:
    return stored(browser).get("outbox", [])


def state(browser) -> dict:
    return stored(browser).get("state", {})


def save_settings(browser, port: int, token: str):
    browser.worker_eval(
        "(settings) => chrome.storage.local.set({settings})", {"port": port, "token": token}
    )


def badge(browser) -> str:
    return browser.worker_eval("chrome.action.getBadgeText({})")


def wait_badge(browser, text: str):
    wait_until(lambda: badge(browser) == text, what=f"the badge {text!r}")


def iso_seconds(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def visit_queued(browser, count: int, html: str = CURRENT_EN) -> dict:
    """A visit of the SSI page (a new tab: a new capture), closed once the outbox holds
    `count` captures; the newest of them."""
    page = browser.visit(html)

    def queued():
        items = outbox(browser)
        return items if len(items) == count else None

    items = wait_until(queued, what=f"{count} capture(s) in the outbox")
    page.close()
    return items[-1]


# Captures that wait, written straight into the outbox as the worker writes them (under its
# storage lock): real SSI pages, each padded with a comment to `size` UTF-8 bytes, so that the
# companion reads them as it reads any capture once it is back.
FILL_OUTBOX = """
async ([base, sizes, url]) => navigator.locks.request("ssi-companion-storage", async () => {
  const utf8 = new TextEncoder();
  const { outbox } = await chrome.storage.local.get({ outbox: [] });
  const added = sizes.map((size, i) => {
    const open = base + "<!-- ", close = " -->";
    const html = open + "x".repeat(size - utf8.encode(open + close).length) + close;
    return {
      id: crypto.randomUUID(), url, html, bytes: utf8.encode(html).length,
      capturedAt: new Date(Date.now() - (10 - i) * 60000).toISOString(),
      attempts: 0, queuedAt: new Date().toISOString(),
      lastStatus: null, lastError: null, nextTryAt: null,
    };
  });
  await chrome.storage.local.set({ outbox: [...outbox, ...added] });
  return added.map(({ id, bytes }) => ({ id, bytes }));
})
"""


def fill_outbox(browser, sizes: list[int], html: str = CURRENT_EN) -> list[dict]:
    return browser.worker_eval(FILL_OUTBOX, [html, sizes, SSI_URL])


# ---------------------------------------------------------------- the extension's constants

_CONST = re.compile(r"^(?:export\s+)?const\s+([A-Z][A-Z0-9_]*)\s*=\s*([^;]+);", re.MULTILINE)
_OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


def _arithmetic(node, known: dict):
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return node.value
    if isinstance(node, ast.Name) and node.id in known:
        return known[node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _arithmetic(node.left, known), _arithmetic(node.right, known)
        return _OPERATORS[type(node.op)](left, right)
    raise ValueError(ast.dump(node))


def js_constants(path: Path) -> dict[str, float]:
    """The numeric top-level `const NAME = ...;` of a JS module (numbers, earlier such names
    and + - * /), by name: `export const OUTBOX_BUDGET_BYTES = 6 * MB;` gives 6291456."""
    known: dict[str, float] = {}
    for name, expression in _CONST.findall(path.read_text(encoding="utf-8")):
        try:
            known[name] = _arithmetic(ast.parse(expression.strip(), mode="eval").body, known)
        except (SyntaxError, ValueError):
            continue  # not a plain number (a function, a string): not for a test to read
    return known
