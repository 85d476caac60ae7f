// service-worker.js, the entry: the browser's events reach the modules through the listeners
// it adds at its top level, and messages go through the router's switch.

import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { describe, test } from "node:test";

import { FakeCompanion, Loopback, VOCABULARY, capture, startWorker } from "./harness.mjs";

const PORT = 47613;
const EXTENSION_ID = "a".repeat(32);
const PAGE = { id: EXTENSION_ID, url: `chrome-extension://${EXTENSION_ID}/popup.html` };
const CONTENT_SCRIPT = { id: EXTENSION_ID, url: "https://www.linkedin.com/sales/ssi", tab: { id: 7 } };

async function setUp() {
  const loopback = new Loopback();
  const companion = loopback.listen(PORT, new FakeCompanion(PORT));
  const started = await startWorker({ loopback });
  await started.local.set({ settings: { port: PORT, token: companion.token } });
  return { loopback, companion, ...started };
}

// What the onMessage listener answers, as chrome.runtime.sendMessage would get it: a copy
// (in our realm, which assert.deepEqual tells apart from the worker's).
function send(chrome, message, sender = PAGE) {
  const [listener] = chrome.runtime.onMessage.listeners;
  return new Promise((resolve) => {
    const reply = (answer) => resolve(structuredClone(answer));
    assert.equal(listener(message, sender, reply), true, "an async reply returns true");
  });
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
    const once = { onMessage: 1, onStartup: 1, onInstalled: 1, onAlarm: 1, onChanged: 1 };
    assert.deepEqual(listenersAtStart, once);
    assert.equal(chrome.runtime.onMessage.listeners.length, 1, "and no more later");
  });

  test("loads every module of the worker, the generated vocabulary among them", async () => {
    const { modules } = await setUp();
    const pages = new Set(["content.js", "options.js", "popup.js", "eslint.config.js"]);
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

  test("a content script may send nothing else", async () => {
    const { chrome } = await setUp();
    const [listener] = chrome.runtime.onMessage.listeners;
    for (const type of ["GET_STATE", "RETRY_NOW", "TEST_CONNECTION", "PAIR_START", "PAIR_STATUS", "OPEN_SUMMARY"]) {
      assert.throws(() => listener({ type }, CONTENT_SCRIPT, () => {}), /answered only to the extension's own pages/);
    }
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

  test("an unknown message type throws", async () => {
    const { chrome } = await setUp();
    const [listener] = chrome.runtime.onMessage.listeners;
    assert.throws(() => listener({ type: "NOPE" }, PAGE, () => {}), /Unknown message type: NOPE/);
    assert.throws(() => listener(undefined, PAGE, () => {}), /Unknown message type: undefined/);
  });
});
