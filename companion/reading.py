"""A reading: the values parsed from one capture. The one source of its fields, the pillars
and their names, for every layer (database, API, CSV, CLI, and the extension, whose build
writes them into `vocabulary.js`)."""

from dataclasses import dataclass, fields

# The page the extension reads, and where reminders send the user.
SSI_URL = "https://www.linkedin.com/sales/ssi"

# LinkedIn's four pillars, each out of 25, in the order its page shows them.
PILLARS = ("brand", "people", "insights", "relationships")
PILLAR_NAMES = {
    "brand": "Establish your professional brand",
    "people": "Find the right people",
    "insights": "Engage with insights",
    "relationships": "Build relationships",
}
PILLARS_AND_TOTAL = ("total", *PILLARS)
RANKS = ("industry_rank", "network_rank")


@dataclass(frozen=True)
class Reading:
    total: float
    total_displayed: int | None
    brand: float
    people: float
    insights: float
    relationships: float
    industry_rank: int | None
    network_rank: int | None
    industry_avg: float | None
    network_avg: float | None
    industry: str | None
    source: str

    def to_dict(self) -> dict:
        # Flat fields only: no need for asdict()'s deep copies (a bulk import makes 100,000).
        return {name: getattr(self, name) for name in READING_FIELDS}


READING_FIELDS = tuple(f.name for f in fields(Reading))
