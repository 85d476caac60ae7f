"""Charts as SVG, drawn on the server with pygal: no script, no CDN, works offline.

No Flask. The views serve each chart as an image (`<img src=...svg>`), so an SVG can never
run anything in the page, and the page's CSP (`default-src 'self'`) holds.
"""

import re
from datetime import date, timedelta

import pygal
from pygal.style import Style

from companion.history.trend import recalibration_days

RANGES = {"30d": 30, "90d": 90, "1y": 365, "all": None}
DEFAULT_RANGE = "90d"
# Enough points for any screen; a ten-year history is thinned to this before drawing.
MAX_POINTS = 240
PILLAR_LABELS = {
    "brand": "Brand",
    "people": "People",
    "insights": "Insights",
    "relationships": "Relationships",
}
# pygal's config script and its credits (comments naming pygal.org): nothing to run or fetch.
_SCRIPT = re.compile(r"<script\b.*?</script>|<!--.*?-->", re.S)
STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#333",
    foreground_strong="#111",
    foreground_subtle="#ccc",
    colors=("#0a66c2", "#e07a1f", "#2e8b57", "#8e44ad", "#c0392b", "#555555"),
    font_family="system-ui, sans-serif",
)


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


def _chart(title: str, **options) -> pygal.DateLine:
    return pygal.DateLine(
        title=title,
        js=[],  # no tooltip script from a CDN: the chart must work offline
        style=STYLE,
        width=800,
        height=320,
        show_dots=False,
        dots_size=3,
        stroke_style={"width": 2},
        x_value_formatter=lambda d: d.isoformat(),
        x_label_rotation=0,
        truncate_legend=-1,
        legend_at_bottom=True,
        legend_at_bottom_columns=3,
        **options,
    )


def _date_labels(drawn: list, count: int = 6) -> list:
    days = [date.fromisoformat(r["date"]) for r in drawn]
    if len(days) <= count:
        return days
    step = (len(days) - 1) / (count - 1)
    return [days[round(i * step)] for i in range(count)]


def _render(chart) -> str:
    return _SCRIPT.sub("", chart.render(is_unicode=True))


def _points(daily: list, field: str) -> list:
    return [(date.fromisoformat(r["date"]), r[field]) for r in daily if r[field] is not None]


def _empty(title: str) -> str:
    chart = _chart(title, show_x_labels=False)  # no dates to show, not 1970-01-01
    chart.add("No readings in this range", [])
    return _render(chart)


def scores_chart(daily: list, range_key: str, today: date) -> str:
    """The total (0-100) and the four pillars (0-25, right-hand axis); recalibrations marked."""
    shown = in_range(daily, range_key, today)
    if not shown:
        return _empty("SSI and pillars")  # same title shape, so the page layout holds
    drawn = thin(shown)
    chart = _chart(
        "SSI (left axis, 0-100) and pillars (right axis, 0-25)",
        range=(0, 100),
        secondary_range=(0, 25),
        x_labels=_date_labels(drawn),
    )
    chart.add("SSI", _points(drawn, "total"))
    for field, label in PILLAR_LABELS.items():
        chart.add(label, _points(drawn, field), secondary=True)
    marked = set(recalibration_days(shown))
    if marked:
        chart.add(
            "Likely LinkedIn recalibration",
            [p for p in _points(shown, "total") if p[0].isoformat() in marked],
            stroke=False,
            show_dots=True,
            dots_size=6,
        )
    return _render(chart)


def ranks_chart(daily: list, range_key: str, today: date) -> str:
    """Industry and network "Top N%": smaller is better, so the axis is drawn upside down."""
    shown = in_range(daily, range_key, today)
    drawn = thin(shown)
    if not any(r["industry_rank"] or r["network_rank"] for r in drawn):
        return _empty("Ranks (Top N%, better is higher)")
    chart = _chart(
        "Ranks (Top N%, better is higher)",
        inverse_y_axis=True,
        range=(1, 100),
        x_labels=_date_labels(drawn),
    )
    chart.add("Industry rank", _points(drawn, "industry_rank"))
    chart.add("Network rank", _points(drawn, "network_rank"))
    return _render(chart)


def text_alternative(name: str, daily: list, range_key: str, today: date, settings: dict) -> str:
    """One or two sentences saying what chart `name` shows (its <img alt>)."""
    return {
        "ssi": "Chart of your SSI; the same data is in the table below.",
        "pillars": "Chart of your four pillars; the same data is in the table below.",
        "ranks": "Chart of your industry and network ranks; the same data is in the table below.",
    }[name]
