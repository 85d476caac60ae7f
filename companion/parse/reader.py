"""A captured SSI page becomes a validated `Reading`: its layouts tried in order.

Pure: no Flask, no I/O, no clock. Every failure is a `ParseError` whose `code` says what kind
of failure it is and whose message a user understands.
"""

import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from companion.parse import layouts
from companion.parse.budget import time_budget
from companion.parse.payload import embedded_payload, found_from_api
from companion.parse.region import TooComplex, ssi_region
from companion.parse.validation import (
    INVALID_VALUES,
    NOT_RENDERED,
    NOT_SSI_PAGE,
    PARSE_SECONDS,
    TOO_COMPLEX,
    UNRECOGNIZED,
    ParseError,
    build_reading,
)
from companion.reading import Reading

_LOGIN_PATHS = re.compile(r"^/(login|authwall|checkpoint|uas/login|signup)", re.IGNORECASE)
_UNENCODABLE = re.compile("[\x00\ud800-\udfff]")
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.IGNORECASE)


# -- the page ---------------------------------------------------------------------------------


def _is_ssi_url(url: str | None) -> bool:
    try:
        return bool(url) and urlsplit(url.strip()).path.rstrip("/").startswith("/sales/ssi")
    except ValueError:
        return False


def _url_says_not_ssi(url: str | None) -> str | None:
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if not parts.hostname.endswith("linkedin.com"):
        return None  # a local copy or test server: judge by the content
    if _LOGIN_PATHS.match(parts.path):
        return "LinkedIn showed its sign-in page: sign in, then open the SSI page again."
    if not parts.path.rstrip("/").startswith("/sales/ssi"):
        return f"{parts.path} is not the SSI page (https://www.linkedin.com/sales/ssi)."
    return None


def _soup(page: str) -> BeautifulSoup:
    region = ssi_region(page)
    return BeautifulSoup(region if region is not None else page, "lxml")


def _strategies(soup: BeautifulSoup):
    payload = embedded_payload(soup)
    if payload is not None:
        yield lambda: found_from_api(payload, "json_2021")
    yield lambda: layouts.read_current_dom(soup)
    yield lambda: layouts.read_dom_2023(soup)


# When layouts disagree, the error that tells the user most wins.
_ERROR_WEIGHT = {INVALID_VALUES: 3, NOT_RENDERED: 2, UNRECOGNIZED: 1, NOT_SSI_PAGE: 0}


def parse_page(html: str | bytes, url: str | None = None) -> Reading:
    """Read the SSI page (whole or its main region), whatever its layout and language."""
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    if not isinstance(html, str):
        raise TypeError("parse_page() takes the page as str or bytes")
    # Lone surrogates and NULs cannot go through lxml; they never carry SSI values. (Looked
    # for first: re-encoding a 400 KB page that has none costs more than the search.)
    if _UNENCODABLE.search(html):
        html = html.encode("utf-8", errors="replace").decode("utf-8").replace("\x00", "")
    if url is None and (saved := _SAVED_FROM.search(html[:2048])):
        url = saved.group(1)
    if reason := _url_says_not_ssi(url):
        raise ParseError(NOT_SSI_PAGE, reason)
    try:
        with time_budget(PARSE_SECONDS):
            return _read_soup(_soup(html), url, html)
    except TooComplex as exc:
        raise ParseError(TOO_COMPLEX, str(exc)) from None


# What LinkedIn shows instead of the SSI page to someone signed out, at the SSI page's own
# address: a sign-in form, or the "authwall" that asks to join (the extension's content.js
# sends such a page at once, by the same signs). Looked for in the page as sent: the SSI
# region cut out of such a page keeps none of them.
_SIGN_IN = re.compile(
    r"""<input[^>]*\btype\s*=\s*["']?password"""
    r"""|<form[^>]*\baction\s*=\s*["'][^"']*/(?:login|checkpoint|signup)"""
    r"""|\bclass\s*=\s*["'][^"']*authwall""",
    re.IGNORECASE,
)


def _read_soup(soup: BeautifulSoup, url: str | None, html: str) -> Reading:
    errors: list[ParseError] = []
    for strategy in _strategies(soup):
        try:
            found = strategy()
            if found is not None:
                return build_reading(found)
        except ParseError as error:
            errors.append(error)
    if errors:
        raise max(errors, key=lambda e: _ERROR_WEIGHT[e.code])
    if _SIGN_IN.search(html):
        raise ParseError(
            NOT_SSI_PAGE, "This is LinkedIn's sign-in page: sign in, then open the SSI page."
        )
    if _is_ssi_url(url) or layouts.looks_like_ssi(soup):
        if layouts.is_loading(soup) or layouts.known_parts_without_numbers(soup):
            raise ParseError(
                NOT_RENDERED,
                "The SSI page was still loading: open it again and wait a few seconds.",
            )
        raise ParseError(
            UNRECOGNIZED,
            "This looks like the SSI page, but in a layout this version cannot read. "
            "The capture is kept so a newer version can read it again.",
        )
    raise ParseError(NOT_SSI_PAGE, "This page holds no SSI: open linkedin.com/sales/ssi.")
