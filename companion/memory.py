"""Handing freed memory back to the system, where the C library allows it (glibc).

Reading a captured page builds a large tree (BeautifulSoup) that is freed as soon as the
reading is stored; glibc keeps such freed memory in its arenas, one per thread that ever
allocated, so a companion that runs for weeks would hold the peak of its busiest minute.
Elsewhere (macOS, Windows, musl) both functions do nothing.
"""

import ctypes
import ctypes.util
import sys

_M_ARENA_MAX = -8  # glibc's mallopt parameter


def _glibc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim  # noqa: B018 (absent from other C libraries)
        return libc
    except (OSError, AttributeError):
        return None


_LIBC = _glibc()


def limit_arenas(arenas: int = 2) -> None:
    """Call before the server's threads start: its four threads share two arenas."""
    if _LIBC is not None:
        _LIBC.mallopt(_M_ARENA_MAX, arenas)


def give_back_freed() -> None:
    """Return the free pages at the top and inside the heap to the system."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)
