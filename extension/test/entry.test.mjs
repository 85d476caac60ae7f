// service-worker.js, the entry: the browser's events reach the modules through the listeners
// it adds at its top level, and messages go through the router's switch.

import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { describe, test } from "node:test";

import {
  CONTENT_SCRIPT,
  EXTENSION_ID,
  FakeCompanion,
  Loopback,
  PAGE,
  VOCABULARY,
  capture,
  sendMessage as send,
  startWorker,
} from "./harness.mjs";

const PORT = 47613;
const PAGE_ONLY = [
  "GET_STATE",
  "RETRY_NOW",
  "TEST_CONNECTION",
  "PAIR_START",
  "PAIR_STATUS",
  "OPEN_SUMMARY",
  "SAVE_SETTINGS",
  "DISMISS_REJECTED",
];

async function setUp() {
  const loopback = new Loopback();
  const companion = loopback.listen(PORT, new FakeCompanion(PORT));
  const started = await startWorker({ loopback });
  await started.local.set({ settings: { port: PORT, token: companion.token } });
  return { loopback, companion, ...started };
}

async function eventually(check, what) {
  for (let i = 0; i < 200; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.fail(`never happened: ${what}`);
}

describe("the entry", () => {
  test("adds each listener once, in its first turn", async () => {
    const { listenersAtStart, chrome } = await setUp();
    const once = { onMessage: 1, onStartup: 1, onInstalled: 1, onAlarm: 1, onChanged: 1, onHistoryStateUpdated: 1 };
    assert.deepEqual(listenersAtStart, once);
    assert.equal(chrome.runtime.onMessage.listeners.length, 1, "and no more later");
  });

  test("loads every module of the worker, the generated vocabulary among them", async () => {
    const { modules } = await setUp();
    // The pages' own scripts (i18n-page.js fills their words in) are not the worker's.
    const pages = new Set(["content.js", "options.js", "popup.js", "i18n-page.js", "eslint.config.js"]);
    const sources = readdirSync(new URL("../", import.meta.url)).filter((name) => name.endsWith(".js"));
    const expected = [...sources.filter((name) => !pages.has(name)), "vocabulary.js"];
    assert.deepEqual([...modules].sort(), expected.sort());
  });

  test("the flush alarm sends what waits; another alarm does not", async () => {
    const { chrome, local, companion, loopback } = await setUp();
    const item = capture();
    await local.set({ outbox: [item] });
    const [onAlarm] = chrome.alarms.onAlarm.listeners;
    onAlarm({ name: "something-else" });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(loopback.requests, []);
    onAlarm({ name: "flush" });
    await eventually(() => companion.captures.length === 1, "the capture delivered");
    assert.equal(companion.captures[0].id, item.id);
  });

  test("new settings start a flush that checks the token; other changes do not", async () => {
    const { chrome, loopback } = await setUp();
    const [onChanged] = chrome.storage.onChanged.listeners;
    onChanged({ state: {} }, "local");
    onChanged({ settings: {} }, "session");
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(loopback.requests, []);
    onChanged({ settings: {} }, "local");
    await eventually(() => loopback.requests.some((r) => r.path === "/api/v1/status"), "GET /status");
  });
});

describe("install, update and start", () => {
  test("a first install opens the options page, and checks the port", async () => {
    const { chrome, loopback, optionsOpened, idle } = await setUp();
    const [onInstalled] = chrome.runtime.onInstalled.listeners;
    onInstalled({ reason: "install" });
    await eventually(() => loopback.requests.some((r) => r.path === "/api/v1/status"), "GET /status");
    await idle();
    assert.equal(optionsOpened(), 1);
  });

  test("an update or a browser update opens nothing, and still checks the port", async () => {
    for (const reason of ["update", "chrome_update", "shared_module_update"]) {
      const { chrome, loopback, optionsOpened, idle } = await setUp();
      const [onInstalled] = chrome.runtime.onInstalled.listeners;
      onInstalled({ reason });
      await eventually(() => loopback.requests.some((r) => r.path === "/api/v1/status"), "GET /status");
      await idle();
      assert.equal(optionsOpened(), 0, reason);
    }
  });

  test("an options page that cannot open stops nothing else", async () => {
    const { chrome, loopback, idle } = await setUp();
    chrome.runtime.openOptionsPage = () => {
      throw new Error("no window");
    };
    const [onInstalled] = chrome.runtime.onInstalled.listeners;
    assert.doesNotThrow(() => onInstalled({ reason: "install" }));
    await eventually(() => loopback.requests.some((r) => r.path === "/api/v1/status"), "GET /status");
    await idle();
  });

  test("pages that older versions kept with refused captures are dropped at update and start", async () => {
    for (const event of ["onInstalled", "onStartup"]) {
      const { chrome, local, idle } = await setUp();
      const legacy = (n) => ({
        id: `r${n}`,
        url: "https://www.linkedin.com/sales/ssi",
        capturedAt: "2026-11-26T21:05:03.120-05:00",
        status: 413,
        code: "too_large",
        message: "The page is too large.",
        rejectedAt: "2026-11-26T21:06:00.000Z",
        html: "<main>".padEnd(50000, "x"),
      });
      await local.set({
        rejected: Array.from({ length: 3 }, (_, n) => legacy(n)),
        state: { connection: "unknown", retryIndex: 4, nextRetryAt: null },
      });
      const [listener] = chrome.runtime[event].listeners;
      listener({ reason: "update" });
      await eventually(() => !("html" in (local.dump().rejected[0] ?? {})), "the pages dropped");
      await idle();
      const { rejected, state } = local.dump();
      assert.deepEqual(rejected.map((entry) => entry.id), ["r0", "r1", "r2"], event);
      for (const entry of rejected) {
        assert.deepEqual(Object.keys(entry).sort(), ["capturedAt", "code", "id", "message", "rejectedAt", "status", "url"]);
      }
      assert.equal("retryIndex" in state, false);
    }
  });
});

describe("the router", () => {
  test("a content script's capture is queued and delivered", async () => {
    const { chrome, local, companion } = await setUp();
    const message = { type: "CAPTURE", url: "https://www.linkedin.com/sales/ssi", capturedAt: "2026-11-26T21:05:03.120-05:00", html: "<main>SSI</main>" };
    const reply = await send(chrome, message, CONTENT_SCRIPT);
    assert.equal(reply.queued, true);
    await eventually(() => companion.captures.length === 1, "the capture delivered");
    assert.equal(companion.captures[0].id, reply.id);
    await eventually(async () => (await local.get({ outbox: [] })).outbox.length === 0, "an empty outbox");
    const { latest } = await local.get("latest");
    assert.equal(typeof latest.reading[VOCABULARY.TOTAL], "number");
  });

  test("a content script may send nothing else, and is told so", async () => {
    const { chrome, loopback } = await setUp();
    for (const type of PAGE_ONLY) {
      assert.deepEqual(await send(chrome, { type, id: "x", port: PORT }, CONTENT_SCRIPT), {
        error: `${type} is answered only to the extension's own pages`,
      });
    }
    // Nor a page of another extension, nor a sender the browser did not describe.
    const elsewhere = { id: "b".repeat(32), url: `chrome-extension://${"b".repeat(32)}/popup.html` };
    for (const sender of [elsewhere, { id: EXTENSION_ID }, {}, null]) {
      assert.deepEqual(await send(chrome, { type: "GET_STATE" }, sender), {
        error: "GET_STATE is answered only to the extension's own pages",
      });
    }
    assert.deepEqual(loopback.requests, [], "nothing was asked of the companion");
  });

  test("the extension's pages get their answers; a failing handler answers {error}", async () => {
    const { chrome } = await setUp();
    const state = await send(chrome, { type: "GET_STATE" });
    assert.deepEqual(state.settings, { port: PORT, hasToken: true });
    assert.equal(state.outboxCount, 0);
    assert.match((await send(chrome, { type: "TEST_CONNECTION" })).message, /^Connected to SSI Companion/);
    assert.deepEqual(await send(chrome, { type: "PAIR_STATUS" }), { error: "PAIR_STATUS needs an id" });
    assert.deepEqual(await send(chrome, { type: "CAPTURE", url: 1 }), {
      error: "CAPTURE needs url, capturedAt and html as strings",
    });
  });

  test("an unknown message type is answered {error}, from anyone", async () => {
    const { chrome } = await setUp();
    for (const sender of [PAGE, CONTENT_SCRIPT]) {
      assert.deepEqual(await send(chrome, { type: "NOPE" }, sender), { error: "Unknown message type: NOPE" });
    }
    assert.deepEqual(await send(chrome, undefined), { error: "Unknown message type: undefined" });
    assert.deepEqual(await send(chrome, null), { error: "Unknown message type: undefined" });
    assert.deepEqual(await send(chrome, "GET_STATE"), { error: "Unknown message type: undefined" });
    // Names every object has are not handlers either.
    for (const type of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
      assert.deepEqual(await send(chrome, { type }), { error: `Unknown message type: ${type}` });
    }
    assert.deepEqual(await send(chrome, { type: 42 }), { error: "Unknown message type: 42" });
  });

  test("route itself never throws: every call is a promise of a reply", async () => {
    const { worker } = await setUp();
    const cases = [
      [undefined, undefined],
      [{ type: "NOPE" }, PAGE],
      [{ type: "GET_STATE" }, CONTENT_SCRIPT],
      [{ type: "PAIR_STATUS" }, PAGE],
      [{ type: "CAPTURE" }, CONTENT_SCRIPT],
      [{ type: "SAVE_SETTINGS", port: "nope" }, PAGE],
      [{ type: "DISMISS_REJECTED" }, PAGE],
    ];
    for (const [message, sender] of cases) {
      let answer;
      assert.doesNotThrow(() => {
        answer = worker.route(message, sender);
      });
      assert.equal(typeof answer?.then, "function");
      const reply = await answer;
      assert.equal(typeof reply.error, "string", JSON.stringify(message));
      assert.notEqual(reply.error, "");
    }
  });
});
