// The outbox: captures wait in chrome.storage.local until the companion has them. A pass
// proves the port, then sends every capture that is due, each on its own: the companion
// orders them by captured_at, so one that keeps failing holds up none of the others. Each
// item keeps its own attempts, last answer and next try; only a send that failed moves that
// item's backoff. While anything waits, the chrome.alarms alarm FLUSH_ALARM runs a pass at
// least every minute (the worker may be gone in between), so a companion that comes back
// gets the whole outbox within a minute, and the alarm is cleared once the outbox is empty.
// It is set as soon as a capture is kept (intake.js), before any pass: a worker killed during
// the pass that follows (a POST may take a minute) still has a pass to come.

import { updateBadge } from "./badge.js";
import {
  TIMED_OUT,
  findCompanion,
  isSuccess,
  notRunningMessage,
  probeToken,
  recordFound,
  request,
  serverError,
  tokenRefusedMessage,
} from "./companion-client.js";
import { plural, t } from "./i18n.js";
import {
  DEFAULT_STATE,
  keptRejected,
  mutate,
  readOutbox,
  readSettings,
  setState,
  snapshot,
  withLock,
} from "./storage.js";

export const FLUSH_ALARM = "flush";
// One item's wait after its 1st, 2nd, ... failed send (5xx, 408, 429, no answer); then 60.
export const RETRY_DELAYS_MINUTES = Object.freeze([0.5, 1, 2, 5, 15, 30, 60]);
// While captures wait, a pass runs at least this often: a companion that was not running is
// found again within a minute, without "Retry now".
export const CHECK_EVERY_MINUTES = 1;
// Chrome runs a packed extension's alarms 30 s apart at the soonest.
const SOONEST_MINUTES = 0.5;
const MINUTE_MS = 60000;

export function retryDelayMinutes(attempts) {
  const index = Math.min(Math.max(Math.trunc(Number(attempts) || 0), 1), RETRY_DELAYS_MINUTES.length) - 1;
  return RETRY_DELAYS_MINUTES[index];
}

const LONGEST_WAIT_MS = RETRY_DELAYS_MINUTES.at(-1) * MINUTE_MS;

// An item is due unless its nextTryAt is still to come (null, or unreadable, is due). A wait
// longer than any backoff means the clock was set back: that item is due too.
function isDue(item, now) {
  const wait = Date.parse(item.nextTryAt) - now;
  return !(wait > 0 && wait <= LONGEST_WAIT_MS);
}
const dueTime = (item, now) => (isDue(item, now) ? now : Date.parse(item.nextTryAt));
const isoTime = (ms) => new Date(ms).toISOString();

// The next pass: the soonest item's next try, but within a minute whatever happens, and a
// minute from now when the companion did not answer (nothing can be sent before it does).
// The alarm repeats each minute, so a pass that never ends (the worker killed) is not the last.
// The outbox is read again: a capture may have been queued during the pass. Under the storage
// lock: a capture is either in the outbox read here, or kept after the alarm was cleared (and
// queueCapture then sets it again), never lost in between.
async function scheduleNextPass({ unreachable = false } = {}) {
  const when = await withLock("storage", async () => {
    const outbox = await readOutbox();
    if (outbox.length === 0) {
      await chrome.alarms.clear(FLUSH_ALARM);
      return null;
    }
    const now = Date.now();
    const soonest = unreachable ? Infinity : Math.min(...outbox.map((item) => dueTime(item, now)));
    const next = Math.min(Math.max(soonest, now + SOONEST_MINUTES * MINUTE_MS), now + CHECK_EVERY_MINUTES * MINUTE_MS);
    await chrome.alarms.create(FLUSH_ALARM, { when: next, periodInMinutes: CHECK_EVERY_MINUTES });
    return next;
  });
  await setState({ nextRetryAt: when === null ? null : isoTime(when) });
}

// A capture was kept: the alarm runs from now on, whatever becomes of the pass that starts
// now. One already set stays as it is (it may come sooner).
export async function keepChecking() {
  if (!(await chrome.alarms.get(FLUSH_ALARM))) {
    await chrome.alarms.create(FLUSH_ALARM, { periodInMinutes: CHECK_EVERY_MINUTES });
  }
}

// A capture leaves the outbox (delivered or refused): that makes room for the next visit.
function leaveOutbox(id, change = () => ({})) {
  return mutate({ outbox: [], state: DEFAULT_STATE, latest: null, rejected: [] }, (current) => ({
    ...change(current),
    outbox: current.outbox.filter((queued) => queued.id !== id),
    state: { ...DEFAULT_STATE, ...current.state, outboxRefusal: null },
  }));
}

function recordDelivered(item, body) {
  return leaveOutbox(item.id, ({ latest }) => ({
    latest: body.reading
      ? {
          reading: body.reading,
          previous: body.previous ?? null,
          change: body.change ?? null,
          deliveredAt: new Date().toISOString(),
        }
      : latest,
  }));
}

// Final: the companion will never take this page. Only what the popup shows is kept.
function recordRejected(item, status, { code, message }) {
  return leaveOutbox(item.id, ({ rejected }) => ({
    rejected: keptRejected([
      ...rejected,
      { id: item.id, url: item.url, capturedAt: item.capturedAt, status, code, message, rejectedAt: new Date().toISOString() },
    ]),
  }));
}

// This item's send failed (a 5xx such as 507 disk_full, 408, 429, or no answer): its own
// backoff moves on, with the companion's words for the popup.
async function recordFailure(item, answer) {
  const lastError = answer.networkError
    ? answer.networkError === TIMED_OUT
      ? t("workerNoAnswerTimedOut")
      : t("workerNoAnswer")
    : serverError(answer).message;
  await mutate({ outbox: [] }, ({ outbox }) => ({
    outbox: outbox.map((queued) => {
      if (queued.id !== item.id) return queued;
      const attempts = (Number(queued.attempts) || 0) + 1;
      const nextTryAt = isoTime(Date.now() + retryDelayMinutes(attempts) * MINUTE_MS);
      return { ...queued, attempts, lastStatus: answer.networkError ? null : answer.status, lastError, nextTryAt };
    }),
  }));
  return lastError;
}

// Any other 4xx is the page's fault, not the moment's: trying again would not help.
const isFinalRefusal = (status) => status >= 400 && status < 500 && ![401, 408, 429].includes(status);

// What the companion is sent for a capture; its size is what the companion's limit counts.
export const captureBody = (item) => ({ id: item.id, captured_at: item.capturedAt, url: item.url, html: item.html });

// One outbox item to the companion; what became of it.
async function send(item, settings) {
  const answer = await request(settings.port, "captures", {
    method: "POST",
    token: settings.token,
    body: captureBody(item),
  });
  const { status } = answer;
  console.info(`capture ${item.id}: ${answer.networkError ?? status}`);
  if (isSuccess(status)) {
    await recordDelivered(item, answer.json ?? {});
    return { outcome: "delivered" };
  }
  if (status === 401) return { outcome: "pairing_needed" };
  if (isFinalRefusal(status)) {
    await recordRejected(item, status, serverError(answer));
    return { outcome: "rejected" };
  }
  const error = await recordFailure(item, answer);
  return { outcome: answer.networkError ? "not_running" : "failed", error };
}

// Every item that is due, oldest first, each once. The outbox is read again before each send:
// a capture queued meanwhile goes in the same pass. A 401, or the companion gone, ends the
// pass and leaves the others as they are.
async function sendDue(settings, version) {
  const tried = new Set();
  const failures = [];
  for (;;) {
    const now = Date.now();
    const item = (await readOutbox()).find((queued) => !tried.has(queued.id) && isDue(queued, now));
    if (!item) break;
    tried.add(item.id);
    const { outcome, error } = await send(item, settings);
    if (outcome === "pairing_needed") {
      await setState({ connection: "pairing_needed", version, message: tokenRefusedMessage() });
      return "pairing_needed";
    }
    if (outcome === "not_running") {
      await setState({ connection: "not_running", version: null, message: notRunningMessage(settings.port) });
      return "not_running";
    }
    if (outcome === "failed") failures.push(error);
  }
  const message = failures.length === 0 ? "" : plural("workerCouldNotTake", failures.length, failures.at(-1));
  await setState({ connection: "connected", version, message });
  return null;
}

// One pass. Outcomes: "empty", "waiting" (what is left waits out its backoff), "drained",
// "connected" / "unknown" (a probe with nothing to send), or why nothing could be sent
// ("not_running", "not_companion", "pairing_needed").
async function deliver({ probe }) {
  const outbox = await readOutbox();
  if (outbox.length === 0 && !probe) {
    await scheduleNextPass();
    return "empty";
  }
  // Nothing is due: the companion need not even be asked.
  if (!probe && !outbox.some((item) => isDue(item, Date.now()))) {
    await scheduleNextPass();
    return "waiting";
  }
  const settings = await readSettings();
  const found = await findCompanion(settings.port, settings.token);
  if (found.connection !== "connected") {
    // Nothing was sent, so nothing failed: no item's backoff moves, the check comes again.
    await recordFound(found);
    await scheduleNextPass({ unreachable: true });
    console.info(`flush: ${found.connection}`);
    return found.connection;
  }
  if (outbox.length === 0) {
    await scheduleNextPass();
    return probeToken(settings, found.version);
  }
  const stop = await sendDue(settings, found.version);
  // After a 401 or a companion gone mid-pass, the next check is a minute away, like any other.
  await scheduleNextPass({ unreachable: stop !== null });
  return stop ?? ((await readOutbox()).length === 0 ? "drained" : "waiting");
}

// Never two at once, and never skipped: a flush asked for while another runs waits its turn,
// so a capture queued or a setting changed meanwhile is seen by the next pass. (Returning at
// once instead stranded such a capture when the running pass had already read the outbox.)
export async function flush({ probe = false } = {}) {
  const outcome = await withLock("flush", () => deliver({ probe }));
  await updateBadge();
  return outcome;
}

export function flushInBackground(options) {
  flush(options).catch((error) => console.warn(`flush failed: ${error?.name ?? "error"}`));
}

// RETRY_NOW: every waiting capture is due at once, and a pass runs (it proves the port even
// when nothing waits). The attempts stay: a capture that fails again waits longer.
export async function retryNow() {
  await mutate({ outbox: [] }, ({ outbox }) => ({ outbox: outbox.map((item) => ({ ...item, nextTryAt: null })) }));
  await flush({ probe: true });
  return snapshot();
}
