"""Charts as SVG, drawn on the server with pygal: no script, no CDN, works offline.

No Flask. The views serve each chart as an image (`<img src=...svg>`), so an SVG can never
run anything in the page, and the page's CSP (`default-src 'self'`) holds. Three charts, each
with one y axis: "ssi" (the total, 0-100, with the averages, the goal and the recalibration
days), "pillars" (the four pillars on one 0-25 scale) and "ranks" ("Top N%", fitted to the
data, upside down so that better is higher). Their text alternatives are in chart_text.py.
"""

import re
import threading
from collections import OrderedDict
from datetime import date, timedelta

import pygal
from pygal.style import Style

from companion import i18n
from companion.history.chart_text import PILLAR_WORDS, describe, number, reference
from companion.history.charts_style import (
    COLOURS,
    FONT,
    Layout,
    date_ticks,
    empty_svg,
    layout_for,
    legend_columns,
    stylesheet,
)
from companion.history.trend import RECALIBRATION_POINTS, recalibration_days
from companion.history.wording import day, rank
from companion.i18n import N_, _
from companion.reading import RANKS

RANGES = {"30d": 30, "90d": 90, "1y": 365, "all": None}
DEFAULT_RANGE = "90d"
# Enough points for any screen; a ten-year history is thinned to this before drawing.
MAX_POINTS = 240
# The legends and titles, marked here and translated when a chart is drawn.
PILLAR_LABELS = PILLAR_WORDS
RANK_LABELS = {"industry_rank": N_("Industry rank"), "network_rank": N_("Network rank")}
AVERAGE_LABELS = {"industry_avg": N_("Industry average"), "network_avg": N_("Network average")}
# An average's legend names its latest value: "Industry average (30)".
AVERAGE_WITH_VALUE = {
    "industry_avg": N_("Industry average (%(score)s)"),
    "network_avg": N_("Network average (%(score)s)"),
}
# Translators: the legend of the dots on days when LinkedIn seems to have recalibrated the SSI.
RECALIBRATION_LABEL = N_("Likely LinkedIn recalibration")
TITLES = {
    "ssi": N_("SSI (out of 100)"),
    "pillars": N_("The four pillars (each out of 25)"),
    # Translators: LinkedIn gives ranks as "Top 23%": the smaller, the better.
    "ranks": N_("Ranks (Top N%, better is higher)"),
}
# pygal's config script, its credits (comments naming pygal.org) and its stylesheet (replaced
# by charts_style's, a tenth of its size): nothing to run or fetch, and small.
_SCRIPT = re.compile(r"<script\b.*?</script>|<!--.*?-->", re.S)
_STYLE = re.compile(r"<style[^>]*>.*?</style>", re.S)
# pygal writes coordinates to six decimals; a tenth of a unit is finer than a pixel.
_COORDINATES = re.compile(r' (?:d|x|y|cx|cy|width|height)="[^"]*"')
_PRECISE = re.compile(r"(\d\.\d)\d+")


def _shorter(svg: str) -> str:
    return _COORDINATES.sub(lambda m: _PRECISE.sub(r"\1", m.group(0)), svg)


def in_range(daily: list, range_key: str, today: date) -> list:
    days = RANGES.get(range_key, RANGES[DEFAULT_RANGE])
    if days is None:
        return daily
    start = (today - timedelta(days=days)).isoformat()
    return [r for r in daily if r["date"] >= start]


def thin(daily: list, limit: int = MAX_POINTS) -> list:
    """At most `limit` readings, evenly spread, always keeping the first and the last."""
    if len(daily) <= limit:
        return daily
    step = (len(daily) - 1) / (limit - 1)
    return [daily[round(i * step)] for i in range(limit)]


def _points(daily: list, field: str) -> list:
    return [(date.fromisoformat(r["date"]), r[field]) for r in daily if r[field] is not None]


class _Series:
    """What one chart draws, in order: each series with the key that fixes its colour."""

    def __init__(self):
        self.items = []

    def add(self, key: str, label: str, points: list, **options) -> None:
        if points:
            self.items.append((key, label, points, options))


def _legend_shortfall(count: int, columns: int, layout: Layout) -> float:
    """pygal makes room for count // columns legend rows, not for the last, partial one."""
    return (-(-count // columns) - count // columns) * 1.5 * layout.label_size


def _render(name: str, series: _Series, drawn: list, layout: Layout, **options) -> str:
    keys = [item[0] for item in series.items]
    columns = legend_columns([item[1] for item in series.items], layout)
    chart = pygal.DateLine(
        title=_(TITLES[name]),
        js=[],  # no tooltip script from a CDN: the chart must work offline
        css=[],
        no_prefix=True,
        style=Style(
            background="transparent",
            plot_background="transparent",
            colors=tuple(COLOURS[k] for k in keys),
            font_family=FONT,
            label_font_size=layout.label_size,
            major_label_font_size=layout.label_size,
            legend_font_size=layout.label_size,
            title_font_size=layout.title_size,
        ),
        width=layout.width,
        height=layout.height,
        margin=12,
        margin_bottom=12 + _legend_shortfall(len(keys), columns, layout),
        spacing=8,
        # No dot per point: a <circle> and three <desc> each, for a tooltip nobody runs.
        show_dots=False,
        x_label_rotation=0,
        truncate_legend=-1,
        truncate_label=-1,
        legend_at_bottom=True,
        legend_at_bottom_columns=columns,
        legend_box_size=layout.label_size,
        x_labels=date_ticks(
            date.fromisoformat(drawn[0]["date"]),
            date.fromisoformat(drawn[-1]["date"]),
            layout.max_date_labels,
        ),
        x_value_formatter=day,
        **options,
    )
    for _key, label, points, extra in series.items:
        chart.add(label, points, **extra)
    svg = _shorter(_SCRIPT.sub("", chart.render(is_unicode=True)))
    return _STYLE.sub(lambda _match: f"<style>{stylesheet(keys, layout)}</style>", svg, count=1)


def _empty(name: str, daily: list, shown: list, layout: Layout, what: str = "readings") -> str:
    if len(daily) == 1 and what == "readings":
        lines = [_("Your first reading is in."), _("The line starts with your second visit.")]
    elif shown and what == "readings":
        on = day(date.fromisoformat(shown[0]["date"]))
        lines = [
            _("One reading in this range (%(day)s).", day=on),
            _("Choose a longer range to see a line."),
        ]
    else:
        missing = (
            _("No ranks in this range.") if what == "ranks" else _("No readings in this range.")
        )
        lines = [missing, _("Choose a longer range above.")]
    return empty_svg(_(TITLES[name]), lines, layout)


def ssi_chart(daily: list, range_key: str, today: date, settings=None, width=None) -> str:
    """The total on 0-100, the averages (dashed, when known), the goal (dashed, when set),
    and the days that look like a LinkedIn recalibration as dots."""
    settings, layout = settings or {}, layout_for(width)
    shown = in_range(daily, range_key, today)
    if len(shown) < 2:
        return _empty("ssi", daily, shown, layout)
    drawn = thin(shown)
    series = _Series()
    series.add("total", "SSI", _points(drawn, "total"))  # LinkedIn's name in every language
    for field, label in AVERAGE_LABELS.items():
        latest = reference(shown, field)
        shown_as = (
            _(label) if latest is None else _(AVERAGE_WITH_VALUE[field], score=number(latest))
        )
        series.add(field, shown_as, _points(drawn, field), allow_interruptions=True)
    goal = settings.get("goal_score")
    if goal is not None:
        ends = [date.fromisoformat(drawn[i]["date"]) for i in (0, -1)]
        series.add(
            "goal", _("Your goal (%(score)s)", score=number(goal)), [(d, goal) for d in ends]
        )
    points = settings.get("recalibration_points") or RECALIBRATION_POINTS
    # Marked from every day shown, not only the thinned ones: a jump is one day.
    marked = set(recalibration_days(shown, points))
    series.add(
        "recalibration",
        _(RECALIBRATION_LABEL),
        [p for p in _points(shown, "total") if p[0].isoformat() in marked],
        stroke=False,
        show_dots=True,
        dots_size=6,
    )
    return _render("ssi", series, drawn, layout, range=(0, 100), y_labels=list(range(0, 101, 20)))


def pillars_chart(daily: list, range_key: str, today: date, settings=None, width=None) -> str:
    """The four pillars on one 0-25 scale: never a second axis."""
    layout = layout_for(width)
    shown = in_range(daily, range_key, today)
    if len(shown) < 2:
        return _empty("pillars", daily, shown, layout)
    drawn = thin(shown)
    series = _Series()
    for field, label in PILLAR_LABELS.items():
        series.add(field, _(label), _points(drawn, field))
    return _render("pillars", series, drawn, layout, range=(0, 25), y_labels=list(range(0, 26, 5)))


def rank_scale(values: list) -> tuple[tuple[int, int], list[int]]:
    """A range around the ranks shown, on round ticks (1, 2, 5, 10, 20 or 25 apart)."""
    low, high = max(0, min(values) - 1), min(100, max(values) + 1)
    for step in (1, 2, 5, 10, 20, 25):
        bottom, top = low // step * step, -(-high // step) * step
        if (top - bottom) // step <= 6:
            break
    ticks = [t for t in range(bottom, top + 1, step) if t > 0]
    return (bottom, top), ticks


def ranks_chart(daily: list, range_key: str, today: date, settings=None, width=None) -> str:
    """Industry and network "Top N%": smaller is better, so the axis is drawn upside down."""
    layout = layout_for(width)
    shown = in_range(daily, range_key, today)
    ranked = [r for r in shown if any(r[k] is not None for k in RANKS)]
    if len(ranked) < 2:
        return _empty(
            "ranks", daily, ranked, layout, what="ranks" if shown and not ranked else "readings"
        )
    drawn = thin(ranked)
    series = _Series()
    for field, label in RANK_LABELS.items():
        series.add(field, _(label), _points(drawn, field), allow_interruptions=True)
    values = [r[k] for r in drawn for k in RANKS if r[k] is not None]
    (bottom, top), ticks = rank_scale(values)
    return _render(
        "ranks",
        series,
        drawn,
        layout,
        inverse_y_axis=True,
        range=(bottom, top),
        y_labels=ticks,
        value_formatter=lambda v: rank(round(v)),  # the ticks are whole ranks
    )


DRAWN = {"ssi": ssi_chart, "pillars": pillars_chart, "ranks": ranks_chart}
# Kept per what decides the picture: drawing takes 10-30 ms, a lookup well under one.
_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 24
_LOCK = threading.Lock()


def draw(name: str, daily: list, range_key: str, today: date, settings: dict, width=None) -> str:
    """Chart `name` as SVG text, from the cache when the same days, settings and layout were
    drawn before (the key holds every value shown, so a changed reading draws anew) in the
    same language: titles, legends and ticks are written in the active one."""
    settings = settings or {}
    shown = in_range(daily, range_key, today)
    key = (
        name,
        i18n.active(),
        range_key if range_key in RANGES else DEFAULT_RANGE,
        layout_for(width),
        len(daily) == 1,
        settings.get("goal_score"),
        settings.get("recalibration_points"),
        # hash() of every value in range: a 64-bit digest, computed in about a millisecond.
        hash(tuple(tuple(r.values()) for r in shown)),
    )
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    svg = DRAWN[name](daily, range_key, today, settings, width)
    with _LOCK:
        _CACHE[key] = svg
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return svg


def text_alternative(name: str, daily: list, range_key: str, today: date, settings: dict) -> str:
    """One or two sentences saying what chart `name` shows (its <img alt>)."""
    return describe(name, in_range(daily, range_key, today), len(daily), settings)
