// Shows what the service worker knows (GET_STATE); never talks to the companion itself, and
// writes no storage: "Retry now", "Dismiss" and "Open summary" are messages to the worker.
// A module: the pillars and the reading's fields come from vocabulary.js (built), the words
// from _locales/ (i18n.js). Everything is put in as text: nothing the companion, a page or a
// message holds is parsed.

import { count as countText, dateTime, decimal, plural, pluralKey, t } from "./i18n.js";
import { fill, localizePage } from "./i18n-page.js";
import { PILLARS, PILLAR_NAMES, RANKS, READING_FIELDS, TOTAL } from "./vocabulary.js";

const GET_STATE = "GET_STATE";
const RETRY_NOW = "RETRY_NOW";
const OPEN_SUMMARY = "OPEN_SUMMARY";
const DISMISS_REJECTED = "DISMISS_REJECTED";

// The whole number LinkedIn shows: the one other field named after the total.
const DISPLAYED = READING_FIELDS.find((field) => field !== TOTAL && field.startsWith(`${TOTAL}_`));

const byId = (id) => document.getElementById(id);

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}
// The message `key` around a date and time, all in one <time>.
const timeElement = (iso, key) => Object.assign(element("time", t(key, when(iso))), { dateTime: iso });

// ---------------------------------------------------------------- words

function connectionWords(settings, state) {
  switch (state.connection) {
    case "connected":
      return state.version ? t("popupConnectedVersion", state.version) : t("popupConnected");
    case "not_running":
      return t("popupNotRunning");
    case "not_companion":
      return t("popupNotCompanion", settings.port);
    case "pairing_needed":
      return t("popupPairingNeeded");
    default:
      return settings.hasToken ? t("popupNotChecked") : t("popupPairingNeeded");
  }
}

function connectionDetail(state) {
  if (state.connection === "connected") return "";
  // The headline already names the port; the service worker's message would repeat it.
  if (state.connection === "not_companion") return t("popupNotCompanionDetail");
  return state.message || "";
}

// The companion's error codes (companion/parse/validation.py, companion/web/guard.py), in words.
const REFUSALS = {
  not_ssi_page: () => t("refusalNotSsiPage"),
  not_rendered: () => t("refusalNotRendered"),
  invalid_values: () => t("refusalInvalidValues"),
  unrecognized: () => t("refusalUnrecognized"),
  too_complex: () => t("refusalTooComplex"),
  conflict: () => t("refusalConflict"),
  too_large: () => t("refusalTooLarge"),
  forbidden: () => t("refusalForbidden"),
};
// Codes whose message from the companion is a plain sentence (the others may hold raw values).
const PLAIN_MESSAGES = new Set(["not_ssi_page"]);

const refusalWords = (entry) =>
  Object.hasOwn(REFUSALS, entry.code) ? REFUSALS[entry.code]() : t("refusalOther", entry.status ?? "?");

const number = (value) => decimal(value, 2);

// An arrow and the change with its sign, as the language writes the number: "▲ +1.25".
function signed(value) {
  if (typeof value !== "number") return "";
  const rounded = Number(value.toFixed(2));
  if (rounded > 0) return `▲ +${number(rounded)}`;
  if (rounded < 0) return `▼ -${number(-rounded)}`;
  return `±${number(0)}`;
}

function trendClass(value) {
  if (typeof value !== "number" || Number(value.toFixed(2)) === 0) return "";
  return value > 0 ? "up" : "down";
}

// Date and local time (the browser's time zone), e.g. "26 Nov 2026, 21:05".
const when = dateTime;

// ---------------------------------------------------------------- the latest reading

function headline(reading) {
  const shown = DISPLAYED ? reading[DISPLAYED] : null;
  const line = element("p", undefined, "headline");
  line.append(element("span", typeof shown === "number" ? String(shown) : number(reading[TOTAL]), "total"));
  if (typeof shown === "number") line.append(" ", element("span", t("popupPrecisely", number(reading[TOTAL])), "precise"));
  return line;
}

function changeLine(latest) {
  const change = latest.change?.[TOTAL];
  if (typeof change !== "number") return element("p", t("popupFirstReading"), "muted");
  const arrow = element("span", signed(change), trendClass(change));
  const before = latest.previous;
  const line = element("p", undefined, "change");
  if (!before) return fill(line, "popupChange", arrow);
  const on = when(before.captured_at);
  if (!on) return fill(line, "popupChangeFrom", arrow, number(before[TOTAL]));
  return fill(line, "popupChangeFromOn", arrow, number(before[TOTAL]), on);
}

function ranks(reading) {
  const table = element("table", undefined, "ranks");
  for (const field of RANKS) {
    const value = reading[field];
    const row = element("tr");
    // The message named after the field's first word: rank_industry, rank_network.
    row.append(element("th", t(`rank_${field.split("_")[0]}`)));
    row.append(element("td", typeof value === "number" ? t("popupTopPercent", countText(value)) : "–"));
    table.append(row);
  }
  return table;
}

function pillars(latest) {
  const reading = latest.reading;
  const change = latest.change ?? {};
  const table = element("table", undefined, "pillars");
  for (const key of PILLARS) {
    const row = element("tr");
    // LinkedIn's own name in the messages' language (pillar_<key>); English if it has none.
    row.append(element("th", t(`pillar_${key}`) || PILLAR_NAMES[key]), element("td", number(reading[key])));
    row.append(element("td", signed(change[key]), trendClass(change[key])));
    table.append(row);
  }
  return table;
}

function renderLatest(latest) {
  const section = byId("latest");
  const reading = latest?.reading;
  if (!reading) {
    section.replaceChildren(element("p", t("popupNoReading"), "muted"));
    return;
  }
  const taken = element("p", undefined, "muted");
  taken.id = "reading-time";
  if (when(reading.captured_at)) taken.append(timeElement(reading.captured_at, "popupReadingOf"));
  else if (reading.date) taken.textContent = t("popupReadingOf", reading.date);
  section.replaceChildren(headline(reading), changeLine(latest), ranks(reading), pillars(latest), taken);
}

// ---------------------------------------------------------------- outbox and refused

function nextTry(item, snapshot) {
  // Its own backoff while that is to come, else the next pass (at least once a minute).
  const at = Date.parse(item.nextTryAt) > Date.now() ? item.nextTryAt : snapshot.state?.nextRetryAt;
  if (when(at)) return timeElement(at, "popupNextTry");
  if (snapshot.state?.connection === "pairing_needed") return t("popupNextTryPaired");
  // The worker checks at least once a minute while anything waits.
  return t("popupNextTryMinute");
}

function renderOutbox(snapshot) {
  const items = Array.isArray(snapshot.outbox) ? snapshot.outbox : [];
  const count = Number(snapshot.outboxCount ?? items.length) || 0;
  byId("outbox-section").hidden = count === 0;
  // The count keeps its own element (#outbox-count), wherever the language puts it.
  const counted = byId("outbox-count");
  counted.textContent = countText(count);
  fill(byId("outbox-summary"), pluralKey("popupOutboxWaiting", count), counted);
  byId("outbox").replaceChildren(
    ...items.map((item) => {
      const entry = element("li");
      entry.append(element("p", undefined, "entry-title"));
      entry.firstChild.append(timeElement(item.capturedAt, "popupCaptured"));
      // The companion's own words (or "No answer from the companion"): they say what to fix.
      const said = typeof item.lastError === "string" ? item.lastError.replace(/^HTTP \d{3}: /, "") : "";
      entry.append(element("p", said || t("popupNotSentYet"), said ? "entry-reason" : "muted"));
      const tries = element("p", undefined, "muted");
      const attempts = Number(item.attempts) || 0;
      if (attempts > 0) tries.append(`${plural("popupAttempts", attempts)} `);
      tries.append(nextTry(item, snapshot));
      entry.append(tries);
      return entry;
    }),
  );
  // The worker's words (GET_STATE's outboxMessage: the space running out, or why the last visit
  // was not kept), never a copy of them here. A visit refused with nothing waiting is shown
  // too, so the warning stands outside the list.
  const warning = byId("outbox-warning");
  const text = typeof snapshot.outboxMessage === "string" && snapshot.outboxMessage ? `⚠ ${snapshot.outboxMessage}` : "";
  warning.textContent = text;
  warning.hidden = text === "";
}

function renderRejected(rejected) {
  // Newest first, whatever order they come in.
  const newest = [...rejected].sort((a, b) => String(b.rejectedAt ?? "").localeCompare(String(a.rejectedAt ?? "")));
  byId("rejected").replaceChildren(
    ...newest.map((entry) => {
      const item = element("li");
      const words = refusalWords(entry);
      item.append(element("p", words, "entry-reason"));
      if (PLAIN_MESSAGES.has(entry.code) && entry.message && entry.message !== words) {
        item.append(element("p", entry.message, "muted"));
      }
      const captured = element("p", undefined, "muted");
      if (when(entry.capturedAt)) captured.append(timeElement(entry.capturedAt, "popupCaptured"));
      item.append(captured);
      const dismiss = element("button", t("popupDismiss"), "dismiss");
      dismiss.type = "button";
      const of = when(entry.capturedAt);
      dismiss.setAttribute("aria-label", of ? t("popupDismissOf", of) : t("popupDismissThis"));
      dismiss.addEventListener("click", () => dismissRejected(entry.id, dismiss));
      item.append(dismiss);
      return item;
    }),
  );
  byId("rejected-section").hidden = newest.length === 0;
}

function render(snapshot) {
  const { settings, state, latest, rejected } = snapshot;
  byId("connection").textContent = connectionWords(settings, state);
  byId("connection-detail").textContent = connectionDetail(state);
  renderLatest(latest);
  renderOutbox(snapshot);
  renderRejected(Array.isArray(rejected) ? rejected : []);
}

// ---------------------------------------------------------------- messages

async function ask(type, extra = {}) {
  const reply = await chrome.runtime.sendMessage({ type, ...extra });
  if (reply && typeof reply.error === "string") throw new Error(reply.error);
  return reply;
}

const showError = (error) => {
  byId("connection").textContent = t("extensionError", error.message);
};
const refresh = () => ask(GET_STATE).then(render, showError);

async function dismissRejected(id, button) {
  button.disabled = true;
  try {
    render(await ask(DISMISS_REJECTED, { id }));
  } catch (error) {
    button.disabled = false;
    showError(error);
  }
}

async function openSummary() {
  const button = byId("open-summary");
  const status = byId("summary-status");
  button.disabled = true;
  status.textContent = t("popupOpening");
  try {
    const reply = await ask(OPEN_SUMMARY);
    // The popup closes once the new tab has the focus; until then, say what happened.
    status.textContent = reply.ok ? t("popupOpened") : reply.message;
  } catch (error) {
    status.textContent = t("extensionError", error.message);
  } finally {
    button.disabled = false;
  }
}

localizePage();
byId("retry").addEventListener("click", async () => {
  const button = byId("retry");
  button.disabled = true;
  try {
    render(await ask(RETRY_NOW));
  } catch (error) {
    showError(error);
  } finally {
    button.disabled = false;
  }
});
byId("open-summary").addEventListener("click", openSummary);
byId("ssi-link").addEventListener("click", (event) => {
  event.preventDefault();
  chrome.tabs.create({ url: event.currentTarget.href }); // the popup closes as the tab opens
});
byId("open-options").addEventListener("click", (event) => {
  event.preventDefault();
  chrome.runtime.openOptionsPage();
});
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === "local") refresh();
});
refresh();
