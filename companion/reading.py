"""A reading: the values parsed from one capture. The one source of its fields, the pillars
and their names, for every layer (database, API, CSV, CLI, and the extension, whose build
writes them into `vocabulary.js`)."""

from dataclasses import dataclass, fields

from companion.i18n import N_, _

# The page the extension reads, and where reminders send the user.
SSI_URL = "https://www.linkedin.com/sales/ssi"

# LinkedIn's four pillars, each out of 25, in the order its page shows them.
PILLARS = ("brand", "people", "insights", "relationships")
# The English names (the extension's popup and the parser's fixtures use them as they are);
# the pages and reminders show _(PILLAR_NAMES[key]), in the words LinkedIn uses for the user.
PILLAR_NAMES = {
    # Translators: the four pillar names are LinkedIn's own: write them as LinkedIn's SSI page
    # does in your language, not as a translation of ours (Portuguese: "Estabelecer sua marca
    # profissional").
    "brand": N_("Establish your professional brand"),
    # Translators: LinkedIn's own pillar name on the SSI page (Portuguese: "Localizar as
    # pessoas certas").
    "people": N_("Find the right people"),
    # Translators: LinkedIn's own pillar name on the SSI page (Portuguese: "Interagir
    # oferecendo insights").
    "insights": N_("Engage with insights"),
    # Translators: LinkedIn's own pillar name on the SSI page (Portuguese: "Criar
    # relacionamentos").
    "relationships": N_("Build relationships"),
}
PILLARS_AND_TOTAL = ("total", *PILLARS)
RANKS = ("industry_rank", "network_rank")


def pillar_name(key: str) -> str:
    """The pillar's name as LinkedIn shows it in the active language."""
    return _(PILLAR_NAMES[key])


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
