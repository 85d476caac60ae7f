// In-app visits to the SSI page. LinkedIn is a single-page app: from another Sales Navigator
// page (/sales/home, ...) the SSI page is reached by history.pushState, which loads no new
// document, so the manifest's content script is not injected. webNavigation reports such a
// history change, filtered by the browser to /sales/ssi (the listener never even wakes for
// other LinkedIn pages), and content.js is injected into that tab's main frame. content.js
// itself tells a new visit from one it is already capturing (its per-document guard), so an
// injection on top of the manifest's (a page that calls replaceState while it loads) is
// harmless.

export const SSI_FILTER = { url: [{ hostEquals: "www.linkedin.com", pathPrefix: "/sales/ssi" }] };
const MAIN_FRAME = 0;

// The filter once more, here: a browser that let another page through injects nothing.
function atSsiAddress(url) {
  try {
    const { hostname, pathname } = new URL(url);
    return SSI_FILTER.url.some((where) => hostname === where.hostEquals && pathname.startsWith(where.pathPrefix));
  } catch {
    return false;
  }
}

export async function injectContentScript(details) {
  if (details.frameId !== MAIN_FRAME || !atSsiAddress(details.url)) return false;
  // Chrome also reports prerendered and cached documents; only the one on screen is a visit.
  if (details.documentLifecycle && details.documentLifecycle !== "active") return false;
  try {
    await chrome.scripting.executeScript({
      target: { tabId: details.tabId, frameIds: [MAIN_FRAME] },
      files: ["content.js"],
    });
    return true;
  } catch (error) {
    // The tab closed or moved on to a page we have no access to: nothing to capture.
    console.debug(`SSI Companion: no injection into tab ${details.tabId} (${error?.message})`);
    return false;
  }
}

// Call at the top level of the worker, in its first turn: an event that woke the worker is
// delivered only to listeners added then.
export function registerNavigationCapture() {
  const event = chrome.webNavigation?.onHistoryStateUpdated;
  if (!event || !chrome.scripting?.executeScript) {
    console.warn("SSI Companion: webNavigation or scripting unavailable; in-app visits are not captured");
    return;
  }
  event.addListener((details) => void injectContentScript(details), SSI_FILTER);
}
