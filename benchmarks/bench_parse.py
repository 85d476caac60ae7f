"""Parse time of a ~400 KB page against a bare lxml parse of the same bytes."""

import lxml.html

from companion.parse import parse_page

from .pages import big_page, check_reading
from .timing import alternated, ms, p50

GOAL_RATIO = 5.0


def run(repeat: int = 40) -> dict:
    page = big_page()
    check_reading(parse_page(page))
    bares, ourses = alternated(lambda: lxml.html.fromstring(page), lambda: parse_page(page), repeat)
    bare, ours = p50(bares), p50(ourses)
    ratio = ours / bare
    print(f"parse_page, {len(page) / 1000:.0f} KB page (peer groups, decoys, data blocks)")
    print(f"  bare lxml.html.fromstring  p50 {ms(bare)}")
    print(f"  parse_page                 p50 {ms(ours)}")
    print(
        f"  ratio {ratio:.2f}x (goal <= {GOAL_RATIO:g}x) {'ok' if ratio <= GOAL_RATIO else 'MISSED'}"
    )
    return {"bare": bare, "parse": ours, "ratio": ratio}
