"use strict";

// Runs on https://www.linkedin.com/sales/ssi*: put there by the manifest when the page loads,
// and by the service worker (navigation.js) when the app reaches it by history.pushState from
// another page of LinkedIn's single-page app. Passive by design: it only reads the page, never
// clicks, writes to the DOM or fetches. Each visit hands the page to the service worker once:
// as soon as the SSI values are there (and the page falls quiet), at once when the page cannot
// turn into the SSI page any more (a sign-in page; the app left /sales/ssi), or after 30 s.
(() => {
  // One state per document, shared by every injection into it (the manifest's content script
  // and the worker's run in the same isolated world): a second injection during a visit adds
  // nothing; one after the app has left /sales/ssi (and come back) starts the next visit.
  const GUARD = "__ssiCompanionContentScript";
  if (typeof globalThis[GUARD] !== "object" || globalThis[GUARD] === null) {
    globalThis[GUARD] = { runs: 0, visits: 0, visit: null, watching: false };
  }
  const state = globalThis[GUARD];
  state.runs += 1;

  const CAPTURE = "CAPTURE";
  const QUIET_MS = 1000;
  // Also the limit when the page never falls quiet (charts, notifications keep moving).
  const GIVE_UP_MS = 30000;
  // How often the address is read where the browser has no Navigation API to say it changed.
  const URL_POLL_MS = 500;
  const PILLAR_IDS = new Set([
    "establish-brand__sub-score-bar",
    "find-people__sub-score-bar",
    "engage-with-insights__sub-score-bar",
    "build-relationships__sub-score-bar",
  ]);
  // Where LinkedIn sends a signed-out member (docs/reference/ssi-page.md); the companion's
  // reader knows the same paths.
  const SIGN_IN_PATH = /^\/(login|authwall|checkpoint|uas\/login|signup)/i;
  // A sign-in or join form shown in place of the page. The SSI page has none of these.
  const SIGN_IN_FORM = [
    'input[type="password" i]',
    'form[action*="login" i]',
    'form[action*="/checkpoint/" i]',
    'form[action*="/signup" i]',
    '[class*="authwall" i]',
  ].join(", ");

  const onSsiPage = () => location.pathname.startsWith("/sales/ssi");
  const hasDigit = (element) => /\d/.test(element.textContent ?? "");

  function currentLayoutReady() {
    const pillar = Array.from(document.querySelectorAll('progress[id$="sub-score-bar"][value]')).some(
      (bar) =>
        PILLAR_IDS.has(bar.id) &&
        Number.isFinite(Number.parseFloat(bar.getAttribute("value").replace(",", "."))),
    );
    const total = document.querySelector(".user-ssi-score .ssi-score__value");
    return pillar && total !== null && hasDigit(total);
  }

  function layout2023Ready() {
    return Array.from(document.querySelectorAll("span.ssi-score__value.block")).filter(hasDigit).length >= 5;
  }

  function embeddedJsonReady() {
    return Array.from(document.querySelectorAll("code")).some((code) =>
      (code.textContent ?? "").includes("memberScore"),
    );
  }

  function valuesPresent() {
    return currentLayoutReady() || layout2023Ready() || embeddedJsonReady();
  }

  // The companion takes the user's calendar day from this offset, so not toISOString's "Z".
  function localIsoWithOffset(moment) {
    const pad = (number, width = 2) => String(number).padStart(width, "0");
    const offset = -moment.getTimezoneOffset();
    const sign = offset >= 0 ? "+" : "-";
    const absolute = Math.abs(offset);
    return (
      `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())}` +
      `T${pad(moment.getHours())}:${pad(moment.getMinutes())}:${pad(moment.getSeconds())}` +
      `.${pad(moment.getMilliseconds(), 3)}${sign}${pad(Math.floor(absolute / 60))}:${pad(absolute % 60)}`
    );
  }

  const pageRoot = () => document.querySelector("main") || document.body;

  function startVisit() {
    // `shown`: the page as the last check at the SSI address saw it, if it had the values then
    // ({url, html}), else null. Once the address has moved on the document may already be the
    // next page (a check after the app's pushState and its new view), so that decides.
    const visit = { number: (state.visits += 1), shown: null, sent: false, over: false, check: null };
    state.visit = visit;
    let quietTimer = null;
    let giveUpTimer = null;
    let observer = null;

    function send({ url = location.href, html = pageRoot().outerHTML } = {}) {
      if (visit.sent) return;
      visit.sent = true;
      visit.check = null;
      observer?.disconnect();
      clearTimeout(quietTimer);
      clearTimeout(giveUpTimer);
      const message = {
        type: CAPTURE,
        url,
        capturedAt: localIsoWithOffset(new Date()),
        html,
      };
      chrome.runtime.sendMessage(message).then(
        (reply) => console.debug(`SSI Companion: capture ${reply?.id ?? "?"} queued`),
        (error) => console.debug(`SSI Companion: capture not handed over (${error?.message})`),
      );
    }

    // The quiet period is over: sent if the values are there at this moment, else the visit
    // waits on (for the next change, the address moving on, or the give-up).
    const quietOver = () => (onSsiPage() && valuesPresent() ? send() : check());

    function check() {
      if (visit.sent) return;
      clearTimeout(quietTimer);
      if (!onSsiPage()) {
        // The app has moved on: this visit shows no more. Values the SSI address showed are
        // sent with it; else what is there now (a loader, a sign-in page) with where it is.
        visit.over = true;
        send(visit.shown ?? {});
        return;
      }
      // Looked at anew each time: values seen once may give way to a loader (the app swapping
      // its view), which must not be sent for them.
      visit.shown = valuesPresent() ? { url: location.href, html: pageRoot().outerHTML } : null;
      if (visit.shown) {
        quietTimer = setTimeout(quietOver, QUIET_MS);
        return;
      }
      // A sign-in page never turns into the SSI page: no waiting for it.
      const signIn = document.querySelector(SIGN_IN_FORM);
      if (signIn) {
        const main = document.querySelector("main");
        send({ html: (main?.contains(signIn) ? main : document.body).outerHTML });
      }
    }

    visit.check = check;
    observer = new MutationObserver(check);
    observer.observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
    giveUpTimer = setTimeout(() => send(), GIVE_UP_MS);
    check();
  }

  // For the document's lifetime, once: notice when the app leaves /sales/ssi (which ends the
  // visit, and sends a page still loading at once). Listening only; nothing else runs here.
  function watchAddress() {
    if (state.watching) return;
    state.watching = true;
    let last = location.href;
    const changed = () => {
      if (location.href === last) return;
      last = location.href;
      const visit = state.visit;
      if (!visit) return;
      if (!onSsiPage()) visit.over = true;
      visit.check?.();
    };
    const navigation = globalThis.navigation;
    if (typeof navigation?.addEventListener === "function") {
      navigation.addEventListener("currententrychange", changed);
    } else {
      setInterval(changed, URL_POLL_MS);
    }
    addEventListener("popstate", changed);
  }

  watchAddress();
  if (state.visit && !state.visit.over) return; // this visit is already being captured
  // Injected after the app already moved on to another page: nothing of the SSI page to read.
  if (!onSsiPage() && !SIGN_IN_PATH.test(location.pathname)) return;
  startVisit();
})();
