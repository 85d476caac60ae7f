"use strict";

// The options page writes no storage: it reads the settings with GET_STATE and saves them with
// SAVE_SETTINGS, so that the service worker writes them under its storage lock (a token that
// pairing saves at the same moment is never overwritten). Everything that talks to the
// companion goes through the service worker too. The saved token is never shown.
(() => {
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
  const PORT_ERROR = "the port must be a whole number from 1 to 65535.";

  // The port the page works with, or null (and the field marked) when it is not one.
  function typedPort(status, prefix) {
    const port = validPort(portInput.value.trim());
    if (port === null) {
      portInput.setAttribute("aria-invalid", "true");
      say(status, "error", `${prefix}${PORT_ERROR}`);
      portInput.focus();
    }
    return port;
  }

  function showPort() {
    const port = validPort(portInput.value.trim());
    portShown.textContent = String(port ?? DEFAULT_PORT);
  }

  function showTokenState(hasToken) {
    tokenState.textContent = hasToken
      ? "A token is saved (hidden). Leave the field empty to keep it, or paste a new one."
      : "No token saved yet: pair with the companion, or paste the token that \"ssi-companion token\" prints.";
    tokenInput.placeholder = hasToken ? "Token saved (hidden)" : "";
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
        say(connectionStatus, "ok", `Connected to SSI Companion ${state.version ?? ""}`.trim() + ` on port ${settings.port}.`);
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
      tokenState.textContent = `The extension did not answer (${error.message}): reload this page.`;
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
    const port = typedPort(saveStatus, "Not saved: ");
    if (port === null) return;
    const message = { type: SAVE_SETTINGS, port };
    const typed = tokenInput.value.trim();
    if (typed) message.token = typed; // empty: the saved token is kept
    saveButton.disabled = true;
    say(saveStatus, "pending", "Saving…");
    try {
      const reply = await send(message);
      if (!reply?.ok || !reply.settings) throw new Error(reply?.message || "the extension did not save them");
      tokenInput.value = "";
      portInput.value = String(reply.settings.port);
      showPort();
      showTokenState(reply.settings.hasToken);
      say(saveStatus, "ok", "Saved.");
    } catch (error) {
      say(saveStatus, "error", `Not saved: ${error.message}`);
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
        return typed
          ? ["error", `The token you typed was refused by the companion on port ${port}: check that you copied all of it, or pair again. Nothing was saved.`]
          : ["error", `The saved token was refused by the companion on port ${port}: pair again, or paste the token that "ssi-companion token" prints.`];
      case "no_token":
        return ["error", "No token typed and none saved: pair with the companion, or paste the token that \"ssi-companion token\" prints."];
      case "not_companion":
        // A companion that cannot prove the token is, as far as the extension can tell, not ours.
        return ["error", typed ? `${reply.message} If it is your companion, the token you typed is not its token.` : reply.message];
      default:
        return ["error", reply.message || `The test ended in ${reply.result}.`];
    }
  }

  async function testConnection() {
    clear(saveStatus, testResult);
    const port = typedPort(testResult, "Not tested: ");
    if (port === null) return;
    const message = { type: TEST_CONNECTION, port };
    const typed = tokenInput.value.trim();
    if (typed) message.token = typed;
    say(testResult, "pending", "Testing…");
    try {
      const [kind, words] = testWords(await send(message), port, typed !== "");
      say(testResult, kind, words);
    } catch (error) {
      say(testResult, "error", `The test could not run: ${error.message}`);
    }
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  const PAIR_OUTCOMES = {
    approved: ["ok", "Paired."],
    denied: ["error", "Denied."],
    expired: ["error", "Expired: try again."],
    replaced: ["error", "Replaced by a newer request (Pair was pressed again): approve the newest code."],
  };

  async function waitForApproval(id, port) {
    const deadline = Date.now() + PAIR_WAIT_MS;
    while (Date.now() < deadline) {
      await sleep(POLL_MS);
      let reply;
      try {
        reply = await send({ type: PAIR_STATUS, id, port });
      } catch (error) {
        say(pairStatus, "pending", `Waiting for approval… (${error.message})`);
        continue;
      }
      if (reply.status in PAIR_OUTCOMES) return reply.status;
      say(pairStatus, "pending", reply.status === "error" ? `Waiting for approval… (${reply.message})` : "Waiting for approval…");
    }
    return "expired";
  }

  function showCode(code, port) {
    const big = document.createElement("strong");
    big.className = "code";
    big.textContent = code;
    const hint = document.createElement("p");
    const link = document.createElement("a");
    link.id = "pair-link";
    link.href = `http://127.0.0.1:${port}/pairing`;
    link.textContent = link.href;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    hint.append(
      "Compare this code with the one on the companion's pairing page, ",
      link,
      " (sign in with ssi-companion open), and approve it there only if they are the same.",
    );
    const origin = document.createElement("p");
    origin.className = "muted";
    origin.append("The page names this extension as ");
    const name = document.createElement("code");
    name.textContent = location.origin;
    origin.append(name, ".");
    pairCode.replaceChildren(big, hint, origin);
  }

  async function pair() {
    clear(pairStatus, saveStatus, testResult);
    pairCode.replaceChildren();
    const port = typedPort(pairStatus, "Not paired: ");
    if (port === null) return;
    pairing = true;
    pairButton.disabled = true;
    say(pairStatus, "pending", "Asking the companion…");
    try {
      const started = await send({ type: PAIR_START, port });
      if (!started.ok) {
        say(pairStatus, "error", started.message);
        return;
      }
      showCode(started.code, port);
      say(pairStatus, "pending", "Waiting for approval…");
      const outcome = await waitForApproval(started.id, port);
      say(pairStatus, ...PAIR_OUTCOMES[outcome]);
      if (outcome === "approved") {
        pairCode.replaceChildren();
        tokenInput.value = "";
        await load();
      }
    } catch (error) {
      say(pairStatus, "error", `Pairing failed: ${error.message}`);
    } finally {
      pairing = false;
      pairButton.disabled = false;
    }
  }

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
})();
