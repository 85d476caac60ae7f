"""Why a capture could not be read, and what the user can do about it, in plain words. No Flask.

The parser's codes (parse/validation.py) are for programs; the page shows these instead.
"""

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
        "Not the SSI page",
        "Open linkedin.com/sales/ssi while signed in to LinkedIn: the extension reads only "
        "that page.",
    ),
    NOT_RENDERED: (
        "The page had not finished loading",
        "Nothing is lost: wait until your numbers show on the SSI page; the next visit is "
        "read as usual.",
    ),
    UNRECOGNIZED: (
        "A layout this version cannot read",
        "LinkedIn may have changed its page. Update SSI Companion, then press Read again: "
        "the page is kept for that.",
    ),
    INVALID_VALUES: (
        "Numbers that do not add up",
        "The page is kept: after an update of SSI Companion, press Read again.",
    ),
    TOO_COMPLEX: (
        "A page too large to read",
        "Reload the SSI page and let it finish loading; close other LinkedIn tabs if it "
        "keeps happening.",
    ),
}
UNKNOWN = (
    "Could not be read",
    "Visit the SSI page again; if it keeps happening, run `ssi-companion doctor`.",
)


def explain(code: str | None) -> dict:
    """{"label", "advice"} for a failed capture's error code."""
    label, advice = EXPLANATIONS.get(code, UNKNOWN)
    return {"label": label, "advice": advice}
