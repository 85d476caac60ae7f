// The worker's only memory: chrome.storage.local (settings, outbox, rejected, state, latest),
// read and changed here, every read-modify-write under one Web Lock. The worker can be killed
// at any moment, so nothing is kept in module variables.

export const DEFAULT_SETTINGS = Object.freeze({ port: 47613, token: "" });
export const DEFAULT_STATE = Object.freeze({
  connection: "unknown",
  version: null,
  message: "",
  checkedAt: null,
  retryIndex: 0,
  nextRetryAt: null,
});
const OUTBOX_WARN = 200;

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

// The values typed in the options page win over the saved ones.
export async function chosenSettings(message) {
  const saved = await readSettings();
  const token = typeof message.token === "string" ? message.token.trim() : "";
  return {
    port: validPort(message.port) ? Number(message.port) : saved.port,
    token: token || saved.token,
  };
}

export function setState(patch) {
  return mutate({ state: DEFAULT_STATE }, ({ state }) => ({
    state: { ...DEFAULT_STATE, ...state, ...patch, checkedAt: new Date().toISOString() },
  }));
}

// What the popup and the options page are shown (GET_STATE): never the token, nor a page.
export async function snapshot() {
  const stored = await chrome.storage.local.get({
    settings: DEFAULT_SETTINGS,
    state: DEFAULT_STATE,
    latest: null,
    outbox: [],
    rejected: [],
  });
  const settings = normalizeSettings(stored.settings);
  return {
    settings: { port: settings.port, hasToken: settings.token !== "" },
    state: { ...DEFAULT_STATE, ...stored.state },
    latest: stored.latest,
    outboxCount: stored.outbox.length,
    rejected: stored.rejected.map((entry) => ({
      id: entry.id,
      url: entry.url,
      capturedAt: entry.capturedAt,
      status: entry.status,
      code: entry.code,
      message: entry.message,
      rejectedAt: entry.rejectedAt,
    })),
    outboxWarn: stored.outbox.length > OUTBOX_WARN,
  };
}
