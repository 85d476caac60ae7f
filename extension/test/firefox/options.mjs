// The extension's options page, used as a user uses it: the labels and the buttons are the
// contract.

import { DEFAULT_LOCALE, expand, messagesOf } from "../locales.mjs";
import { waitFor, waitInPage } from "./common.mjs";
import { storage } from "./state.mjs";

export async function optionsPage(firefox) {
  const page = await firefox.openExtensionPage("options.html");
  // options.js fills the saved port in after load: typing before that would be undone. And
  // the labels are the messages' words, put in by i18n-page.js: found only once they are.
  await waitInPage(
    page,
    { what: "the saved port and the labels on the options page" },
    () => document.getElementById("port")?.value && document.querySelector("label[for=port]")?.textContent.trim(),
  );
  return page;
}

// The form control a <label> with exactly `text` names (and the id it must have).
export async function labelled(page, text, id) {
  // Polled first (tolerating a realm that goes away), then taken: a page still settling
  // would otherwise answer from a document without its labels.
  await waitInPage(
    page,
    { what: `a label ${JSON.stringify(text)}` },
    (wanted) => Array.from(document.querySelectorAll("label")).some((element) => element.textContent.trim() === wanted),
    text,
  ).catch(() => null); // not found: said below, with the label's name
  const handle = await page.evaluateHandle((wanted) => {
    const label = Array.from(document.querySelectorAll("label")).find(
      (element) => element.textContent.trim() === wanted,
    );
    return label?.control ?? null;
  }, text);
  const element = handle.asElement();
  if (element === null) throw new Error(`no form control labelled ${JSON.stringify(text)}`);
  const actual = await element.evaluate((control) => control.id);
  if (actual !== id) throw new Error(`the control labelled ${JSON.stringify(text)} is #${actual}, not #${id}`);
  return element;
}

// The first button whose text matches `pattern` (a regular expression's text: it goes to
// the page as a string).
export async function button(page, pattern, description) {
  const handle = await page.evaluateHandle((wanted) => {
    const matches = new RegExp(wanted);
    return Array.from(document.querySelectorAll("button")).find((b) => matches.test(b.textContent.trim())) ?? null;
  }, pattern);
  const element = handle.asElement();
  if (element === null) throw new Error(`no button ${description}`);
  return element;
}

// Replaces what a field holds, by keyboard (a number input ignores a triple click).
export async function fill(page, element, text) {
  await element.click();
  await page.keyboard.down("Control");
  await page.keyboard.press("KeyA");
  await page.keyboard.up("Control");
  await page.keyboard.press("Backspace");
  if (text !== "") await element.type(text);
}

// Port and Token typed into the options page, then Save. `token` "" leaves the saved one.
// In `page` if given (left open), else in an options page of its own.
export async function configure(firefox, port, token, page = null) {
  const options = page ?? (await optionsPage(firefox));
  await fill(options, await labelled(options, "Port", "port"), String(port));
  await fill(options, await labelled(options, "Token", "token"), token);
  const save = await button(options, "^Save$", '"Save"');
  if ((await save.evaluate((element) => element.id)) !== "save") throw new Error("the Save button is not #save");
  await save.click();
  await waitFor(
    async () => {
      const { settings } = await storage(firefox);
      return settings?.port === port && (token === "" || settings?.token === token);
    },
    { what: "the settings saved by the options page" },
  );
  if (page === null) await options.close();
}

// Where the page's words differ from the default locale's messages (Firefox's UI is English
// here): the page's lang, its title, and each element with data-i18n, whose child elements
// stand for the message's placeholders. An empty list when every word came from
// _locales/en/messages.json, as the HTML holds none of its own.
export async function wordsNotFromMessages(page) {
  const messages = messagesOf(DEFAULT_LOCALE);
  const shown = await page.evaluate(() => ({
    lang: document.documentElement.lang,
    elements: Array.from(document.querySelectorAll("[data-i18n]"), (element) => ({
      key: element.dataset.i18n,
      text: element.textContent,
      parts: Array.from(element.children, (child) => child.textContent),
    })),
  }));
  const wrong = shown.lang === DEFAULT_LOCALE ? [] : [`lang="${shown.lang}"`];
  for (const { key, text, parts } of shown.elements) {
    const expected = messages[key] ? expand(messages[key], parts) : `(no message ${key})`;
    if (text !== expected) wrong.push(`${key}: ${JSON.stringify(text)}, not ${JSON.stringify(expected)}`);
  }
  if (shown.elements.length === 0) wrong.push("no element with data-i18n");
  return wrong;
}
