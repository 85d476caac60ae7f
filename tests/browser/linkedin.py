"""LinkedIn, offline: fixture pages served at LinkedIn addresses, every other request refused.

`LinkedIn` is what the browser's routes call (extension_browser.launch sets them up); the
fixture helpers read tests/data and put a script first into a page's <head>.
"""

import re
from urllib.parse import urlsplit

from tests.conftest import DATA

SSI_URL = "https://www.linkedin.com/sales/ssi"


def fixture_html(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def inject_head(html: str, script: str) -> str:
    """`script` (JS source) as the first element of <head>, so it runs before anything else."""
    tag = f"<script>{script}</script>"
    head = re.search(r"<head[^>]*>", html, re.IGNORECASE)
    if head is None:
        return tag + html
    return html[: head.end()] + tag + html[head.end() :]


class LinkedIn:
    """Serves fixture pages at LinkedIn URLs; aborts and records every other https request.

    `extra` lists every request to linkedin.com except the top-level navigations fulfilled
    here: the extension must never add one.
    """

    def __init__(self):
        self.pages: dict[str, str] = {}
        self.fulfilled: list[str] = []
        self.aborted: list[str] = []
        self.extra: list[str] = []
        self._navigations: set[str] = set()

    def serve(self, url: str, html: str) -> str:
        self.pages[url] = html
        return url

    @staticmethod
    def is_linkedin(url: str) -> bool:
        host = urlsplit(url).hostname or ""
        return host == "linkedin.com" or host.endswith(".linkedin.com")

    def _is_navigation(self, request) -> bool:
        try:
            frame = request.frame
        except Exception:  # a service worker's request has no frame
            return False
        return (
            request.is_navigation_request()
            and request.resource_type == "document"
            and frame.parent_frame is None
        )

    def handle(self, route, request):
        url = request.url
        if url in self.pages and self._is_navigation(request):
            self.fulfilled.append(url)
            self._navigations.add(id(request))
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=self.pages[url])
            return
        self.aborted.append(url)
        route.abort()

    def on_request(self, request):
        # Seen by every request the context sees, routed or not (also http://*.linkedin.com).
        if self.is_linkedin(request.url) and id(request) not in self._navigations:
            if not (request.url in self.pages and self._is_navigation(request)):
                self.extra.append(f"{request.method} {request.url} ({request.resource_type})")
