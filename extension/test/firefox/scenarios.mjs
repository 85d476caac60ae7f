// The scenarios of tests/browser/test_extension.py that apply to Firefox, each in its own
// fresh Firefox. Each checks the extension's side itself (node:assert) and returns a report
// (JSON) that tests/browser/test_firefox.py checks against the companion's side.
//
// `ctx.config`: extensionDir, port, token ("" for pairing), html (the SSI page fixture).
// `ctx.checkpoint(name, data)`: tells pytest where the scenario is (a JSON line on stdout)
// and waits for its answer (a JSON line on stdin): how pytest starts the companion at the
// right moment, or hands over a sign-in link.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";

import { SETTLE_MS, SSI_URL, log, sleep, waitFor } from "./common.mjs";
import { Firefox } from "./driver.mjs";
import { MUTATION_COUNTER, injectHead, mutations } from "./mutations.mjs";
import { button, configure, optionsPage, wordsNotFromMessages } from "./options.mjs";
import { snapshot, storage, waitBadge, waitOutbox } from "./state.mjs";
import { loadVocabulary } from "./vocabulary.mjs";

// Waiting for a delivery that the outbox's own schedule makes (no "Retry now"): pytest waits
// for the companion to have it; this is only the extension's side afterwards.
const DRAIN_MS = 20_000;

async function withFirefox(ctx, options, body) {
  const firefox = await Firefox.launch({ extensionDir: ctx.config.extensionDir, ...options });
  try {
    const report = await body(firefox);
    // In every scenario: nothing but the SSI page itself went to LinkedIn.
    assert.deepEqual(firefox.linkedin.extra, [], "requests to LinkedIn from a LinkedIn tab");
    assert.deepEqual(firefox.proxy.linkedin(), [], "requests to LinkedIn from elsewhere in Firefox");
    return { ...report, linkedin: linkedinReport(firefox) };
  } finally {
    await firefox.close();
  }
}

function linkedinReport(firefox) {
  return {
    fulfilled: firefox.linkedin.fulfilled,
    extra: firefox.linkedin.extra,
    aborted: firefox.linkedin.aborted,
    proxied: firefox.proxy.linkedin(),
    proxiedAll: firefox.proxy.requests.map(({ method, url }) => `${method} ${url}`),
  };
}

async function waitDelivered(firefox, { timeout = DRAIN_MS } = {}) {
  return waitFor(
    async () => {
      const stored = await storage(firefox);
      return (stored.outbox ?? []).length === 0 && stored.latest?.reading ? stored : null;
    },
    { timeout, what: "the capture delivered (outbox empty, latest reading stored)" },
  );
}

// The badge shows `text`, and that is the stored reading's total, rounded.
async function waitBadgeShowsTotal(firefox, text) {
  await waitBadge(firefox, text);
  const { TOTAL } = await loadVocabulary(firefox.extensionDir);
  const { latest } = await storage(firefox);
  assert.equal(String(Math.round(latest.reading[TOTAL])), text, "the badge shows the stored total");
}

// Captures queued while the companion is down; then pytest starts it, and the extension must
// deliver them on its own: no extension page is open meanwhile, nobody presses "Retry now".
async function queuedWhileDown(ctx, firefox, visits) {
  const { port, token, html } = ctx.config;
  await configure(firefox, port, token);
  for (let n = 1; n <= visits; n += 1) {
    const page = await firefox.visit(html);
    await waitOutbox(firefox, n);
    await page.close();
    log(`visit ${n}: queued`);
  }
  await waitFor(async () => (await storage(firefox)).state?.connection === "not_running", {
    what: "state not_running",
  });
  await waitBadge(firefox, "!");
  const queued = await snapshot(firefox);
  assert.equal(queued.outbox.length, visits);
  await firefox.closeProbe();

  const answer = await ctx.checkpoint("queued", { ids: queued.outbox.map(({ id }) => id), queued });
  log(`pytest: ${JSON.stringify(answer)}`);
  if (!answer.delivered) {
    // Not delivered in time: the extension's side, for pytest's message.
    return { queued, after: await snapshot(firefox), answer };
  }
  await waitOutbox(firefox, 0, { timeout: DRAIN_MS });
  await waitBadgeShowsTotal(firefox, "20");
  return { queued, after: await snapshot(firefox), answer };
}

export const scenarios = {
  // 1. A visit is captured once and stored; the badge shows the total.
  async capture(ctx) {
    const { port, token, html } = ctx.config;
    return withFirefox(ctx, {}, async (firefox) => {
      await configure(firefox, port, token);
      await firefox.visit(html);
      await waitDelivered(firefox);
      await waitBadgeShowsTotal(firefox, "20");
      await sleep(SETTLE_MS); // a second send would come within this
      const after = await snapshot(firefox);
      assert.deepEqual(after.outbox, []);
      return { after };
    });
  },

  // 2. The companion is down at visit time: the capture waits, then is delivered once.
  async companion_down(ctx) {
    return withFirefox(ctx, {}, (firefox) => queuedWhileDown(ctx, firefox, 1));
  },

  // 3. Five visits while it is down: all five delivered after it starts.
  async five_queued(ctx) {
    return withFirefox(ctx, {}, (firefox) => queuedWhileDown(ctx, firefox, 5));
  },

  // 4. Passive on LinkedIn: no request to it but the page itself, no change to its DOM. The
  //    control is the same page in the same Firefox before the extension is installed.
  async passive(ctx) {
    const { port, token } = ctx.config;
    const html = injectHead(ctx.config.html, MUTATION_COUNTER);
    return withFirefox(ctx, { install: false }, async (firefox) => {
      const control = await firefox.visit(html);
      await sleep(SETTLE_MS);
      const expected = await mutations(control);
      assert.equal(expected.afterParse, 0, `the page alone changes itself: ${expected.log}`);
      // The counter does see a change after the parse (one attribute here).
      await control.evaluate(() => document.body.setAttribute("data-probe", "1"));
      assert.equal((await mutations(control)).afterParse, 1, "the counter sees a change");
      const controlAborted = [...firefox.linkedin.aborted];
      const controlFulfilled = [...firefox.linkedin.fulfilled];
      await control.close();
      // The proxy does see a request to LinkedIn from outside a LinkedIn tab, as one from the
      // extension's background script would be.
      const elsewhere = await firefox.newPage();
      await elsewhere.evaluate(() => fetch("https://www.linkedin.com/recorder-check").catch(() => null));
      await elsewhere.close();
      const recorderCheck = firefox.proxy.linkedin();
      assert.deepEqual(recorderCheck, ["CONNECT https://www.linkedin.com:443/"], "the proxy records");
      firefox.proxy.requests.length = 0;
      firefox.linkedin.aborted.length = 0;
      firefox.linkedin.fulfilled.length = 0;

      await firefox.installExtension();
      await configure(firefox, port, token);
      const page = await firefox.visit(html);
      await waitDelivered(firefox);
      await waitBadgeShowsTotal(firefox, "20");
      await sleep(SETTLE_MS);
      const seen = await mutations(page);
      assert.equal(seen.afterParse, 0, `the extension changed the page: ${seen.log}`);
      assert.equal(seen.count, expected.count, "as many mutations as without the extension");
      assert.deepEqual(firefox.linkedin.fulfilled, [SSI_URL]);
      // What was aborted is the page's own static.licdn.com assets, as in the control run.
      assert.deepEqual([...firefox.linkedin.aborted].sort(), [...controlAborted].sort());
      return {
        control: { mutations: expected, aborted: controlAborted, fulfilled: controlFulfilled, recorderCheck },
        withExtension: { mutations: seen, aborted: firefox.linkedin.aborted },
        after: await snapshot(firefox),
      };
    });
  },

  // 5. Pairing: Pair in the options page, Approve on the companion's pairing page (signed in
  //    with the link `ssi-companion open --print` prints), then a capture goes through.
  async pairing(ctx) {
    const { port, html } = ctx.config;
    return withFirefox(ctx, {}, async (firefox) => {
      const options = await optionsPage(firefox);
      // Firefox's chrome.i18n gives the page its words (the HTML has none).
      assert.deepEqual(await wordsNotFromMessages(options), [], "the options page's words are the messages");
      await configure(firefox, port, "", options);
      assert.equal((await storage(firefox)).settings.token, "", "no token before pairing");

      await (await button(options, "^Pair\\b", '"Pair…"')).click();
      const code = await waitFor(
        () => options.evaluate(() => /\b\d{3}-\d{3}\b/.exec(document.body.innerText)?.[0] ?? null),
        { what: "the pairing code on the options page" },
      );
      const optionsText = await options.evaluate(() => document.body.innerText);
      log(`pairing code ${code}`);

      const { signin } = await ctx.checkpoint("code", { code, origin: firefox.origin });
      const companion = await firefox.newPage();
      await companion.goto(signin);
      const base = new URL(signin).origin;
      assert.equal(companion.url(), `${base}/`, "the sign-in link lands on the summary");
      await companion.goto(`${base}/pairing`);
      const request = await companion.$(`li[data-code="${code}"]`);
      assert.ok(request, `the pairing page lists ${code}`);
      const origin = await request.$eval(".pairing-origin", (element) => element.textContent.trim());
      assert.equal(origin, firefox.origin, "the pairing page names this extension");
      const approve = await companion.evaluateHandle(
        (wanted) => Array.from(document.querySelectorAll("button")).find((b) => b.textContent.trim() === wanted),
        `Approve ${code}`,
      );
      assert.ok(approve.asElement(), `a button "Approve ${code}"`);
      await Promise.all([companion.waitForNavigation({ waitUntil: "load" }), approve.asElement().click()]);
      const approved = await companion.evaluate(() => document.body.innerText);
      assert.match(approved, new RegExp(`Approved ${code}`), "the companion approved it");

      const settings = await waitFor(
        async () => {
          const saved = (await storage(firefox)).settings;
          return saved?.token ? saved : null;
        },
        { what: "the token saved by pairing" },
      );
      const pairStatus = await waitFor(
        () => options.evaluate(() => (/Paired/.test(document.body.innerText) ? document.body.innerText : null)),
        { what: '"Paired" on the options page' },
      );
      const secrets = await options.evaluate(() => browser.storage.session.get());
      await options.close();
      await companion.close();

      await firefox.visit(html);
      await waitDelivered(firefox);
      await waitBadgeShowsTotal(firefox, "20");
      return {
        code,
        origin: firefox.origin,
        optionsText,
        pairStatus,
        settings: { port: settings.port, tokenSha256: createHash("sha256").update(settings.token).digest("hex") },
        sessionAfter: secrets,
        after: await snapshot(firefox),
      };
    });
  },
};
