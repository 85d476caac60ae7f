// The service worker's trust logic, in Node's own test runner: `node --test` (no framework).
// It proves the port before the token or a capture leaves, makes pairing secrets that only
// their SHA-256 goes out with, and never stores whether a port proved itself.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";

import { FakeCompanion, Impostor, Loopback, capture, hmacHex, sha256Hex, startWorker } from "./harness.mjs";

const PORT = 47613;

async function setUp({ server = "companion", token } = {}) {
  const loopback = new Loopback();
  const companion = new FakeCompanion(PORT);
  if (server === "companion") loopback.listen(PORT, companion);
  const impostor = server === "impostor" ? loopback.listen(PORT, new Impostor()) : null;
  const started = await startWorker({ loopback });
  const saved = token === undefined ? companion.token : token;
  await started.local.set({ settings: { port: PORT, token: saved } });
  return { loopback, companion, impostor, ...started };
}

const sentSecrets = (requests) =>
  requests.filter((request) => "Authorization" in request.headers || request.path.endsWith("/captures"));

describe("proof of the token", () => {
  test("a proof made with the token is accepted, any other is not", async () => {
    const { worker } = await setUp();
    const token = randomBytes(32).toString("base64url");
    const nonce = randomBytes(16).toString("hex");
    assert.equal(await worker.proofMatches(token, nonce, hmacHex(token, nonce)), true);
    assert.equal(await worker.proofMatches(token, nonce, hmacHex("another token", nonce)), false);
    // Another nonce: its first digit changed (to "e" when it was "f": 1 nonce in 16 starts so).
    const otherNonce = (nonce[0] === "f" ? "e" : "f") + nonce.slice(1);
    assert.equal(await worker.proofMatches(token, nonce, hmacHex(token, otherNonce)), false);
    assert.equal(await worker.proofMatches(token, nonce, hmacHex(token, nonce).toUpperCase()), false);
    for (const malformed of ["", "00", "z".repeat(64), null, undefined, 42, { proof: 1 }]) {
      assert.equal(await worker.proofMatches(token, nonce, malformed), false, String(malformed));
    }
    assert.equal(await worker.proofMatches("", nonce, hmacHex("", nonce)), false, "no token, no proof");
  });

  test("the companion is found when it proves the token, with a fresh 128-bit nonce each time", async () => {
    const { worker, loopback, companion } = await setUp();
    for (let i = 0; i < 3; i += 1) {
      assert.equal((await worker.findCompanion(PORT, companion.token)).connection, "connected");
    }
    const nonces = loopback.requests.filter((r) => r.path === "/api/v1/proof").map((r) => r.body.nonce);
    assert.equal(nonces.length, 3);
    assert.equal(new Set(nonces).size, 3);
    for (const nonce of nonces) assert.match(nonce, /^[0-9a-f]{32}$/);
    // Asking for a proof sends nothing secret: no token, no header that carries one.
    assert.deepEqual(sentSecrets(loopback.requests), []);
  });

  test("an impostor that answers ping like the companion is not the companion", async () => {
    const { worker, companion, loopback } = await setUp({ server: "impostor" });
    const found = await worker.findCompanion(PORT, companion.token);
    assert.equal(found.connection, "not_companion");
    assert.match(found.message, /^Something else answers on port 47613: it is not your companion\./);
    assert.deepEqual(sentSecrets(loopback.requests), []);
  });

  test("an impostor that replays a proof it saw is not the companion", async () => {
    const loopback = new Loopback();
    const companion = loopback.listen(PORT, new FakeCompanion(PORT));
    const { worker } = await startWorker({ loopback });
    assert.equal((await worker.findCompanion(PORT, companion.token)).connection, "connected");
    const seen = loopback.requests.find((r) => r.path === "/api/v1/proof");
    const replayed = hmacHex(companion.token, seen.body.nonce);
    loopback.listen(PORT, new Impostor({ prove: () => replayed })); // the port changed hands
    assert.equal((await worker.findCompanion(PORT, companion.token)).connection, "not_companion");
  });

  test("a companion with another token (rotated) cannot prove ours either", async () => {
    const { worker } = await setUp();
    const found = await worker.findCompanion(PORT, "an-old-token-that-was-rotated-away-000");
    assert.equal(found.connection, "not_companion");
    assert.match(found.message, /pair again/);
  });

  test("nothing listening, nothing there; no token, nothing to prove", async () => {
    const { worker, companion } = await setUp({ server: "none" });
    assert.equal((await worker.findCompanion(PORT, companion.token)).connection, "not_running");
    const { worker: other, loopback } = await setUp();
    assert.equal((await other.findCompanion(PORT, "")).connection, "pairing_needed");
    assert.equal(loopback.requests.filter((r) => r.path === "/api/v1/proof").length, 0);
  });
});

describe("refusing to send to an impostor", () => {
  test("a capture is kept, never sent, and the state says who answers", async () => {
    const { worker, local, loopback } = await setUp({ server: "impostor" });
    const item = capture();
    await local.set({ outbox: [item] });
    assert.equal(await worker.flush(), "not_companion");
    assert.deepEqual(sentSecrets(loopback.requests), [], "neither the token nor the capture left");
    const stored = local.dump();
    assert.deepEqual(stored.outbox.map((queued) => queued.id), [item.id]);
    assert.equal(stored.state.connection, "not_companion");
    assert.match(stored.state.message, /Something else answers on port 47613: it is not your companion/);
    assert.ok(stored.state.nextRetryAt, "tried again later: the port may hold the companion then");
  });

  test("test connection, the token check and Open summary send nothing either", async () => {
    const { worker, companion, loopback, tabs } = await setUp({ server: "impostor" });
    const tested = await worker.testConnection({ port: PORT, token: companion.token });
    assert.equal(tested.result, "not_companion");
    assert.equal(await worker.flush({ probe: true }), "not_companion");
    const opened = await worker.openSummary();
    assert.equal(opened.ok, false);
    assert.match(opened.message, /it is not your companion/);
    assert.deepEqual(tabs, []);
    assert.deepEqual(sentSecrets(loopback.requests), []);
    assert.deepEqual(
      [...new Set(loopback.requests.map((r) => r.path))].sort(),
      ["/api/v1/ping", "/api/v1/proof"],
    );
  });

  test("the companion gets the capture, with the token, right after its proof", async () => {
    const { worker, local, loopback, companion } = await setUp();
    const item = capture();
    await local.set({ outbox: [item] });
    assert.equal(await worker.flush(), "drained");
    assert.deepEqual(companion.captures.map((sent) => sent.id), [item.id]);
    const paths = loopback.requests.map((r) => r.path);
    assert.deepEqual(paths, ["/api/v1/ping", "/api/v1/proof", "/api/v1/captures"]);
    assert.equal(local.dump().state.connection, "connected");
  });

  test("the check is made again by every pass and every new worker; its result is never stored", async () => {
    const { local, session, loopback, companion, worker } = await setUp();
    await local.set({ outbox: [capture()] });
    await worker.flush();
    await local.set({ outbox: [capture()] });
    await worker.flush();
    // Chrome stopped the worker; a new one starts with the same storage.
    const { worker: restarted } = await startWorker({ loopback, local, session });
    await local.set({ outbox: [capture()] });
    await restarted.flush();
    const proofs = loopback.requests.filter((r) => r.path === "/api/v1/proof");
    assert.equal(proofs.length, 3);
    // Before every capture, in the same pass, a proof.
    const paths = loopback.requests.map((r) => r.path).filter((p) => p !== "/api/v1/ping");
    assert.deepEqual(paths, Array(3).fill(["/api/v1/proof", "/api/v1/captures"]).flat());
    assert.equal(companion.captures.length, 3);
    const everything = JSON.stringify([local.dump(), session.dump()]);
    assert.doesNotMatch(everything, /proof|nonce|verified/i);
    assert.deepEqual(Object.keys(local.dump()).sort(), ["latest", "outbox", "settings", "state"]);
  });

  test("a token refused after the proof (rotated meanwhile) keeps the capture and asks to pair", async () => {
    const { worker, local, companion } = await setUp();
    const original = companion.handle.bind(companion);
    companion.handle = async (request) =>
      request.path === "/api/v1/captures" ? { status: 401, json: { error: { code: "unauthorized" } } } : original(request);
    const item = capture();
    await local.set({ outbox: [item] });
    assert.equal(await worker.flush(), "pairing_needed");
    assert.deepEqual(local.dump().outbox.map((queued) => queued.id), [item.id]);
    assert.equal(local.dump().state.connection, "pairing_needed");
  });

  test("a port that changes hands between two passes gets nothing", async () => {
    const { worker, local, loopback, companion } = await setUp();
    await local.set({ outbox: [capture()] });
    await worker.flush();
    loopback.listen(PORT, new Impostor()); // the companion stopped, something else took the port
    const second = capture();
    await local.set({ outbox: [second] });
    assert.equal(await worker.flush(), "not_companion");
    assert.deepEqual(local.dump().outbox.map((queued) => queued.id), [second.id]);
    assert.equal(companion.captures.length, 1);
  });
});

describe("pairing secrets (PKCE)", () => {
  test("a verifier has 256 random bits in 43 base64url characters, a new one each time", async () => {
    const { worker } = await setUp();
    const verifiers = Array.from({ length: 50 }, () => worker.makeVerifier());
    for (const verifier of verifiers) assert.match(verifier, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(new Set(verifiers).size, 50);
    // Every character position varies: nothing fixed, nothing predictable.
    for (let i = 0; i < 42; i += 1) assert.ok(new Set(verifiers.map((v) => v[i])).size > 5, `position ${i}`);
    assert.equal(await worker.challengeOf("abc"), sha256Hex("abc"));
  });

  test("asking to pair sends only the challenge; collecting sends the secret; the token is saved", async () => {
    const { worker, loopback, companion, local, session } = await setUp({ token: "" });
    const started = await worker.pairStart({ port: PORT });
    assert.equal(started.ok, true);
    const [asked] = loopback.requests.filter((r) => r.path === "/api/v1/pairing");
    assert.deepEqual(Object.keys(asked.body), ["challenge"]);
    assert.match(asked.body.challenge, /^[0-9a-f]{64}$/);
    // The secret is in memory-only storage, never in storage.local, and matches the challenge.
    const kept = session.dump()[`pairing:${started.id}`];
    assert.equal(sha256Hex(kept.verifier), asked.body.challenge);
    assert.doesNotMatch(JSON.stringify(local.dump()), new RegExp(kept.verifier));

    assert.deepEqual(await worker.pairStatus({ id: started.id }), { status: "pending" });
    companion.pairings.get(started.id).status = "approved";
    assert.deepEqual(await worker.pairStatus({ id: started.id }), { status: "approved" });
    const [, collected] = loopback.requests.filter((r) => r.path === `/api/v1/pairing/${started.id}`);
    assert.deepEqual(collected.body, { verifier: kept.verifier });
    assert.deepEqual(local.dump().settings, { port: PORT, token: companion.token });
    assert.deepEqual(session.dump(), {}, "the secret is forgotten once the request is over");
  });

  test("the secret survives a worker restart during the wait", async () => {
    const { loopback, companion, local, session, worker } = await setUp({ token: "" });
    const started = await worker.pairStart({ port: PORT });
    companion.pairings.get(started.id).status = "approved";
    const { worker: restarted } = await startWorker({ loopback, local, session });
    assert.deepEqual(await restarted.pairStatus({ id: started.id }), { status: "approved" });
    assert.equal(local.dump().settings.token, companion.token);
  });

  test("a request the worker holds no secret for, or the companion forgot, has expired", async () => {
    const { worker, companion, session } = await setUp({ token: "" });
    assert.deepEqual(await worker.pairStatus({ id: "never-started" }), { status: "expired" });
    const started = await worker.pairStart({ port: PORT });
    companion.pairings.clear(); // the companion restarted
    assert.deepEqual(await worker.pairStatus({ id: started.id }), { status: "expired" });
    assert.deepEqual(session.dump(), {});
  });

  test("a replaced request says so", async () => {
    const { worker, companion } = await setUp({ token: "" });
    const started = await worker.pairStart({ port: PORT });
    companion.pairings.get(started.id).status = "replaced";
    assert.deepEqual(await worker.pairStatus({ id: started.id }), { status: "replaced" });
  });
});

describe("Open summary", () => {
  test("opens the companion's one-time sign-in link in a new tab, after the proof", async () => {
    const { worker, loopback, tabs } = await setUp();
    assert.deepEqual(await worker.openSummary(), { ok: true });
    assert.deepEqual(tabs, [{ url: `http://127.0.0.1:${PORT}/signin?code=${"c".repeat(43)}` }]);
    const paths = loopback.requests.map((r) => r.path);
    assert.deepEqual(paths, ["/api/v1/ping", "/api/v1/proof", "/api/v1/signin-link"]);
    const [asked] = loopback.requests.filter((r) => r.path === "/api/v1/signin-link");
    assert.equal(asked.method, "POST");
    assert.deepEqual(asked.body, {});
  });

  test("a link to anywhere but this port's sign-in page is not opened", async () => {
    for (const url of [
      "https://evil.example/signin?code=abc",
      `http://127.0.0.1:${PORT + 1}/signin?code=abc`,
      `http://localhost:${PORT}/signin?code=abc`,
      `http://127.0.0.1:${PORT}/signin?code=abc&next=https://evil.example`,
      `http://127.0.0.1:${PORT}/elsewhere`,
      42,
    ]) {
      const { worker, companion, tabs } = await setUp();
      const original = companion.handle.bind(companion);
      companion.handle = async (request) =>
        request.path === "/api/v1/signin-link" ? { status: 201, json: { url } } : original(request);
      const opened = await worker.openSummary();
      assert.equal(opened.ok, false, String(url));
      assert.deepEqual(tabs, []);
    }
  });

  test("without a token there is nothing to open it with", async () => {
    const { worker, tabs } = await setUp({ token: "" });
    const opened = await worker.openSummary();
    assert.equal(opened.ok, false);
    assert.match(opened.message, /pair/);
    assert.deepEqual(tabs, []);
  });
});
