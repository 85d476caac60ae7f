"""The group averages and the industry's name, which the page writes only in sentences.

"Sales professionals in the Software industry have an average SSI of 31." is translated into
every language LinkedIn speaks. A sentence is read only when it says, in a language listed
here, that it is an average SSI of the industry or of the network, and holds exactly one
number. Anything else leaves the value null: a missing average is better than a wrong one.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from companion.parse.numerals import PERCENT_SIGNS, find_numbers, normalize_space

_AVERAGE = re.compile(
    r"\b(average|avg|m[ée]di[oa]|moyen(ne)?|durchschnittlich\w*|durchschnitt\w*|promedio"
    r"|gemiddeld\w*|genomsnitt\w*|gennemsnit\w*|gjennomsnitt\w*|średni\w*|ortalama\w*"
    r"|rata-rata)\b",
    re.IGNORECASE,
)
_INDUSTRY = re.compile(
    r"\b(industry|industries|setor|sector|settore|secteur|branche|industria|sektor\w*"
    r"|bransch\w*|sektör\w*|industri)\b",
    re.IGNORECASE,
)
_NETWORK = re.compile(
    r"\b(network|rede|red|rete|r[ée]seau|netzwerk|netwerk|n[äa]tverk|netv[æa]rk|nettverk"
    r"|sieci|sieć|ağınız\w*|jaringan)\b",
    re.IGNORECASE,
)
# "35 de 100", "31 out of 100": the scale is not a second value.
_OUT_OF = re.compile(r"^\s*(?:\D{1,12})\s*$")
# Where each language we know puts the industry's name in the industry sentence.
_INDUSTRY_NAME = [
    re.compile(r"\bin the (?P<name>.+?) industry\b"),
    re.compile(r"\bdo setor de (?P<name>.+?) t[êe]m\b"),
    re.compile(r"\bdel sector (?:de )?(?P<name>.+?) tienen\b"),
    re.compile(r"\bdu secteur (?:de |d['’])?(?P<name>.+?) ont\b"),
    re.compile(r"\bin der Branche (?P<name>.+?) haben\b"),
    re.compile(r"\bnel settore (?:di |dei |degli |delle )?(?P<name>.+?) hanno\b"),
]
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+")


@dataclass
class GroupAverages:
    industry_avg: float | None = None
    network_avg: float | None = None
    industry: str | None = None


def group_of(text: str) -> str | None:
    """'industry' or 'network' when `text` names one in a language listed here."""
    # Industry first: an industry's own name may hold "network" ("Computer Networking").
    if _INDUSTRY.search(text):
        return "industry"
    if _NETWORK.search(text):
        return "network"
    return None


def _the_one_value(sentence: str) -> float | None:
    numbers = []
    for value, start, end in find_numbers(sentence):
        if sentence[end:].lstrip()[:1] in tuple(PERCENT_SIGNS):
            return None  # a rank, not an average
        if value == 100 and numbers and _OUT_OF.match(sentence[numbers[-1][2] : start]):
            continue
        numbers.append((value, start, end))
    return numbers[0][0] if len(numbers) == 1 else None


def _industry_name(sentence: str) -> str | None:
    for pattern in _INDUSTRY_NAME:
        match = pattern.search(sentence)
        if match:
            name = match.group("name").strip(" \"'“”«»")
            if 0 < len(name) <= 120 and any(ch.isalpha() for ch in name):
                return name
    return None


def read_group_averages(texts: Iterable[str]) -> GroupAverages:
    """The averages stated in `texts` (short runs of prose from the SSI region)."""
    seen: dict[str, set[float]] = {"industry": set(), "network": set()}
    names: set[str] = set()
    for text in texts:
        for sentence in _SENTENCE_END.split(normalize_space(text)):
            if "SSI" not in sentence or not _AVERAGE.search(sentence):
                continue
            value = _the_one_value(sentence)
            if value is None:
                continue
            group = group_of(sentence)
            if group is None:
                continue
            seen[group].add(value)
            if group == "industry" and (name := _industry_name(sentence)):
                names.add(name)

    def only(values):
        # Two different statements of the same average: we cannot know which is right.
        return next(iter(values)) if len(values) == 1 else None

    return GroupAverages(
        industry_avg=only(seen["industry"]),
        network_avg=only(seen["network"]),
        industry=only(names),
    )
