// How much the outbox may hold, and the words for it. Without the "unlimitedStorage"
// permission chrome.storage.local holds 10 MB, counted as the JSON of every value: once it is
// full no capture can be stored at all (and no state either). So the outbox's pages are kept
// under a budget well below that, the rest being room for JSON escaping, the other keys and
// the capture that is being added. The user is warned long before the budget is reached, and
// a capture that would go past it is refused out loud; a queued capture is never dropped.

import { decimal, plural, t } from "./i18n.js";

const MB = 1024 * 1024;
export const OUTBOX_BUDGET_BYTES = 6 * MB;
// The largest request the companion accepts: its MAX_BODY_BYTES setting (companion/config.py,
// 5 MB unless SSI_COMPANION_MAX_BODY_BYTES says otherwise). Larger, it answers 413 and the
// capture is thrown away, so a page whose POST would be larger is refused when it is captured.
// Keep the two equal. The outbox's budget is larger: every page that fits this fits the budget.
export const COMPANION_MAX_BODY_BYTES = 5 * MB;
// The warning starts at half the budget: at a few hundred KB a page, days of visits still fit.
export const OUTBOX_WARN_FRACTION = 0.5;

const utf8 = new TextEncoder();

// The size of a page as the outbox counts it: its UTF-8 bytes.
export const pageBytes = (html) => utf8.encode(html).length;

// Items queued before sizes were kept have none: their page is measured.
export const itemBytes = (item) =>
  Number.isFinite(item?.bytes) ? item.bytes : pageBytes(typeof item?.html === "string" ? item.html : "");

export const outboxBytes = (outbox) => outbox.reduce((sum, item) => sum + itemBytes(item), 0);

export const fitsBudget = (outbox, bytes) => outboxBytes(outbox) + bytes <= OUTBOX_BUDGET_BYTES;

// `bodyBytes`: the UTF-8 size of the whole POST body, the page in its JSON among the rest.
export const fitsCompanion = (bodyBytes) => bodyBytes <= COMPANION_MAX_BODY_BYTES;

// A size in MB as the language writes it: "6.0 MB" (`digits` decimals).
const megabytes = (bytes, digits = 1) => t("sizeMegabytes", decimal(bytes / MB, digits));

export const tooLargeForCompanionMessage = () => t("workerTooLarge", megabytes(COMPANION_MAX_BODY_BYTES, 0));

export const overWarning = (bytes) => bytes >= OUTBOX_BUDGET_BYTES * OUTBOX_WARN_FRACTION;

// What the state says when a capture was refused for want of room. (A page larger than the
// whole budget is larger than the companion accepts too, and refused as such first.)
export function refusalMessage(outbox) {
  return plural("workerOutboxRefused", outbox.length, megabytes(outboxBytes(outbox)));
}

// What the popup says while the outbox fills up (GET_STATE's outboxMessage, unless a visit
// was refused: then the refusal's words).
export function outboxMessage({ count, bytes }) {
  if (bytes >= OUTBOX_BUDGET_BYTES) return plural("workerOutboxFull", count, megabytes(bytes));
  if (overWarning(bytes)) return plural("workerOutboxFilling", count, megabytes(bytes), megabytes(OUTBOX_BUDGET_BYTES));
  return "";
}
