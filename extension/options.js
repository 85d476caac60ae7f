"use strict";

// The options page writes `settings` itself; everything that talks to the companion goes
// through the service worker. The saved token is never shown.
(() => {
  const TEST_CONNECTION = "TEST_CONNECTION";
  const PAIR_START = "PAIR_START";
  const PAIR_STATUS = "PAIR_STATUS";
  const GET_STATE = "GET_STATE";
  const DEFAULT_PORT = 47613;
  const POLL_MS = 1000;
  const PAIR_WAIT_MS = 2 * 60 * 1000;

  const byId = (id) => document.getElementById(id);
  const form = byId("settings-form");
  const portInput = byId("port");
  const tokenInput = byId("token");
  const tokenState = byId("token-state");
  const saveStatus = byId("save-status");
  const testResult = byId("test-result");
  const pairButton = byId("pair");
  const pairCode = byId("pair-code");
  const pairStatus = byId("pair-status");
  const connectionStatus = byId("connection-status");

  function validPort(text) {
    const port = Number(text);
    return text !== "" && Number.isInteger(port) && port >= 1 && port <= 65535 ? port : null;
  }

  function portError() {
    return "The port must be a whole number from 1 to 65535.";
  }

  async function savedSettings() {
    const { settings } = await chrome.storage.local.get("settings");
    return {
      port: validPort(String(settings?.port ?? "")) ?? DEFAULT_PORT,
      token: typeof settings?.token === "string" ? settings.token : "",
    };
  }

  function showTokenState(hasToken) {
    tokenState.textContent = hasToken
      ? "A token is saved (hidden). Leave the field empty to keep it, or paste a new one."
      : "No token saved yet: pair with the companion, or paste the token that \"ssi-companion token\" prints.";
    tokenInput.placeholder = hasToken ? "Token saved (hidden)" : "";
  }

  async function load() {
    const settings = await savedSettings();
    portInput.value = String(settings.port);
    showTokenState(settings.token !== "");
  }

  function send(message) {
    return chrome.runtime.sendMessage(message).then((reply) => {
      if (reply && typeof reply.error === "string") throw new Error(reply.error);
      return reply;
    });
  }

  async function save(event) {
    event.preventDefault();
    const port = validPort(portInput.value.trim());
    if (port === null) {
      saveStatus.textContent = portError();
      return;
    }
    const typed = tokenInput.value.trim();
    const token = typed || (await savedSettings()).token;
    await chrome.storage.local.set({ settings: { port, token } });
    tokenInput.value = "";
    showTokenState(token !== "");
    saveStatus.textContent = "Saved.";
  }

  async function testConnection() {
    const port = validPort(portInput.value.trim());
    if (port === null) {
      testResult.textContent = portError();
      return;
    }
    testResult.textContent = "Testing…";
    const message = { type: TEST_CONNECTION, port };
    const typed = tokenInput.value.trim();
    if (typed) message.token = typed;
    try {
      testResult.textContent = (await send(message)).message;
    } catch (error) {
      testResult.textContent = `The test could not run: ${error.message}`;
    }
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  const PAIR_OUTCOMES = {
    approved: "Paired.",
    denied: "Denied.",
    expired: "Expired: try again.",
    replaced: "Replaced by a newer request (Pair was pressed again): approve the newest code.",
  };

  async function waitForApproval(id, port) {
    const deadline = Date.now() + PAIR_WAIT_MS;
    while (Date.now() < deadline) {
      await sleep(POLL_MS);
      let reply;
      try {
        reply = await send({ type: PAIR_STATUS, id, port });
      } catch (error) {
        pairStatus.textContent = `Waiting for approval… (${error.message})`;
        continue;
      }
      if (reply.status in PAIR_OUTCOMES) return reply.status;
      pairStatus.textContent =
        reply.status === "error" ? `Waiting for approval… (${reply.message})` : "Waiting for approval…";
    }
    return "expired";
  }

  function showCode(code, port) {
    const big = document.createElement("strong");
    big.className = "code";
    big.textContent = code;
    const hint = document.createElement("p");
    hint.textContent =
      `Compare this code with the one on the companion's pairing page, http://127.0.0.1:${port}/pairing ` +
      "(sign in with ssi-companion open), and approve it there only if they are the same.";
    const origin = document.createElement("p");
    origin.className = "muted";
    origin.append("The page names this extension as ");
    const name = document.createElement("code");
    name.textContent = location.origin;
    origin.append(name, ".");
    pairCode.replaceChildren(big, hint, origin);
  }

  // What the service worker last found on the port (the popup shows the same).
  function connectionWords(snapshot) {
    const { settings, state } = snapshot;
    switch (state.connection) {
      case "connected":
        return `Connected to SSI Companion ${state.version ?? ""}`.trim() + ` on port ${settings.port}.`;
      case "not_companion": // "Something else answers on port N: it is not your companion. ..."
      case "not_running":
      case "pairing_needed":
        return state.message || "";
      default:
        return "";
    }
  }

  function showConnection() {
    send({ type: GET_STATE }).then(
      (snapshot) => {
        connectionStatus.textContent = connectionWords(snapshot);
      },
      () => {
        connectionStatus.textContent = "";
      },
    );
  }

  async function pair() {
    const port = validPort(portInput.value.trim());
    if (port === null) {
      pairStatus.textContent = portError();
      return;
    }
    pairButton.disabled = true;
    pairCode.replaceChildren();
    pairStatus.textContent = "Asking the companion…";
    try {
      const started = await send({ type: PAIR_START, port });
      if (!started.ok) {
        pairStatus.textContent = started.message;
        return;
      }
      showCode(started.code, port);
      pairStatus.textContent = "Waiting for approval…";
      const outcome = await waitForApproval(started.id, port);
      pairStatus.textContent = PAIR_OUTCOMES[outcome];
      if (outcome === "approved") {
        pairCode.replaceChildren();
        tokenInput.value = "";
        await load();
      }
    } catch (error) {
      pairStatus.textContent = `Pairing failed: ${error.message}`;
    } finally {
      pairButton.disabled = false;
    }
  }

  form.addEventListener("submit", (event) => {
    save(event).catch((error) => {
      saveStatus.textContent = `Not saved: ${error.message}`;
    });
  });
  byId("test").addEventListener("click", testConnection);
  pairButton.addEventListener("click", pair);
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === "local" && changes.settings) {
      const token = changes.settings.newValue?.token;
      showTokenState(typeof token === "string" && token !== "");
    }
    if (area === "local" && changes.state) showConnection();
  });
  load();
  showConnection();
})();
