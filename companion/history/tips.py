"""What to do about each pillar, in our own words (from the inputs LinkedIn names for it)."""

TIPS = {
    "brand": (
        "Finish the empty sections of your profile (headline, about, featured).",
        "Publish one short post or article on what you know best this week.",
        "Ask two colleagues you have worked with to endorse your top skills.",
    ),
    "people": (
        "Run three searches for the people you sell to, and open the profiles that fit.",
        "Be active on LinkedIn on at least four days this week, even briefly.",
        "Save five new leads who match your ideal buyer.",
    ),
    "insights": (
        "Comment thoughtfully on three posts from people in your market.",
        "Share one useful article with a sentence on why it matters.",
        "Answer the messages waiting in your inbox: replies count.",
    ),
    "relationships": (
        "Send five personal connection requests to decision makers you have engaged with.",
        "Accept or answer pending invitations from people in your field.",
        "Congratulate or thank three connections: keep the conversation going.",
    ),
}


def tip(pillar: str, index: int = 0) -> str:
    options = TIPS[pillar]
    return options[index % len(options)]
