// How nothing reaches the network (docs/reference/testing.md, "Firefox"):
//   - LinkedIn pages are served from fixtures by request interception on their tab; every
//     other request of such a tab is aborted and recorded;
//   - everything else the browser would send outside 127.0.0.1 (the extension's background
//     script included, which no tab's interception sees) goes to a recording proxy that
//     refuses it. Firefox never proxies 127.0.0.1, so the companion is reached directly.

import { createServer } from "node:http";

import { isLinkedIn, log } from "./common.mjs";

// ------------------------------------------------------------------ the recording proxy

// Firefox's HTTP and HTTPS proxy: records what would have left the machine, and refuses it.
export class RecordingProxy {
  constructor() {
    this.requests = [];
    this.server = createServer((request, response) => {
      this.requests.push({ method: request.method, url: request.url, host: request.headers.host ?? "" });
      response.writeHead(502, { "Content-Type": "text/plain", Connection: "close" });
      response.end("refused by the test's proxy: no network here");
    });
    this.server.on("connect", (request, socket) => {
      this.requests.push({ method: "CONNECT", url: `https://${request.url}/`, host: request.url });
      socket.on("error", () => {});
      socket.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    });
  }

  start() {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => {
        this.port = this.server.address().port;
        resolve(this);
      });
    });
  }

  // Firefox's prefs that send it all traffic but 127.0.0.1's.
  prefs() {
    return {
      "network.proxy.type": 1,
      "network.proxy.http": "127.0.0.1",
      "network.proxy.http_port": this.port,
      "network.proxy.ssl": "127.0.0.1",
      "network.proxy.ssl_port": this.port,
      "network.proxy.share_proxy_settings": false,
      "network.proxy.no_proxies_on": "",
      "network.proxy.allow_hijacking_localhost": false,
      "network.dns.disablePrefetch": true,
      "network.prefetch-next": false,
    };
  }

  // Requests to linkedin.com that reached the proxy (CONNECT names only the host and port).
  linkedin() {
    return this.requests
      .filter(({ url, host }) => isLinkedIn(url) || isLinkedIn(`https://${host.split(":")[0]}/`))
      .map(({ method, url }) => `${method} ${url}`);
  }

  close() {
    this.server.closeAllConnections?.();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

// ------------------------------------------------------------------ LinkedIn, offline

// resourceType() is Chrome's (CDP) only: puppeteer's BiDi requests throw UnsupportedOperation.
function kind(request) {
  try {
    return request.resourceType();
  } catch {
    return request.isNavigationRequest() ? "navigation" : "subresource";
  }
}

// Serves fixture pages at LinkedIn URLs in the tabs it is attached to. `extra` lists every
// request to linkedin.com those tabs make except the top-level navigations served here.
export class LinkedIn {
  constructor() {
    this.pages = new Map();
    this.fulfilled = [];
    this.aborted = [];
    this.extra = [];
  }

  serve(url, html) {
    this.pages.set(url, html);
    return url;
  }

  async attach(page) {
    await page.setRequestInterception(true);
    page.on("request", (request) => {
      const url = request.url();
      const topLevel = request.isNavigationRequest() && request.frame() === page.mainFrame();
      if (/^(data|blob):/.test(url)) {
        // Not network: the page's own inline fonts and the like.
        request.continue().catch((error) => log(`continue ${url.slice(0, 40)}: ${error.message}`));
        return;
      }
      if (topLevel && this.pages.has(url)) {
        this.fulfilled.push(url);
        request
          .respond({ status: 200, contentType: "text/html; charset=utf-8", body: this.pages.get(url) })
          .catch((error) => log(`respond ${url}: ${error.message}`));
        return;
      }
      if (isLinkedIn(url)) this.extra.push(`${request.method()} ${url} (${kind(request)})`);
      this.aborted.push(url);
      request.abort().catch((error) => log(`abort ${url}: ${error.message}`));
    });
  }
}
