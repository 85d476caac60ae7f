"""Whatever a capture looks like, parse_page gives a Reading whose values are in range, or a
ParseError: never another exception, never an impossible Reading.

Each property mutates valid pages from tests/data (delete nodes, shuffle and move attributes,
swap two numbers, truncate, insert characters or bytes).
"""

import json
import math
import random
import re

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from companion.parse import ParseError, parse_api, parse_page
from companion.reading import Reading
from tests.conftest import DATA

VALID = [
    "current_en.html",
    "current_pt.html",
    "current_ja.html",
    "decoys.html",
    "main_region_only.html",
    "dom_2023_de.html",
    "json_2021_escaped.html",
    "json_2021_raw.html",
]
PAGES = {name: (DATA / name).read_text(encoding="utf-8") for name in VALID}
REAL_PAYLOAD = json.loads(
    (DATA / "real" / "linkedin-beacon_salesApiSsi_live_2026-06.json").read_text(encoding="utf-8")
)

PROPERTY = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SOURCES = {"api", "json_2021", "dom_current", "dom_2023"}
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")

pages = st.sampled_from(VALID)


def check_in_range(reading: Reading) -> None:
    assert isinstance(reading, Reading)
    pillars = [reading.brand, reading.people, reading.insights, reading.relationships]
    for value in pillars:
        assert isinstance(value, float) and math.isfinite(value)
        assert 0 <= value <= 25
    assert isinstance(reading.total, float) and 0 <= reading.total <= 100
    assert abs(reading.total - sum(pillars)) <= 0.05 + 1e-9
    for rank in (reading.industry_rank, reading.network_rank):
        assert rank is None or (type(rank) is int and 1 <= rank <= 100)
    for average in (reading.industry_avg, reading.network_avg):
        assert average is None or (math.isfinite(average) and 0 <= average <= 100)
    if reading.total_displayed is not None:
        assert type(reading.total_displayed) is int
        assert abs(reading.total_displayed - reading.total) <= 1 + 1e-9
    assert reading.industry is None or (isinstance(reading.industry, str) and reading.industry)
    assert reading.source in SOURCES


def parse_or_error(html, url=None) -> None:
    """The property itself: a Reading in range, or a ParseError with a code and a message."""
    try:
        reading = parse_page(html, url=url)
    except ParseError as error:
        assert error.code in {"not_ssi_page", "not_rendered", "unrecognized", "invalid_values"}
        assert str(error).strip()
        return
    check_in_range(reading)


@pytest.mark.parametrize("name", VALID)
def test_valid_pages_hold_the_property(name):
    check_in_range(parse_page(PAGES[name]))


@PROPERTY
@given(name=pages, picks=st.lists(st.integers(min_value=0, max_value=10**6), max_size=12))
def test_delete_random_nodes(name, picks):
    soup = BeautifulSoup(PAGES[name], "html.parser")
    for pick in picks:
        nodes = soup.find_all(True)
        if not nodes:
            break
        node = nodes[pick % len(nodes)]
        if pick % 3 == 0:
            node.unwrap() if node.parent is not None else node.decompose()  # keep children
        else:
            node.decompose()
    parse_or_error(str(soup))


@PROPERTY
@given(
    name=pages,
    moves=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=10**6)
        ),
        max_size=8,
    ),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_shuffle_attributes(name, moves, seed):
    """Reorder attributes, swap attribute sets between elements, move one value elsewhere."""
    rng = random.Random(seed)
    soup = BeautifulSoup(PAGES[name], "html.parser")
    nodes = soup.find_all(True)
    for a, b in moves:
        first, second = nodes[a % len(nodes)], nodes[b % len(nodes)]
        mode = (a + b) % 3
        if mode == 0:
            first.attrs, second.attrs = second.attrs, first.attrs
        elif mode == 1 and first.attrs:
            key = rng.choice(sorted(first.attrs))
            second[key] = first.attrs.pop(key)
        else:
            items = list(first.attrs.items())
            rng.shuffle(items)
            values = [v for _, v in items]
            rng.shuffle(values)
            first.attrs = {k: v for (k, _), v in zip(items, values, strict=True)}
    parse_or_error(str(soup))


@PROPERTY
@given(
    name=pages,
    i=st.integers(min_value=0, max_value=10**6),
    j=st.integers(min_value=0, max_value=10**6),
)
def test_swap_two_numbers(name, i, j):
    html = PAGES[name]
    matches = list(NUMBER.finditer(html))
    first, second = sorted((i % len(matches), j % len(matches)))
    if first == second:
        second = (first + 1) % len(matches)
        first, second = sorted((first, second))
    a, b = matches[first], matches[second]
    swapped = (
        html[: a.start()] + b.group() + html[a.end() : b.start()] + a.group() + html[b.end() :]
    )
    parse_or_error(swapped)


@PROPERTY
@given(name=pages, cut=st.floats(min_value=0, max_value=1))
def test_truncate(name, cut):
    html = PAGES[name]
    parse_or_error(html[: int(len(html) * cut)])


@PROPERTY
@given(
    name=pages,
    inserts=st.lists(
        st.tuples(st.floats(min_value=0, max_value=1), st.text(min_size=1, max_size=12)),
        min_size=1,
        max_size=6,
    ),
)
def test_insert_random_characters(name, inserts):
    html = PAGES[name]
    for where, text in inserts:
        at = int(len(html) * where)
        html = html[:at] + text + html[at:]
    parse_or_error(html)


@PROPERTY
@given(
    name=pages,
    inserts=st.lists(
        st.tuples(st.floats(min_value=0, max_value=1), st.binary(min_size=1, max_size=12)),
        min_size=1,
        max_size=6,
    ),
)
def test_insert_random_bytes(name, inserts):
    data = PAGES[name].encode("utf-8")
    for where, chunk in inserts:
        at = int(len(data) * where)
        data = data[:at] + chunk + data[at:]
    parse_or_error(data)


@PROPERTY
@given(
    name=pages,
    inserts=st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=1),
            st.sampled_from(
                [
                    "<",
                    ">",
                    "</div>",
                    "<div>",
                    "<!--",
                    "-->",
                    '"',
                    "&",
                    "&quot;",
                    "<progress>",
                    "</progress>",
                    "<code>",
                    "</code>",
                    "%",
                    ",",
                    ".",
                    "-",
                    "\u00a0",
                    "\u202f",
                    "٣",
                    "１２",
                    "1e309",
                    "NaN",
                    "999",
                    "0",
                ]
            ),
        ),
        min_size=1,
        max_size=8,
    ),
)
def test_insert_markup_fragments(name, inserts):
    html = PAGES[name]
    for where, text in inserts:
        at = int(len(html) * where)
        html = html[:at] + text + html[at:]
    parse_or_error(html)


@PROPERTY
@given(
    name=pages,
    url=st.one_of(
        st.none(),
        st.text(max_size=40),
        st.sampled_from(
            [
                "https://www.linkedin.com/sales/ssi",
                "https://www.linkedin.com/login",
                "http://[::1",
                "https://www.linkedin.com:99999/sales/ssi",
                "file:///home/me/ssi.html",
                "ssi",
            ]
        ),
    ),
)
def test_any_url(name, url):
    parse_or_error(PAGES[name], url=url)


# -- the payload, with any JSON where a value belongs -------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
    | st.sampled_from(["PROFESSIONAL_BRAND", "INDUSTRY", "NETWORK", "TEAM", "13,1", "75"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
SLOTS = [
    ("memberScore",),
    ("memberScore", "overall"),
    ("memberScore", "subScores"),
    ("memberScore", "subScores", 0),
    ("memberScore", "subScores", 0, "score"),
    ("memberScore", "subScores", 2, "pillar"),
    ("groupScore",),
    ("groupScore", 0),
    ("groupScore", 0, "groupType"),
    ("groupScore", 0, "rank"),
    ("groupScore", 1, "score"),
    ("groupScore", 1, "score", "overall"),
    ("groupScore", 0, "industry"),
]


@PROPERTY
@given(slot=st.sampled_from(SLOTS), value=json_values)
def test_api_any_value_in_any_slot(slot, value):
    payload = json.loads(json.dumps(REAL_PAYLOAD))
    target = payload
    for key in slot[:-1]:
        target = target[key]
    target[slot[-1]] = value
    try:
        reading = parse_api(payload)
    except ParseError as error:
        assert str(error).strip()
        return
    check_in_range(reading)
