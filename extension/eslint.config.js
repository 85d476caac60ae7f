"use strict";

// Flat config, no bundler. The service worker (service-worker.js and what it imports) and the
// pages (popup, options) are ES modules, which the browser loads as they are; the content
// script stays a classic script. The tests (test/*.mjs) are ES modules for Node.
const js = require("@eslint/js");
const globals = require("globals");

const CLASSIC_SCRIPTS = ["content.js"];
const browserGlobals = { ...globals.browser, ...globals.webextensions, ...globals.serviceworker };

module.exports = [
  { ignores: ["node_modules/**"] },
  js.configs.recommended,
  {
    files: ["**/*.js"],
    ignores: ["eslint.config.js", ...CLASSIC_SCRIPTS],
    languageOptions: { ecmaVersion: "latest", sourceType: "module", globals: browserGlobals },
  },
  {
    files: CLASSIC_SCRIPTS,
    languageOptions: { ecmaVersion: "latest", sourceType: "script", globals: browserGlobals },
    rules: {
      strict: ["error", "global"],
    },
  },
  {
    // node --test: ES modules in Node, never shipped (the build copies .js, not .mjs).
    files: ["test/**/*.mjs"],
    languageOptions: { ecmaVersion: "latest", sourceType: "module", globals: { ...globals.node } },
  },
  {
    // The Firefox driver (puppeteer-core): Node modules whose page.evaluate() callbacks run in
    // the browser, in web pages and in the extension's own pages (browser.*).
    files: ["test/firefox/**/*.mjs"],
    languageOptions: { globals: { ...globals.node, ...globals.browser, ...globals.webextensions } },
  },
  {
    files: ["eslint.config.js"],
    languageOptions: { sourceType: "commonjs", globals: { ...globals.node } },
  },
];
