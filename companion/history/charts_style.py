"""How the charts look: one colour per series, the sizes of the two layouts, the date ticks,
the stylesheet inside each SVG, and the empty state. No Flask, no pygal.

An SVG shown through <img> cannot see the page's CSS variables, so it carries its own small
stylesheet, with the same values as companion/web/static/tokens.css and a
`prefers-color-scheme: dark` block of its own: the background is transparent (the page's
shows through) and only text and gridlines change with the scheme; the series keep their
colour in both.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from xml.sax.saxutils import escape

from companion.history.wording import day, day_and_month, month
from companion.i18n import _

# Every series keeps its colour in every chart and range. The first five are tokens.css's
# --series-*; the others are picked to stay apart from them, on white and on #0d1117.
COLOURS = {
    "total": "#0a66c2",
    "brand": "#e07a1f",
    "people": "#2e8b57",
    "insights": "#8e44ad",
    "relationships": "#c0392b",
    "industry_avg": "#6e7781",
    "network_avg": "#1b7c83",
    "goal": "#9a6700",
    "recalibration": "#d6336c",
    "industry_rank": "#6639ba",
    "network_rank": "#a0522d",
}
# Reference lines are dashed, so that they never read as a series of the user's own.
DASHED = frozenset({"industry_avg", "network_avg", "goal"})
FONT = 'system-ui,-apple-system,"Segoe UI",Roboto,sans-serif'


@dataclass(frozen=True)
class Layout:
    """The SVG's own units: fonts stay readable when the <img> is drawn at this width."""

    width: int
    height: int
    max_date_labels: int
    legend_columns: int
    label_size: int = 14
    title_size: int = 17


WIDE = Layout(800, 360, max_date_labels=8, legend_columns=3)
# For screens up to about 560 px: drawn at 360-400 px wide, 14 px text stays 13-14 px.
NARROW = Layout(400, 340, max_date_labels=4, legend_columns=2, label_size=13, title_size=15)


def layout_for(width) -> Layout:
    """`?width=` as the page asks for it: a number of CSS pixels; anything else is wide."""
    text = str(width or "")
    return NARROW if text.isascii() and text.isdigit() and int(text) <= 560 else WIDE


# -- date ticks --------------------------------------------------------------------------------


def _months_from(first: date, step: int):
    year, month = first.year, first.month
    if first.day > 1:
        month += 1
    while True:
        year += (month - 1) // 12
        month = (month - 1) % 12 + 1
        if (month - 1) % step == 0:
            yield date(year, month, 1)
        month += 1


def _candidates(first: date, last: date):
    """Tick series from the finest to the coarsest, each aligned to the calendar."""
    for step in (1, 2):
        yield "day", [first + timedelta(days=n) for n in range(0, (last - first).days + 1, step)]
    for weeks in (1, 2, 4):
        monday = first + timedelta(days=-first.weekday() % 7)
        count = (last - monday).days // (7 * weeks) + 1
        yield "day", [monday + timedelta(weeks=weeks * n) for n in range(max(0, count))]
    for step in (1, 2, 3, 6):
        ticks = []
        for tick in _months_from(first, step):
            if tick > last:
                break
            ticks.append(tick)
        yield "month", ticks
    for step in (1, 2, 5, 10, 20, 50):
        start = first.year + (first.month > 1 or first.day > 1)
        start += -start % step
        yield "year", [date(y, 1, 1) for y in range(start, last.year + 1, step)]


def date_ticks(first: date, last: date, most: int) -> list[dict]:
    """Evenly spaced calendar ticks (days, Mondays, first of months, New Years) between the
    first and last day drawn, as pygal x_labels: at most `most`, at least one."""
    if last <= first:
        return [{"value": first, "label": day(first)}]
    chosen = None
    for kind, ticks in _candidates(first, last):
        if 2 <= len(ticks) <= most or (ticks and len(ticks) <= most and kind == "year"):
            chosen = kind, ticks
            break
    if chosen is None:  # a span too short for two aligned ticks: its two ends
        chosen = "day", [first, last]
    kind, ticks = chosen
    return [{"value": tick, "label": _tick_text(kind, tick, i)} for i, tick in enumerate(ticks)]


def _tick_text(kind: str, tick: date, index: int) -> str:
    if kind == "year":
        return str(tick.year)
    if kind == "month":
        return month(tick, with_year=index == 0 or tick.month == 1)
    return day_and_month(tick)


def legend_columns(labels: list[str], layout: Layout) -> int:
    """As many legend columns as the longest label fits in: "Posizione SSI nella rete" takes
    a line of its own on a phone, where the English "Network rank" shares one."""
    # About 0.55 em a character in the sans-serif fonts used, plus the colour box and a gap.
    widest = max((len(label) for label in labels), default=0) * 0.55 * layout.label_size
    widest += layout.label_size + 12
    columns = layout.legend_columns
    while columns > 1 and widest > (layout.width - 24) / columns:
        columns -= 1
    return columns


# -- the stylesheet ------------------------------------------------------------------------------

_BASE_CSS = (
    "svg{font-family:" + FONT + "}"
    "text{fill:#57606a;stroke:none}"
    ".title,.legends .legend text,.empty .note{fill:#1f2328}"
    ".title{font-weight:600;text-anchor:middle}"
    ".axis.x text,.empty text{text-anchor:middle}"
    ".axis.y text{text-anchor:end}"
    ".background{fill:none}.nofill{fill:none}"
    ".guide.line{fill:none;stroke:#d0d7de;stroke-width:1}"
    ".axis .line,.major.line{fill:none;stroke:#8c959f;stroke-width:1}"
    ".axis.x .guide.line{stroke:none}"
    ".series .line{stroke-width:2.5;stroke-linejoin:round;stroke-linecap:round}"
    ".dot{stroke-width:1.5}"
    ".tooltip-overlay,.tooltip{display:none}"
    ".empty .frame{fill:none;stroke:#d0d7de;stroke-dasharray:6 6}"
    "@media (prefers-color-scheme:dark){"
    "text{fill:#9198a1}"
    ".title,.legends .legend text,.empty .note{fill:#e6edf3}"
    ".guide.line,.empty .frame{stroke:#30363d}"
    ".axis .line,.major.line{stroke:#6e7681}"
    "}"
)


def stylesheet(keys: list[str], layout: Layout) -> str:
    """The whole CSS of one chart: pygal's own is left out (it is ten times this)."""
    sizes = (
        f".title{{font-size:{layout.title_size}px}}"
        f".axis text,.legends .legend text,.empty text{{font-size:{layout.label_size}px}}"
    )
    series = "".join(
        f".color-{i}{{stroke:{COLOURS[key]};fill:{COLOURS[key]}}}"
        + (f".serie-{i} .line{{stroke-dasharray:7 5;stroke-width:2}}" if key in DASHED else "")
        for i, key in enumerate(keys)
    )
    return _BASE_CSS + sizes + series


# -- the empty state -----------------------------------------------------------------------------


def empty_svg(title: str, lines: list[str], layout: Layout) -> str:
    """A framed message instead of an empty grid: no axis, so no made-up date (1970).

    `title` and `lines` come translated; the <title> (what a reader's tooltip and a screen
    reader say) puts them together as one sentence.
    """
    w, h = layout.width, layout.height
    # Translators: an empty chart's description: its title, then why it is empty ("SSI (out
    # of 100): No readings in this range. Choose a longer range above.").
    described = _("%(chart)s: %(reason)s", chart=title, reason=" ".join(lines))
    middle = h // 2 - (len(lines) - 1) * 12
    notes = "".join(
        f'<text class="note" x="{w // 2}" y="{middle + 24 * i}">{escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?>\n"
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" class="empty">'
        f"<title>{escape(described)}</title>"
        f"<defs><style>{stylesheet([], layout)}</style></defs>"
        f'<rect class="frame" x="1" y="1" width="{w - 2}" height="{h - 2}" rx="8"/>'
        f'<text class="title" x="{w // 2}" y="32">{escape(title)}</text>{notes}</svg>'
    )
