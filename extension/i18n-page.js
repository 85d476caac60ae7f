// The words of the popup and the options page. Their HTML holds no sentence of its own: an
// element with data-i18n="key" gets the message `key`, and data-i18n-attr="name:key ..."
// sets those attributes to messages. A message's placeholders take the element's own child
// elements, in order (a <code> or a <span id> inside a sentence stays that element, wherever
// the language puts it). Only text nodes are made from messages: nothing is parsed as HTML.

import { language, t } from "./i18n.js";

// Private-use characters stand for the parts while the message is split around them.
const MARK = 0xe000;
const MARKS = /([\ue000-\ue0ff])/;

// `element`'s content becomes the message `key`, its placeholders filled with `parts`
// (strings or nodes) in order.
export function fill(element, key, ...parts) {
  const marks = parts.map((_, i) => String.fromCharCode(MARK + i));
  const pieces = t(key, ...marks)
    .split(MARKS)
    .filter((piece) => piece !== "")
    .map((piece) => (MARKS.test(piece) ? parts[piece.charCodeAt(0) - MARK] : piece));
  element.replaceChildren(...pieces);
  return element;
}

// A CSS string holding `text` (for the words pages.css puts in as content).
const cssString = (text) => `"${text.replace(/["\\]/g, "\\$&").replace(/\n/g, " ")}"`;

export function localizePage(root = document) {
  document.documentElement.lang = language();
  const style = document.documentElement.style;
  style.setProperty("--status-ok-word", cssString(t("statusOkWord")));
  style.setProperty("--status-error-word", cssString(t("statusErrorWord")));
  for (const element of root.querySelectorAll("[data-i18n]")) {
    fill(element, element.dataset.i18n, ...element.children);
  }
  for (const element of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of element.dataset.i18nAttr.trim().split(/\s+/)) {
      const [name, key] = pair.split(":");
      element.setAttribute(name, t(key));
    }
  }
}
