// SAVE_SETTINGS: the options page's port and token go through the service worker, which
// writes them under the same storage lock as pairing's token, so neither undoes the other.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { CONTENT_SCRIPT, FakeCompanion, Loopback, sendMessage as send, startWorker, storageArea } from "./harness.mjs";

const PORT = 47613;
const PORT_ERROR = "The port must be a whole number from 1 to 65535.";

async function setUp({ token = "", latency = false } = {}) {
  const loopback = new Loopback();
  const companion = loopback.listen(PORT, new FakeCompanion(PORT));
  const started = await startWorker({ loopback, local: storageArea({ latency }) });
  await started.local.set({ settings: { port: PORT, token } });
  return { loopback, companion, ...started };
}

describe("SAVE_SETTINGS", () => {
  test("saves the port and the token, and tells only whether a token is saved", async () => {
    const { chrome, local } = await setUp();
    const token = "t".repeat(43);
    const reply = await send(chrome, { type: "SAVE_SETTINGS", port: 50000, token: `  ${token} ` });
    assert.deepEqual(reply, { ok: true, settings: { port: 50000, hasToken: true } });
    assert.deepEqual(local.dump().settings, { port: 50000, token });
    assert.deepEqual(await send(chrome, { type: "SAVE_SETTINGS", port: "47614", token: "not-the-token" }), {
      ok: true,
      settings: { port: 47614, hasToken: true },
    });
    assert.deepEqual(local.dump().settings, { port: 47614, token: "not-the-token" });
  });

  test("a token left out or empty keeps the saved one", async () => {
    const { chrome, local } = await setUp({ token: "saved-token" });
    for (const token of [undefined, null, "", "   "]) {
      const message = { type: "SAVE_SETTINGS", port: 47700 };
      if (token !== undefined) message.token = token;
      const reply = await send(chrome, message);
      assert.deepEqual(reply, { ok: true, settings: { port: 47700, hasToken: true } }, String(token));
      assert.deepEqual(local.dump().settings, { port: 47700, token: "saved-token" });
    }
    const { chrome: fresh } = await setUp();
    assert.deepEqual(await send(fresh, { type: "SAVE_SETTINGS", port: PORT }), {
      ok: true,
      settings: { port: PORT, hasToken: false },
    });
  });

  test("refuses a port or a token that cannot be right, and changes nothing", async () => {
    const { chrome, local } = await setUp({ token: "saved-token" });
    for (const port of [0, 65536, -1, 1.5, "abc", "", null, undefined, [], {}]) {
      const reply = await send(chrome, { type: "SAVE_SETTINGS", port, token: "new-token" });
      assert.deepEqual(reply, { error: PORT_ERROR }, JSON.stringify(port));
    }
    assert.deepEqual(await send(chrome, { type: "SAVE_SETTINGS", port: PORT, token: 42 }), {
      error: "The token must be text.",
    });
    for (const token of ["two words", "tab\there", "é-accent"]) {
      assert.deepEqual(await send(chrome, { type: "SAVE_SETTINGS", port: PORT, token }), {
        error: 'That is not a token: paste what "ssi-companion token" prints.',
      });
    }
    assert.deepEqual(local.dump().settings, { port: PORT, token: "saved-token" });
  });

  test("is answered only to the extension's own pages", async () => {
    const { chrome, local } = await setUp({ token: "saved-token" });
    assert.deepEqual(await send(chrome, { type: "SAVE_SETTINGS", port: 1, token: "evil-token" }, CONTENT_SCRIPT), {
      error: "SAVE_SETTINGS is answered only to the extension's own pages",
    });
    assert.deepEqual(local.dump().settings, { port: PORT, token: "saved-token" });
  });
});

// Pairing is approved and saves its token; at that very moment (its read of the settings is
// under way) the options page saves the port. `during` is what the page does then.
async function pairWhileSaving(during) {
  const setup = await setUp({ latency: true });
  const { worker, companion, local } = setup;
  const started = await worker.pairStart({ port: PORT });
  companion.pairings.get(started.id).status = "approved";
  const get = local.get.bind(local);
  let saving = null;
  local.get = (keys) => {
    const reading = get(keys);
    // The first read-modify-write of the settings is pairing's: its read has begun.
    if (saving === null && keys && typeof keys === "object" && !Array.isArray(keys) && "settings" in keys) {
      saving = during(setup);
    }
    return reading;
  };
  assert.deepEqual(await worker.pairStatus({ id: started.id }), { status: "approved" });
  assert.ok(saving, "the page saved while pairing did");
  const reply = await saving;
  return { ...setup, reply };
}

describe("SAVE_SETTINGS and pairing at the same moment", () => {
  test("the token that pairing saved stays", async () => {
    const { reply, local, companion } = await pairWhileSaving(({ chrome }) =>
      send(chrome, { type: "SAVE_SETTINGS", port: PORT }),
    );
    assert.deepEqual(reply, { ok: true, settings: { port: PORT, hasToken: true } });
    assert.deepEqual(local.dump().settings, { port: PORT, token: companion.token });
  });

  test("(the same moment without the lock, as the options page wrote before, loses it)", async () => {
    // Why SAVE_SETTINGS exists: a read-modify-write of its own, outside the worker's lock.
    const { local } = await pairWhileSaving(async ({ local: area }) => {
      const { settings } = await area.get("settings");
      await area.set({ settings: { ...settings, port: PORT } });
    });
    assert.equal(local.dump().settings.token, "", "pairing's token was written over");
  });
});
