// A real headless Firefox ESR with the built extension, driven by puppeteer-core over WebDriver
// BiDi (docs/reference/testing.md, "Firefox"): launching it, installing the extension, opening
// its pages and LinkedIn's. Nothing reaches the network (offline.mjs); the extension's storage
// and badge are read by state.mjs, its options page is used by options.mjs.
//
// A library only: importing it starts nothing (the unit tests' `node --test test/` imports
// every .mjs under test/). puppeteer-core is loaded when a browser is launched.

import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

import { ACTION_TIMEOUT_MS, SSI_URL, log, waitInPage } from "./common.mjs";
import { LinkedIn, RecordingProxy } from "./offline.mjs";

export const FIREFOX = process.env.SSI_FIREFOX_BINARY || "/usr/bin/firefox-esr";

async function loadPuppeteer() {
  // Resolved from extension/ (its node_modules, installed by `npm ci`), wherever node runs.
  const require = createRequire(new URL("../../package.json", import.meta.url));
  let entry;
  try {
    entry = require.resolve("puppeteer-core");
  } catch {
    throw new Error("puppeteer-core is not installed: run `npm ci` in extension/ (make does it)");
  }
  const module = await import(entry);
  return module.default ?? module;
}

export class Firefox {
  constructor({ browser, proxy, extensionDir, addonId, uuid }) {
    this.browser = browser;
    this.proxy = proxy;
    this.extensionDir = extensionDir;
    this.addonId = addonId;
    this.uuid = uuid;
    this.origin = `moz-extension://${uuid}`;
    this.linkedin = new LinkedIn();
    this.installed = false;
    this._probe = null;
  }

  static async launch({ extensionDir, install = true }) {
    const manifest = JSON.parse(readFileSync(join(extensionDir, "manifest.json"), "utf-8"));
    const addonId = manifest.browser_specific_settings.gecko.id;
    const uuid = randomUUID(); // lowercase, as moz-extension hosts are
    const proxy = await new RecordingProxy().start();
    const puppeteer = await loadPuppeteer();
    const browser = await puppeteer.launch({
      browser: "firefox",
      executablePath: FIREFOX,
      headless: true,
      // Without it BiDi refuses to open or script moz-extension:// pages.
      args: ["--remote-allow-system-access"],
      extraPrefsFirefox: {
        // The extension's host, known before it is installed.
        "extensions.webextensions.uuids": JSON.stringify({ [addonId]: uuid }),
        // All traffic but 127.0.0.1 to the recording proxy.
        ...proxy.prefs(),
        // Firefox's own /favicon.ico request for every page (Chromium headless makes none).
        "browser.chrome.site_icons": false,
      },
    });
    log(`launched ${await browser.version()}`);
    const firefox = new Firefox({ browser, proxy, extensionDir, addonId, uuid });
    try {
      if (install) await firefox.installExtension();
    } catch (error) {
      await firefox.close();
      throw error;
    }
    return firefox;
  }

  async installExtension() {
    // A temporary add-on, as about:debugging's "Load Temporary Add-on" makes one.
    const id = await this.browser.installExtension(this.extensionDir);
    if (id !== this.addonId) throw new Error(`installed ${id}, expected ${this.addonId}`);
    this.installed = true;
    log(`installed ${id} at ${this.origin}`);
  }

  url(path) {
    return `${this.origin}/${path}`;
  }

  async newPage() {
    const page = await this.browser.newPage();
    page.setDefaultTimeout(ACTION_TIMEOUT_MS);
    return page;
  }

  // page.goto() never resolves for moz-extension:// documents (no navigation events): start
  // it, then wait on the document itself.
  async openExtensionPage(path) {
    const page = await this.newPage();
    const url = this.url(path);
    page.goto(url).catch(() => {});
    // Polled from here: page.waitForFunction fails ("Waiting failed") when the document it
    // started in (about:blank) goes away under it, as it does here.
    await waitInPage(
      page,
      { what: `${path} to load` },
      (wanted) => location.href === wanted && document.readyState === "complete",
      url,
    );
    return page;
  }

  // One of the extension's own pages, to read its storage and badge in (state.mjs). Opened on
  // first use and kept; `closeProbe` when no extension page may stay open (the outbox must
  // drain alone).
  async probe() {
    if (this._probe === null || this._probe.isClosed()) this._probe = await this.openExtensionPage("options.html");
    return this._probe;
  }

  async closeProbe() {
    if (this._probe !== null && !this._probe.isClosed()) await this._probe.close();
    this._probe = null;
  }

  // Opens `url` (a LinkedIn address) in a new tab, served with `html`.
  async visit(html, url = SSI_URL) {
    this.linkedin.serve(url, html);
    const page = await this.newPage();
    await this.linkedin.attach(page);
    await page.goto(url, { waitUntil: "load" });
    return page;
  }

  async close() {
    try {
      await this.browser?.close();
    } finally {
      await this.proxy.close();
    }
  }
}
