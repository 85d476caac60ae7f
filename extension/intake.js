// CAPTURE: a page from the content script joins the outbox, or is refused out loud (larger
// than the companion accepts, no room in the budget, or the browser would not store it). Once
// it is kept, the flush alarm runs and a pass starts (outbox.js).

import { updateBadge } from "./badge.js";
import {
  fitsBudget,
  fitsCompanion,
  pageBytes,
  refusalMessage,
  tooLargeForCompanionMessage,
} from "./budget.js";
import { t } from "./i18n.js";
import { captureBody, flushInBackground, keepChecking } from "./outbox.js";
import { DEFAULT_STATE, mutate } from "./storage.js";

function newItem({ url, capturedAt, html }) {
  return {
    id: crypto.randomUUID(),
    url,
    capturedAt,
    html,
    bytes: pageBytes(html),
    attempts: 0,
    queuedAt: new Date().toISOString(),
    lastStatus: null,
    lastError: null,
    nextTryAt: null,
  };
}

const storageRefusedMessage = () => t("workerStorageRefused");

// Why the last visit was not kept: the badge shows "!" and the popup these words until a
// capture is kept again or one leaves the outbox (state.outboxRefusal).
const refusedState = (state, refusal) => ({
  ...DEFAULT_STATE,
  ...state,
  message: refusal,
  outboxRefusal: refusal,
  checkedAt: new Date().toISOString(),
});

// Joins the outbox if the companion would take it and it fits the budget; else the state says
// why this visit was not kept. Returns the refusal's words, or null. Nothing already queued is
// ever dropped to make room.
async function enqueue(item) {
  const tooLarge = !fitsCompanion(pageBytes(JSON.stringify(captureBody(item))));
  let refusal = null;
  await mutate({ outbox: [], state: DEFAULT_STATE }, ({ outbox, state }) => {
    if (tooLarge) refusal = tooLargeForCompanionMessage();
    else if (!fitsBudget(outbox, item.bytes)) refusal = refusalMessage(outbox);
    if (refusal !== null) return { state: refusedState(state, refusal) };
    return { outbox: [...outbox, item], state: { ...DEFAULT_STATE, ...state, outboxRefusal: null } };
  });
  return refusal;
}

// The browser would not store the capture (storage.local's quota): said as loudly as a
// refusal, if the state at least can still be written.
async function refuseUnstored(error) {
  console.warn(`capture not stored: ${error?.name ?? "error"}`);
  try {
    await mutate({ state: DEFAULT_STATE }, ({ state }) => ({ state: refusedState(state, storageRefusedMessage()) }));
    await updateBadge();
  } catch (again) {
    console.warn(`refusal not recorded: ${again?.name ?? "error"}`);
  }
  return new Error(storageRefusedMessage(), { cause: error });
}

// CAPTURE: the content script's page joins the outbox, the alarm is set, then a flush starts.
export async function queueCapture(message) {
  const { url, capturedAt, html } = message;
  if (typeof url !== "string" || typeof capturedAt !== "string" || typeof html !== "string") {
    throw new Error("CAPTURE needs url, capturedAt and html as strings");
  }
  const item = newItem({ url, capturedAt, html });
  let refusal;
  try {
    refusal = await enqueue(item);
  } catch (error) {
    throw await refuseUnstored(error);
  }
  if (refusal !== null) {
    // The alarm already runs while anything waits: no pass is needed for what was not kept.
    console.warn(`capture refused (${item.bytes} bytes)`);
    await updateBadge();
    throw new Error(refusal);
  }
  console.info(`capture ${item.id} queued`);
  await keepChecking();
  flushInBackground();
  return { queued: true, id: item.id };
}
