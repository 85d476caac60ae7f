// The extension's words, for the service worker and the pages alike: chrome.i18n and the
// _locales/<language>/messages.json files (en is the default_locale, and the fallback of a
// language the extension does not have), plus the plural forms and the numbers and dates of
// that language. chrome.i18n has no plurals: a counted message is two keys, KEY_one and
// KEY_other, chosen by Intl.PluralRules (a language's "few" or "many" take KEY_other).

// The language of the messages actually shown. Not getUILanguage(): Chromium may show the
// messages of the language it was asked for (--lang) while it reports another UI language
// (it has no resources of its own in that language), and a UI language the extension lacks
// shows English. Each messages.json names its own language instead.
export const language = () => chrome.i18n.getMessage("languageCode") || "en";

// The locale of numbers and dates: the browser's own (with its region, en-GB or pt-BR) when
// it is the messages' language, else the messages' language, so that the words and the
// numbers in one sentence agree.
export function locale() {
  const shown = language();
  const ui = chrome.i18n.getUILanguage?.() ?? "";
  try {
    const [canonical] = Intl.getCanonicalLocales(ui);
    if (canonical && canonical.split("-")[0].toLowerCase() === shown) return canonical;
  } catch {
    // Not a language tag at all: the messages' language it is.
  }
  return shown;
}

// The message `key` with `values` put in for its placeholders ($1, $2, ... in order).
export const t = (key, ...values) => chrome.i18n.getMessage(key, values.map(String));

const numberFormat = (options) => new Intl.NumberFormat(locale(), options);

// A count, a number with exactly `digits` decimals, or "–" for a value that is not one.
export const count = (value) => numberFormat().format(value);
export function decimal(value, digits = 2) {
  if (typeof value !== "number" || !Number.isFinite(value)) return "–";
  return numberFormat({ minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

// Which of KEY_one and KEY_other says `amount`.
export const pluralKey = (key, amount) =>
  `${key}_${new Intl.PluralRules(locale()).select(amount) === "one" ? "one" : "other"}`;

// That message, the count (as the language writes it) being its first placeholder and
// `values` the next ones.
export const plural = (key, amount, ...values) => t(pluralKey(key, amount), count(amount), ...values);

// A date and local time (the browser's time zone), such as "26 Nov 2026, 21:05"; "" for
// anything that is not a time.
export function dateTime(iso) {
  const moment = typeof iso === "string" ? new Date(iso) : null;
  if (!moment || Number.isNaN(moment.getTime())) return "";
  return new Intl.DateTimeFormat(locale(), {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(moment);
}
