// What the outbox may hold: a size budget that warns early, refuses out loud and drops
// nothing; refused captures kept without their pages; the snapshot the popup renders.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { CONTENT_SCRIPT, capture, captureMessage, sendMessage as send } from "./harness.mjs";
import { MB, PORT, failing, nextCheck, paths, setUp, stored } from "./outbox-helpers.mjs";

describe("the outbox's size budget", () => {
  test("warns at half, refuses out loud at the budget, drops nothing, and delivers it all later", async () => {
    const setup = await setUp({ running: false });
    const { chrome, worker, loopback, companion, local, badge } = setup;
    assert.equal(worker.OUTBOX_BUDGET_BYTES, 6 * MB);
    assert.equal(worker.OUTBOX_WARN_FRACTION, 0.5);
    const page = (n) => `<main>${n}`.padEnd(MB, "x");
    const ids = [];
    for (let n = 1; n <= 6; n += 1) {
      const reply = await send(chrome, captureMessage(page(n)), CONTENT_SCRIPT);
      assert.equal(reply.queued, true, `capture ${n}`);
      ids.push(reply.id);
      const state = await send(chrome, { type: "GET_STATE" });
      assert.equal(state.outboxBytes, n * MB);
      assert.equal(state.outboxBudget, 6 * MB);
      assert.equal(state.outboxWarn, n >= 3, `warning after ${n} MB`);
      assert.equal(state.outboxFull, n === 6, `full after ${n} MB`);
      if (n === 3) assert.match(state.outboxMessage, /^3 captures wait \(3\.0 MB of 6\.0 MB\) and space is running out/);
      if (n < 3) assert.equal(state.outboxMessage, "");
    }
    await setup.idle();

    const refused = await send(chrome, captureMessage("<main>one more</main>"), CONTENT_SCRIPT);
    const words =
      "The outbox is full (6 captures, 6.0 MB wait): start the companion so they can be delivered. " +
      "This visit was not kept.";
    assert.deepEqual(refused, { error: words });
    assert.deepEqual(stored(local).map((item) => item.id), ids, "nothing was dropped to make room");
    assert.equal(local.dump().state.message, words);
    const full = await send(chrome, { type: "GET_STATE" });
    assert.equal(full.outboxFull, true);
    assert.equal(full.outboxWarn, true);
    assert.equal(full.outboxCount, 6);
    assert.match(full.outboxMessage, /^The outbox is full \(6 captures, 6\.0 MB wait\)/);
    assert.equal(badge.text, "!");

    loopback.listen(PORT, companion);
    await nextCheck(setup);
    assert.deepEqual(companion.captures.map((sent) => sent.id), ids);
    const after = await send(chrome, { type: "GET_STATE" });
    assert.deepEqual(
      [after.outboxCount, after.outboxBytes, after.outboxWarn, after.outboxFull, after.outboxMessage],
      [0, 0, false, false, ""],
    );
    assert.equal(badge.text, "20");
    assert.equal((await send(chrome, captureMessage(page(7)), CONTENT_SCRIPT)).queued, true, "room again");
  });

  test("a page larger than the companion accepts (5 MB) is not kept, and says so until one is", async () => {
    const { chrome, worker, loopback, companion, local, badge, idle } = await setUp();
    assert.equal(worker.COMPANION_MAX_BODY_BYTES, 5 * MB);
    const words = "This page is larger than the companion accepts (5 MB): it was not kept.";
    // What counts is the POST the companion would get: a page of exactly 5 MB is more with
    // its JSON around it, and each quote in a page is two bytes there.
    for (const html of ["<main>".padEnd(7 * MB, "x"), "<main>".padEnd(5.5 * MB, "x"), "<main>".padEnd(5 * MB, "x"), '"'.repeat(3 * MB)]) {
      assert.deepEqual(await send(chrome, captureMessage(html), CONTENT_SCRIPT), { error: words }, `${html.length} bytes`);
    }
    await idle();
    assert.deepEqual(stored(local), []);
    assert.equal(paths(loopback, "captures").length, 0, "nothing the companion would answer 413 is sent");
    const refused = await send(chrome, { type: "GET_STATE" });
    assert.deepEqual([refused.outboxFull, refused.outboxMessage], [true, words]);
    assert.equal(badge.text, "!");
    // A pass that finds the companion and has nothing to send does not hide it.
    assert.equal(await worker.flush({ probe: true }), "connected");
    assert.equal((await send(chrome, { type: "GET_STATE" })).outboxMessage, words);
    assert.equal(badge.text, "!");

    const largest = await send(chrome, captureMessage("<main>".padEnd(5 * MB - 1024, "x")), CONTENT_SCRIPT);
    assert.equal(largest.queued, true);
    await idle();
    assert.deepEqual(companion.captures.map((sent) => sent.id), [largest.id]);
    const after = await send(chrome, { type: "GET_STATE" });
    assert.deepEqual([after.outboxFull, after.outboxMessage], [false, ""]);
    assert.equal(badge.text, "20");
  });

  test("a capture the browser cannot store is refused out loud, and stays said until one is kept", async () => {
    const { chrome, worker, companion, local, badge, idle } = await setUp();
    local.refuses = (items) => "outbox" in items;
    const words = "The browser refused to store this capture (is its storage full?): it was not kept.";
    assert.deepEqual(await send(chrome, captureMessage(), CONTENT_SCRIPT), { error: words });
    assert.equal(badge.text, "!");
    const refused = await send(chrome, { type: "GET_STATE" });
    assert.deepEqual([refused.outboxFull, refused.outboxMessage, refused.outboxCount], [true, words, 0]);
    // The next pass (connected, nothing to send) writes its own message; the refusal stays.
    assert.equal(await worker.flush({ probe: true }), "connected");
    const checked = await send(chrome, { type: "GET_STATE" });
    assert.deepEqual([checked.state.connection, checked.state.message, checked.outboxMessage], ["connected", "", words]);
    assert.equal(badge.text, "!");

    local.refuses = null;
    const kept = await send(chrome, captureMessage(), CONTENT_SCRIPT);
    assert.equal(kept.queued, true);
    await idle();
    assert.deepEqual(companion.captures.map((sent) => sent.id), [kept.id]);
    assert.equal((await send(chrome, { type: "GET_STATE" })).outboxMessage, "");
    assert.equal(badge.text, "20");
  });

  test("captures queued by an older version (no size kept) are measured", async () => {
    const { worker, local } = await setUp({ running: false });
    const old = capture("é".repeat(1000)); // 2 bytes each in UTF-8
    delete old.bytes;
    await local.set({ outbox: [old] });
    assert.equal((await worker.snapshot()).outboxBytes, 2000);
  });
});

describe("refused captures", () => {
  test("are kept without their page, newest first in the snapshot, and can be dismissed", async () => {
    const { worker, chrome, companion, local } = await setUp();
    const [tooLarge, invalid] = [capture("<main>".padEnd(200000, "x")), capture()];
    companion.answerCapture = (body) =>
      body.id === tooLarge.id
        ? failing(413, "too_large", "The page is too large.")
        : failing(422, "invalid_values", "The values are out of range.");
    await local.set({ outbox: [tooLarge, invalid] });
    assert.equal(await worker.flush(), "drained");
    const { rejected } = local.dump();
    assert.deepEqual(rejected.map((entry) => [entry.id, entry.status, entry.code]), [
      [tooLarge.id, 413, "too_large"],
      [invalid.id, 422, "invalid_values"],
    ]);
    for (const entry of rejected) {
      assert.deepEqual(Object.keys(entry).sort(), ["capturedAt", "code", "id", "message", "rejectedAt", "status", "url"]);
    }
    assert.ok(JSON.stringify(local.dump()).length < 10000, "no page is kept");

    const state = await send(chrome, { type: "GET_STATE" });
    assert.deepEqual(state.rejected.map((entry) => entry.id), [invalid.id, tooLarge.id], "newest first");
    const dismissed = await send(chrome, { type: "DISMISS_REJECTED", id: tooLarge.id });
    assert.deepEqual(dismissed.rejected.map((entry) => entry.id), [invalid.id]);
    assert.deepEqual(local.dump().rejected.map((entry) => entry.id), [invalid.id]);
    const again = await send(chrome, { type: "DISMISS_REJECTED", id: "no-such-id" });
    assert.deepEqual(again.rejected.map((entry) => entry.id), [invalid.id]);
    assert.deepEqual(await send(chrome, { type: "DISMISS_REJECTED" }), { error: "DISMISS_REJECTED needs an id" });
    assert.deepEqual(await send(chrome, { type: "DISMISS_REJECTED", id: invalid.id }, CONTENT_SCRIPT), {
      error: "DISMISS_REJECTED is answered only to the extension's own pages",
    });
  });

  test("pages stored by older versions go at the next write, and only the last 100 are kept", async () => {
    const { worker, companion, local } = await setUp();
    const legacy = Array.from({ length: 100 }, (_, n) => ({
      id: `old${n}`,
      url: "https://www.linkedin.com/sales/ssi",
      capturedAt: "2026-11-26T21:05:03.120-05:00",
      status: 400,
      code: "bad_request",
      message: "Bad.",
      rejectedAt: "2026-11-26T21:06:00.000Z",
      html: "<main>old page</main>",
    }));
    const item = capture();
    companion.answerCapture = () => failing(400, "bad_request", "Bad.");
    await local.set({ rejected: legacy, outbox: [item] });
    await worker.flush();
    const { rejected } = local.dump();
    assert.equal(rejected.length, 100);
    assert.equal(rejected[0].id, "old1");
    assert.equal(rejected.at(-1).id, item.id);
    assert.doesNotMatch(JSON.stringify(rejected), /old page|html/);
  });
});

describe("the snapshot (GET_STATE)", () => {
  test("has the shape the popup and the options render, and neither a page nor the token", async () => {
    const { chrome, worker, companion, local } = await setUp({ running: false });
    await send(chrome, captureMessage("<main>secret page</main>"), CONTENT_SCRIPT);
    await worker.flush();
    const state = await send(chrome, { type: "GET_STATE" });
    assert.deepEqual(Object.keys(state).sort(), [
      "latest",
      "outbox",
      "outboxBudget",
      "outboxBytes",
      "outboxCount",
      "outboxFull",
      "outboxMessage",
      "outboxWarn",
      "rejected",
      "settings",
      "state",
    ]);
    assert.deepEqual(state.settings, { port: PORT, hasToken: true });
    assert.deepEqual(Object.keys(state.state).sort(), ["checkedAt", "connection", "message", "nextRetryAt", "version"]);
    assert.equal(state.state.connection, "not_running");
    assert.equal(state.latest, null);
    const [queued] = state.outbox;
    assert.deepEqual(Object.keys(queued).sort(), ["attempts", "bytes", "capturedAt", "id", "lastError", "lastStatus", "nextTryAt"]);
    assert.equal(queued.id, stored(local)[0].id);
    const text = JSON.stringify(state);
    assert.doesNotMatch(text, /secret page/);
    assert.equal(text.includes(companion.token), false);
  });

  test("lists the waiting captures oldest first", async () => {
    const { worker, local } = await setUp({ running: false });
    const items = [capture(), capture(), capture()];
    await local.set({ outbox: items });
    assert.deepEqual((await worker.snapshot()).outbox.map((entry) => entry.id), items.map((item) => item.id));
  });
});
