// A stand-in for the LinkedIn document that content.js runs in, as it ships (a classic script,
// in a VM context of its own; running it again is another injection into the same document).
// Only what content.js reads is there, and nothing it could write with: the document answers
// queries about its current view, the address changes as the app's pushState changes it,
// MutationObserver reports a new view a microtask later, timers run on a clock that moves only
// when told, and chrome.runtime.sendMessage records what the worker would be handed.

import { readFileSync } from "node:fs";
import vm from "node:vm";

const SOURCE = readFileSync(new URL("../content.js", import.meta.url), "utf8");
export const ORIGIN = "https://www.linkedin.com";
export const SSI_URL = `${ORIGIN}/sales/ssi`;

// A view: its HTML, whether it shows the SSI values (as the embedded JSON, a <code> holding
// memberScore: one of the ways content.js knows them) and whether it is a sign-in form.
export const view = (html, { values = false, signIn = false } = {}) => ({ html, values, signIn });

class Timers {
  constructor() {
    this.now = 0;
    this.pending = new Map();
    this.next = 1;
  }

  add(fn, ms, every = null) {
    const id = this.next++;
    this.pending.set(id, { at: this.now + Math.max(0, Number(ms) || 0), fn, every });
    return id;
  }

  clear(id) {
    this.pending.delete(id);
  }

  // Runs every timer due within `ms`, in order, with the microtasks each leaves.
  async advance(ms) {
    const end = this.now + ms;
    for (;;) {
      const due = [...this.pending].filter(([, timer]) => timer.at <= end).sort((a, b) => a[1].at - b[1].at);
      if (due.length === 0) break;
      const [id, timer] = due[0];
      this.now = timer.at;
      if (timer.every === null) this.pending.delete(id);
      else timer.at += timer.every;
      timer.fn();
      await settle();
    }
    this.now = end;
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

export function linkedInPage({ url = SSI_URL, shows, navigationApi = false }) {
  let current = shows;
  let address = new URL(url);
  const observers = new Set();
  const entryListeners = [];
  const sent = [];
  const timers = new Timers();

  const main = () => ({ outerHTML: `<main>${current.html}</main>`, contains: () => current.signIn });
  const document = {
    get body() {
      return { outerHTML: `<body>${main().outerHTML}</body>` };
    },
    querySelectorAll: (selector) => (selector === "code" && current.values ? [{ textContent: '{"memberScore":{}}' }] : []),
    querySelector(selector) {
      if (selector === "main") return main();
      if (selector.includes('input[type="password" i]')) return current.signIn ? {} : null;
      return null;
    },
  };
  const location = {
    get href() {
      return address.href;
    },
    get pathname() {
      return address.pathname;
    },
  };
  class MutationObserver {
    constructor(callback) {
      this.callback = callback;
    }

    observe() {
      observers.add(this);
    }

    disconnect() {
      observers.delete(this);
    }
  }
  const context = vm.createContext({
    document,
    location,
    MutationObserver,
    navigation: navigationApi ? { addEventListener: (type, fn) => type === "currententrychange" && entryListeners.push(fn) } : undefined,
    addEventListener() {},
    chrome: {
      runtime: {
        sendMessage: async (message) => {
          sent.push(structuredClone(message));
          return { queued: true, id: `c${sent.length}` };
        },
      },
    },
    setTimeout: (fn, ms) => timers.add(fn, ms),
    clearTimeout: (id) => timers.clear(id),
    setInterval: (fn, ms) => timers.add(fn, ms, ms),
    console: { debug() {}, info() {}, warn() {}, log() {} },
  });

  return {
    sent,
    inject: async () => {
      vm.runInContext(SOURCE, context);
      await settle();
    },
    state() {
      const shared = context.__ssiCompanionContentScript;
      return shared ? { runs: shared.runs, visits: shared.visits } : null;
    },
    advance: (ms) => timers.advance(ms),
    // The app draws another view: the observers hear of it a microtask later.
    async draw(next) {
      current = next;
      queueMicrotask(() => {
        for (const observer of [...observers]) observer.callback([{ type: "childList" }]);
      });
      await settle();
    },
    // history.pushState: only the address changes (the Navigation API, when there, says so at once).
    pushState(path) {
      address = new URL(path, ORIGIN);
      for (const listener of entryListeners) listener();
    },
  };
}
