"use strict";

// The only code that talks to the companion. Runs as a Chrome MV3 service worker and as a
// Firefox background script. It can be killed at any moment, so nothing lives in globals:
// the outbox, the connection state and the retry schedule are in chrome.storage.local, the
// next retry is a chrome.alarms alarm, a pairing's secret is in chrome.storage.session
// (memory only). Logs carry ids and statuses only, never the token, a secret or a page.
//
// Whether the port holds our companion is never stored: every pass that would send the
// token or a capture first asks the port to prove that it knows the token (HMAC-SHA256 of a
// fresh nonce), so a worker that starts again, or a port that changed hands, is checked anew.

// Message ids (content.js, popup.js and options.js spell the ones they send the same way).
const CAPTURE = "CAPTURE";
const GET_STATE = "GET_STATE";
const RETRY_NOW = "RETRY_NOW";
const TEST_CONNECTION = "TEST_CONNECTION";
const PAIR_START = "PAIR_START";
const PAIR_STATUS = "PAIR_STATUS";
const OPEN_SUMMARY = "OPEN_SUMMARY";

const DEFAULT_SETTINGS = Object.freeze({ port: 47613, token: "" });
const DEFAULT_STATE = Object.freeze({
  connection: "unknown",
  version: null,
  message: "",
  checkedAt: null,
  retryIndex: 0,
  nextRetryAt: null,
});
const FLUSH_ALARM = "flush";
const RETRY_DELAYS_MINUTES = [0.5, 1, 2, 5, 15, 30, 60];
const OUTBOX_WARN = 200;
// Rejected captures are final; keeping their pages forever would fill storage.local.
const REJECTED_KEEP = 100;
const PING_TIMEOUT_MS = 5000;
const REQUEST_TIMEOUT_MS = 60000;
const PAIR_STATUSES = ["pending", "approved", "denied", "expired", "replaced"];
// A pairing's secret is useless after its two minutes; older ones are swept at the next start.
const PAIRING_KEEP_MS = 10 * 60 * 1000;
const PAIRING_KEY_PREFIX = "pairing:";
const VERIFIER_BYTES = 32; // 256 bits, 43 base64url characters
const NONCE_BYTES = 16; // 128 bits, 32 hex digits
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{32,128}$/;
const HEX_SHA256 = /^[0-9a-f]{64}$/;
const BADGE_COLORS = Object.freeze({
  up: "#1e8e3e",
  down: "#d93025",
  flat: "#80868b",
  attention: "#e8710a",
});
const TOKEN_REFUSED_MESSAGE =
  'The companion refused the token: pair again, or paste the token that "ssi-companion token" prints.';

const notRunningMessage = (port) =>
  `Companion not running on port ${port}. Start it with: make run (or: ssi-companion serve)`;
const notCompanionMessage = (port) =>
  `Something else answers on port ${port}: it is not your companion. ` +
  "Nothing was sent to it. (If you made a new token with ssi-companion token --rotate, pair again.)";
const NO_TOKEN_MESSAGE = "No token saved: pair with the companion in the options.";

// ---------------------------------------------------------------- storage

// Web Locks live as long as the worker and need no global variable.
function withLock(name, task, { ifAvailable = false } = {}) {
  return navigator.locks.request(`ssi-companion-${name}`, { ifAvailable }, (lock) =>
    lock ? task() : null,
  );
}

// Read-modify-write under one lock, so that a capture queued during a flush is never lost.
function mutate(defaults, change) {
  return withLock("storage", async () => {
    const current = await chrome.storage.local.get(defaults);
    const changes = change(current);
    await chrome.storage.local.set(changes);
    return { ...current, ...changes };
  });
}

async function readOutbox() {
  const { outbox } = await chrome.storage.local.get({ outbox: [] });
  return outbox;
}

function validPort(value) {
  const port = Number(value);
  return value !== "" && value !== null && Number.isInteger(port) && port >= 1 && port <= 65535;
}

function normalizeSettings(settings) {
  return {
    port: validPort(settings?.port) ? Number(settings.port) : DEFAULT_SETTINGS.port,
    token: typeof settings?.token === "string" ? settings.token.trim() : "",
  };
}

async function readSettings() {
  const { settings } = await chrome.storage.local.get("settings");
  return normalizeSettings(settings);
}

function setState(patch) {
  return mutate({ state: DEFAULT_STATE }, ({ state }) => ({
    state: { ...DEFAULT_STATE, ...state, ...patch, checkedAt: new Date().toISOString() },
  }));
}

// ---------------------------------------------------------------- secrets and proofs

const utf8 = (text) => new TextEncoder().encode(text);

function toHex(bytes) {
  return Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function fromHex(hex) {
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}

function randomHex(byteCount) {
  return toHex(crypto.getRandomValues(new Uint8Array(byteCount)));
}

// The pairing secret (PKCE's code_verifier): only its SHA-256 goes with the request.
function makeVerifier() {
  const bytes = crypto.getRandomValues(new Uint8Array(VERIFIER_BYTES));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function challengeOf(verifier) {
  return toHex(await crypto.subtle.digest("SHA-256", utf8(verifier)));
}

// Whether `proof` is HMAC-SHA256(token, nonce); WebCrypto compares it, in constant time.
async function proofMatches(token, nonce, proof) {
  if (typeof token !== "string" || token === "" || typeof proof !== "string" || !HEX_SHA256.test(proof)) {
    return false;
  }
  const key = await crypto.subtle.importKey("raw", utf8(token), { name: "HMAC", hash: "SHA-256" }, false, [
    "verify",
  ]);
  return crypto.subtle.verify("HMAC", key, fromHex(proof), utf8(nonce));
}

// ---------------------------------------------------------------- network

async function request(port, path, { method = "GET", token, body, timeoutMs = REQUEST_TIMEOUT_MS } = {}) {
  const headers = {};
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(`http://127.0.0.1:${port}/api/v1/${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
      // A redirect could carry the token elsewhere: an answer of status 0 is not followed.
      redirect: "manual",
      referrerPolicy: "no-referrer",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return { status: 0, json: null, networkError: error?.name === "TimeoutError" ? "timed out" : "no answer" };
  }
  let json = null;
  try {
    json = await response.json();
  } catch {
    json = null;
  }
  return { status: response.status, json, networkError: null };
}

const isSuccess = (status) => status >= 200 && status < 300;

function serverError(answer) {
  const error = answer.json && typeof answer.json === "object" ? answer.json.error : null;
  return {
    code: typeof error?.code === "string" ? error.code : null,
    message: typeof error?.message === "string" ? error.message : `The companion answered HTTP ${answer.status}.`,
  };
}

function describeFailure(answer, port) {
  return answer.networkError ? notRunningMessage(port) : serverError(answer).message;
}

// Whether something answers like a companion. Enough to ask to pair (which sends no secret
// the port could use), never enough to send the token or a capture: see findCompanion.
async function ping(port) {
  const answer = await request(port, "ping", { timeoutMs: PING_TIMEOUT_MS });
  if (answer.networkError) return { connection: "not_running", message: notRunningMessage(port) };
  if (answer.status !== 200 || answer.json?.app !== "ssi-companion") {
    return { connection: "not_companion", message: notCompanionMessage(port) };
  }
  return { connection: "connected", version: String(answer.json.version ?? ""), message: "" };
}

// Before the token or any data leaves, the port proves that it knows the token (threat S: a
// program squatting the port can answer ping like the companion, but cannot make this HMAC).
// "connected" only then; the result is for this call alone and is never stored.
async function findCompanion(port, token) {
  const found = await ping(port);
  if (found.connection !== "connected") return found;
  if (!token) return { connection: "pairing_needed", version: found.version, message: NO_TOKEN_MESSAGE };
  const nonce = randomHex(NONCE_BYTES);
  const answer = await request(port, "proof", { method: "POST", body: { nonce }, timeoutMs: PING_TIMEOUT_MS });
  if (answer.networkError) return { connection: "not_running", message: notRunningMessage(port) };
  if (answer.status !== 200 || !(await proofMatches(token, nonce, answer.json?.proof))) {
    console.info(`port ${port}: no proof of the token (HTTP ${answer.status})`);
    return { connection: "not_companion", message: notCompanionMessage(port) };
  }
  return found;
}

function recordFound(found) {
  return setState({ connection: found.connection, version: found.version ?? null, message: found.message });
}

// ---------------------------------------------------------------- flush

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
async function flush({ probe = false } = {}) {
  const outcome = await withLock("flush", () => deliver({ probe }));
  await updateBadge();
  return outcome;
}

function flushInBackground(options) {
  flush(options).catch((error) => console.warn(`flush failed: ${error?.name ?? "error"}`));
}

// ---------------------------------------------------------------- badge

async function updateBadge() {
  const { outbox, state, latest } = await chrome.storage.local.get({
    outbox: [],
    state: DEFAULT_STATE,
    latest: null,
  });
  let text = "";
  let color = BADGE_COLORS.flat;
  if (outbox.length > 0 || state.connection === "pairing_needed") {
    text = "!";
    color = BADGE_COLORS.attention;
  } else if (typeof latest?.reading?.total === "number") {
    text = String(Math.round(latest.reading.total));
    const delta = latest.change?.total;
    if (typeof delta === "number" && delta > 0) color = BADGE_COLORS.up;
    else if (typeof delta === "number" && delta < 0) color = BADGE_COLORS.down;
  }
  await chrome.action.setBadgeBackgroundColor({ color });
  await chrome.action.setBadgeText({ text });
}

// ---------------------------------------------------------------- message handlers

async function queueCapture(message) {
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

async function snapshot() {
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

async function retryNow() {
  await mutate({ state: DEFAULT_STATE }, ({ state }) => ({
    state: { ...DEFAULT_STATE, ...state, retryIndex: 0, nextRetryAt: null },
  }));
  await flush({ probe: true });
  return snapshot();
}

// The values typed in the options page win over the saved ones.
async function chosenSettings(message) {
  const saved = await readSettings();
  const token = typeof message.token === "string" ? message.token.trim() : "";
  return {
    port: validPort(message.port) ? Number(message.port) : saved.port,
    token: token || saved.token,
  };
}

async function testConnection(message) {
  const { port, token } = await chosenSettings(message);
  const found = await findCompanion(port, token);
  if (found.connection === "pairing_needed") return { result: "no_token", message: found.message };
  if (found.connection !== "connected") return { result: found.connection, message: found.message };
  const answer = await request(port, "status", { token });
  if (answer.status === 200) {
    return {
      result: "connected",
      version: found.version,
      message: `Connected to SSI Companion ${found.version} on port ${port}.`,
    };
  }
  if (answer.status === 401) return { result: "token_refused", message: TOKEN_REFUSED_MESSAGE };
  return { result: "error", message: describeFailure(answer, port) };
}

// The secret behind each pairing request, in memory only (storage.session), by request id.
async function forgetOldPairings() {
  const all = await chrome.storage.session.get(null);
  const old = Object.keys(all).filter(
    (key) => key.startsWith(PAIRING_KEY_PREFIX) && !(Date.now() - Number(all[key]?.startedAt) < PAIRING_KEEP_MS),
  );
  if (old.length > 0) await chrome.storage.session.remove(old);
}

async function pairingSecret(id) {
  const key = PAIRING_KEY_PREFIX + id;
  const { [key]: kept } = await chrome.storage.session.get(key);
  return typeof kept?.verifier === "string" ? kept : null;
}

async function pairStart(message) {
  const { port } = await chosenSettings(message);
  const found = await ping(port);
  if (found.connection !== "connected") return { ok: false, message: found.message };
  await forgetOldPairings();
  const verifier = makeVerifier();
  const challenge = await challengeOf(verifier);
  const answer = await request(port, "pairing", { method: "POST", body: { challenge } });
  const pairing = answer.json?.pairing;
  if (isSuccess(answer.status) && typeof pairing?.id === "string" && pairing.id !== "") {
    await chrome.storage.session.set({
      [PAIRING_KEY_PREFIX + pairing.id]: { port, verifier, startedAt: Date.now() },
    });
    console.info(`pairing ${pairing.id} started`);
    return {
      ok: true,
      id: pairing.id,
      code: String(pairing.code ?? ""),
      expiresIn: Number(pairing.expires_in) || null,
      port,
    };
  }
  return { ok: false, message: describeFailure(answer, port) };
}

async function pairStatus(message) {
  if (typeof message.id !== "string" || message.id === "") throw new Error("PAIR_STATUS needs an id");
  const kept = await pairingSecret(message.id);
  // The browser restarted (storage.session is gone) or the request is long over.
  if (kept === null) return { status: "expired" };
  const { port, verifier } = kept;
  // A POST: Chrome sends the extension's Origin only on POSTs. The companion answers only the
  // origin that asked, and only with the secret behind the request's challenge.
  const answer = await request(port, `pairing/${encodeURIComponent(message.id)}`, {
    method: "POST",
    body: { verifier },
  });
  const status = answer.json?.status;
  if (answer.status === 200 && PAIR_STATUSES.includes(status)) {
    const token = answer.json.token;
    if (status === "approved" && typeof token === "string" && TOKEN_FORMAT.test(token)) {
      // Saving the settings triggers a flush through storage.onChanged, which proves the port.
      await mutate({ settings: DEFAULT_SETTINGS }, ({ settings }) => ({
        settings: { ...normalizeSettings(settings), port, token },
      }));
    }
    if (status !== "pending") await chrome.storage.session.remove(PAIRING_KEY_PREFIX + message.id);
    console.info(`pairing ${message.id}: ${status}`);
    return { status };
  }
  // The companion no longer knows the request (it restarted, say): it will never be approved.
  if (answer.status === 404) {
    await chrome.storage.session.remove(PAIRING_KEY_PREFIX + message.id);
    return { status: "expired" };
  }
  return { status: "error", message: describeFailure(answer, port) };
}

// ---------------------------------------------------------------- open summary

// Only a sign-in link on this very port is opened, whatever else the answer holds.
function isSigninLink(url, port) {
  const prefix = `http://127.0.0.1:${port}/signin?code=`;
  return typeof url === "string" && url.startsWith(prefix) && /^[A-Za-z0-9_-]+$/.test(url.slice(prefix.length));
}

// A one-time sign-in link, asked for with the token once the port has proved it is ours,
// opened in a new tab: the summary page needs a session, and this is how the user gets one.
async function openSummary() {
  const settings = await readSettings();
  const found = await findCompanion(settings.port, settings.token);
  if (found.connection !== "connected") {
    await recordFound(found);
    return { ok: false, message: found.message };
  }
  const answer = await request(settings.port, "signin-link", { method: "POST", token: settings.token, body: {} });
  if (answer.status === 401) {
    await setState({ connection: "pairing_needed", version: found.version, message: TOKEN_REFUSED_MESSAGE });
    return { ok: false, message: TOKEN_REFUSED_MESSAGE };
  }
  const url = answer.json?.url;
  if (!isSuccess(answer.status) || !isSigninLink(url, settings.port)) {
    const message = isSuccess(answer.status)
      ? "The companion did not answer with a sign-in link."
      : describeFailure(answer, settings.port);
    return { ok: false, message };
  }
  await chrome.tabs.create({ url });
  console.info("summary opened");
  return { ok: true };
}

function fromExtensionPage(sender) {
  return sender.id === chrome.runtime.id && String(sender.url ?? "").startsWith(chrome.runtime.getURL(""));
}

function route(message, sender) {
  const type = message?.type;
  // Content scripts (LinkedIn pages) may only hand over captures.
  if (type !== CAPTURE && !fromExtensionPage(sender)) {
    throw new Error(`${String(type)} is answered only to the extension's own pages`);
  }
  switch (type) {
    case CAPTURE:
      return queueCapture(message);
    case GET_STATE:
      return snapshot();
    case RETRY_NOW:
      return retryNow();
    case TEST_CONNECTION:
      return testConnection(message);
    case PAIR_START:
      return pairStart(message);
    case PAIR_STATUS:
      return pairStatus(message);
    case OPEN_SUMMARY:
      return openSummary();
    default:
      throw new Error(`Unknown message type: ${String(type)}`);
  }
}

// ---------------------------------------------------------------- events (registered at top level)

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  route(message, sender).then(sendResponse, (error) => {
    console.warn(`${String(message?.type)} failed: ${error?.message}`);
    sendResponse({ error: String(error?.message ?? error) });
  });
  return true;
});

chrome.runtime.onStartup.addListener(() => flushInBackground({ probe: true }));
chrome.runtime.onInstalled.addListener(() => flushInBackground({ probe: true }));

chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === FLUSH_ALARM) flushInBackground();
});

chrome.storage.onChanged.addListener((changes, area) => {
  if (area === "local" && changes.settings) flushInBackground({ probe: true });
});
