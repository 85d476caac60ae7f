// Shows what the service worker knows (GET_STATE); never talks to the companion itself, and
// writes no storage: "Retry now", "Dismiss" and "Open summary" are messages to the worker.
// A module: the pillars and the reading's fields come from vocabulary.js (built).
// Everything is put in with textContent: nothing the companion or a page sent is parsed.

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
const timeElement = (iso, prefix = "") => Object.assign(element("time", `${prefix}${when(iso)}`), { dateTime: iso });

// ---------------------------------------------------------------- words

function connectionWords(settings, state) {
  switch (state.connection) {
    case "connected":
      return `Connected to SSI Companion ${state.version ?? ""}`.trim();
    case "not_running":
      return "Companion not running";
    case "not_companion":
      return `Something else answers on port ${settings.port}: it is not your companion`;
    case "pairing_needed":
      return "Pairing needed: open the options to pair";
    default:
      return settings.hasToken ? "Not checked yet" : "Pairing needed: open the options to pair";
  }
}

function connectionDetail(state) {
  if (state.connection === "connected") return "";
  // The headline already names the port; the service worker's message would repeat it.
  if (state.connection === "not_companion") {
    return "Nothing was sent to it. If you made a new token (ssi-companion token --rotate), pair again in the options.";
  }
  return state.message || "";
}

// The companion's error codes (companion/parse/validation.py, companion/web/guard.py), in words.
const REFUSALS = {
  not_ssi_page: "This page was not the SSI page.",
  not_rendered: "The page had not finished loading: open it again and wait until your score shows.",
  invalid_values: "The values did not add up, so no reading was stored. The companion kept the page.",
  unrecognized:
    "The SSI page had a layout this version cannot read. The companion kept the page, so that a newer version can read it.",
  too_complex: "This page was far larger than the SSI page, so it was not read.",
  conflict: "The companion already holds this capture, with other content.",
  too_large: "The page was too large to send to the companion.",
  forbidden: "The companion refused this browser's request.",
};
// Codes whose message from the companion is a plain sentence (the others may hold raw values).
const PLAIN_MESSAGES = new Set(["not_ssi_page"]);

const refusalWords = (entry) =>
  REFUSALS[entry.code] ?? `The companion could not accept this capture (error ${entry.status ?? "?"}).`;

const number = (value) => (typeof value === "number" ? value.toFixed(2) : "–");

function signed(value) {
  if (typeof value !== "number") return "";
  const rounded = value.toFixed(2);
  if (Number(rounded) > 0) return `▲ +${rounded}`;
  if (Number(rounded) < 0) return `▼ ${rounded}`;
  return "±0.00";
}

function trendClass(value) {
  if (typeof value !== "number" || Number(value.toFixed(2)) === 0) return "";
  return value > 0 ? "up" : "down";
}

// Date and local time (the browser's time zone), e.g. "26 Nov 2026, 21:05".
function when(iso) {
  const moment = typeof iso === "string" ? new Date(iso) : null;
  if (!moment || Number.isNaN(moment.getTime())) return "";
  const day = moment.toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });
  return `${day}, ${moment.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" })}`;
}


// ---------------------------------------------------------------- the latest reading

function headline(reading) {
  const shown = DISPLAYED ? reading[DISPLAYED] : null;
  const line = element("p", undefined, "headline");
  line.append(element("span", typeof shown === "number" ? String(shown) : number(reading[TOTAL]), "total"));
  if (typeof shown === "number") line.append(" ", element("span", `(precisely ${number(reading[TOTAL])})`, "precise"));
  return line;
}

function changeLine(latest) {
  const change = latest.change?.[TOTAL];
  if (typeof change !== "number") return element("p", "First reading: nothing to compare with yet.", "muted");
  const line = element("p", undefined, "change");
  line.append(element("span", signed(change), trendClass(change)), " since the previous reading");
  const before = latest.previous;
  if (before) line.append(` (from ${number(before[TOTAL])}${when(before.captured_at) ? ` on ${when(before.captured_at)}` : ""})`);
  return line;
}

function ranks(reading) {
  const table = element("table", undefined, "ranks");
  for (const field of RANKS) {
    const value = reading[field];
    const row = element("tr");
    // The field's first word: "In your industry", "In your network".
    row.append(element("th", `In your ${field.split("_")[0]}`));
    row.append(element("td", typeof value === "number" ? `Top ${value}%` : "–"));
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
    row.append(element("th", PILLAR_NAMES[key]), element("td", number(reading[key])));
    row.append(element("td", signed(change[key]), trendClass(change[key])));
    table.append(row);
  }
  return table;
}

function renderLatest(latest) {
  const section = byId("latest");
  const reading = latest?.reading;
  if (!reading) {
    section.replaceChildren(element("p", "No reading delivered yet: open your SSI page on LinkedIn.", "muted"));
    return;
  }
  const taken = element("p", undefined, "muted");
  taken.id = "reading-time";
  if (when(reading.captured_at)) taken.append(timeElement(reading.captured_at, "Reading of "));
  else if (reading.date) taken.textContent = `Reading of ${reading.date}`;
  section.replaceChildren(headline(reading), changeLine(latest), ranks(reading), pillars(latest), taken);
}

// ---------------------------------------------------------------- outbox and refused

function nextTry(item, snapshot) {
  // Its own backoff while that is to come, else the next pass (at least once a minute).
  const at = Date.parse(item.nextTryAt) > Date.now() ? item.nextTryAt : snapshot.state?.nextRetryAt;
  if (when(at)) return timeElement(at, "Next try: ");
  if (snapshot.state?.connection === "pairing_needed") return "Next try: once the extension is paired.";
  // The worker checks at least once a minute while anything waits.
  return "Next try: within a minute.";
}

function renderOutbox(snapshot) {
  const items = Array.isArray(snapshot.outbox) ? snapshot.outbox : [];
  const count = Number(snapshot.outboxCount ?? items.length) || 0;
  byId("outbox-section").hidden = count === 0;
  byId("outbox-count").textContent = String(count);
  byId("outbox-noun").textContent = count === 1 ? "capture" : "captures";
  byId("outbox").replaceChildren(
    ...items.map((item) => {
      const entry = element("li");
      entry.append(element("p", undefined, "entry-title"));
      entry.firstChild.append(timeElement(item.capturedAt, "Captured "));
      // The companion's own words (or "No answer from the companion"): they say what to fix.
      const said = typeof item.lastError === "string" ? item.lastError.replace(/^HTTP \d{3}: /, "") : "";
      entry.append(element("p", said || "Not sent yet.", said ? "entry-reason" : "muted"));
      const tries = element("p", undefined, "muted");
      const attempts = Number(item.attempts) || 0;
      if (attempts > 0) tries.append(`${attempts} ${attempts === 1 ? "attempt" : "attempts"}. `);
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
      if (when(entry.capturedAt)) captured.append(timeElement(entry.capturedAt, "Captured "));
      item.append(captured);
      const dismiss = element("button", "Dismiss", "dismiss");
      dismiss.type = "button";
      const of = when(entry.capturedAt);
      dismiss.setAttribute("aria-label", of ? `Dismiss the refused capture of ${of}` : "Dismiss this refused capture");
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
  byId("connection").textContent = `Extension error: ${error.message}`;
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
  status.textContent = "Opening your summary…";
  try {
    const reply = await ask(OPEN_SUMMARY);
    // The popup closes once the new tab has the focus; until then, say what happened.
    status.textContent = reply.ok ? "Opened in a new tab." : reply.message;
  } catch (error) {
    status.textContent = `Extension error: ${error.message}`;
  } finally {
    button.disabled = false;
  }
}

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
