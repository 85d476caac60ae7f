"""Reading numbers the way any locale of the SSI page writes them.

The page is translated: "20,998" in Portuguese, "75 %" with a non-breaking space in French,
Eastern Arabic digits in Arabic. SSI values never reach 1,000, so a comma is always a decimal
separator, never a thousands one.
"""

import math
import re

# str patterns match any Unicode decimal digit with \d; float() accepts them too.
_SIGN = "[-\u2212\u2012\u2013]"
_NUMBER = re.compile(rf"(?<![\w.,]){_SIGN}?\d+(?:[.,\u066b]\d+)?(?![\w]|[.,\u066b]\d)")
_WHOLE = re.compile(rf"^{_SIGN}?\d+(?:[.,\u066b]\d+)?$")
# Every kind of space a locale puts between a number and its unit.
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")


def normalize_space(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _to_float(token: str) -> float | None:
    token = re.sub(_SIGN, "-", token)
    token = token.replace(",", ".").replace("\u066b", ".")
    try:
        value = float(token)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_number(text: str | None) -> float | None:
    """The number that `text` is, in any locale, or None when it is not exactly one number."""
    if text is None:
        return None
    text = _SPACES.sub("", text)
    if not _WHOLE.match(text):
        return None
    return _to_float(text)


def find_numbers(text: str) -> list[tuple[float, int, int]]:
    """Every number written in `text`, with where it starts and ends."""
    found = []
    for match in _NUMBER.finditer(text):
        value = _to_float(match.group())
        if value is not None:
            found.append((value, match.start(), match.end()))
    return found


def first_number(text: str) -> float | None:
    numbers = find_numbers(text)
    return numbers[0][0] if numbers else None
