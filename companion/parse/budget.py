"""The time budget of reading one page: no page costs more than a second of CPU."""

import contextlib
import time
from contextvars import ContextVar

from companion.parse.region import TooComplex

# region.py keeps a page's SSI region small, but some shapes within those limits (deep nests of
# marked elements, long attributes on their ancestors) still make the readers below repeat
# work. They check the clock as they go, through _marks and _text, so that no page costs more
# than its budget. Per thread: the server reads pages in several at once.
_deadline: ContextVar[float | None] = ContextVar("parse_deadline", default=None)


@contextlib.contextmanager
def time_budget(seconds: float):
    """Within this block, reading that takes longer than `seconds` raises TooComplex."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def check_time() -> None:
    deadline = _deadline.get()
    if deadline is not None and time.monotonic() > deadline:
        raise TooComplex(
            "Reading this page took far longer than reading the SSI page takes: it is not the "
            "SSI page, or not as LinkedIn shows it."
        )
