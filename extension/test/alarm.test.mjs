// The flush alarm is set as soon as a capture is kept, whatever becomes of the pass that
// starts then; and a capture queued while a pass runs waits for no alarm.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { CONTENT_SCRIPT, capture, captureMessage, sendMessage as send } from "./harness.mjs";
import { assertCheckWithinAMinute, setUp, stored } from "./outbox-helpers.mjs";

const API = "/api/v1";

describe("the alarm, from the first capture on", () => {
  for (const [what, path] of [
    ["the companion slow to answer its ping", `${API}/ping`],
    ["a POST that hangs", `${API}/captures`],
  ]) {
    test(`is set before the first pass is over (${what})`, async () => {
      const { chrome, loopback, companion, alarms, clock, idle } = await setUp();
      const held = loopback.hold(path);
      const reply = await send(chrome, captureMessage(), CONTENT_SCRIPT);
      assert.equal(reply.queued, true);
      await held.arrived;
      // Were the worker killed now, this alarm would run the next pass.
      assertCheckWithinAMinute(alarms, clock);
      held.release();
      await idle();
      assert.deepEqual(companion.captures.map((sent) => sent.id), [reply.id]);
      assert.equal(alarms.has("flush"), false, "cleared once the outbox is empty");
    });
  }

  test("one already set stays as it is (it may come sooner)", async () => {
    const { chrome, loopback, alarms, clock } = await setUp();
    const held = loopback.hold(`${API}/ping`);
    await chrome.alarms.create("flush", { when: clock.now() + 30000, periodInMinutes: 1 });
    await send(chrome, captureMessage(), CONTENT_SCRIPT);
    await held.arrived;
    assert.equal(alarms.get("flush").scheduledTime, clock.now() + 30000);
    held.release();
  });
});

describe("a capture queued while a pass runs", () => {
  test("is sent by that pass, if it is still sending", async () => {
    const { chrome, worker, loopback, companion, local, alarms, clock, idle } = await setUp();
    const first = capture();
    await local.set({ outbox: [first] });
    const held = loopback.hold(`${API}/captures`);
    const start = clock.now();
    const pass = worker.flush();
    await held.arrived;
    const later = await send(chrome, captureMessage("<main>later</main>"), CONTENT_SCRIPT);
    held.release();
    assert.equal(await pass, "drained");
    await idle();
    assert.deepEqual(companion.captures.map((sent) => sent.id), [first.id, later.id]);
    const paths = loopback.requests.map((request) => request.path.slice(API.length));
    assert.deepEqual(paths, ["/ping", "/proof", "/captures", "/captures"], "one pass");
    assert.equal(clock.now(), start, "no alarm was waited for");
    assert.equal(alarms.has("flush"), false);
  });

  test("is sent by the next pass at once, when the running one had already read the outbox", async () => {
    const { chrome, worker, loopback, companion, local, alarms, clock, idle } = await setUp();
    // A check with nothing to send: it reads the empty outbox, clears the alarm, and asks
    // for /status, which is slow to come.
    const held = loopback.hold(`${API}/status`);
    const start = clock.now();
    const check = worker.flush({ probe: true });
    await held.arrived;
    assert.equal(alarms.has("flush"), false, "the running pass cleared the alarm");
    const later = await send(chrome, captureMessage(), CONTENT_SCRIPT);
    // It waits for the flush lock, and the alarm is there all the same.
    assertCheckWithinAMinute(alarms, clock);
    held.release();
    assert.equal(await check, "connected");
    await idle();
    assert.deepEqual(companion.captures.map((sent) => sent.id), [later.id]);
    assert.deepEqual(stored(local), []);
    assert.equal(clock.now(), start, "no alarm was waited for");
    assert.equal(alarms.has("flush"), false);
  });
});
