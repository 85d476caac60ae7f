// Shows what the service worker knows (GET_STATE); never talks to the companion itself.
// "Open summary" asks the service worker, which proves the port and opens a sign-in link.
// A module: the pillars and their names come from vocabulary.js, which the build generates.

import { PILLARS, PILLAR_NAMES, TOTAL } from "./vocabulary.js";

const GET_STATE = "GET_STATE";
const RETRY_NOW = "RETRY_NOW";
const OPEN_SUMMARY = "OPEN_SUMMARY";

const byId = (id) => document.getElementById(id);

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

const number = (value) => (typeof value === "number" ? value.toFixed(2) : "–");

function signed(value) {
  if (typeof value !== "number") return "";
  const rounded = value.toFixed(2);
  if (Number(rounded) > 0) return `+${rounded}`;
  if (Number(rounded) < 0) return rounded;
  return "±0.00";
}

function trendClass(value) {
  if (typeof value !== "number" || Number(value.toFixed(2)) === 0) return "";
  return value > 0 ? "up" : "down";
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function renderLatest(latest) {
  const section = byId("latest");
  const reading = latest?.reading;
  if (!reading) {
    section.replaceChildren(element("p", "No reading delivered yet: open your SSI page on LinkedIn.", "muted"));
    return;
  }
  const change = latest.change ?? {};
  const headline = element("p");
  headline.append(element("span", number(reading[TOTAL]), "total"), " ");
  headline.append(
    typeof change[TOTAL] === "number"
      ? element("span", signed(change[TOTAL]), trendClass(change[TOTAL]))
      : element("span", "first reading", "muted"),
  );
  const table = element("table", undefined, "pillars");
  for (const key of PILLARS) {
    const row = element("tr");
    row.append(element("th", PILLAR_NAMES[key]), element("td", number(reading[key])));
    row.append(element("td", signed(change[key]), trendClass(change[key])));
    table.append(row);
  }
  const when = reading.date ?? (latest.deliveredAt ? latest.deliveredAt.slice(0, 10) : "");
  section.replaceChildren(headline, table, element("p", when ? `Reading of ${when}` : "", "muted"));
}

function renderRejected(rejected) {
  const list = byId("rejected");
  list.replaceChildren(
    ...rejected.map((entry) => {
      const item = element("li", entry.message || `Refused (HTTP ${entry.status}).`);
      const day = typeof entry.capturedAt === "string" ? entry.capturedAt.slice(0, 10) : "";
      item.append(element("span", ` (${[day, entry.code].filter(Boolean).join(", ")})`, "muted"));
      return item;
    }),
  );
  byId("rejected-section").hidden = rejected.length === 0;
}

function render(snapshot) {
  const { settings, state, latest, outboxCount, rejected, outboxWarn } = snapshot;
  byId("connection").textContent = connectionWords(settings, state);
  byId("connection-detail").textContent = connectionDetail(state);
  renderLatest(latest);
  byId("outbox-count").textContent = String(outboxCount);
  const warning = byId("outbox-warning");
  warning.hidden = !outboxWarn;
  warning.textContent = outboxWarn
    ? `${outboxCount} captures are waiting: start the companion so that they can be delivered. None is dropped.`
    : "";
  renderRejected(rejected ?? []);
}

async function ask(type) {
  const reply = await chrome.runtime.sendMessage({ type });
  if (reply && typeof reply.error === "string") throw new Error(reply.error);
  return reply;
}

function refresh() {
  ask(GET_STATE).then(render, (error) => {
    byId("connection").textContent = `Extension error: ${error.message}`;
  });
}

function openTab(event) {
  event.preventDefault();
  // The popup closes by itself when the new tab takes the focus.
  chrome.tabs.create({ url: event.currentTarget.href });
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
    byId("connection").textContent = `Extension error: ${error.message}`;
  } finally {
    button.disabled = false;
  }
});
byId("open-summary").addEventListener("click", openSummary);
byId("ssi-link").addEventListener("click", openTab);
byId("open-options").addEventListener("click", (event) => {
  event.preventDefault();
  chrome.runtime.openOptionsPage();
});
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === "local") refresh();
});
refresh();
