// navigation.js: an in-app visit to the SSI page (a history change webNavigation reports)
// injects content.js into that tab's main frame, and nothing else does.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { FakeCompanion, Loopback, startWorker } from "./harness.mjs";

const SSI_URL = "https://www.linkedin.com/sales/ssi";
const visit = (details) => ({ tabId: 7, frameId: 0, url: SSI_URL, documentLifecycle: "active", ...details });

async function setUp() {
  const loopback = new Loopback();
  loopback.listen(47613, new FakeCompanion(47613));
  return startWorker({ loopback });
}

describe("in-app visits to the SSI page", () => {
  test("one listener, added in the worker's first turn, with the /sales/ssi filter", async () => {
    const { chrome, listenersAtStart } = await setUp();
    assert.equal(listenersAtStart.onHistoryStateUpdated, 1);
    const { filters } = chrome.webNavigation.onHistoryStateUpdated;
    assert.deepEqual(structuredClone(filters), [{ url: [{ hostEquals: "www.linkedin.com", pathPrefix: "/sales/ssi" }] }]);
  });

  test("a history change in the main frame injects content.js into that tab's frame 0", async () => {
    const { historyStateUpdated, injections } = await setUp();
    await historyStateUpdated(visit({ tabId: 12, url: `${SSI_URL}?src=nav` }));
    assert.deepEqual(injections, [{ target: { tabId: 12, frameIds: [0] }, files: ["content.js"] }]);
  });

  test("a subframe, a page not on screen, or another address injects nothing", async () => {
    const { historyStateUpdated, injections, worker } = await setUp();
    await historyStateUpdated(visit({ frameId: 3 }));
    await historyStateUpdated(visit({ documentLifecycle: "prerender" }));
    for (const url of [
      "https://www.linkedin.com/sales/home",
      "https://www.linkedin.com/feed/",
      "https://linkedin.com/sales/ssi",
      "https://evil.example/sales/ssi",
    ]) {
      await historyStateUpdated(visit({ url }));
      // Had the browser let it through, the listener itself would not inject either.
      assert.equal(await worker.injectContentScript(visit({ url })), false, url);
    }
    assert.deepEqual(injections, []);
  });

  test("a tab that closed before the injection is no failure", async () => {
    const { chrome, worker } = await setUp();
    chrome.scripting.executeScript = async () => {
      throw new Error("No tab with id: 7");
    };
    assert.equal(await worker.injectContentScript(visit()), false);
  });
});
