// The options page writes no storage: it reads the settings with GET_STATE and saves them with
// SAVE_SETTINGS, so that the service worker writes them under its storage lock (a token that
// pairing saves at the same moment is never overwritten). Everything that talks to the
// companion goes through the service worker too. The saved token is never shown. A module,
// for its words (i18n.js, i18n-page.js): every one of them is put in as text.

import { t } from "./i18n.js";
import { fill, localizePage } from "./i18n-page.js";

const GET_STATE = "GET_STATE";
const SAVE_SETTINGS = "SAVE_SETTINGS";
const TEST_CONNECTION = "TEST_CONNECTION";
const PAIR_START = "PAIR_START";
const PAIR_STATUS = "PAIR_STATUS";
const DEFAULT_PORT = 47613;
const POLL_MS = 1000;
const PAIR_WAIT_MS = 2 * 60 * 1000;

const byId = (id) => document.getElementById(id);
const form = byId("settings-form");
const portInput = byId("port");
const portShown = byId("port-shown");
const tokenInput = byId("token");
const tokenState = byId("token-state");
const saveButton = byId("save");
const saveStatus = byId("save-status");
const testResult = byId("test-result");
const pairButton = byId("pair");
const pairCode = byId("pair-code");
const pairStatus = byId("pair-status");
const connectionStatus = byId("connection-status");
let pairing = false;

// A message styled as what it is: the class adds an icon and a word (pages.css), not colour alone.
const KINDS = { ok: "status-ok", error: "status-error", pending: "status-pending" };
function say(element, kind, text) {
  element.classList.remove(...Object.values(KINDS));
  element.textContent = text ?? "";
  if (text && KINDS[kind]) element.classList.add(KINDS[kind]);
}
const clear = (...elements) => elements.forEach((element) => say(element, null, ""));

function validPort(text) {
  const port = Number(text);
  return text !== "" && Number.isInteger(port) && port >= 1 && port <= 65535 ? port : null;
}

// The port the page works with, or null (and the field marked, `refusal` said) when it is not one.
function typedPort(status, refusal) {
  const port = validPort(portInput.value.trim());
  if (port === null) {
    portInput.setAttribute("aria-invalid", "true");
    say(status, "error", refusal);
    portInput.focus();
  }
  return port;
}

function showPort() {
  const port = validPort(portInput.value.trim());
  portShown.textContent = String(port ?? DEFAULT_PORT);
}

function showTokenState(hasToken) {
  tokenState.textContent = hasToken ? t("optionsTokenSaved") : t("optionsNoToken");
  tokenInput.placeholder = hasToken ? t("optionsTokenPlaceholder") : "";
}

function send(message) {
  return chrome.runtime.sendMessage(message).then((reply) => {
    if (reply && typeof reply.error === "string") throw new Error(reply.error);
    return reply;
  });
}

// What the service worker last found on the port (the popup shows the same).
function showConnection({ settings, state }) {
  switch (state.connection) {
    case "connected":
      say(
        connectionStatus,
        "ok",
        state.version ? t("connectedVersionPort", state.version, settings.port) : t("connectedPort", settings.port),
      );
      break;
    case "not_companion": // "Something else answers on port N: it is not your companion. ..."
    case "not_running":
    case "pairing_needed":
      say(connectionStatus, "error", state.message || "");
      break;
    default:
      clear(connectionStatus);
  }
}

// The saved settings, as the service worker tells them; the port field only when asked.
async function load({ port = true } = {}) {
  let snapshot;
  try {
    snapshot = await send({ type: GET_STATE });
  } catch (error) {
    if (port && portInput.value === "") portInput.value = String(DEFAULT_PORT);
    tokenState.textContent = t("optionsNoAnswer", error.message);
    return;
  }
  if (port) {
    portInput.value = String(snapshot.settings.port);
    portInput.removeAttribute("aria-invalid");
    showPort();
  }
  showTokenState(snapshot.settings.hasToken);
  showConnection(snapshot);
}

async function save(event) {
  event.preventDefault();
  clear(saveStatus, testResult);
  const port = typedPort(saveStatus, t("optionsPortNotSaved"));
  if (port === null) return;
  const message = { type: SAVE_SETTINGS, port };
  const typed = tokenInput.value.trim();
  if (typed) message.token = typed; // empty: the saved token is kept
  saveButton.disabled = true;
  say(saveStatus, "pending", t("optionsSaving"));
  try {
    const reply = await send(message);
    if (!reply?.ok || !reply.settings) {
      say(saveStatus, "error", reply?.message ? t("optionsNotSaved", reply.message) : t("optionsNotSavedUnknown"));
      return;
    }
    tokenInput.value = "";
    portInput.value = String(reply.settings.port);
    showPort();
    showTokenState(reply.settings.hasToken);
    say(saveStatus, "ok", t("optionsSaved"));
  } catch (error) {
    say(saveStatus, "error", t("optionsNotSaved", error.message));
  } finally {
    saveButton.disabled = false;
  }
}

// TEST_CONNECTION's result in words that say which token was tried.
function testWords(reply, port, typed) {
  switch (reply.result) {
    case "connected":
      return ["ok", reply.message];
    case "token_refused":
      return ["error", typed ? t("optionsTypedRefused", port) : t("optionsSavedRefused", port)];
    case "no_token":
      return ["error", t("optionsNoTokenTyped")];
    case "not_companion":
      // A companion that cannot prove the token is, as far as the extension can tell, not ours.
      return ["error", typed ? t("optionsNotCompanionTyped", reply.message) : reply.message];
    default:
      return ["error", reply.message || t("optionsTestEnded", reply.result)];
  }
}

async function testConnection() {
  clear(saveStatus, testResult);
  const port = typedPort(testResult, t("optionsPortNotTested"));
  if (port === null) return;
  const message = { type: TEST_CONNECTION, port };
  const typed = tokenInput.value.trim();
  if (typed) message.token = typed;
  say(testResult, "pending", t("optionsTesting"));
  try {
    const [kind, words] = testWords(await send(message), port, typed !== "");
    say(testResult, kind, words);
  } catch (error) {
    say(testResult, "error", t("optionsTestFailed", error.message));
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const PAIR_OUTCOMES = {
  approved: ["ok", () => t("optionsPaired")],
  denied: ["error", () => t("optionsDenied")],
  expired: ["error", () => t("optionsExpired")],
  replaced: ["error", () => t("optionsReplaced")],
};

async function waitForApproval(id, port) {
  const deadline = Date.now() + PAIR_WAIT_MS;
  while (Date.now() < deadline) {
    await sleep(POLL_MS);
    let reply;
    try {
      reply = await send({ type: PAIR_STATUS, id, port });
    } catch (error) {
      say(pairStatus, "pending", t("optionsWaitingBecause", error.message));
      continue;
    }
    if (reply.status in PAIR_OUTCOMES) return reply.status;
    say(pairStatus, "pending", reply.status === "error" ? t("optionsWaitingBecause", reply.message) : t("optionsWaiting"));
  }
  return "expired";
}

function showCode(code, port) {
  const big = document.createElement("strong");
  big.className = "code";
  big.textContent = code;
  const link = document.createElement("a");
  link.id = "pair-link";
  link.href = `http://127.0.0.1:${port}/pairing`;
  link.textContent = link.href;
  link.target = "_blank";
  link.rel = "noopener noreferrer";
  const hint = fill(document.createElement("p"), "optionsCompareCode", link);
  const name = document.createElement("code");
  name.textContent = location.origin;
  const origin = fill(document.createElement("p"), "optionsOrigin", name);
  origin.className = "muted";
  pairCode.replaceChildren(big, hint, origin);
}

async function pair() {
  clear(pairStatus, saveStatus, testResult);
  pairCode.replaceChildren();
  const port = typedPort(pairStatus, t("optionsPortNotPaired"));
  if (port === null) return;
  pairing = true;
  pairButton.disabled = true;
  say(pairStatus, "pending", t("optionsAsking"));
  try {
    const started = await send({ type: PAIR_START, port });
    if (!started.ok) {
      say(pairStatus, "error", started.message);
      return;
    }
    showCode(started.code, port);
    say(pairStatus, "pending", t("optionsWaiting"));
    const outcome = await waitForApproval(started.id, port);
    const [kind, words] = PAIR_OUTCOMES[outcome];
    say(pairStatus, kind, words());
    if (outcome === "approved") {
      pairCode.replaceChildren();
      tokenInput.value = "";
      await load();
    }
  } catch (error) {
    say(pairStatus, "error", t("optionsPairingFailed", error.message));
  } finally {
    pairing = false;
    pairButton.disabled = false;
  }
}

localizePage();

// A message about values that were since changed no longer applies.
portInput.addEventListener("input", () => {
  portInput.removeAttribute("aria-invalid");
  showPort();
  clear(saveStatus, testResult);
  if (!pairing) {
    clear(pairStatus);
    pairCode.replaceChildren();
  }
});
tokenInput.addEventListener("input", () => clear(saveStatus, testResult));
form.addEventListener("submit", save);
byId("test").addEventListener("click", testConnection);
pairButton.addEventListener("click", pair);
// Pairing or the other options tab saved settings, or the worker checked the port.
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === "local" && (changes.settings || changes.state)) load({ port: false });
});
load();
