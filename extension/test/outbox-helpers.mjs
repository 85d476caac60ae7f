// What the outbox tests share: a worker with a companion that runs or not, and its alarm.

import assert from "node:assert/strict";

import { FakeCompanion, Loopback, startWorker } from "./harness.mjs";

export const PORT = 47613;
export const MINUTE = 60000;
export const MB = 1024 * 1024;

export async function setUp({ running = true } = {}) {
  const loopback = new Loopback();
  const companion = new FakeCompanion(PORT);
  if (running) loopback.listen(PORT, companion);
  const started = await startWorker({ loopback });
  await started.local.set({ settings: { port: PORT, token: companion.token } });
  return { loopback, companion, ...started };
}

export const paths = (loopback, path) => loopback.requests.filter((request) => request.path === `/api/v1/${path}`);
export const postsOf = (loopback, id) => paths(loopback, "captures").filter((request) => request.body.id === id);
export const stored = (local) => local.dump().outbox ?? [];
export const failing = (status, code, message) => ({ status, json: { error: { code, message } } });

// The flush alarm: it repeats every minute and its next run is at most a minute away.
export function assertCheckWithinAMinute(alarms, clock) {
  const alarm = alarms.get("flush");
  assert.ok(alarm, "the flush alarm is set");
  assert.equal(alarm.periodInMinutes, 1);
  assert.ok(alarm.scheduledTime - clock.now() <= MINUTE, "the next check is within a minute");
  assert.ok(alarm.scheduledTime - clock.now() >= MINUTE / 2 - 5, "and not sooner than Chrome allows");
  return alarm;
}

// Time moves on to the alarm, which fires.
export async function nextCheck({ alarms, clock, fireAlarm }) {
  const alarm = alarms.get("flush");
  clock.advance(Math.max(0, alarm.scheduledTime - clock.now()));
  await fireAlarm("flush");
}
