// Requests to the companion on http://127.0.0.1:<port>/api/v1, and the check that the port
// holds our companion. That check is never stored: every pass that would send the token or a
// capture first asks the port to prove that it knows the token (HMAC-SHA256 of a fresh
// nonce), so a worker that starts again, or a port that changed hands, is checked anew.

import { t } from "./i18n.js";
import { proofMatches, randomHex } from "./secrets.js";
import { chosenSettings, setState } from "./storage.js";

const PING_TIMEOUT_MS = 5000;
const REQUEST_TIMEOUT_MS = 60000;
const NONCE_BYTES = 16; // 128 bits, 32 hex digits
// A request's networkError: it timed out, or else there was no answer at all.
export const TIMED_OUT = "timed out";

// The words the state keeps (in the language of the moment) and the pages show.
export const tokenRefusedMessage = () => t("workerTokenRefused");
export const notRunningMessage = (port) => t("workerNotRunning", port);
const notCompanionMessage = (port) => t("workerNotCompanion", port);
const noTokenMessage = () => t("workerNoToken");

export async function request(port, path, { method = "GET", token, body, timeoutMs = REQUEST_TIMEOUT_MS } = {}) {
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
    return { status: 0, json: null, networkError: error?.name === "TimeoutError" ? TIMED_OUT : "no answer" };
  }
  let json = null;
  try {
    json = await response.json();
  } catch {
    json = null;
  }
  return { status: response.status, json, networkError: null };
}

export const isSuccess = (status) => status >= 200 && status < 300;

export function serverError(answer) {
  const error = answer.json && typeof answer.json === "object" ? answer.json.error : null;
  return {
    code: typeof error?.code === "string" ? error.code : null,
    message: typeof error?.message === "string" ? error.message : t("workerHttpStatus", answer.status),
  };
}

export function describeFailure(answer, port) {
  return answer.networkError ? notRunningMessage(port) : serverError(answer).message;
}

// Whether something answers like a companion. Enough to ask to pair (which sends no secret
// the port could use), never enough to send the token or a capture: see findCompanion.
export async function ping(port) {
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
export async function findCompanion(port, token) {
  const found = await ping(port);
  if (found.connection !== "connected") return found;
  if (!token) return { connection: "pairing_needed", version: found.version, message: noTokenMessage() };
  const nonce = randomHex(NONCE_BYTES);
  const answer = await request(port, "proof", { method: "POST", body: { nonce }, timeoutMs: PING_TIMEOUT_MS });
  if (answer.networkError) return { connection: "not_running", message: notRunningMessage(port) };
  if (answer.status !== 200 || !(await proofMatches(token, nonce, answer.json?.proof))) {
    console.info(`port ${port}: no proof of the token (HTTP ${answer.status})`);
    return { connection: "not_companion", message: notCompanionMessage(port) };
  }
  return found;
}

export function recordFound(found) {
  return setState({ connection: found.connection, version: found.version ?? null, message: found.message });
}

// A pass with nothing to send still tells whether the saved token works (after pairing, say).
export async function probeToken(settings, version) {
  const answer = await request(settings.port, "status", { token: settings.token });
  if (answer.status === 200) {
    await setState({ connection: "connected", version, message: "" });
    return "connected";
  }
  if (answer.status === 401) {
    await setState({ connection: "pairing_needed", version, message: tokenRefusedMessage() });
    return "pairing_needed";
  }
  await setState({ version, message: describeFailure(answer, settings.port) });
  return "unknown";
}

// TEST_CONNECTION: the options page's port and token, or the saved ones; nothing is stored.
export async function testConnection(message) {
  const { port, token } = await chosenSettings(message);
  const found = await findCompanion(port, token);
  if (found.connection === "pairing_needed") return { result: "no_token", message: found.message };
  if (found.connection !== "connected") return { result: found.connection, message: found.message };
  const answer = await request(port, "status", { token });
  if (answer.status === 200) {
    return {
      result: "connected",
      version: found.version,
      message: found.version ? t("connectedVersionPort", found.version, port) : t("connectedPort", port),
    };
  }
  if (answer.status === 401) return { result: "token_refused", message: tokenRefusedMessage() };
  return { result: "error", message: describeFailure(answer, port) };
}
