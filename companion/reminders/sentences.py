"""What each reminder says, in the active language (the `language` preference: delivery.py).

No Flask. The rules (rules.py) decide whether a reminder is due and with which figures; this
module only words it, each title and body one whole sentence with placeholders, so that a
translator can put the words in their language's order. Dates and numbers are written with
the active language's conventions ("10 nov 2026", "31,3"), as the pages write them.
"""

from companion.history.tips import tip
from companion.history.wording import MINUS, count, day, decimal, number, rank
from companion.i18n import _, ngettext
from companion.reading import PILLARS, pillar_name


def points(value: float) -> str:
    """An SSI figure with one decimal, as LinkedIn gives them: 31.3, 40.0 (31,3 in Italian)."""
    return decimal(value, 1)


def change(value: float) -> str:
    """A change with one decimal and its sign, zero included: +0.5, −1.0 (a real minus), +0.0."""
    sign = f"{value:+.1f}"[0]
    return (MINUS if sign == "-" else "+") + points(abs(value))


def target(value: float) -> str:
    """A goal score as the user set it: 60, 72.5."""
    return number(value)


def stale(last_day, days: int) -> tuple[str, str]:
    title = _("Time to check your SSI")
    body = ngettext(
        "Your last SSI capture was on %(day)s, %(count)s day ago. Open the SSI page to record "
        "where you stand today.",
        "Your last SSI capture was on %(day)s, %(count)s days ago. Open the SSI page to record "
        "where you stand today.",
        days,
        day=day(last_day),
        count=count(days),
    )
    return title, body


def drop(fall: float, latest: dict, earlier: dict, worst: str, worst_change: float):
    title = _("Your SSI fell %(points)s points in a week", points=points(fall))
    # Translators: "Try this:" is followed by a tip, a sentence of its own.
    body = _(
        "SSI %(score)s on %(day)s, down from %(before)s on %(before_day)s. %(pillar)s fell most "
        "(%(change)s). Try this: %(tip)s",
        score=points(latest["total"]),
        day=day(latest["date"]),
        before=points(earlier["total"]),
        before_day=day(earlier["date"]),
        pillar=pillar_name(worst),
        change=change(worst_change),
        tip=tip(worst),
    )
    return title, body


def rank_slipped(since: str, industry: tuple | None, network: tuple | None) -> tuple[str, str]:
    """`industry` and `network`: (before, after) ranks, or None when that one held."""
    title = _("Your SSI rank slipped")
    if industry and network:
        body = _(
            "Since %(day)s, your industry rank went from %(industry_before)s to "
            "%(industry_after)s and your network rank went from %(network_before)s to "
            "%(network_after)s.",
            day=day(since),
            industry_before=rank(industry[0]),
            industry_after=rank(industry[1]),
            network_before=rank(network[0]),
            network_after=rank(network[1]),
        )
    elif industry:
        body = _(
            "Since %(day)s, your industry rank went from %(before)s to %(after)s.",
            day=day(since),
            before=rank(industry[0]),
            after=rank(industry[1]),
        )
    else:
        body = _(
            "Since %(day)s, your network rank went from %(before)s to %(after)s.",
            day=day(since),
            before=rank(network[0]),
            after=rank(network[1]),
        )
    return title, body


def recalibration(on: str, before: float, after: float) -> tuple[str, str]:
    title = _("LinkedIn seems to have recalibrated the SSI")
    values = {
        "day": day(on),
        "points": points(abs(after - before)),
        "before": points(before),
        "after": points(after),
    }
    if after < before:
        body = _(
            "On %(day)s your SSI went down %(points)s points overnight (%(before)s to "
            "%(after)s), all four pillars together, while your industry and network ranks "
            "held. That is most likely a LinkedIn-wide change, not something you did.",
            **values,
        )
    else:
        body = _(
            "On %(day)s your SSI went up %(points)s points overnight (%(before)s to "
            "%(after)s), all four pillars together, while your industry and network ranks "
            "held. That is most likely a LinkedIn-wide change, not something you did.",
            **values,
        )
    return title, body


def weekly(latest: dict, earlier: dict | None, changes: dict, weakest: str, week: int):
    """The weekly digest: `changes` per pillar since `earlier` ({} without one)."""
    title = _("Your SSI week")
    score, on = points(latest["total"]), day(latest["date"])
    if earlier is None:
        lines = [_("SSI %(score)s on %(day)s", score=score, day=on)]
    else:
        since = change(latest["total"] - earlier["total"])
        lines = [
            _(
                "SSI %(score)s on %(day)s (%(change)s since %(since)s)",
                score=score,
                day=on,
                change=since,
                since=day(earlier["date"]),
            ),
            ", ".join(
                # Translators: one pillar in the weekly digest: its score and its change.
                _(
                    "%(pillar)s %(score)s (%(change)s)",
                    pillar=pillar_name(p),
                    score=points(latest[p]),
                    change=change(changes[p]),
                )
                for p in PILLARS
            ),
        ]
    ranks = []
    if latest["industry_rank"] is not None:
        # Translators: the rank within the user's industry, as LinkedIn words it: "industry
        # Top 18%", in the list after "Ranks:".
        ranks.append(_("industry %(rank)s", rank=rank(latest["industry_rank"])))
    if latest["network_rank"] is not None:
        ranks.append(_("network %(rank)s", rank=rank(latest["network_rank"])))
    if ranks:
        lines.append(_("Ranks: %(ranks)s", ranks=", ".join(ranks)))
    lines.append(_weakest(latest, weakest))
    # Translators: followed by a tip, a sentence of its own.
    lines.append(_("This week: %(tip)s", tip=tip(weakest, week)))
    # One sentence a line, each ended once: a tip's own "." (or "!", "?", "…") is not doubled.
    return title, " ".join(line if line.endswith(_ENDS) else line + "." for line in lines)


_ENDS = (".", "!", "?", "…")


def _weakest(latest: dict, weakest: str) -> str:
    values = {"pillar": pillar_name(weakest), "score": points(latest[weakest])}
    average = latest["industry_avg"]
    if average is None:
        return _("Weakest pillar: %(pillar)s (%(score)s/25)", **values)
    gap = latest["total"] - average
    values |= {"points": points(abs(gap)), "average": number(average, 0)}
    if gap >= 0:
        return _(
            "Weakest pillar: %(pillar)s (%(score)s/25); your SSI is %(points)s points above "
            "your industry's average of %(average)s",
            **values,
        )
    return _(
        "Weakest pillar: %(pillar)s (%(score)s/25); your SSI is %(points)s points below "
        "your industry's average of %(average)s",
        **values,
    )


def goal_reached(goal: float, latest: dict) -> tuple[str, str]:
    title = _("Goal reached: SSI %(target)s", target=target(goal))
    body = _(
        "Your SSI is %(score)s on %(day)s. Well done.",
        score=points(latest["total"]),
        day=day(latest["date"]),
    )
    return title, body


def goal_passed(goal: float, deadline, latest: dict) -> tuple[str, str]:
    title = _("Goal of %(target)s not reached", target=target(goal))
    body = _(
        "The goal date %(day)s has passed with SSI %(score)s.",
        day=day(deadline),
        score=points(latest["total"]),
    )
    return title, body


def goal_at_risk(goal: float, deadline, latest: dict, reach, needed: float):
    """`reach`: the day the trend of the last 30 days reaches the goal; None when not rising."""
    title = _(
        "Your goal of %(target)s by %(day)s is at risk", target=target(goal), day=day(deadline)
    )
    if reach is None:
        body = _(
            "SSI %(score)s now; your SSI has not been rising over the last 30 days. To make "
            "it, gain about %(points)s points a week.",
            score=points(latest["total"]),
            points=points(needed),
        )
    else:
        body = _(
            "SSI %(score)s now; at the trend of the last 30 days you reach it on %(day)s. To "
            "make it, gain about %(points)s points a week.",
            score=points(latest["total"]),
            day=day(reach),
            points=points(needed),
        )
    return title, body
