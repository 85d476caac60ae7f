"use strict";

// Runs on https://www.linkedin.com/sales/ssi*. Passive by design: it only reads the page,
// never clicks, writes to the DOM or fetches. It waits for the SSI values, then hands the
// page to the service worker once.
(() => {
  const GUARD = "__ssiCompanionContentScript";
  if (globalThis[GUARD]) return;
  globalThis[GUARD] = true;

  const CAPTURE = "CAPTURE";
  const QUIET_MS = 1000;
  // Also the limit when the page never falls quiet (charts, notifications keep moving).
  const GIVE_UP_MS = 30000;
  const PILLAR_IDS = new Set([
    "establish-brand__sub-score-bar",
    "find-people__sub-score-bar",
    "engage-with-insights__sub-score-bar",
    "build-relationships__sub-score-bar",
  ]);

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

  let sent = false;
  let quietTimer = null;
  let giveUpTimer = null;
  let observer = null;

  function send() {
    if (sent) return;
    sent = true;
    observer?.disconnect();
    clearTimeout(quietTimer);
    clearTimeout(giveUpTimer);
    const message = {
      type: CAPTURE,
      url: location.href,
      capturedAt: localIsoWithOffset(new Date()),
      html: (document.querySelector("main") || document.body).outerHTML,
    };
    chrome.runtime.sendMessage(message).then(
      (reply) => console.debug(`SSI Companion: capture ${reply?.id ?? "?"} queued`),
      (error) => console.debug(`SSI Companion: capture not handed over (${error?.message})`),
    );
  }

  function waitForQuiet() {
    clearTimeout(quietTimer);
    quietTimer = setTimeout(send, QUIET_MS);
  }

  let ready = false;
  function onChange() {
    if (sent) return;
    if (!ready) ready = valuesPresent();
    if (ready) waitForQuiet();
  }

  observer = new MutationObserver(onChange);
  observer.observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
  giveUpTimer = setTimeout(send, GIVE_UP_MS);
  onChange();
})();
