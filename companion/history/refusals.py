"""Why a capture could not be read, and what the user can do about it, in plain words. No Flask.

The parser's codes (parse/validation.py) are for programs; the page shows these instead,
in the active language.
"""

from companion.i18n import N_, _
from companion.parse.validation import (
    INVALID_VALUES,
    NOT_RENDERED,
    NOT_SSI_PAGE,
    TOO_COMPLEX,
    UNRECOGNIZED,
)

# code: (what happened, what to do)
EXPLANATIONS = {
    NOT_SSI_PAGE: (
        N_("Not the SSI page"),
        N_(
            "Open linkedin.com/sales/ssi while signed in to LinkedIn: the extension reads only "
            "that page."
        ),
    ),
    NOT_RENDERED: (
        N_("The page had not finished loading"),
        N_(
            "Nothing is lost: wait until your numbers show on the SSI page; the next visit is "
            "read as usual."
        ),
    ),
    UNRECOGNIZED: (
        N_("A layout this version cannot read"),
        # Translators: "Read again" is the button beside this sentence: use its words.
        N_(
            "LinkedIn may have changed its page. Update SSI Companion, then press Read again: "
            "the page is kept for that."
        ),
    ),
    INVALID_VALUES: (
        N_("Numbers that do not add up"),
        # Translators: "Read again" is the button beside this sentence: use its words.
        N_("The page is kept: after an update of SSI Companion, press Read again."),
    ),
    TOO_COMPLEX: (
        N_("A page too large to read"),
        N_(
            "Reload the SSI page and let it finish loading; close other LinkedIn tabs if it "
            "keeps happening."
        ),
    ),
}
UNKNOWN = (
    N_("Could not be read"),
    # Translators: `ssi-companion doctor` is a command: keep it as it is.
    N_("Visit the SSI page again; if it keeps happening, run `ssi-companion doctor`."),
)


def explain(code: str | None) -> dict:
    """{"label", "advice"} for a failed capture's error code, in the active language."""
    label, advice = EXPLANATIONS.get(code, UNKNOWN)
    return {"label": _(label), "advice": _(advice)}
