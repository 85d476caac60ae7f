"""What each chart shows, in words: the <img alt> of the charts (and what a screen reader
says). The numbers are those the chart draws, from the same days of the range. No Flask.

Written in the active language: each statement is a whole sentence or clause of its own,
joined as a list ("A; B; C."), so translators can order the words of each as they need.
"""

from datetime import date

from companion.history import wording
from companion.history.trend import RECALIBRATION_POINTS, recalibration_days
from companion.history.wording import day, rank
from companion.i18n import N_, _, ngettext
from companion.reading import RANKS

# The pillars' short names, as the charts' legends show them.
PILLAR_WORDS = {
    # Translators: a short name of LinkedIn's pillar "Establish your professional brand".
    "brand": N_("Brand"),
    # Translators: a short name of LinkedIn's pillar "Find the right people".
    "people": N_("People"),
    # Translators: a short name of LinkedIn's pillar "Engage with insights".
    "insights": N_("Insights"),
    # Translators: a short name of LinkedIn's pillar "Build relationships".
    "relationships": N_("Relationships"),
}
# The recalibration days named in words at most; the chart marks them all.
NAMED_AT_MOST = 3


def number(value: float) -> str:
    """One decimal at most, none when whole: 52, 52.4 (52,4 in Italian)."""
    return wording.number(value, 1)


def reference(shown: list, field: str) -> float | None:
    """The latest known value of an average in the range, as its legend names it."""
    known = [r[field] for r in shown if r[field] is not None]
    return known[-1] if known else None


def _on(row: dict) -> str:
    return day(date.fromisoformat(row["date"]))


def statements(parts: list[str]) -> str:
    """Clauses that each say one thing, as one sentence: "A; B; C."."""
    text = parts[0]
    for part in parts[1:]:
        # Translators: joins two statements of a chart's description ("...; industry average
        # 28.4"). French puts a space before the semicolon.
        text = _("%(first)s; %(then)s", first=text, then=part)
    return text + "."  # the six languages end a sentence alike


def _pillar_values(row: dict) -> str:
    return ", ".join(
        # Translators: a pillar's short name and its score: "Brand 10".
        _("%(pillar)s %(score)s", pillar=_(word), score=number(row[key]))
        for key, word in PILLAR_WORDS.items()
    )


def _rank_values(row: dict) -> str:
    said = {
        "industry_rank": lambda value: _("industry rank %(rank)s", rank=rank(value)),
        "network_rank": lambda value: _("network rank %(rank)s", rank=rank(value)),
    }
    return ", ".join(said[k](row[k]) for k in RANKS if row[k] is not None)


def _one_reading(name: str, row: dict) -> str:
    """The one reading of a range, as that chart would draw it: "SSI 40 on 20 May 2026"."""
    if name == "ssi":
        return _("SSI %(score)s on %(day)s", score=number(row["total"]), day=_on(row))
    if name == "pillars":
        # Translators: "pillars Brand 10, People 5, Insights 6, Relationships 7 on 20 May 2026".
        return _("pillars %(scores)s on %(day)s", scores=_pillar_values(row), day=_on(row))
    # Translators: "industry rank Top 20%, network rank Top 25% on 20 May 2026".
    return _("%(ranks)s on %(day)s", ranks=_rank_values(row), day=_on(row))


def _too_few(name: str, shown: list, count: int) -> str | None:
    if count == 0:
        return _("No readings yet.")
    if not shown:
        return _("No readings in this range.")
    if len(shown) == 1:
        reading = _one_reading(name, shown[0])
        if count == 1:
            return _(
                "Your first reading: %(reading)s. The lines start with your second visit.",
                reading=reading,
            )
        return _("One reading in this range: %(reading)s.", reading=reading)
    return None


def _recalibrated(days: list[str]) -> str:
    named = ", ".join(day(date.fromisoformat(d)) for d in days[-NAMED_AT_MOST:])
    if len(days) <= NAMED_AT_MOST:
        return ngettext(
            "%(count)s day marked as a likely LinkedIn recalibration (%(days)s)",
            "%(count)s days marked as a likely LinkedIn recalibration (%(days)s)",
            len(days),
            count=wording.count(len(days)),
            days=named,
        )
    # Translators: %(shown)s is how many of the days are named (3), then their dates.
    return ngettext(
        "%(count)s day marked as a likely LinkedIn recalibration (the last %(shown)s: %(days)s)",
        "%(count)s days marked as a likely LinkedIn recalibration (the last %(shown)s: %(days)s)",
        len(days),
        count=wording.count(len(days)),
        shown=wording.count(NAMED_AT_MOST),
        days=named,
    )


def _ssi(shown: list, settings: dict) -> str:
    first, last = shown[0], shown[-1]
    high = max(shown, key=lambda r: r["total"])
    low = min(shown, key=lambda r: r["total"])
    parts = [
        _(
            "SSI from %(first)s on %(first_day)s to %(last)s on %(last_day)s, highest "
            "%(high)s on %(high_day)s, lowest %(low)s on %(low_day)s",
            first=number(first["total"]),
            first_day=_on(first),
            last=number(last["total"]),
            last_day=_on(last),
            high=number(high["total"]),
            high_day=_on(high),
            low=number(low["total"]),
            low_day=_on(low),
        )
    ]
    averages = {
        "industry_avg": lambda value: _("industry average %(score)s", score=value),
        "network_avg": lambda value: _("network average %(score)s", score=value),
    }
    for field, said in averages.items():
        value = reference(shown, field)
        if value is not None:
            parts.append(said(number(value)))
    if settings.get("goal_score") is not None:
        parts.append(_("your goal %(score)s", score=number(settings["goal_score"])))
    days = recalibration_days(shown, settings.get("recalibration_points") or RECALIBRATION_POINTS)
    if days:
        parts.append(_recalibrated(days))
    return statements(parts)


def _pillars(shown: list) -> str:
    first, last = shown[0], shown[-1]
    moves = ", ".join(
        # Translators: one pillar's move over the range: "Brand 10 to 13".
        _(
            "%(pillar)s %(first)s to %(last)s",
            pillar=_(word),
            first=number(first[key]),
            last=number(last[key]),
        )
        for key, word in PILLAR_WORDS.items()
    )
    return _(
        "Pillars out of 25 each, from %(first_day)s to %(last_day)s: %(moves)s.",
        first_day=_on(first),
        last_day=_on(last),
        moves=moves,
    )


def _rank_move(field: str, known: list) -> str:
    best = min(known, key=lambda r: r[field])
    values = {
        "first": rank(known[0][field]),
        "first_day": _on(known[0]),
        "last": rank(known[-1][field]),
        "last_day": _on(known[-1]),
        "best": rank(best[field]),
        "best_day": _on(best),
    }
    if field == "industry_rank":
        return _(
            "industry rank from %(first)s on %(first_day)s to %(last)s on %(last_day)s, "
            "best %(best)s on %(best_day)s",
            **values,
        )
    return _(
        "network rank from %(first)s on %(first_day)s to %(last)s on %(last_day)s, "
        "best %(best)s on %(best_day)s",
        **values,
    )


def _ranks(shown: list) -> str:
    parts = []
    for field in RANKS:
        known = [r for r in shown if r[field] is not None]
        if known:
            parts.append(_rank_move(field, known))
    if not parts:
        return _("No ranks in this range.")
    parts.append(_("better ranks are drawn higher"))
    text = statements(parts)
    # The statements are a sentence: its first word takes a capital ("Industry rank from").
    return text[0].upper() + text[1:]


def describe(name: str, shown: list, count: int, settings: dict) -> str:
    """The sentence for chart `name`: `shown` the days of its range, `count` all days."""
    settings = settings or {}
    if name == "ranks":
        ranked = [r for r in shown if any(r[k] is not None for k in RANKS)]
        if shown and not ranked:
            return _("No ranks in this range.")
        shown = ranked
    few = _too_few(name, shown, count)
    if few is not None:
        return few
    if name == "ssi":
        return _ssi(shown, settings)
    return _pillars(shown) if name == "pillars" else _ranks(shown)
