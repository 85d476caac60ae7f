// The toolbar badge: "!" while something waits, pairing is needed or a visit was refused for
// want of room; else the last total.

import { DEFAULT_STATE } from "./storage.js";
import { TOTAL } from "./vocabulary.js";

const BADGE_COLORS = Object.freeze({
  up: "#1e8e3e",
  down: "#d93025",
  flat: "#80868b",
  attention: "#e8710a",
});

const needsAttention = (outbox, state) =>
  outbox.length > 0 || state.connection === "pairing_needed" || Boolean(state.outboxRefusal);

export async function updateBadge() {
  const { outbox, state, latest } = await chrome.storage.local.get({
    outbox: [],
    state: DEFAULT_STATE,
    latest: null,
  });
  let text = "";
  let color = BADGE_COLORS.flat;
  if (needsAttention(outbox, state)) {
    text = "!";
    color = BADGE_COLORS.attention;
  } else if (typeof latest?.reading?.[TOTAL] === "number") {
    text = String(Math.round(latest.reading[TOTAL]));
    const delta = latest.change?.[TOTAL];
    if (typeof delta === "number" && delta > 0) color = BADGE_COLORS.up;
    else if (typeof delta === "number" && delta < 0) color = BADGE_COLORS.down;
  }
  await chrome.action.setBadgeBackgroundColor({ color });
  await chrome.action.setBadgeText({ text });
}
