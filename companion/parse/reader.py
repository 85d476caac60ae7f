"""A captured SSI page, or a salesApiSsi payload, becomes a validated `Reading`.

Pure: no Flask, no I/O, no clock. Every failure is a `ParseError` whose `code` says what kind
of failure it is and whose message a user understands.
"""

import json
import math
import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from companion.parse import layouts
from companion.parse.layouts import PILLARS, Found
from companion.parse.numerals import parse_number
from companion.parse.region import TooComplex, ssi_region
from companion.reading import Reading

NOT_SSI_PAGE = "not_ssi_page"
NOT_RENDERED = "not_rendered"
UNRECOGNIZED = "unrecognized"
INVALID_VALUES = "invalid_values"
# A page far beyond the SSI page (hostile, or no SSI page at all): refused before it costs
# more than PARSE_SECONDS. The real page takes about 20 ms.
TOO_COMPLEX = "too_complex"
PARSE_SECONDS = 1.0

# How far the stated total may be from the sum of the pillars (the API's floats are float32).
SUM_TOLERANCE = 0.05
# The page rounds the total it shows.
DISPLAYED_TOLERANCE = 1.0

_API_PILLARS = {
    "PROFESSIONAL_BRAND": "brand",
    "FIND_RIGHT_PEOPLE": "people",
    "INSIGHT_ENGAGEMENT": "insights",
    "STRONG_RELATIONSHIP": "relationships",
}
_LOGIN_PATHS = re.compile(r"^/(login|authwall|checkpoint|uas/login|signup)", re.IGNORECASE)
_UNENCODABLE = re.compile("[\x00\ud800-\udfff]")
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.IGNORECASE)


class ParseError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


# -- validation -------------------------------------------------------------------------------


# LinkedIn's longest industry names are under 80 characters; more is not a name.
MAX_INDUSTRY = 200


def _invalid(message: str) -> ParseError:
    return ParseError(INVALID_VALUES, message)


def _rank(name: str, value: float | None) -> int | None:
    if value is None:
        return None
    if value != int(value) or not 1 <= value <= 100:
        raise _invalid(f"{name} is {value:g}; a rank is a whole 'Top N%' between 1 and 100.")
    return int(value)


def _average(name: str, value: float | None) -> float | None:
    if value is not None and not 0 <= value <= 100:
        raise _invalid(f"{name} is {value:g}; an average SSI lies between 0 and 100.")
    return value


def build_reading(found: Found) -> Reading:
    """Check what a layout found and turn it into a Reading, or say what is wrong."""
    missing = [p for p in PILLARS if found.pillars.get(p) is None] + found.missing
    if missing:
        raise ParseError(
            NOT_RENDERED,
            "The SSI page had not finished showing its numbers "
            f"({', '.join(missing)} still empty). Open it again and wait a few seconds.",
        )
    pillars = {p: float(found.pillars[p]) for p in PILLARS}
    for pillar, value in pillars.items():
        if not 0 <= value <= 25:
            raise _invalid(f"{pillar} is {value:g}; each pillar lies between 0 and 25.")
    displayed = found.total_displayed
    pillar_sum = round(sum(pillars.values()), 6)
    if found.total is not None:
        total = float(found.total)
        if abs(total - pillar_sum) > SUM_TOLERANCE:
            raise _invalid(f"The total {total:g} is not the sum of the pillars ({pillar_sum:g}).")
    else:
        total = pillar_sum
    if all(v == 0 for v in pillars.values()) and not displayed:
        raise ParseError(
            NOT_RENDERED, "The SSI page showed only zeros: it had not loaded your score yet."
        )
    if not 0 <= total <= 100:
        raise _invalid(f"The total is {total:g}; the SSI lies between 0 and 100.")
    if displayed is not None and abs(displayed - total) > DISPLAYED_TOLERANCE:
        raise _invalid(
            f"The page shows a total of {displayed:g} but its pillars add up to {total:g}."
        )
    industry = found.industry.strip() if found.industry else None
    if industry and len(industry) > MAX_INDUSTRY:
        raise _invalid(
            f"The industry's name is {len(industry):,} characters long; at most {MAX_INDUSTRY}."
        )
    return Reading(
        total=total,
        total_displayed=int(round(displayed)) if displayed is not None else None,
        industry_rank=_rank("industry_rank", found.industry_rank),
        network_rank=_rank("network_rank", found.network_rank),
        industry_avg=_average("industry_avg", found.industry_avg),
        network_avg=_average("network_avg", found.network_avg),
        industry=industry or None,
        source=found.source,
        **pillars,
    )


# -- the salesApiSsi payload ------------------------------------------------------------------


def _api_number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            value = float(value)
        except OverflowError:  # an int too large for a float is no SSI value either
            return None
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        return parse_number(value)
    return None


def _api_optional(container, key: str, name: str) -> float | None:
    """A number the payload may leave out; one it states but that is no number is refused."""
    value = container.get(key) if isinstance(container, dict) else None
    if value is None:
        return None
    number = _api_number(value)
    if number is None:
        raise _invalid(f"The salesApiSsi payload's {name} is not a number: {str(value)[:40]!r}.")
    return number


def _found_from_api(payload: dict, source: str) -> Found:
    member = payload.get("memberScore")
    if not isinstance(member, dict):
        raise ParseError(UNRECOGNIZED, "The salesApiSsi payload has no memberScore object.")
    pillars: dict[str, float | None] = dict.fromkeys(PILLARS)
    sub_scores = member.get("subScores")
    for sub in sub_scores if isinstance(sub_scores, list) else []:
        if (
            isinstance(sub, dict)
            and isinstance(sub.get("pillar"), str)
            and (sub["pillar"] in _API_PILLARS)
        ):
            pillars[_API_PILLARS[sub["pillar"]]] = _api_number(sub.get("score"))
    if any(v is None for v in pillars.values()):
        absent = ", ".join(p for p, v in pillars.items() if v is None)
        raise ParseError(
            UNRECOGNIZED, f"The salesApiSsi payload lacks a numeric score for {absent}."
        )
    total = _api_optional(member, "overall", "overall score")
    found = Found(source=source, pillars=pillars, total=total)
    groups = payload.get("groupScore")
    for group in groups if isinstance(groups, list) else []:
        if not isinstance(group, dict):
            continue
        kind = str(group.get("groupType", "")).upper()
        if kind not in ("INDUSTRY", "NETWORK"):
            continue  # TEAM and whatever comes next
        name = kind.lower()
        average = _api_optional(group.get("score"), "overall", f"{name} average")
        rank = _api_optional(group, "rank", f"{name} rank")
        if kind == "INDUSTRY":
            found.industry_rank, found.industry_avg = rank, average
            industry = group.get("industry")
            if isinstance(industry, dict):
                industry = industry.get("localizedName") or industry.get("name")
            found.industry = industry if isinstance(industry, str) else None
        else:
            found.network_rank, found.network_avg = rank, average
    return found


def parse_api(payload) -> Reading:
    """Read a salesApiSsi payload: a dict, or its JSON text."""
    if isinstance(payload, bytes | str):
        try:
            payload = json.loads(payload)
        except (ValueError, RecursionError) as exc:
            raise ParseError(
                NOT_SSI_PAGE, f"This is not a salesApiSsi payload: not valid JSON ({exc})."
            ) from None
    if not isinstance(payload, dict) or "memberScore" not in payload:
        raise ParseError(
            NOT_SSI_PAGE, "This JSON is not a salesApiSsi payload (it has no memberScore)."
        )
    return build_reading(_found_from_api(payload, "api"))


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
    payload = layouts.embedded_payload(soup)
    if payload is not None:
        yield lambda: _found_from_api(payload, "json_2021")
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
        with layouts.time_budget(PARSE_SECONDS):
            return _read_soup(_soup(html), url)
    except TooComplex as exc:
        raise ParseError(TOO_COMPLEX, str(exc)) from None


def _read_soup(soup: BeautifulSoup, url: str | None) -> Reading:
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
    if soup.find("input", attrs={"type": "password"}):
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
