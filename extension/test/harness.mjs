// Stand-ins for what the service worker needs from the browser (chrome.*, a clock, Web Locks;
// fetch and the small fake servers on 127.0.0.1 ports are in network.mjs). The worker is its
// ES modules from service-worker.js down, loaded as they ship (see modules.mjs).

import { webcrypto } from "node:crypto";
import vm from "node:vm";

import { i18nStandIn } from "./locales.mjs";
import { ENTRY, VOCABULARY, allExports, loadModules } from "./modules.mjs";

export { VOCABULARY };
export { FakeCompanion, Impostor, Loopback, hmacHex, sha256Hex } from "./network.mjs";

// ------------------------------------------------------------------ chrome.storage

// With `latency`, every get and set waits a turn of the event loop first, as the browser's
// do: two read-modify-writes not under one lock then interleave, and one undoes the other.
// `refuses(items)`, while set, makes a set of those items throw as a full quota does.
export function storageArea({ latency = false } = {}) {
  let data = {};
  const copy = (value) => (value === undefined ? undefined : structuredClone(value));
  const pause = () => (latency ? new Promise((resolve) => setTimeout(resolve, 1)) : null);
  return {
    refuses: null,
    dump: () => copy(data),
    async get(keys) {
      await pause();
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
      await pause();
      if (this.refuses?.(items)) throw new Error("QUOTA_BYTES quota exceeded");
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

// `filters`: what each listener was added with (webNavigation's URL filter), in order.
const event = () => {
  const listeners = [];
  const filters = [];
  const addListener = (listener, filter) => {
    listeners.push(listener);
    filters.push(filter);
  };
  return { listeners, filters, addListener };
};

// A webNavigation URL filter as the browser applies it (only the conditions the worker uses).
function matchesFilter(filter, url) {
  if (filter === undefined) return true;
  const { hostname, pathname } = new URL(url);
  return filter.url.some(({ hostEquals, pathPrefix, ...rest }) => {
    if (Object.keys(rest).length > 0) throw new Error(`conditions the stand-in does not know: ${Object.keys(rest)}`);
    return (hostEquals === undefined || hostname === hostEquals) && (pathPrefix === undefined || pathname.startsWith(pathPrefix));
  });
}

// ------------------------------------------------------------------ time

// The worker's clock: it stands still, so that "30 s from now" is exact, and moves on only by
// `advance` (an alarm a minute away is "a minute later" at once). Only Date is stopped;
// timers (the request timeouts) run in real time.
export class Clock {
  constructor(start = Date.now()) {
    this.start = start;
    this.offset = 0;
  }

  now() {
    return this.start + this.offset;
  }

  advance(ms) {
    this.offset += ms;
  }

  // The Date the worker's modules see.
  dateClass() {
    const clock = this;
    return class ClockedDate extends Date {
      constructor(...args) {
        if (args.length === 0) super(clock.now());
        else super(...args);
      }

      static now() {
        return clock.now();
      }
    };
  }
}

// chrome.alarms, as Chrome keeps them: by name, a new one replacing the old, each with its
// scheduledTime (from when or delayInMinutes) and periodInMinutes.
function alarmsArea(clock) {
  const alarms = new Map();
  return {
    alarms,
    api: {
      async create(name, info = {}) {
        const delay = Number(info.delayInMinutes ?? info.periodInMinutes ?? 0);
        const scheduledTime = info.when ?? clock.now() + delay * 60000;
        alarms.set(name, { name, scheduledTime, ...(info.periodInMinutes ? { periodInMinutes: info.periodInMinutes } : {}) });
      },
      clear: async (name) => alarms.delete(name),
      get: async (name) => structuredClone(alarms.get(name)),
      getAll: async () => structuredClone([...alarms.values()]),
      onAlarm: event(),
    },
  };
}

// ------------------------------------------------------------------ the worker

// A fresh worker, as after a browser start or after Chrome stopped an idle one: only the
// storage areas passed in carry over. `i18n`: its messages (English unless told otherwise).
export async function startWorker({ loopback, local = storageArea(), session = storageArea(), clock = new Clock(), i18n }) {
  const tabs = [];
  const injections = [];
  const badge = { text: "", color: null };
  let optionsOpened = 0;
  const { alarms, api: alarmsApi } = alarmsArea(clock);
  const chrome = {
    storage: { local, session, onChanged: event() },
    alarms: alarmsApi,
    action: {
      setBadgeText: async ({ text }) => void (badge.text = text),
      setBadgeBackgroundColor: async ({ color }) => void (badge.color = color),
    },
    runtime: {
      id: "a".repeat(32),
      getURL: (path) => `chrome-extension://${"a".repeat(32)}/${path}`,
      openOptionsPage: async () => void (optionsOpened += 1),
      onMessage: event(),
      onStartup: event(),
      onInstalled: event(),
    },
    tabs: { create: async (properties) => void tabs.push(structuredClone(properties)) },
    webNavigation: { onHistoryStateUpdated: event() },
    scripting: { executeScript: async (injection) => void injections.push(structuredClone(injection)) },
    i18n: i18n ?? i18nStandIn(),
  };
  const workerLocks = locks();
  const context = vm.createContext({
    Date: clock.dateClass(),
    chrome,
    fetch: loopback.fetch,
    crypto: webcrypto,
    navigator: { locks: workerLocks },
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
    onHistoryStateUpdated: chrome.webNavigation.onHistoryStateUpdated.listeners.length,
  });
  const modules = await loadModules(context, ENTRY, () => {
    listenersAtStart = countListeners();
  });
  const worker = inOurRealm(allExports(modules));
  // Once every pass asked for so far (in the background, say) is over, and its writes.
  const idle = async () => {
    await workerLocks.request("ssi-companion-flush", {}, () => null);
    await workerLocks.request("ssi-companion-storage", {}, () => null);
    await new Promise((resolve) => setTimeout(resolve, 1));
  };
  // The alarm fires as Chrome would fire it, and the pass it starts is over.
  const fireAlarm = async (name) => {
    const alarm = alarms.get(name);
    for (const listener of chrome.alarms.onAlarm.listeners) listener(structuredClone(alarm ?? { name }));
    await new Promise((resolve) => setTimeout(resolve, 1));
    await idle();
  };
  // A history change in a tab (pushState, replaceState), reported to the listeners whose URL
  // filter it matches, as the browser does; then whatever they started is over.
  const historyStateUpdated = async (details) => {
    const { listeners, filters } = chrome.webNavigation.onHistoryStateUpdated;
    listeners.forEach((listener, i) => matchesFilter(filters[i], details.url) && listener(structuredClone(details)));
    await new Promise((resolve) => setTimeout(resolve, 1));
  };
  return {
    worker,
    modules: [...modules.keys()],
    listenersAtStart,
    chrome,
    local,
    session,
    tabs,
    alarms,
    badge,
    clock,
    idle,
    fireAlarm,
    historyStateUpdated,
    injections,
    optionsOpened: () => optionsOpened,
  };
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

// ------------------------------------------------------------------ messages

export const EXTENSION_ID = "a".repeat(32);
export const PAGE = { id: EXTENSION_ID, url: `chrome-extension://${EXTENSION_ID}/popup.html` };
export const CONTENT_SCRIPT = { id: EXTENSION_ID, url: "https://www.linkedin.com/sales/ssi", tab: { id: 7 } };

// What the onMessage listener answers, as chrome.runtime.sendMessage would get it: a copy
// (in our realm, which assert.deepEqual tells apart from the worker's). The listener must
// neither throw nor leave the reply unsent.
export function sendMessage(chrome, message, sender = PAGE) {
  const [listener] = chrome.runtime.onMessage.listeners;
  return new Promise((resolve, reject) => {
    const reply = (answer) => resolve(structuredClone(answer));
    if (listener(message, sender, reply) !== true) reject(new Error("the listener did not keep the reply open"));
  });
}

// A CAPTURE message as content.js sends it.
export function captureMessage(html = "<main>SSI</main>") {
  return {
    type: "CAPTURE",
    url: "https://www.linkedin.com/sales/ssi",
    capturedAt: "2026-11-26T21:05:03.120-05:00",
    html,
  };
}
