// What every part of the Firefox driver shares: its timeouts, its log and its polling.

export const SSI_URL = "https://www.linkedin.com/sales/ssi";
// One action or expectation, in ms (as ACTION_TIMEOUT_MS in tests/browser/conftest.py).
export const ACTION_TIMEOUT_MS = 15_000;
// The content script sends after 1 s without DOM changes: nothing sent by then = nothing is.
export const SETTLE_MS = 3_000;

const started = Date.now();
// Progress on stderr, with seconds since start: pytest shows it when a scenario fails.
export function log(...words) {
  process.stderr.write(`[firefox ${((Date.now() - started) / 1000).toFixed(1)}s] ${words.join(" ")}\n`);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Polls `check` until it returns something truthy, and returns that; fails after `timeout` ms.
// Also what waits inside Firefox's pages: page.waitForFunction can fail there ("Waiting
// failed") when the document it started in goes away, as on moz-extension:// pages.
export async function waitFor(check, { timeout = ACTION_TIMEOUT_MS, interval = 200, what = "condition" } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() >= deadline) break;
    await sleep(interval);
  }
  throw new Error(`timed out after ${timeout / 1000} s waiting for ${what} (last: ${JSON.stringify(last)})`);
}

// Polls `fn(...args)`, run in `page` as page.evaluate runs it, until it returns something truthy.
export function waitInPage(page, options, fn, ...args) {
  return waitFor(() => page.evaluate(fn, ...args).catch(() => null), { interval: 100, ...options });
}

export function isLinkedIn(url) {
  let host = "";
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  return host === "linkedin.com" || host.endsWith(".linkedin.com");
}
