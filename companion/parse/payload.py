"""The salesApiSsi payload: LinkedIn's own JSON of the SSI, sent by the extension when it has
it, embedded in the 2021 page, or saved as a file."""

import html
import json
import math

from bs4 import BeautifulSoup, NavigableString

from companion.parse.budget import check_time
from companion.parse.layouts import Found
from companion.parse.numerals import parse_number
from companion.parse.validation import (
    NOT_SSI_PAGE,
    UNRECOGNIZED,
    ParseError,
    _invalid,
    build_reading,
)
from companion.reading import PILLARS, Reading

_API_PILLARS = {
    "PROFESSIONAL_BRAND": "brand",
    "FIND_RIGHT_PEOPLE": "people",
    "INSIGHT_ENGAGEMENT": "insights",
    "STRONG_RELATIONSHIP": "relationships",
}


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


def found_from_api(payload: dict, source: str) -> Found:
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
    return build_reading(found_from_api(payload, "api"))


# -- 2021: the salesApiSsi JSON embedded in a hidden <code> ------------------------------------


def _find_payload(value):
    if isinstance(value, dict):
        if "memberScore" in value:
            return value
        children = value.values()
    elif isinstance(value, list):
        children = value
    else:
        return None
    for child in children:
        found = _find_payload(child)
        if found is not None:
            return found
    return None


def embedded_payload(soup: BeautifulSoup) -> dict | None:
    """The salesApiSsi payload inside a <code> element, escaped once, twice or in a comment."""
    for code in soup.find_all("code"):
        check_time()
        raw = "".join(s for s in code.descendants if isinstance(s, NavigableString)).strip()
        if "memberScore" not in raw:
            continue
        for candidate in (raw, html.unescape(raw)):
            try:
                payload = _find_payload(json.loads(candidate))
            except (ValueError, RecursionError):
                continue
            if payload is not None:
                return payload
    return None
