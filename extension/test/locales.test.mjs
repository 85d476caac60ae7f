// The extension's words: _locales/<language>/messages.json for the six languages, what the
// code asks of them (t, plural, fill, data-i18n in the pages, __MSG_ in the manifest), and the
// worker speaking another language than English.

import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { describe, test } from "node:test";

import { Loopback, sendMessage as send, startWorker } from "./harness.mjs";
import { DEFAULT_LOCALE, expand, i18nStandIn, languages, messagesOf } from "./locales.mjs";
import { VOCABULARY } from "./modules.mjs";

const LANGUAGES = ["de", "en", "es", "fr", "it", "pt"];
const EXTENSION_DIR = new URL("../", import.meta.url);
const MANIFEST = new URL("../../manifest_template.json", import.meta.url);
// Chrome's limits for the manifest's own words.
const MAX_DESCRIPTION = 132;
const MAX_NAME = 45;

const all = Object.fromEntries(LANGUAGES.map((language) => [language, messagesOf(language)]));
const english = all[DEFAULT_LOCALE];
const placeholdersOf = (entry) =>
  Object.fromEntries(Object.entries(entry.placeholders ?? {}).map(([name, { content }]) => [name, content]));
const named = (message) => [...message.matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map(([, name]) => name.toLowerCase());

// ------------------------------------------------------------------ what the code asks for

// The extension's own files as they ship: its pages and scripts (not the tests, nor ESLint's).
const shipped = (suffix) =>
  readdirSync(EXTENSION_DIR)
    .filter((name) => name.endsWith(suffix) && name !== "eslint.config.js")
    .map((name) => ({ name, text: readFileSync(new URL(name, EXTENSION_DIR), "utf8") }));

// Every message key the code names: t("key", ...), fill(element, "key", ...) and the popup's
// timeElement(iso, "key"), the counted
// plural("key", ...) and pluralKey("key", ...) (key_one and key_other), the pages'
// data-i18n="key" and data-i18n-attr="attribute:key ...", and the keys made from the
// vocabulary (`pillar_${key}`, `rank_${field's first word}`).
function keysInCode() {
  const keys = new Map();
  const use = (key, where) => keys.set(key, [...(keys.get(key) ?? []), where]);
  for (const { name, text } of shipped(".js")) {
    for (const [, key] of text.matchAll(/\b(?:t|getMessage)\(\s*"(\w+)"/g)) use(key, name);
    for (const [, key] of text.matchAll(/\b(?:fill|timeElement)\(.*?,\s*"(\w+)"/g)) use(key, name);
    for (const [, key] of text.matchAll(/\b(?:plural|pluralKey)\(\s*"(\w+)"/g)) {
      use(`${key}_one`, name);
      use(`${key}_other`, name);
    }
    for (const [, family] of text.matchAll(/\bt\(\s*`(\w+)\$\{/g)) {
      const members = { pillar_: VOCABULARY.PILLARS, rank_: VOCABULARY.RANKS.map((field) => field.split("_")[0]) };
      assert.ok(family in members, `${name}: t(\`${family}\${...}\`) names keys this test does not know`);
      for (const member of members[family]) use(`${family}${member}`, name);
    }
  }
  for (const { name, text } of shipped(".html")) {
    for (const [, key] of text.matchAll(/\bdata-i18n="(\w+)"/g)) use(key, name);
    for (const [, pairs] of text.matchAll(/\bdata-i18n-attr="([^"]+)"/g)) {
      for (const pair of pairs.trim().split(/\s+/)) use(pair.split(":")[1], name);
    }
  }
  for (const [, key] of readFileSync(MANIFEST, "utf8").matchAll(/__MSG_(\w+)__/g)) use(key, "manifest_template.json");
  return keys;
}

// ------------------------------------------------------------------ the files

describe("the messages", () => {
  test("are there for exactly the six languages, each naming its own language", () => {
    assert.deepEqual(languages(), LANGUAGES);
    for (const language of LANGUAGES) assert.equal(all[language].languageCode.message, language);
  });

  test("have the same keys in every language, with valid names", () => {
    const keys = Object.keys(english).sort();
    assert.ok(keys.length > 50, "the English messages");
    for (const language of LANGUAGES) assert.deepEqual(Object.keys(all[language]).sort(), keys, language);
    // Chrome's rule for names, which it compares without case.
    for (const key of keys) assert.match(key, /^(?!@@)[A-Za-z0-9_]+$/, key);
    assert.equal(new Set(keys.map((key) => key.toLowerCase())).size, keys.length, "two keys differ only in case");
    // A counted message is a pair.
    for (const key of keys.filter((name) => /_(one|other)$/.test(name))) {
      const base = key.replace(/_(one|other)$/, "");
      assert.ok(`${base}_one` in english && `${base}_other` in english, `${base}: _one and _other`);
    }
  });

  test("have a message, a description and the same placeholders in every language", () => {
    for (const [key, entry] of Object.entries(english)) {
      const expected = placeholdersOf(entry);
      // $1, $2, ... in order: the code passes the values in that order.
      assert.deepEqual(Object.values(expected), Object.keys(expected).map((_, i) => `$${i + 1}`), key);
      for (const language of LANGUAGES) {
        const translated = all[language][key];
        const where = `${language} ${key}`;
        assert.equal(typeof translated.message, "string", where);
        assert.notEqual(translated.message.trim(), "", `${where}: empty`);
        assert.ok(typeof translated.description === "string" && translated.description.trim() !== "", `${where}: no description`);
        assert.deepEqual(placeholdersOf(translated), expected, `${where}: placeholders`);
        // Each placeholder said once or more, none that is not defined; no stray $.
        assert.deepEqual([...new Set(named(translated.message))].sort(), Object.keys(expected).sort(), where);
        assert.doesNotMatch(translated.message.replace(/\$[A-Za-z0-9_@]+\$/g, ""), /\$/, `${where}: a lone $`);
      }
    }
  });

  test("fit the manifest's limits", () => {
    for (const language of LANGUAGES) {
      const { extensionName, extensionDescription } = all[language];
      assert.ok(extensionDescription.message.length <= MAX_DESCRIPTION, `${language}: description too long`);
      assert.ok(extensionName.message.length <= MAX_NAME, `${language}: name too long`);
    }
  });

  test("the English ones are LinkedIn's pillar names, as the vocabulary has them", () => {
    for (const key of VOCABULARY.PILLARS) assert.equal(english[`pillar_${key}`]?.message, VOCABULARY.PILLAR_NAMES[key]);
  });
});

describe("the code and the messages", () => {
  const used = keysInCode();

  test("every key the code, the pages or the manifest names is a message", () => {
    const lower = new Set(Object.keys(english).map((key) => key.toLowerCase()));
    const missing = [...used].filter(([key]) => !lower.has(key.toLowerCase())).map(([key, where]) => `${key} (${where})`);
    assert.deepEqual(missing, []);
  });

  test("every message is used", () => {
    const lower = new Set([...used.keys()].map((key) => key.toLowerCase()));
    assert.deepEqual(Object.keys(english).filter((key) => !lower.has(key.toLowerCase())), []);
  });

  test("the manifest takes its words from the messages", () => {
    const manifest = JSON.parse(readFileSync(MANIFEST, "utf8"));
    assert.equal(manifest.default_locale, DEFAULT_LOCALE);
    assert.equal(manifest.name, "__MSG_extensionName__");
    assert.equal(manifest.description, "__MSG_extensionDescription__");
    assert.match(manifest.action.default_title, /^__MSG_\w+__$/);
  });

  test("the pages hold no words of their own", () => {
    for (const { name, text } of shipped(".html")) {
      // What is left once the tags, the comments and the placeholders' own elements are gone.
      const body = text
        .replace(/<!--[\s\S]*?-->/g, "")
        .replace(/<code>[\s\S]*?<\/code>/g, "")
        .replace(/<span id="outbox-count">\d*<\/span>/g, "")
        .replace(/<[^>]+>/g, "");
      assert.equal(body.trim(), "", `${name} spells words itself`);
    }
  });
});

// ------------------------------------------------------------------ a worker in Italian

describe("the worker in another language", () => {
  const italian = all.it;
  const MB = 1024 * 1024;

  test("says its sentences in the browser's language, with its numbers and plurals", async () => {
    const { worker, chrome } = await startWorker({ loopback: new Loopback(), i18n: i18nStandIn("it") });
    assert.deepEqual(await send(chrome, { type: "SAVE_SETTINGS", port: 0 }), { error: italian.workerPortRange.message });
    assert.equal(worker.notRunningMessage(47613), expand(italian.workerNotRunning, ["47613"]));
    assert.equal(worker.outboxMessage({ count: 1, bytes: 3.5 * MB }), expand(italian.workerOutboxFilling_one, ["1", "3,5 MB", "6,0 MB"]));
    assert.equal(worker.outboxMessage({ count: 4, bytes: 6 * MB }), expand(italian.workerOutboxFull_other, ["4", "6,0 MB"]));
    assert.equal(worker.tooLargeForCompanionMessage(), expand(italian.workerTooLarge, ["5 MB"]));
  });

  test("and in French, where 0 takes the singular and MB is Mo", async () => {
    const { worker } = await startWorker({ loopback: new Loopback(), i18n: i18nStandIn("fr") });
    assert.equal(worker.outboxMessage({ count: 0, bytes: 6 * MB }), expand(all.fr.workerOutboxFull_one, ["0", "6,0 Mo"]));
  });

  test("falls back to English for a language the extension does not have", async () => {
    const { worker } = await startWorker({ loopback: new Loopback(), i18n: i18nStandIn("en", "ja") });
    assert.equal(worker.outboxMessage({ count: 4, bytes: 6 * MB }), expand(english.workerOutboxFull_other, ["4", "6.0 MB"]));
  });
});
