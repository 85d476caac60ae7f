"""What each chart shows, in words: the <img alt> of the charts (and what a screen reader
says). The numbers are those the chart draws, from the same days of the range. No Flask."""

from datetime import date

from companion.history.trend import RECALIBRATION_POINTS, recalibration_days
from companion.history.wording import day
from companion.reading import RANKS

PILLAR_WORDS = {
    "brand": "Brand",
    "people": "People",
    "insights": "Insights",
    "relationships": "Relationships",
}
# The recalibration days named in words at most; the chart marks them all.
NAMED_AT_MOST = 3


def number(value: float) -> str:
    """One decimal at most, none when whole: 52, 52.4."""
    return f"{round(value, 1):g}"


def reference(shown: list, field: str) -> float | None:
    """The latest known value of an average in the range, as its legend names it."""
    known = [r[field] for r in shown if r[field] is not None]
    return known[-1] if known else None


def _on(row: dict) -> str:
    return day(date.fromisoformat(row["date"]))


def _too_few(shown: list, count: int, what: str) -> str | None:
    if count == 0:
        return "No readings yet."
    if not shown:
        return "No readings in this range."
    if len(shown) == 1:
        first = f"{what} on {_on(shown[0])}"
        if count == 1:
            return f"Your first reading: {first}. The lines start with your second visit."
        return f"One reading in this range: {first}."
    return None


def _ssi(shown: list, settings: dict) -> str:
    first, last = shown[0], shown[-1]
    high = max(shown, key=lambda r: r["total"])
    low = min(shown, key=lambda r: r["total"])
    parts = [
        f"SSI from {number(first['total'])} on {_on(first)} to {number(last['total'])} on "
        f"{_on(last)}, highest {number(high['total'])} on {_on(high)}, "
        f"lowest {number(low['total'])} on {_on(low)}"
    ]
    for field, label in (("industry_avg", "industry"), ("network_avg", "network")):
        value = reference(shown, field)
        if value is not None:
            parts.append(f"{label} average {number(value)}")
    if settings.get("goal_score") is not None:
        parts.append(f"your goal {number(settings['goal_score'])}")
    days = recalibration_days(shown, settings.get("recalibration_points") or RECALIBRATION_POINTS)
    if days:
        named = ", ".join(day(date.fromisoformat(d)) for d in days[-NAMED_AT_MOST:])
        many = "1 day" if len(days) == 1 else f"{len(days)} days"
        last_ones = "" if len(days) <= NAMED_AT_MOST else f"the last {NAMED_AT_MOST}: "
        parts.append(f"{many} marked as a likely LinkedIn recalibration ({last_ones}{named})")
    return "; ".join(parts) + "."


def _pillars(shown: list) -> str:
    first, last = shown[0], shown[-1]
    moves = ", ".join(
        f"{word} {number(first[key])} to {number(last[key])}" for key, word in PILLAR_WORDS.items()
    )
    return f"Pillars out of 25 each, from {_on(first)} to {_on(last)}: {moves}."


def _ranks(shown: list) -> str:
    parts = []
    for field, word in zip(RANKS, ("industry", "network"), strict=True):
        known = [r for r in shown if r[field] is not None]
        if not known:
            continue
        best = min(known, key=lambda r: r[field])
        parts.append(
            f"{word} rank from Top {known[0][field]}% on {_on(known[0])} to "
            f"Top {known[-1][field]}% on {_on(known[-1])}, best Top {best[field]}% on {_on(best)}"
        )
    if not parts:
        return "No ranks in this range."
    text = "; ".join(parts)
    return f"{text[0].upper()}{text[1:]}; better ranks are drawn higher."


def describe(name: str, shown: list, count: int, settings: dict) -> str:
    """The sentence for chart `name`: `shown` the days of its range, `count` all days."""
    settings = settings or {}
    if name == "ranks":
        ranked = [r for r in shown if any(r[k] is not None for k in RANKS)]
        if shown and not ranked:
            return "No ranks in this range."
        shown = ranked
    what = {
        "ssi": lambda r: f"SSI {number(r['total'])}",
        "pillars": lambda r: (
            "pillars " + ", ".join(f"{w} {number(r[k])}" for k, w in PILLAR_WORDS.items())
        ),
        "ranks": lambda r: ", ".join(
            f"{w} rank Top {r[k]}%"
            for k, w in zip(RANKS, ("industry", "network"), strict=True)
            if r[k] is not None
        ),
    }[name]
    few = _too_few(shown, count, what(shown[0]) if shown else "")
    if few is not None:
        return few
    if name == "ssi":
        return _ssi(shown, settings)
    return _pillars(shown) if name == "pillars" else _ranks(shown)
