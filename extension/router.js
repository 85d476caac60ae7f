// Which handler answers which message. Content scripts (LinkedIn pages) may only hand over
// captures; everything else is answered only to the extension's own pages.

import { testConnection } from "./companion-client.js";
import { queueCapture, retryNow } from "./outbox.js";
import { pairStart, pairStatus } from "./pairing.js";
import { snapshot } from "./storage.js";
import { openSummary } from "./summary.js";

// Message ids (content.js, popup.js and options.js spell the ones they send the same way).
const CAPTURE = "CAPTURE";
const GET_STATE = "GET_STATE";
const RETRY_NOW = "RETRY_NOW";
const TEST_CONNECTION = "TEST_CONNECTION";
const PAIR_START = "PAIR_START";
const PAIR_STATUS = "PAIR_STATUS";
const OPEN_SUMMARY = "OPEN_SUMMARY";

function fromExtensionPage(sender) {
  return sender.id === chrome.runtime.id && String(sender.url ?? "").startsWith(chrome.runtime.getURL(""));
}

export function route(message, sender) {
  const type = message?.type;
  if (type !== CAPTURE && !fromExtensionPage(sender)) {
    throw new Error(`${String(type)} is answered only to the extension's own pages`);
  }
  switch (type) {
    case CAPTURE:
      return queueCapture(message);
    case GET_STATE:
      return snapshot();
    case RETRY_NOW:
      return retryNow();
    case TEST_CONNECTION:
      return testConnection(message);
    case PAIR_START:
      return pairStart(message);
    case PAIR_STATUS:
      return pairStatus(message);
    case OPEN_SUMMARY:
      return openSummary();
    default:
      throw new Error(`Unknown message type: ${String(type)}`);
  }
}
