"""The pages in a pseudo-language, on a phone: every marked sentence shown, longer, and nothing
overflows; no English left where a sentence should have gone through the catalog.

The catalog is made at test time from the code (maintain.extract()): each sentence accented,
bracketed and about 40% longer ("Settings" -> "[Šéţţîñĝš ~~~~]", tests/i18n/pseudo.py), and
installed as the Italian catalog in a temporary directory. So that the companion reads it,
the server runs IN THIS PROCESS: the same create_app and waitress as `ssi-companion serve`,
on 127.0.0.1 in a thread, with companion.i18n.CATALOGS pointed at that directory before
create_app (web/language.py hands it to Flask-Babel there). Its data are the demo's year of
made-up readings (companion/ingest/demo.py, DEMO as `serve --demo`), its `language` Italian,
with a pairing request waiting. Debian's Chromium loads /, /settings and /pairing at 360 px,
light, every <details> opened (the widest the page gets); screenshots are saved under the
pytest tmp path, and their paths printed.
"""

import logging
import re
import threading
from datetime import date

import pytest
from babel.dates import get_day_names, get_month_names
from waitress.server import create_server

from companion import i18n, store
from companion.history import charts
from companion.i18n import maintain
from companion.ingest import demo
from companion.store import preferences, sessions
from companion.web import create_app
from tests.browser.extension_browser import ACTION_TIMEOUT_MS
from tests.browser.screenshot import NARROW
from tests.browser.test_accessibility import ask_to_pair
from tests.conftest import free_port
from tests.i18n.pseudo import pseudo, pseudo_catalog, write_catalog

PAGES = ("/", "/settings", "/pairing")
LANGUAGE = "it"
# Words a page rightly shows outside any sentence of the catalog: names, formats, and the
# Italian Babel writes by itself (day and month names, as in "sabato" or "10 dic 2026").
NAMES = {"SSI", "Companion", "LinkedIn", "CSV", "JSON", *i18n.NATIVE_NAMES.values()}
BABEL_WORDS = {
    word
    for names in (
        get_day_names("wide", locale=LANGUAGE),
        get_day_names("wide", context="stand-alone", locale=LANGUAGE),
        get_month_names("wide", locale=LANGUAGE),
        get_month_names("abbreviated", locale=LANGUAGE),
    )
    for name in names.values()
    for word in re.findall(r"\w+", name)
}
ENGLISH_WORD = re.compile(r"(?<![\w-])[A-Za-z]{4,}(?![\w-])")
BRACKETED = re.compile(r"\[[^\[\]]*\]")  # innermost first: placeholders hold sentences too

# Every visible element and run of text whose right edge is past the viewport, except inside
# a box that scrolls (or clips) on purpose, as the history table does; the box must fit.
OVERFLOW_JS = """
(width) => {
  const clips = (el) => ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(el).overflowX);
  const inScroller = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (clips(p)) return true;
    }
    return false;
  };
  const shown = (el) => {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  };
  const path = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
      let part = e.tagName.toLowerCase();
      if (e.id) part += '#' + e.id;
      else if (e.classList.length) part += '.' + [...e.classList].join('.');
      parts.unshift(part);
    }
    return parts.join(' > ');
  };
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!shown(el) || inScroller(el)) continue;
    const box = el.getBoundingClientRect();
    if (box.right > width + 0.5) {
      found.push({element: path(el), right: Math.round(box.right),
                  text: (el.innerText || '').trim().replace(/\\s+/g, ' ').slice(0, 100)});
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !shown(el) || clips(el) || inScroller(el)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const right = Math.max(...[...range.getClientRects()].map((r) => r.right));
    if (right > width + 0.5) {
      found.push({element: path(el) + ' (its text)', right: Math.round(right),
                  text: node.textContent.trim().replace(/\\s+/g, ' ').slice(0, 100)});
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, found};
}
"""

# What a reader sees and hears: visible text and the names given to elements, in document
# order; not code, nor what is marked as another language or as not to be translated.
READABLE_JS = """
() => {
  // The nearest lang= says which language a text is in (<html lang> unless marked otherwise).
  const skipped = (el) => el.closest('code, kbd, pre, samp, script, style, [translate=no]')
    || el.closest('[lang]').lang !== document.documentElement.lang;
  const shown = (el) => {
    const style = getComputedStyle(el);
    return style.visibility !== 'hidden' && style.display !== 'none' && el.getClientRects().length;
  };
  const texts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (node.textContent.trim() && shown(el) && !skipped(el)) texts.push(node.textContent);
  }
  for (const el of document.body.querySelectorAll('[alt], [aria-label], [title], [placeholder]')) {
    if (skipped(el)) continue;
    for (const name of ['alt', 'aria-label', 'title', 'placeholder']) {
      if (el.getAttribute(name)) texts.push(el.getAttribute(name));
    }
  }
  return texts.map((t) => t.replace(/\\s+/g, ' ').trim());
}
"""


def _stop(server) -> None:
    """Close every channel and the listening socket: waitress's loop ends when none is left."""
    logging.getLogger("waitress").setLevel(logging.CRITICAL)
    while server._map:
        for channel in list(server._map.values()):
            channel.handle_close()
    server.task_dispatcher.shutdown()


@pytest.fixture(scope="module")
def pseudo_companion(tmp_path_factory):
    """(base URL, data directory) of a companion speaking the pseudo-language as Italian."""
    folder = tmp_path_factory.mktemp("pseudo-locale")
    catalogs = folder / "catalogs"
    write_catalog(pseudo_catalog(LANGUAGE, maintain.extract()), catalogs)
    port = free_port()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(i18n, "CATALOGS", catalogs)
            i18n.translations.cache_clear()
            app = create_app({"HOME": str(folder / "home"), "PORT": port, "DEMO": True})
            data_dir = app.config["DATA_DIR"]
            with store.connection(data_dir) as db:
                demo.fill(db, date.today())
                preferences.set_value(db, "language", LANGUAGE)
            server = create_server(app, host="127.0.0.1", port=port, threads=4)
            thread = threading.Thread(target=server.run, name="pseudo-companion", daemon=True)
            thread.start()
            try:
                yield f"http://127.0.0.1:{port}", data_dir
            finally:
                _stop(server)
                thread.join(10)
    finally:
        i18n.translations.cache_clear()  # the next test reads the real catalogs again
        charts._CACHE.clear()  # and draws its own charts, not pseudo-Italian ones


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    return tmp_path_factory.mktemp("pseudo-locale-screenshots")


@pytest.fixture(scope="module")
def loaded(chromium, pseudo_companion, screenshots):
    """Each page on a 360 px phone, signed in, fully open: {path: (page, what it measured)}."""
    base, data_dir = pseudo_companion
    ask_to_pair(base)  # the request shows on /pairing and as a notice on the summary
    ctx = chromium.new_context(viewport={"width": NARROW, "height": 800}, color_scheme="light")
    ctx.set_default_timeout(ACTION_TIMEOUT_MS)
    page = ctx.new_page()
    with store.connection(data_dir) as db:
        link = sessions.signin_url(int(base.rsplit(":", 1)[1]), sessions.mint_code(db))
    page.goto(link)
    page.wait_for_url(base + "/")
    found = {}
    for path in PAGES:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        page.wait_for_function("() => [...document.images].every((img) => img.complete)")
        page.evaluate("() => document.querySelectorAll('details').forEach((d) => (d.open = true))")
        name = "summary" if path == "/" else path.strip("/")
        shot = screenshots / f"pseudo-{name}-{NARROW}px.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"pseudo-locale screenshot of {path}: {shot}")
        found[path] = {
            "lang": page.evaluate("document.documentElement.lang"),
            "nav": page.locator("header.site nav a").all_inner_texts(),
            "overflow": page.evaluate(OVERFLOW_JS, NARROW),
            "readable": page.evaluate(READABLE_JS),
            "shot": shot,
        }
    yield {**found, "page": page}
    ctx.close()


@pytest.mark.parametrize("path", PAGES)
def test_the_page_shows_the_pseudo_language(loaded, path):
    """The catalog was really used: without this, the other tests could pass on English."""
    seen = loaded[path]
    assert seen["lang"] == LANGUAGE
    assert seen["nav"] == [pseudo(word) for word in ("Summary", "Settings", "Pairing")]
    shown = " ".join(seen["readable"])
    assert len(BRACKETED.findall(shown)) >= 5, f"{path}: few pseudo sentences shown: {shown}"


@pytest.mark.parametrize("path", PAGES)
def test_nothing_overflows_a_phone_in_a_longer_language(loaded, path):
    measured = loaded[path]["overflow"]
    found = measured["found"]
    listed = "\n".join(
        f"  {item['element']}: right edge at {item['right']} px: {item['text']!r}"
        for item in found[:40]
    )
    assert measured["scrollWidth"] <= NARROW and not found, (
        f"{path} at {NARROW} px: the page is {measured['scrollWidth']} px wide; "
        f"{len(found)} element(s) past the right edge (screenshot {loaded[path]['shot']}):\n"
        f"{listed}"
    )


def english_left(texts: list[str]) -> list[str]:
    """Each text that still has an English word once every catalog sentence is taken out."""
    left = []
    for text in texts:
        rest = text
        while BRACKETED.search(rest):
            rest = BRACKETED.sub(" ", rest)
        words = [w for w in ENGLISH_WORD.findall(rest) if w not in NAMES | BABEL_WORDS]
        if words:
            left.append(f"{text[:140]!r} (English: {' '.join(words[:8])})")
    return left


@pytest.mark.parametrize("path", PAGES)
def test_no_english_is_left_on_the_page(loaded, path):
    """A sentence shown in English here was never marked, or is shown without _()."""
    left = sorted(set(english_left(loaded[path]["readable"])))
    assert not left, f"{path}: {len(left)} text(s) not from the catalog:\n" + "\n".join(
        f"  {line}" for line in left[:60]
    )


def test_the_checks_see_english_and_overflow(loaded):
    """The checks themselves: an English word, a too-wide word, but not a table that scrolls."""
    assert english_left(["[Šéţţîñĝš ~~~~] Read again"]) == [
        "'[Šéţţîñĝš ~~~~] Read again' (English: Read again)"
    ]
    assert english_left([f"{pseudo('Saved')} 10 dic 2026, sabato", "SSI Companion"]) == []
    page = loaded["page"]
    page.evaluate(
        """() => {
          const main = document.querySelector('main');
          const wide = document.createElement('p');
          wide.id = 'too-wide';
          wide.textContent = 'Ţöö' + 'ŵîđé'.repeat(40);
          const box = document.createElement('div');
          box.id = 'scrolls';
          box.style.overflowX = 'auto';
          box.innerHTML = '<table><tr><td>' + 'ŵîđé'.repeat(40) + '</td></tr></table>';
          main.prepend(wide, box);
        }"""
    )
    try:
        found = page.evaluate(OVERFLOW_JS, NARROW)["found"]
    finally:
        page.evaluate(
            "() => ['too-wide', 'scrolls'].forEach((id) => document.getElementById(id).remove())"
        )
    assert any(item["element"].endswith("p#too-wide (its text)") for item in found), found
    assert not any("#scrolls >" in item["element"] for item in found), found
