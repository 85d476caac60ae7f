"""The layouts the SSI page has had, each read by its own strategy.

A strategy answers None when its layout is not on the page, else a `Found` whose missing
numbers are None (the page had the structure but not yet the values). Numbers are read from
ids, classes and attributes, never from translated labels; see docs/reference/ssi-page.md.
"""

import re
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Tag

from companion.parse.budget import check_time
from companion.parse.numerals import first_number, parse_number, percentage
from companion.parse.prose import group_of, read_group_averages
from companion.reading import PILLARS

PILLAR_BAR_IDS = {
    "brand": "establish-brand__sub-score-bar",
    "people": "find-people__sub-score-bar",
    "insights": "engage-with-insights__sub-score-bar",
    "relationships": "build-relationships__sub-score-bar",
}
_PILLAR_ID_WORDS = {
    "brand": "brand",
    "people": "people",
    "insights": "insight",
    "relationships": "relationship",
}
# Words in an element's classes or id that mark it as describing a peer group, not the user.
_GROUP_MARKS = ("group-ssi-score", "group-score", "peer")
# Ids that name a group: a bar with one of these is the group's, not the user's.
_GROUP_ID_WORDS = ("industry", "network", "group", "peer", "team")
# "ssi" as a word of a class or id ("user-ssi-score"), never inside one ("sessions").
_SSI_WORD = re.compile(r"(?<![a-z0-9])ssi(?![a-z0-9])")
_PROSE_TAGS = ["p", "div", "span", "li", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6"]
_BLOCK_TAGS = frozenset({"p", "div", "li", "dd", "dt", "section", "ul", "ol", "dl"})
# The numbers and sentences of the SSI page are short. Searching a longer text costs time in
# proportion to its length, or to its square (numbers.percentage, prose's patterns): numbers
# are looked for in its start only, and it is read as no sentence at all.
MAX_TEXT = 2_000


@dataclass
class Found:
    source: str
    pillars: dict[str, float | None]
    total: float | None = None  # the precise total, when the layout states one
    total_displayed: float | None = None
    industry_rank: float | None = None
    network_rank: float | None = None
    industry_avg: float | None = None
    network_avg: float | None = None
    industry: str | None = None
    # Set when the layout stated the field but its number could not be read yet.
    missing: list[str] = field(default_factory=list)


def _marks(el: Tag) -> str:
    check_time()
    classes = el.get("class") or []
    if isinstance(classes, str):
        classes = [classes]
    return " ".join([*classes, el.get("id") or ""]).lower()


def _inside(el: Tag, predicate) -> bool:
    return any(predicate(parent) for parent in [el, *el.parents] if isinstance(parent, Tag))


def _is_peer_group(el: Tag) -> bool:
    return any(mark in _marks(el) for mark in _GROUP_MARKS)


def _is_decoy(el: Tag) -> bool:
    """Inside a <progress> (fallback content) or a peer group: never the user's value."""
    return _inside(el, lambda p: p.name == "progress" or _is_peer_group(p))


def _text(el: Tag) -> str:
    check_time()
    return el.get_text("")


# -- ranks: one reader for the current and the 2023 markup -------------------------------------


def _rank_number(block: Tag) -> float | None:
    score = block.select_one(".ssi-rank__category-score") or block
    labels = score.select("dt, .ssi-rank__category-name")
    # The label is translated words; a digit in it ("Top 10 in 2023") is not the rank. By
    # identity: Tag's == compares whole subtrees, and a string against each label is quadratic.
    in_labels = {id(s) for label in labels for s in label.find_all(string=True)}
    text = "".join(s for s in score.find_all(string=True) if id(s) not in in_labels)[:MAX_TEXT]
    # "Top 75%" beats a bare number: a block may also say by how much the rank moved.
    value = percentage(text)
    if value is not None:
        return value
    for span in score.find_all("span"):
        value = parse_number(_text(span))
        if value is not None:
            return value
    return first_number(text)


def _rank_kind(block: Tag) -> str | None:
    return group_of(_text(block.select_one("dt, .ssi-rank__category-name") or block)[:MAX_TEXT])


def _inside_rank(block: Tag) -> bool:
    check_time()
    return block.find_parent(class_="ssi-rank") is not None


def read_ranks(soup: BeautifulSoup) -> tuple[list[Tag], float | None, float | None]:
    blocks = [b for b in soup.select(".ssi-rank") if not _inside_rank(b)]
    if not blocks:
        blocks = soup.select(".ssi-rank__category-score")
    if not blocks:
        return [], None, None
    industry, network = blocks[0], blocks[1] if len(blocks) > 1 else None
    # The page puts industry first; a label that clearly says otherwise wins.
    if network is not None and _rank_kind(industry) == "network" != _rank_kind(network):
        industry, network = network, industry
    return (
        blocks,
        _rank_number(industry),
        _rank_number(network) if network is not None else None,
    )


# -- averages from the prose next to the peer donuts ------------------------------------------


def _prose_texts(soup: BeautifulSoup):
    for el in soup.find_all(_PROSE_TAGS):
        check_time()
        if any(getattr(d, "name", None) in _BLOCK_TAGS for d in el.descendants):
            continue  # read only innermost blocks, so one sentence is read once
        if _inside(el, lambda p: p.name == "progress" or "ssi-rank" in _marks(p)):
            continue
        text = _text(el)
        if len(text) <= MAX_TEXT:  # longer is no sentence of the page's
            yield text


def _add_prose_averages(found: Found, soup: BeautifulSoup) -> Found:
    averages = read_group_averages(_prose_texts(soup))
    # Numbers the layout shows outright (2023) win over numbers read from sentences.
    if found.industry_avg is None:
        found.industry_avg = averages.industry_avg
    if found.network_avg is None:
        found.network_avg = averages.network_avg
    found.industry = averages.industry
    return found


def _add_ranks(found: Found, soup: BeautifulSoup) -> Found:
    blocks, found.industry_rank, found.network_rank = read_ranks(soup)
    if blocks and found.industry_rank is None:
        found.missing.append("industry_rank")
    return found


# -- 2025-12 to 2026-06: <progress> bars and a captioned donut ---------------------------------


def _pillar_bar(bars: list[Tag], pillar: str) -> Tag | None:
    exact = [b for b in bars if b.get("id") == PILLAR_BAR_IDS[pillar]]
    if exact:
        return exact[0]
    word = _PILLAR_ID_WORDS[pillar]
    loose = [
        b
        for b in bars
        if word in (bar_id := (b.get("id") or "").lower())
        and not any(group in bar_id for group in _GROUP_ID_WORDS)
    ]
    return loose[0] if loose else None


def read_current_dom(soup: BeautifulSoup) -> Found | None:
    bars = [
        b
        for b in soup.find_all("progress")
        if "sub-score" in (b.get("id") or "") and not _inside(b, _is_peer_group)
    ]
    found_bars = {pillar: _pillar_bar(bars, pillar) for pillar in PILLARS}
    if not any(found_bars.values()):
        return None
    found = Found(
        source="dom_current",
        pillars={
            pillar: parse_number(bar.get("value")) if bar is not None else None
            for pillar, bar in found_bars.items()
        },
    )
    found.total_displayed = _displayed_total(soup)
    return _add_prose_averages(_add_ranks(found, soup), soup)


def _displayed_total(soup: BeautifulSoup) -> float | None:
    for selector in (
        ".user-ssi-score__donut-chart-caption .ssi-score__value",
        ".user-ssi-score .ssi-score__value",
    ):
        for el in soup.select(selector):
            if not _is_decoy(el):
                value = parse_number(_text(el))
                if value is not None:
                    return value
    caption = soup.select_one(".user-ssi-score__donut-chart-caption")
    return first_number(_text(caption)[:MAX_TEXT]) if caption is not None else None


# -- 2023: seven values in a row ---------------------------------------------------------------


def read_dom_2023(soup: BeautifulSoup) -> Found | None:
    spans = []
    for selector in (".ssi-score__value.block.t-light", ".ssi-score__value.block"):
        spans = [s for s in soup.select(selector) if not _is_decoy(s)]
        if len(spans) >= 5:
            break
    if len(spans) < 5:
        return None
    values = [parse_number(_text(s)) for s in spans[:7]]
    values += [None] * (7 - len(values))
    found = Found(
        source="dom_2023",
        pillars=dict(zip(PILLARS, values[1:5], strict=True)),
        total_displayed=values[0],
        industry_avg=values[5],
        network_avg=values[6],
    )
    if values[0] is None:
        found.missing.append("total")
    return _add_prose_averages(_add_ranks(found, soup), soup)


def looks_like_ssi(soup: BeautifulSoup) -> bool:
    """Signs of the SSI page that hold no values: a skeleton, an unknown layout."""
    if soup.find(lambda t: _SSI_WORD.search(_marks(t)) or "sub-score" in _marks(t)):
        return True
    title = soup.find("title")
    return title is not None and "social selling index" in _text(title).lower()


_KNOWN_PARTS = ".user-ssi-score, .ssi-score__value, .ssi-rank, .ssi-ranks, progress"


def known_parts_without_numbers(soup: BeautifulSoup) -> bool:
    """The SSI page's own elements are there, and not one number in them: still loading.

    The peer groups' donuts do not count: they often show before the user's own score, which
    is still a loader then (the page has not rendered yet; it is no unknown layout).
    """
    parts = [part for part in soup.select(_KNOWN_PARTS) if not _inside(part, _is_peer_group)]
    if not parts:
        return False
    for part in parts:
        if part.name == "progress":
            if parse_number(part.get("value")) not in (None, 0):
                return False
        elif first_number(_text(part)[:MAX_TEXT]) is not None:
            return False
    return True


# Class words of LinkedIn's placeholders while a part loads (artdeco-loader is its spinner).
_LOADING_WORDS = ("skeleton", "ghost", "loading", "artdeco-loader", "spinner")


def is_loading(soup: BeautifulSoup) -> bool:
    return bool(soup.find(lambda t: any(w in _marks(t) for w in _LOADING_WORDS)))
