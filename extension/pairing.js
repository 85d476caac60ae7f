// Pairing (PKCE's idea): the worker makes a secret, sends only its SHA-256 with the request,
// and collects the token with the secret once the user approved the request on the
// companion's own page. The secret is kept in chrome.storage.session (memory only), by
// request id, so it survives a worker restart but not the browser's.

import { describeFailure, isSuccess, ping, request } from "./companion-client.js";
import { challengeOf, makeVerifier } from "./secrets.js";
import { chosenSettings, saveSettings } from "./storage.js";

const PAIR_STATUSES = ["pending", "approved", "denied", "expired", "replaced"];
// A pairing's secret is useless after its two minutes; older ones are swept at the next start.
const PAIRING_KEEP_MS = 10 * 60 * 1000;
const PAIRING_KEY_PREFIX = "pairing:";
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{32,128}$/;

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

// PAIR_START: after a ping only, since asking to pair sends nothing a squatter could use.
export async function pairStart(message) {
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

// PAIR_STATUS: polled by the options page until the request is over.
export async function pairStatus(message) {
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
      // Under the storage lock, like SAVE_SETTINGS, so neither write undoes the other. Saving
      // the settings triggers a flush through storage.onChanged, which proves the port.
      await saveSettings({ port, token });
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
