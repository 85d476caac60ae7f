// The network the worker sees: ports on 127.0.0.1 and what answers there, the companion (as
// its API describes it, only what the worker uses) and an impostor. harness.mjs re-exports
// everything here.

import { createHash, createHmac, randomBytes } from "node:crypto";

import { VOCABULARY } from "./modules.mjs";

// Ports on 127.0.0.1 and what answers there; every request is recorded with its port.
export class Loopback {
  constructor() {
    this.servers = new Map();
    this.requests = [];
    this.held = new Map();
    this.fetch = this.fetch.bind(this);
  }

  // Requests to `path` (say "/api/v1/ping") get no answer until released; `arrived` is a
  // promise of the first one. A slow companion, or one that hangs.
  hold(path) {
    let arrive;
    let release;
    const arrived = new Promise((resolve) => (arrive = resolve));
    const gate = new Promise((resolve) => (release = resolve));
    this.held.set(path, { arrive, gate });
    return {
      arrived,
      release: () => {
        this.held.delete(path);
        release();
      },
    };
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
    const held = this.held.get(pathname);
    if (held) {
      held.arrive(request);
      await held.gate;
    }
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
    // (body) => {status, json} to answer a POST /captures otherwise; undefined: take it.
    this.answerCapture = () => undefined;
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
      const other = this.answerCapture(body);
      if (other !== undefined) return other;
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
