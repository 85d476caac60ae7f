// The worker's only memory: chrome.storage.local (settings, outbox, rejected, state, latest),
// read and changed here, every read-modify-write under one Web Lock. The worker can be killed
// at any moment, so nothing is kept in module variables.

import { OUTBOX_BUDGET_BYTES, itemBytes, outboxBytes, outboxMessage, overWarning } from "./budget.js";
import { t } from "./i18n.js";

export const DEFAULT_SETTINGS = Object.freeze({ port: 47613, token: "" });
export const DEFAULT_STATE = Object.freeze({
  connection: "unknown",
  version: null,
  message: "",
  checkedAt: null,
  // When the flush alarm runs the next pass; null while the outbox is empty.
  nextRetryAt: null,
  // Why the last capture was refused for want of room (budget.js); null again once there is room.
  outboxRefusal: null,
});
// Only what the popup shows of a refused capture: never its page, which could be megabytes.
const REJECTED_FIELDS = ["id", "url", "capturedAt", "status", "code", "message", "rejectedAt"];
const REJECTED_KEEP = 100;
// A token goes in an Authorization header: printable ASCII without spaces, or fetch throws.
const TOKEN_TEXT = /^[\x21-\x7e]{1,512}$/;

// Web Locks live as long as the worker and need no global variable.
export function withLock(name, task, { ifAvailable = false } = {}) {
  return navigator.locks.request(`ssi-companion-${name}`, { ifAvailable }, (lock) =>
    lock ? task() : null,
  );
}

// Read-modify-write under one lock, so that a capture queued during a flush is never lost.
export function mutate(defaults, change) {
  return withLock("storage", async () => {
    const current = await chrome.storage.local.get(defaults);
    const changes = change(current);
    await chrome.storage.local.set(changes);
    return { ...current, ...changes };
  });
}

export async function readOutbox() {
  const { outbox } = await chrome.storage.local.get({ outbox: [] });
  return outbox;
}

export function validPort(value) {
  const port = Number(value);
  return value !== "" && value !== null && Number.isInteger(port) && port >= 1 && port <= 65535;
}

export function normalizeSettings(settings) {
  return {
    port: validPort(settings?.port) ? Number(settings.port) : DEFAULT_SETTINGS.port,
    token: typeof settings?.token === "string" ? settings.token.trim() : "",
  };
}

export async function readSettings() {
  const { settings } = await chrome.storage.local.get("settings");
  return normalizeSettings(settings);
}

const publicSettings = (settings) => ({ port: settings.port, hasToken: settings.token !== "" });

// The values typed in the options page win over the saved ones.
export async function chosenSettings(message) {
  const saved = await readSettings();
  const token = typeof message.token === "string" ? message.token.trim() : "";
  return {
    port: validPort(message.port) ? Number(message.port) : saved.port,
    token: token || saved.token,
  };
}

function typedToken(token) {
  if (token === undefined || token === null) return "";
  if (typeof token !== "string") throw new Error(t("workerTokenNotText"));
  const trimmed = token.trim();
  if (trimmed !== "" && !TOKEN_TEXT.test(trimmed)) {
    throw new Error(t("workerNotAToken"));
  }
  return trimmed;
}

// SAVE_SETTINGS, and pairing's token: under the storage lock, reading what is saved at that
// moment, so that the options page saving a port never puts back a token that pairing has
// just replaced (nor the other way round). An empty token keeps the saved one.
export async function saveSettings({ port, token }) {
  if (!validPort(port)) throw new Error(t("workerPortRange"));
  const typed = typedToken(token);
  const { settings } = await mutate({ settings: DEFAULT_SETTINGS }, ({ settings: saved }) => ({
    settings: { port: Number(port), token: typed || normalizeSettings(saved).token },
  }));
  return { ok: true, settings: publicSettings(settings) };
}

export function setState(patch) {
  return mutate({ state: DEFAULT_STATE }, ({ state }) => ({
    state: { ...DEFAULT_STATE, ...state, ...patch, checkedAt: new Date().toISOString() },
  }));
}

export const rejectedEntry = (entry) => Object.fromEntries(REJECTED_FIELDS.map((key) => [key, entry?.[key] ?? null]));

// Every write of `rejected` goes through here: the last REJECTED_KEEP, without their pages.
export const keptRejected = (rejected) => rejected.slice(-REJECTED_KEEP).map(rejectedEntry);

const hasExtraFields = (entry) => Object.keys(entry ?? {}).some((key) => !REJECTED_FIELDS.includes(key));

// Storage written by older versions: refused captures kept their page (up to 100 of them),
// and the state a global retry index. Run at every start and install or update.
export function migrateStorage() {
  return withLock("storage", async () => {
    const { rejected, state } = await chrome.storage.local.get(["rejected", "state"]);
    const changes = {};
    if (Array.isArray(rejected) && (rejected.some(hasExtraFields) || rejected.length > REJECTED_KEEP)) {
      changes.rejected = keptRejected(rejected);
    }
    if (state && "retryIndex" in state) {
      changes.state = { ...state };
      delete changes.state.retryIndex;
    }
    if (Object.keys(changes).length > 0) await chrome.storage.local.set(changes);
    return Object.keys(changes);
  });
}

// What the popup is told of a waiting capture: never its page, nor the token.
const waitingEntry = (item) => ({
  id: item.id,
  capturedAt: item.capturedAt,
  attempts: Number(item.attempts) || 0,
  lastStatus: item.lastStatus ?? null,
  lastError: item.lastError ?? null,
  nextTryAt: item.nextTryAt ?? null,
  bytes: itemBytes(item),
});

const publicState = (state) => ({
  connection: state.connection,
  version: state.version,
  message: state.message,
  checkedAt: state.checkedAt,
  nextRetryAt: state.nextRetryAt,
});

// What the popup and the options page are shown (GET_STATE): never the token, nor a page.
export async function snapshot() {
  const stored = await chrome.storage.local.get({
    settings: DEFAULT_SETTINGS,
    state: DEFAULT_STATE,
    latest: null,
    outbox: [],
    rejected: [],
  });
  const state = { ...DEFAULT_STATE, ...stored.state };
  const count = stored.outbox.length;
  const bytes = outboxBytes(stored.outbox);
  const refusal = typeof state.outboxRefusal === "string" ? state.outboxRefusal : null;
  const full = refusal !== null || bytes >= OUTBOX_BUDGET_BYTES;
  return {
    settings: publicSettings(normalizeSettings(stored.settings)),
    state: publicState(state),
    latest: stored.latest,
    outbox: stored.outbox.map(waitingEntry),
    outboxCount: count,
    outboxBytes: bytes,
    outboxBudget: OUTBOX_BUDGET_BYTES,
    outboxWarn: full || overWarning(bytes),
    outboxFull: full,
    outboxMessage: refusal ?? outboxMessage({ count, bytes }),
    rejected: stored.rejected.map(rejectedEntry).reverse(),
  };
}

// DISMISS_REJECTED: the popup's "dismiss" on one refused capture; the new snapshot.
export async function dismissRejected(message) {
  if (typeof message.id !== "string" || message.id === "") throw new Error("DISMISS_REJECTED needs an id");
  await mutate({ rejected: [] }, ({ rejected }) => ({
    rejected: keptRejected(rejected.filter((entry) => entry?.id !== message.id)),
  }));
  return snapshot();
}
