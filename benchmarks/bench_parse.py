"""Parse time of a ~400 KB page against a bare lxml parse of the same bytes."""

import lxml.html

from companion.parse import parse_page
from companion.web.pairing_page import big_page

from .timing import measure, ms, p50

GOAL_RATIO = 5.0


def run(repeat: int = 40) -> dict:
    page = big_page()
    reading = parse_page(page)
    assert reading.total_displayed == 52, reading
    bare = p50(measure(lambda: lxml.html.fromstring(page), repeat))
    ours = p50(measure(lambda: parse_page(page), repeat))
    ratio = ours / bare
    print(f"parse_page, {len(page) / 1000:.0f} KB page")
    print(f"  bare lxml.html.fromstring  p50 {ms(bare)}")
    print(f"  parse_page                 p50 {ms(ours)}")
    print(
        f"  ratio {ratio:.2f}x (goal <= {GOAL_RATIO:g}x) {'ok' if ratio <= GOAL_RATIO else 'MISSED'}"
    )
    return {"bare": bare, "parse": ours, "ratio": ratio}
