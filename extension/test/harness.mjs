// Stand-ins for what the service worker needs from the browser (chrome.*, fetch, Web Locks),
// and small fake servers on 127.0.0.1 ports: the companion and an impostor. The worker is
// its ES modules from service-worker.js down, loaded as they ship (see modules.mjs).

import { createHash, createHmac, randomBytes, webcrypto } from "node:crypto";
import vm from "node:vm";

import { ENTRY, VOCABULARY, allExports, loadModules } from "./modules.mjs";

export { VOCABULARY };

// ------------------------------------------------------------------ chrome.storage

export function storageArea() {
  let data = {};
  const copy = (value) => (value === undefined ? undefined : structuredClone(value));
  return {
    dump: () => copy(data),
    async get(keys) {
      if (keys === null || keys === undefined) return copy(data);
      if (typeof keys === "string") keys = [keys];
      if (Array.isArray(keys)) {
        return Object.fromEntries(keys.filter((key) => key in data).map((key) => [key, copy(data[key])]));
      }
      return Object.fromEntries(
        Object.entries(keys).map(([key, fallback]) => [key, key in data ? copy(data[key]) : copy(fallback)]),
      );
    },
    async set(items) {
      data = { ...data, ...copy(items) };
    },
    async remove(keys) {
      for (const key of typeof keys === "string" ? [keys] : keys) delete data[key];
    },
  };
}

function locks() {
  const tails = new Map();
  return {
    request(name, options, task) {
      const previous = tails.get(name) ?? Promise.resolve();
      if (options?.ifAvailable && tails.has(name)) return Promise.resolve(task(null));
      const run = previous.then(() => task({ name }));
      const tail = run.catch(() => {}).then(() => {
        if (tails.get(name) === tail) tails.delete(name);
      });
      tails.set(name, tail);
      return run;
    },
  };
}

const event = () => {
  const listeners = [];
  return { listeners, addListener: (listener) => listeners.push(listener) };
};

// ------------------------------------------------------------------ the network

// Ports on 127.0.0.1 and what answers there; every request is recorded with its port.
export class Loopback {
  constructor() {
    this.servers = new Map();
    this.requests = [];
    this.fetch = this.fetch.bind(this);
  }

  listen(port, server) {
    this.servers.set(port, server);
    return server;
  }

  close(port) {
    this.servers.delete(port);
  }

  async fetch(url, init = {}) {
    const { hostname, port, pathname } = new URL(url);
    const headers = { ...(init.headers ?? {}) };
    const body = init.body === undefined ? undefined : JSON.parse(init.body);
    const request = { port: Number(port), method: init.method ?? "GET", path: pathname, headers, body };
    this.requests.push(request);
    const server = this.servers.get(Number(port));
    if (hostname !== "127.0.0.1" || server === undefined) throw new TypeError("Failed to fetch");
    const { status, json } = await server.handle(request);
    return new Response(json === undefined ? "" : JSON.stringify(json), {
      status,
      headers: { "Content-Type": "application/json" },
    });
  }

  to(port) {
    return this.requests.filter((request) => request.port === port);
  }
}

const PING = { app: "ssi-companion", version: "0.1.0", api: 1 };
export const hmacHex = (key, message) => createHmac("sha256", key).update(message).digest("hex");
export const sha256Hex = (text) => createHash("sha256").update(text).digest("hex");
const NONCE = /^[0-9a-f]{32,128}$/;

// The companion, as the API describes it (only what the worker uses).
export class FakeCompanion {
  constructor(port, token = randomBytes(32).toString("base64url")) {
    this.port = port;
    this.token = token;
    this.pairings = new Map();
    this.captures = [];
  }

  authorized(request) {
    return request.headers.Authorization === `Bearer ${this.token}`;
  }

  async handle(request) {
    const { method, path, body } = request;
    if (method === "GET" && path === "/api/v1/ping") return { status: 200, json: PING };
    if (method === "POST" && path === "/api/v1/proof") {
      if (!NONCE.test(body?.nonce ?? "")) return { status: 400, json: { error: { code: "bad_request" } } };
      return { status: 200, json: { proof: hmacHex(this.token, body.nonce) } };
    }
    if (method === "POST" && path === "/api/v1/pairing") {
      const id = `p${this.pairings.size + 1}`;
      this.pairings.set(id, { challenge: body.challenge, status: "pending", delivered: false });
      return { status: 201, json: { pairing: { id, code: "123-456", expires_in: 120 } } };
    }
    const polled = path.match(/^\/api\/v1\/pairing\/([^/]+)$/);
    if (method === "POST" && polled) {
      const pairing = this.pairings.get(polled[1]);
      const opened = pairing && sha256Hex(String(body?.verifier)) === pairing.challenge;
      if (!opened) return { status: 404, json: { error: { code: "not_found" } } };
      const answer = { status: pairing.status };
      if (pairing.status === "approved" && !pairing.delivered) {
        pairing.delivered = true;
        answer.token = this.token;
      }
      return { status: 200, json: answer };
    }
    if (!this.authorized(request)) return { status: 401, json: { error: { code: "unauthorized" } } };
    if (method === "GET" && path === "/api/v1/status") return { status: 200, json: { version: PING.version } };
    if (method === "POST" && path === "/api/v1/signin-link") {
      return { status: 201, json: { url: `http://127.0.0.1:${this.port}/signin?code=${"c".repeat(43)}` } };
    }
    if (method === "POST" && path === "/api/v1/captures") {
      this.captures.push(body);
      const { PILLARS, TOTAL } = VOCABULARY;
      const reading = Object.fromEntries([[TOTAL, 19.706], ...PILLARS.map((pillar) => [pillar, 19.706 / PILLARS.length])]);
      return { status: 201, json: { capture: { id: body.id }, reading, previous: null, change: null } };
    }
    return { status: 404, json: { error: { code: "not_found" } } };
  }
}

// Answers ping exactly like the companion and says yes to everything else; its proof is
// whatever `prove(nonce)` makes of it (by default, random hex of the right length).
export class Impostor {
  constructor({ prove = () => randomBytes(32).toString("hex") } = {}) {
    this.prove = prove;
  }

  async handle(request) {
    const { path, body } = request;
    if (path === "/api/v1/ping") return { status: 200, json: PING };
    if (path === "/api/v1/proof") return { status: 200, json: { proof: this.prove(body?.nonce) } };
    if (path === "/api/v1/signin-link") return { status: 201, json: { url: "http://127.0.0.1:1/signin?code=x" } };
    return { status: 201, json: { capture: { id: body?.id }, reading: { [VOCABULARY.TOTAL]: 99 } } };
  }
}

// ------------------------------------------------------------------ the worker

// A fresh worker, as after a browser start or after Chrome stopped an idle one: only the
// storage areas passed in carry over.
export async function startWorker({ loopback, local = storageArea(), session = storageArea() }) {
  const tabs = [];
  const alarms = new Map();
  const chrome = {
    storage: { local, session, onChanged: event() },
    alarms: {
      create: async (name, info) => void alarms.set(name, info),
      clear: async (name) => alarms.delete(name),
      getAll: async () => [...alarms.keys()],
      onAlarm: event(),
    },
    action: { setBadgeText: async () => {}, setBadgeBackgroundColor: async () => {} },
    runtime: {
      id: "a".repeat(32),
      getURL: (path) => `chrome-extension://${"a".repeat(32)}/${path}`,
      onMessage: event(),
      onStartup: event(),
      onInstalled: event(),
    },
    tabs: { create: async (properties) => void tabs.push(structuredClone(properties)) },
  };
  const context = vm.createContext({
    chrome,
    fetch: loopback.fetch,
    crypto: webcrypto,
    navigator: { locks: locks() },
    console: { info() {}, warn() {}, debug() {}, log() {} },
    TextEncoder,
    AbortSignal,
    Response,
    URL,
    btoa,
    atob,
    setTimeout,
    clearTimeout,
  });
  // How many listeners each event had once the entry's first turn was over: the browser
  // delivers the event that woke the worker only to those.
  let listenersAtStart = null;
  const countListeners = () => ({
    onMessage: chrome.runtime.onMessage.listeners.length,
    onStartup: chrome.runtime.onStartup.listeners.length,
    onInstalled: chrome.runtime.onInstalled.listeners.length,
    onAlarm: chrome.alarms.onAlarm.listeners.length,
    onChanged: chrome.storage.onChanged.listeners.length,
  });
  const modules = await loadModules(context, ENTRY, () => {
    listenersAtStart = countListeners();
  });
  const worker = inOurRealm(allExports(modules));
  return { worker, modules: [...modules.keys()], listenersAtStart, chrome, local, session, tabs, alarms };
}

// The worker's objects come from its own VM realm, which assert.deepEqual tells apart from
// ours: its functions' results are handed over as copies made here.
function inOurRealm(exports) {
  const copy = (value) => (value === undefined ? value : structuredClone(value));
  return new Proxy(exports, {
    get(target, name) {
      const value = target[name];
      if (typeof value !== "function") return value;
      return (...args) => {
        const result = value(...args);
        return typeof result?.then === "function" ? result.then(copy) : copy(result);
      };
    },
  });
}

export function capture(html = "<main>SSI</main>") {
  return {
    id: webcrypto.randomUUID(),
    url: "https://www.linkedin.com/sales/ssi",
    capturedAt: "2026-11-26T21:05:03.120-05:00",
    html,
    attempts: 0,
    queuedAt: "2026-11-26T21:05:03.120-05:00",
    lastError: null,
  };
}
