// The outbox: each capture sent on its own with its own backoff, and a check at least every
// minute while anything waits, so that a companion that comes back gets everything at once.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { CONTENT_SCRIPT, VOCABULARY, capture, captureMessage, sendMessage as send } from "./harness.mjs";
import {
  MINUTE,
  PORT,
  assertCheckWithinAMinute,
  failing,
  nextCheck,
  paths,
  postsOf,
  setUp,
  stored,
} from "./outbox-helpers.mjs";

describe("the companion away, then back", () => {
  test("five captures queued while it is down are delivered in one pass within a minute of its return", async () => {
    const setup = await setUp({ running: false });
    const { chrome, loopback, companion, local, alarms, clock, idle, badge } = setup;
    const ids = [];
    for (let i = 0; i < 5; i += 1) {
      const reply = await send(chrome, captureMessage(`<main>visit ${i}</main>`), CONTENT_SCRIPT);
      assert.equal(reply.queued, true);
      ids.push(reply.id);
    }
    await idle();
    // Ten minutes down: a check every minute, and nobody's backoff moved.
    for (let minute = 0; minute < 10; minute += 1) {
      assertCheckWithinAMinute(alarms, clock);
      await nextCheck(setup);
    }
    assert.deepEqual(stored(local).map((item) => item.id), ids);
    for (const item of stored(local)) {
      assert.equal(item.attempts, 0);
      assert.equal(item.nextTryAt, null);
      assert.equal(item.lastError, null);
    }
    assert.equal(paths(loopback, "captures").length, 0);
    assert.equal(local.dump().state.connection, "not_running");
    assert.equal(badge.text, "!");

    loopback.listen(PORT, companion);
    const before = loopback.requests.length;
    const alarm = assertCheckWithinAMinute(alarms, clock);
    clock.advance(alarm.scheduledTime - clock.now());
    await setup.fireAlarm("flush");
    const pass = loopback.requests.slice(before).map((request) => request.path);
    assert.deepEqual(pass, ["/api/v1/ping", "/api/v1/proof", ...Array(5).fill("/api/v1/captures")], "one pass");
    assert.deepEqual(companion.captures.map((sent) => sent.id), ids);
    assert.deepEqual(stored(local), []);
    assert.equal(alarms.has("flush"), false, "the alarm is cleared with the outbox empty");
    assert.equal(local.dump().state.nextRetryAt, null);
    assert.equal(local.dump().state.connection, "connected");
    assert.equal(badge.text, "20");
  });

  test("an alarm left over with an empty outbox is cleared and asks nothing", async () => {
    const { loopback, alarms, fireAlarm, chrome } = await setUp();
    await chrome.alarms.create("flush", { periodInMinutes: 1 });
    await fireAlarm("flush");
    assert.equal(alarms.has("flush"), false);
    assert.deepEqual(loopback.requests, []);
  });

  test("an impostor on the port moves no backoff either", async () => {
    const { worker, local, alarms, clock, loopback } = await setUp({ running: false });
    loopback.listen(PORT, { handle: async () => ({ status: 200, json: { app: "ssi-companion", version: "9" } }) });
    await local.set({ outbox: [capture(), capture()] });
    assert.equal(await worker.flush(), "not_companion");
    assertCheckWithinAMinute(alarms, clock);
    assert.deepEqual(stored(local).map((item) => item.attempts), [0, 0]);
  });
});

describe("each capture on its own", () => {
  test("one answered 500 again and again does not hold up the others, and waits on its own", async () => {
    const setup = await setUp();
    const { worker, companion, loopback, local, alarms, clock } = setup;
    const [first, stuck, third] = [capture(), capture(), capture()];
    companion.answerCapture = (body) => (body.id === stuck.id ? failing(500, "internal", "Boom.") : undefined);
    await local.set({ outbox: [first, stuck, third] });

    assert.equal(await worker.flush(), "waiting");
    assert.deepEqual(companion.captures.map((sent) => sent.id), [first.id, third.id]);
    const [kept] = stored(local);
    assert.equal(kept.id, stuck.id);
    assert.equal(kept.attempts, 1);
    assert.equal(kept.lastStatus, 500);
    assert.equal(kept.lastError, "Boom.");
    assert.equal(Date.parse(kept.nextTryAt), clock.now() + MINUTE / 2);
    assert.equal(alarms.get("flush").scheduledTime, Date.parse(kept.nextTryAt), "the alarm is set for it");
    assert.equal(local.dump().state.connection, "connected");

    // A new visit meanwhile goes at once; the one that failed waits out its 30 s.
    const later = await send(setup.chrome, captureMessage("<main>later</main>"), CONTENT_SCRIPT);
    await setup.idle();
    assert.deepEqual(companion.captures.map((sent) => sent.id), [first.id, third.id, later.id]);
    assert.equal(postsOf(loopback, stuck.id).length, 1);

    await nextCheck(setup);
    const [again] = stored(local);
    assert.equal(postsOf(loopback, stuck.id).length, 2);
    assert.equal(again.attempts, 2);
    assert.equal(Date.parse(again.nextTryAt), clock.now() + MINUTE);
  });

  test("500 then 201 delivers it, and the outbox is done", async () => {
    const setup = await setUp();
    const { worker, companion, local, alarms } = setup;
    const item = capture();
    let answers = 0;
    companion.answerCapture = () => (answers++ === 0 ? failing(500, "internal", "Boom.") : undefined);
    await local.set({ outbox: [item] });
    assert.equal(await worker.flush(), "waiting");
    assert.equal(stored(local)[0].attempts, 1);
    await nextCheck(setup);
    assert.deepEqual(companion.captures.map((sent) => sent.id), [item.id]);
    assert.deepEqual(stored(local), []);
    assert.equal(alarms.has("flush"), false);
    assert.equal(typeof local.dump().latest.reading[VOCABULARY.TOTAL], "number");
  });

  test("the backoff: 0.5, 1, 2, 5, 15, 30, 60 minutes, then 60", async () => {
    const setup = await setUp();
    const { worker, companion, loopback, local, clock, alarms } = setup;
    assert.deepEqual(
      Array.from({ length: 9 }, (_, i) => worker.retryDelayMinutes(i + 1)),
      [0.5, 1, 2, 5, 15, 30, 60, 60, 60],
    );
    const item = capture();
    companion.answerCapture = () => failing(503, "busy", "Busy.");
    await local.set({ outbox: [item] });
    await worker.flush();
    const waits = [];
    for (let attempt = 1; attempt <= 9; attempt += 1) {
      const [kept] = stored(local);
      assert.equal(kept.attempts, attempt);
      const dueAt = Date.parse(kept.nextTryAt);
      waits.push((dueAt - clock.now()) / MINUTE);
      const posts = postsOf(loopback, item.id).length;
      // The minute's checks before it is due send nothing.
      while (stored(local)[0].attempts === attempt) {
        assertCheckWithinAMinute(alarms, clock);
        await nextCheck(setup);
        if (clock.now() < dueAt) assert.equal(postsOf(loopback, item.id).length, posts);
      }
      assert.equal(clock.now(), dueAt, "tried again right when it was due");
    }
    assert.deepEqual(waits, [0.5, 1, 2, 5, 15, 30, 60, 60, 60]);
    assert.equal(postsOf(loopback, item.id).length, 10);
    assert.equal(paths(loopback, "ping").length, 10, "a check with nothing due does not even ping");
  });

  test("a full disk (507), a timeout (408) and too many requests (429) wait with the companion's words", async () => {
    const { worker, companion, local } = await setUp();
    const [disk, slow, busy] = [capture(), capture(), capture()];
    const answers = {
      [disk.id]: failing(507, "disk_full", "The companion's disk is full: free some space."),
      [slow.id]: failing(408, "timeout", "Too slow."),
      [busy.id]: { status: 429, json: null },
    };
    companion.answerCapture = (body) => answers[body.id];
    await local.set({ outbox: [disk, slow, busy] });
    assert.equal(await worker.flush(), "waiting");
    const byId = Object.fromEntries(stored(local).map((item) => [item.id, item]));
    assert.equal(byId[disk.id].lastStatus, 507);
    assert.equal(byId[disk.id].lastError, "The companion's disk is full: free some space.");
    assert.equal(byId[slow.id].lastStatus, 408);
    assert.equal(byId[busy.id].lastError, "The companion answered HTTP 429.");
    const { outbox } = await worker.snapshot();
    assert.deepEqual(outbox.find((entry) => entry.id === disk.id), {
      id: disk.id,
      capturedAt: disk.capturedAt,
      attempts: 1,
      lastStatus: 507,
      lastError: "The companion's disk is full: free some space.",
      nextTryAt: byId[disk.id].nextTryAt,
      bytes: disk.html.length,
    });
  });

  test("no answer to one capture (the companion gone mid-pass) ends the pass; the others are untouched", async () => {
    const { worker, companion, local, alarms, clock } = await setUp();
    const [first, second] = [capture(), capture()];
    companion.answerCapture = () => {
      throw new TypeError("Failed to fetch");
    };
    await local.set({ outbox: [first, second] });
    assert.equal(await worker.flush(), "not_running");
    const [tried, untouched] = stored(local);
    assert.equal(tried.attempts, 1);
    assert.equal(tried.lastStatus, null);
    assert.equal(tried.lastError, "No answer from the companion (no answer).");
    assert.deepEqual(untouched, second);
    assert.equal(local.dump().state.connection, "not_running");
    assertCheckWithinAMinute(alarms, clock);
  });

  test("a 401 stops the pass and keeps everything as it was", async () => {
    const { worker, companion, loopback, local } = await setUp();
    const items = [capture(), capture()];
    companion.answerCapture = () => failing(401, "unauthorized", "No.");
    await local.set({ outbox: items });
    assert.equal(await worker.flush(), "pairing_needed");
    assert.deepEqual(stored(local), items);
    assert.equal(paths(loopback, "captures").length, 1);
    assert.equal(local.dump().state.connection, "pairing_needed");
  });

  test("a wait longer than any backoff (the clock was set back) is due now", async () => {
    const { worker, companion, local, clock } = await setUp();
    const stranded = { ...capture(), attempts: 3, nextTryAt: new Date(clock.now() + 5 * 60 * MINUTE).toISOString() };
    await local.set({ outbox: [stranded] });
    assert.equal(await worker.flush(), "drained");
    assert.deepEqual(companion.captures.map((sent) => sent.id), [stranded.id]);
  });

  test("Retry now makes every waiting capture due at once", async () => {
    const { chrome, companion, local, clock } = await setUp();
    const waiting = { ...capture(), attempts: 6, nextTryAt: new Date(clock.now() + 60 * MINUTE).toISOString() };
    await local.set({ outbox: [waiting] });
    const reply = await send(chrome, { type: "RETRY_NOW" });
    assert.deepEqual(companion.captures.map((sent) => sent.id), [waiting.id]);
    assert.equal(reply.outboxCount, 0);
    assert.deepEqual(reply.outbox, []);
  });
});
