"""What every parse ends in: a Reading whose values are in range and add up, or a ParseError
whose `code` says what kind of failure it is and whose message a user understands."""

from companion.parse.layouts import Found
from companion.reading import PILLARS, Reading

NOT_SSI_PAGE = "not_ssi_page"
NOT_RENDERED = "not_rendered"
UNRECOGNIZED = "unrecognized"
INVALID_VALUES = "invalid_values"
# A page far beyond the SSI page (hostile, or no SSI page at all): refused before it costs
# more than PARSE_SECONDS. The real page takes about 20 ms.
TOO_COMPLEX = "too_complex"
PARSE_SECONDS = 1.0

# How far the stated total may be from the sum of the pillars (the API's floats are float32).
SUM_TOLERANCE = 0.05
# The page rounds the total it shows.
DISPLAYED_TOLERANCE = 1.0


class ParseError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


# LinkedIn's longest industry names are under 80 characters; more is not a name.
MAX_INDUSTRY = 200


def _invalid(message: str) -> ParseError:
    return ParseError(INVALID_VALUES, message)


def _rank(name: str, value: float | None) -> int | None:
    if value is None:
        return None
    if value != int(value) or not 1 <= value <= 100:
        raise _invalid(f"{name} is {value:g}; a rank is a whole 'Top N%' between 1 and 100.")
    return int(value)


def _average(name: str, value: float | None) -> float | None:
    if value is not None and not 0 <= value <= 100:
        raise _invalid(f"{name} is {value:g}; an average SSI lies between 0 and 100.")
    return value


def build_reading(found: Found) -> Reading:
    """Check what a layout found and turn it into a Reading, or say what is wrong."""
    missing = [p for p in PILLARS if found.pillars.get(p) is None] + found.missing
    if missing:
        raise ParseError(
            NOT_RENDERED,
            "The SSI page had not finished showing its numbers "
            f"({', '.join(missing)} still empty). Open it again and wait a few seconds.",
        )
    pillars = {p: float(found.pillars[p]) for p in PILLARS}
    for pillar, value in pillars.items():
        if not 0 <= value <= 25:
            raise _invalid(f"{pillar} is {value:g}; each pillar lies between 0 and 25.")
    displayed = found.total_displayed
    pillar_sum = round(sum(pillars.values()), 6)
    if found.total is not None:
        total = float(found.total)
        if abs(total - pillar_sum) > SUM_TOLERANCE:
            raise _invalid(f"The total {total:g} is not the sum of the pillars ({pillar_sum:g}).")
    else:
        total = pillar_sum
    if all(v == 0 for v in pillars.values()) and not displayed:
        raise ParseError(
            NOT_RENDERED, "The SSI page showed only zeros: it had not loaded your score yet."
        )
    if not 0 <= total <= 100:
        raise _invalid(f"The total is {total:g}; the SSI lies between 0 and 100.")
    if displayed is not None and abs(displayed - total) > DISPLAYED_TOLERANCE:
        raise _invalid(
            f"The page shows a total of {displayed:g} but its pillars add up to {total:g}."
        )
    industry = found.industry.strip() if found.industry else None
    if industry and len(industry) > MAX_INDUSTRY:
        raise _invalid(
            f"The industry's name is {len(industry):,} characters long; at most {MAX_INDUSTRY}."
        )
    return Reading(
        total=total,
        total_displayed=int(round(displayed)) if displayed is not None else None,
        industry_rank=_rank("industry_rank", found.industry_rank),
        network_rank=_rank("network_rank", found.network_rank),
        industry_avg=_average("industry_avg", found.industry_avg),
        network_avg=_average("network_avg", found.network_avg),
        industry=industry or None,
        source=found.source,
        **pillars,
    )
