"""Reading numbers the way any locale of the SSI page writes them.

The page is translated: "20,998" in Portuguese, "75 %" with a non-breaking space in French,
Eastern Arabic digits in Arabic. SSI values never reach 1,000, so a comma is always a decimal
separator, never a thousands one.
"""

import math
import re

# str patterns match any Unicode decimal digit with \d; float() accepts them too.
_SIGN = "[-\u2212\u2012\u2013]"
# Digits may touch letters ("上位10％" in Japanese), but never another number's digits.
# A minus sign counts only where it cannot be a hyphen ("Top-10%").
_NUMBER = re.compile(
    rf"(?<![\d.,\u066b])(?:(?<!\w){_SIGN})?\d+(?:[.,\u066b]\d+)?(?![\d]|[.,\u066b]\d)"
)
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


# Percent signs of every script: "75 %", "75٪" (Arabic), "75％" (Japanese), "%75" (Turkish).
PERCENT_SIGNS = "%\u066a\ufe6a\uff05"


def percentage(text: str) -> float | None:
    """The first number in `text` written with a percent sign, before or after it."""
    for value, start, end in find_numbers(text):
        after = text[end:].lstrip()[:1]
        before = text[:start].rstrip()[-1:]
        if (after and after in PERCENT_SIGNS) or (before and before in PERCENT_SIGNS):
            return value
    return None


def first_number(text: str) -> float | None:
    numbers = find_numbers(text)
    return numbers[0][0] if numbers else None
