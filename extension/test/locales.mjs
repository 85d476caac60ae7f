// The extension's messages (_locales/<language>/messages.json) and a stand-in for
// chrome.i18n that reads them as the browser does: a message's name and its placeholders'
// names are not case-sensitive, $NAME$ becomes the placeholder's content, $1 ... $9 in it the
// substitutions (missing ones are ""), $$ a dollar sign, and a name the language lacks is
// looked for in the default locale (en), else "".

import { readFileSync, readdirSync } from "node:fs";

export const LOCALES_DIR = new URL("../_locales/", import.meta.url);
export const DEFAULT_LOCALE = "en";

export const languages = () =>
  readdirSync(LOCALES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();

export const messagesOf = (language) =>
  JSON.parse(readFileSync(new URL(`${language}/messages.json`, LOCALES_DIR), "utf8"));

const byLowerName = (messages) =>
  Object.fromEntries(Object.entries(messages).map(([name, entry]) => [name.toLowerCase(), entry]));

export function expand(entry, substitutions = []) {
  const values = (Array.isArray(substitutions) ? substitutions : [substitutions]).map(String);
  const placeholders = byLowerName(entry.placeholders ?? {});
  return entry.message
    .replace(/\$([A-Za-z0-9_@]+)\$/g, (_, name) => placeholders[name.toLowerCase()]?.content ?? "")
    .replace(/\$(\$|[1-9])/g, (_, which) => (which === "$" ? "$" : (values[Number(which) - 1] ?? "")));
}

// chrome.i18n for a browser whose UI is in `uiLanguage` and whose messages are `language`'s.
export function i18nStandIn(language = DEFAULT_LOCALE, uiLanguage = language === "en" ? "en-US" : language) {
  const tables = [byLowerName(messagesOf(language)), byLowerName(messagesOf(DEFAULT_LOCALE))];
  return {
    getUILanguage: () => uiLanguage,
    getMessage(name, substitutions) {
      const entry = tables.map((table) => table[String(name).toLowerCase()]).find(Boolean);
      return entry ? expand(entry, substitutions) : "";
    },
  };
}
