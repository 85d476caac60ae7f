// Which handler answers which message. Content scripts (LinkedIn pages) may only hand over
// captures; everything else is answered only to the extension's own pages. Every message gets
// a reply: route never throws, and a refusal or a failure is {error: "<why>"}, so that the
// page that asked is never left waiting for an answer that cannot come.

import { testConnection } from "./companion-client.js";
import { queueCapture } from "./intake.js";
import { retryNow } from "./outbox.js";
import { pairStart, pairStatus } from "./pairing.js";
import { dismissRejected, saveSettings, snapshot } from "./storage.js";
import { openSummary } from "./summary.js";

// Message ids (content.js, popup.js and options.js spell the ones they send the same way).
const CAPTURE = "CAPTURE";
const GET_STATE = "GET_STATE";
const RETRY_NOW = "RETRY_NOW";
const TEST_CONNECTION = "TEST_CONNECTION";
const PAIR_START = "PAIR_START";
const PAIR_STATUS = "PAIR_STATUS";
const OPEN_SUMMARY = "OPEN_SUMMARY";
const SAVE_SETTINGS = "SAVE_SETTINGS";
const DISMISS_REJECTED = "DISMISS_REJECTED";

const HANDLERS = Object.freeze({
  [CAPTURE]: queueCapture,
  [GET_STATE]: snapshot,
  [RETRY_NOW]: retryNow,
  [TEST_CONNECTION]: testConnection,
  [PAIR_START]: pairStart,
  [PAIR_STATUS]: pairStatus,
  [OPEN_SUMMARY]: openSummary,
  [SAVE_SETTINGS]: saveSettings,
  [DISMISS_REJECTED]: dismissRejected,
});

function fromExtensionPage(sender) {
  return sender?.id === chrome.runtime.id && String(sender?.url ?? "").startsWith(chrome.runtime.getURL(""));
}

function handlerFor(message, sender) {
  const type = message?.type;
  if (typeof type !== "string" || !Object.hasOwn(HANDLERS, type)) {
    throw new Error(`Unknown message type: ${String(type)}`);
  }
  if (type !== CAPTURE && !fromExtensionPage(sender)) {
    throw new Error(`${type} is answered only to the extension's own pages`);
  }
  return HANDLERS[type];
}

// Always a promise of a reply; a handler's failure (thrown at once or later) is {error}.
export async function route(message, sender) {
  try {
    return await handlerFor(message, sender)(message);
  } catch (error) {
    console.warn(`${String(message?.type)} failed: ${error?.message}`);
    return { error: String(error?.message ?? error) };
  }
}
