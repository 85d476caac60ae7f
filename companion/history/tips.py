"""What to do about each pillar, in our own words (from the inputs LinkedIn names for it).

Marked here, translated where shown: `tip()` and `tips()` give them in the active language.
"""

from companion.i18n import N_, _

# Each tip carries its note for translators: babel attaches a comment to the next line only.
TIPS = {
    "brand": (
        # Translators: a tip to a salesperson: write it as a native speaker would say it to
        # them, not word for word.
        N_("Finish the empty sections of your profile (headline, about, featured)."),
        # Translators: a tip to a salesperson: write it as a native speaker would say it to
        # them, not word for word.
        N_("Publish one short post or article on what you know best this week."),
        # Translators: a tip to a salesperson: write it as a native speaker would say it to
        # them, not word for word.
        N_("Ask two colleagues you have worked with to endorse your top skills."),
    ),
    "people": (
        # Translators: a tip to a salesperson: write it as a native speaker would say it to
        # them, not word for word.
        N_("Run three searches for the people you sell to, and open the profiles that fit."),
        # Translators: a tip to a salesperson: write it as a native speaker would say it to
        # them, not word for word.
        N_("Be active on LinkedIn on at least four days this week, even briefly."),
        # Translators: a tip to a salesperson: write it as a native speaker would say it to
        # them, not word for word.
        N_("Save five new leads who match your ideal buyer."),
    ),
    "insights": (
        # Translators: a tip to a salesperson: write it as a native speaker would say it to
        # them, not word for word.
        N_("Comment thoughtfully on three posts from people in your market."),
        # Translators: a tip to a salesperson: write it as a native speaker would say it to
        # them, not word for word.
        N_("Share one useful article with a sentence on why it matters."),
        # Translators: a tip to a salesperson: write it as a native speaker would say it to
        # them, not word for word.
        N_("Answer the messages waiting in your inbox: replies count."),
    ),
    "relationships": (
        # Translators: a tip to a salesperson: write it as a native speaker would say it to
        # them, not word for word.
        N_("Send five personal connection requests to decision makers you have engaged with."),
        # Translators: a tip to a salesperson: write it as a native speaker would say it to
        # them, not word for word.
        N_("Accept or answer pending invitations from people in your field."),
        # Translators: a tip to a salesperson: write it as a native speaker would say it to
        # them, not word for word.
        N_("Congratulate or thank three connections: keep the conversation going."),
    ),
}


def tips(pillar: str) -> tuple[str, ...]:
    """Every tip for `pillar`, in the active language."""
    return tuple(_(text) for text in TIPS[pillar])


def tip(pillar: str, index: int = 0) -> str:
    """One tip for `pillar` in the active language; `index` picks another one each week."""
    options = TIPS[pillar]
    return _(options[index % len(options)])
