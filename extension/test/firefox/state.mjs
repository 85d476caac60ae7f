// The extension's side, as it keeps it: its storage, badge and alarms, read in one of its
// own pages (Firefox.probe), and waited on.

import { ACTION_TIMEOUT_MS, waitFor } from "./common.mjs";

// Copied as JSON inside the page: handing the storage's own objects to the protocol now and
// then fails in Firefox ("Not allowed to define cross-origin object as property on ...
// XrayWrapper"), as the worker's writes come from another compartment.
export async function storage(firefox) {
  return (await firefox.probe()).evaluate(async () => JSON.parse(JSON.stringify(await browser.storage.local.get())));
}

export async function outbox(firefox) {
  return (await storage(firefox)).outbox ?? [];
}

export async function badge(firefox) {
  return (await firefox.probe()).evaluate(() => browser.action.getBadgeText({}));
}

export async function alarms(firefox) {
  return (await firefox.probe()).evaluate(async () => JSON.parse(JSON.stringify(await browser.alarms.getAll())));
}

// What a report carries about the extension's side.
export async function snapshot(firefox) {
  const stored = await storage(firefox);
  return {
    outbox: (stored.outbox ?? []).map(({ id, attempts, lastError }) => ({ id, attempts, lastError })),
    state: stored.state ?? null,
    latest: stored.latest ?? null,
    rejected: (stored.rejected ?? []).map(({ id, status, code }) => ({ id, status, code })),
    badge: await badge(firefox),
    alarms: await alarms(firefox),
  };
}

export async function waitOutbox(firefox, count, { timeout = ACTION_TIMEOUT_MS } = {}) {
  let items = [];
  await waitFor(
    async () => {
      items = await outbox(firefox);
      return items.length === count;
    },
    { timeout, what: `${count} capture(s) in the outbox` },
  );
  return items;
}

export async function waitBadge(firefox, text, { timeout = ACTION_TIMEOUT_MS } = {}) {
  await waitFor(async () => (await badge(firefox)) === text, { timeout, what: `badge ${JSON.stringify(text)}` });
  return text;
}
