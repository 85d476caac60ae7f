// The outbox: captures wait in chrome.storage.local until the companion has them. A flush
// proves the port, then sends them in order; a failure that may pass is retried with backoff
// by the chrome.alarms alarm FLUSH_ALARM (the worker may be gone by then).

import { updateBadge } from "./badge.js";
import {
  TOKEN_REFUSED_MESSAGE,
  describeFailure,
  findCompanion,
  isSuccess,
  notRunningMessage,
  recordFound,
  request,
  serverError,
} from "./companion-client.js";
import { DEFAULT_STATE, mutate, readOutbox, readSettings, setState, snapshot, withLock } from "./storage.js";

export const FLUSH_ALARM = "flush";
const RETRY_DELAYS_MINUTES = [0.5, 1, 2, 5, 15, 30, 60];
// Rejected captures are final; keeping their pages forever would fill storage.local.
const REJECTED_KEEP = 100;

async function scheduleRetry() {
  let delay = RETRY_DELAYS_MINUTES[0];
  await mutate({ state: DEFAULT_STATE }, ({ state }) => {
    const index = Math.min(Math.max(Number(state.retryIndex) || 0, 0), RETRY_DELAYS_MINUTES.length - 1);
    delay = RETRY_DELAYS_MINUTES[index];
    return {
      state: {
        ...DEFAULT_STATE,
        ...state,
        retryIndex: Math.min(index + 1, RETRY_DELAYS_MINUTES.length - 1),
        nextRetryAt: new Date(Date.now() + delay * 60000).toISOString(),
      },
    };
  });
  await chrome.alarms.create(FLUSH_ALARM, { delayInMinutes: delay });
  console.info(`flush: retry in ${delay} min`);
}

async function clearRetry() {
  await chrome.alarms.clear(FLUSH_ALARM);
  await setState({ retryIndex: 0, nextRetryAt: null });
}

// One outbox item to the companion. Returns null to go on with the next item, or why to stop.
async function send(item, settings, version) {
  const answer = await request(settings.port, "captures", {
    method: "POST",
    token: settings.token,
    body: { id: item.id, captured_at: item.capturedAt, url: item.url, html: item.html },
  });
  const { status } = answer;
  if (isSuccess(status)) {
    const body = answer.json ?? {};
    await mutate({ outbox: [], latest: null }, ({ outbox, latest }) => ({
      outbox: outbox.filter((queued) => queued.id !== item.id),
      latest: body.reading
        ? {
            reading: body.reading,
            previous: body.previous ?? null,
            change: body.change ?? null,
            deliveredAt: new Date().toISOString(),
          }
        : latest,
    }));
    await setState({ connection: "connected", version, message: "", retryIndex: 0, nextRetryAt: null });
    console.info(`capture ${item.id} delivered: ${status}`);
    return null;
  }
  if (status === 401) {
    await setState({ connection: "pairing_needed", version, message: TOKEN_REFUSED_MESSAGE });
    console.info(`capture ${item.id} kept: 401`);
    return "pairing_needed";
  }
  const final = status >= 400 && status < 500 && status !== 408 && status !== 429;
  if (!final) {
    const lastError = answer.networkError
      ? `No answer from the companion (${answer.networkError}).`
      : `HTTP ${status}: ${serverError(answer).message}`;
    await mutate({ outbox: [] }, ({ outbox }) => ({
      outbox: outbox.map((queued) =>
        queued.id === item.id ? { ...queued, attempts: (queued.attempts || 0) + 1, lastError } : queued,
      ),
    }));
    await setState({
      connection: answer.networkError ? "not_running" : "connected",
      version: answer.networkError ? null : version,
      message: answer.networkError ? notRunningMessage(settings.port) : lastError,
    });
    console.info(`capture ${item.id} kept: ${answer.networkError ?? status}`);
    await scheduleRetry();
    return "retry";
  }
  const { code, message } = serverError(answer);
  await mutate({ outbox: [], rejected: [] }, ({ outbox, rejected }) => {
    const entry = {
      id: item.id,
      url: item.url,
      capturedAt: item.capturedAt,
      status,
      code,
      message,
      rejectedAt: new Date().toISOString(),
    };
    // On 422 the companion keeps the raw page itself.
    if (status !== 422) entry.html = item.html;
    return {
      outbox: outbox.filter((queued) => queued.id !== item.id),
      rejected: [...rejected, entry].slice(-REJECTED_KEEP),
    };
  });
  await setState({ connection: "connected", version });
  console.info(`capture ${item.id} rejected: ${status} ${code ?? ""}`);
  return null;
}

// With nothing to send, still tell whether the saved token works (after pairing, say).
async function probeToken(settings, version) {
  const answer = await request(settings.port, "status", { token: settings.token });
  if (answer.status === 200) {
    await setState({ connection: "connected", version, message: "" });
    return "connected";
  }
  if (answer.status === 401) {
    await setState({ connection: "pairing_needed", version, message: TOKEN_REFUSED_MESSAGE });
    return "pairing_needed";
  }
  await setState({ version, message: describeFailure(answer, settings.port) });
  return "unknown";
}

async function deliver({ probe }) {
  const outbox = await readOutbox();
  if (outbox.length === 0 && !probe) return "empty";
  const settings = await readSettings();
  const found = await findCompanion(settings.port, settings.token);
  if (found.connection !== "connected") {
    await recordFound(found);
    // Without a token, a new one (pairing, the options) flushes again through onChanged.
    if (outbox.length > 0 && found.connection !== "pairing_needed") await scheduleRetry();
    console.info(`flush: ${found.connection}`);
    return found.connection;
  }
  if (outbox.length === 0) return probeToken(settings, found.version);
  for (;;) {
    // Re-read every time: captures may have been queued while the last one was sent.
    const [item] = await readOutbox();
    if (!item) {
      await clearRetry();
      return "drained";
    }
    const stop = await send(item, settings, found.version);
    if (stop) return stop;
  }
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

// CAPTURE: the content script's page joins the outbox, then a flush starts.
export async function queueCapture(message) {
  const { url, capturedAt, html } = message;
  if (typeof url !== "string" || typeof capturedAt !== "string" || typeof html !== "string") {
    throw new Error("CAPTURE needs url, capturedAt and html as strings");
  }
  const item = {
    id: crypto.randomUUID(),
    url,
    capturedAt,
    html,
    attempts: 0,
    queuedAt: new Date().toISOString(),
    lastError: null,
  };
  try {
    await mutate({ outbox: [] }, ({ outbox }) => ({ outbox: [...outbox, item] }));
  } catch (error) {
    await setState({ message: "The browser refused to store the capture (storage full?)." });
    throw error;
  }
  console.info(`capture ${item.id} queued`);
  flushInBackground();
  return { queued: true, id: item.id };
}

// RETRY_NOW: the backoff starts over, and a flush runs at once.
export async function retryNow() {
  await mutate({ state: DEFAULT_STATE }, ({ state }) => ({
    state: { ...DEFAULT_STATE, ...state, retryIndex: 0, nextRetryAt: null },
  }));
  await flush({ probe: true });
  return snapshot();
}
