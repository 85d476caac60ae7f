"""A page or a salesApiSsi payload -> a Reading. Pure: no I/O, no database, no Flask.

region   cuts the page down to its SSI parts (lxml, in C)
layouts  reads each known layout of the page
prose    the averages and the industry from sentences, in six languages
numerals numbers as LinkedIn writes them, in any locale
reader   tries the layouts in order and checks the values
"""

from companion.parse.payload import parse_api
from companion.parse.reader import parse_page
from companion.parse.validation import (
    INVALID_VALUES,
    NOT_RENDERED,
    NOT_SSI_PAGE,
    TOO_COMPLEX,
    UNRECOGNIZED,
    ParseError,
    build_reading,
)

__all__ = [
    "INVALID_VALUES",
    "NOT_RENDERED",
    "NOT_SSI_PAGE",
    "TOO_COMPLEX",
    "UNRECOGNIZED",
    "ParseError",
    "build_reading",
    "parse_api",
    "parse_page",
]
