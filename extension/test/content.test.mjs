// content.js: each visit to /sales/ssi sends the page once, when the values are there at the
// end of a quiet second; what the SSI address showed decides once the app has moved on.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { ORIGIN, SSI_URL, linkedInPage, view } from "./page.mjs";

const SSI = view('<section class="ssi">19.7</section>', { values: true });
// Sales Navigator's home, with a widget showing the same numbers: values, but not the SSI page.
const HOME = view('<section class="home-ssi-widget">19.7</section>', { values: true });
const LOADER = view('<div class="artdeco-loader">Loading…</div>');
const SIGN_IN = view('<form action="/login"><input type="password"></form>', { signIn: true });
const QUIET = 1000;

const sentPages = (page) => page.sent.map(({ type, url, html }) => ({ type, url, html }));

describe("the content script, at the SSI address", () => {
  test("sends the page once its values are there and it has been quiet for a second", async () => {
    const page = linkedInPage({ shows: LOADER });
    await page.inject();
    await page.advance(2 * QUIET);
    assert.deepEqual(page.sent, []);
    await page.draw(SSI);
    await page.advance(QUIET - 1);
    assert.deepEqual(page.sent, [], "not before the second is over");
    await page.advance(1);
    assert.deepEqual(sentPages(page), [{ type: "CAPTURE", url: SSI_URL, html: `<main>${SSI.html}</main>` }]);
    await page.inject();
    await page.draw(SSI);
    await page.advance(40 * QUIET);
    assert.equal(page.sent.length, 1, "once per visit, whatever is injected again");
    assert.deepEqual(page.state(), { runs: 2, visits: 1 });
  });

  test("values seen before the app swaps in a loader do not count for the loader", async () => {
    // The injection sees SSI-like markup (the previous view), then the SSI route's loader
    // stays unchanged for seconds.
    const page = linkedInPage({ shows: HOME });
    await page.inject();
    await page.advance(QUIET / 2);
    await page.draw(LOADER);
    await page.advance(5 * QUIET);
    assert.deepEqual(page.sent, [], "the loader is not sent");
    await page.draw(SSI);
    await page.advance(QUIET);
    assert.deepEqual(sentPages(page), [{ type: "CAPTURE", url: SSI_URL, html: `<main>${SSI.html}</main>` }]);
  });

  test("a page that never shows the values is sent after 30 s all the same", async () => {
    const page = linkedInPage({ shows: LOADER });
    await page.inject();
    await page.advance(30 * QUIET - 1);
    assert.deepEqual(page.sent, []);
    await page.advance(1);
    assert.deepEqual(sentPages(page), [{ type: "CAPTURE", url: SSI_URL, html: `<main>${LOADER.html}</main>` }]);
  });

  test("a sign-in form is sent at once", async () => {
    const page = linkedInPage({ shows: SIGN_IN });
    await page.inject();
    assert.deepEqual(sentPages(page), [{ type: "CAPTURE", url: SSI_URL, html: `<main>${SIGN_IN.html}</main>` }]);
  });
});

describe("the content script, once the app leaves /sales/ssi", () => {
  for (const navigationApi of [false, true]) {
    const how = navigationApi ? "the Navigation API" : "the address polled";
    for (const [name, next] of [["home, with the same numbers", HOME], ["a loader", LOADER]]) {
      test(`values the SSI address showed are sent with it, not ${name} (${how})`, async () => {
        const page = linkedInPage({ shows: LOADER, navigationApi });
        await page.inject();
        await page.draw(SSI);
        await page.advance(QUIET / 2);
        // The app: pushState, then its next view, before the page was quiet for a second.
        page.pushState("/sales/home");
        await page.draw(next);
        await page.advance(QUIET);
        assert.deepEqual(sentPages(page), [{ type: "CAPTURE", url: SSI_URL, html: `<main>${SSI.html}</main>` }]);
        await page.advance(40 * QUIET);
        assert.equal(page.sent.length, 1);
      });
    }

    test(`a page still loading is sent at once, with where the app went (${how})`, async () => {
      const page = linkedInPage({ shows: LOADER, navigationApi });
      await page.inject();
      await page.advance(QUIET);
      page.pushState("/sales/home");
      await page.draw(HOME);
      await page.advance(QUIET / 2);
      // What the document shows when the script hears of the move: still the loader if told
      // at once, the next view if it found out by the next change.
      const shown = navigationApi ? LOADER : HOME;
      assert.deepEqual(sentPages(page), [{ type: "CAPTURE", url: `${ORIGIN}/sales/home`, html: `<main>${shown.html}</main>` }]);
    });
  }

  test("values that gave way to a loader before the app left are not sent", async () => {
    const page = linkedInPage({ shows: SSI });
    await page.inject();
    await page.advance(QUIET / 2);
    await page.draw(LOADER);
    page.pushState("/login");
    await page.draw(SIGN_IN);
    assert.deepEqual(sentPages(page), [{ type: "CAPTURE", url: `${ORIGIN}/login`, html: `<main>${SIGN_IN.html}</main>` }]);
  });

  test("coming back is a new visit", async () => {
    const page = linkedInPage({ shows: SSI, navigationApi: true });
    await page.inject();
    await page.advance(QUIET);
    page.pushState("/sales/home");
    await page.draw(HOME);
    page.pushState("/sales/ssi");
    await page.draw(LOADER);
    await page.inject();
    await page.draw(SSI);
    await page.advance(QUIET);
    assert.deepEqual(page.sent.map((message) => message.url), [SSI_URL, SSI_URL]);
    assert.deepEqual(page.state(), { runs: 2, visits: 2 });
  });
});
