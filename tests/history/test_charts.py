"""The SVG charts (companion.history.charts): three charts with one axis each, fixed colours,
reference lines, recalibration marks only on jumps, small files, empty states, and words."""

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from companion.history import charts
from companion.history.charts_style import COLOURS, date_ticks
from tests.builders import daily as row

TODAY = date(2026, 5, 20)
MARKER = charts.RECALIBRATION_LABEL
SETTINGS = {"goal_score": None, "recalibration_points": 2.0}
NAMES = list(charts.DRAWN)


def days(count: int, end: date = TODAY) -> list[dict]:
    """One reading a day for `count` days up to `end`; the total wobbles, the ranks too."""
    return [
        row(end - timedelta(days=n), 40.0 + (n % 5) / 2, industry_rank=20 + n % 2)
        for n in range(count - 1, -1, -1)
    ]


def climb(count: int, per_day: float = 0.008, end: date = TODAY) -> list[dict]:
    """A steady climb, every pillar up a little each day, the ranks held: no recalibration."""
    return [
        row(end - timedelta(days=n), round(30 + (count - n) * per_day, 4))
        for n in range(count - 1, -1, -1)
    ]


def with_jump(daily: list, day: date, by: float = -4) -> list:
    """Every pillar moves by by/4 on `day` (and after) while both ranks hold."""
    out, moved = [], False
    for r in daily:
        moved = moved or r["date"] == day.isoformat()
        out.append(
            row(r["date"], r["total"] + by, industry_rank=r["industry_rank"]) if moved else r
        )
    return out


def draw(name, daily, key="all", settings=None, width=None):
    return charts.DRAWN[name](daily, key, TODAY, {**SETTINGS, **(settings or {})}, width)


def svg_root(svg: str):
    return ET.fromstring(svg.encode())


def legend(svg: str) -> dict:
    """Each legend label with the colour the chart draws it in."""
    colours = dict(re.findall(r"\.color-(\d+)\{stroke:(#[0-9a-f]{6})", svg))
    entries = re.findall(r'class="color-(\d+) reactive"/><text[^>]*>([^<]+)</text>', svg)
    return {label: colours[i] for i, label in entries}


def y_labels(svg: str) -> list[tuple[str, float]]:
    """The y axis labels, top to bottom, with their height on the chart."""
    axis = re.search(r'<g class="axis y[ "].*?</g></g>', svg, re.S).group(0)
    found = [
        (t, float(y))
        for y, t in re.findall(r'<text x="-?[\d.]+" y="([\d.]+)"[^>]*>([^<]+)</text>', axis)
    ]
    return sorted(found, key=lambda item: item[1])


def x_labels(svg: str) -> list[str]:
    axis = re.search(r'<g class="axis x".*?(?=<g class="series|<g class="axis y)', svg, re.S).group(
        0
    )
    return re.findall(r"<text[^>]*>([^<]+)</text>", axis)


def line_vertex_counts(svg: str) -> list[int]:
    paths = re.findall(r'<path d="(M[^"]+)" class="line reactive nofill"', svg)
    return [len(re.findall(r"-?\d+(?:\.\d+)? -?\d+(?:\.\d+)?", p)) for p in paths]


def external_references(svg: str) -> list[str]:
    body = re.sub(r'\sxmlns(:\w+)?="[^"]*"', "", svg)
    return re.findall(r"https?://[^\s\"'<>)]+", body) + re.findall(r"//[\w.-]+\.\w+/", body)


# -- in_range and thin -----------------------------------------------------------------------


@pytest.mark.parametrize("key, first_age", [("30d", 30), ("90d", 90), ("1y", 365), ("all", 499)])
def test_in_range_keeps_the_days_of_the_range(key, first_age):
    shown = charts.in_range(days(500), key, TODAY)
    assert shown[0]["date"] == (TODAY - timedelta(days=first_age)).isoformat()
    assert shown[-1]["date"] == TODAY.isoformat()


def test_an_unknown_range_is_the_default_range():
    assert charts.in_range(days(500), "5y", TODAY) == charts.in_range(days(500), "90d", TODAY)


@pytest.mark.parametrize("count", [0, 1, 2, 239, 240, 241, 1000, 3653])
def test_thin_keeps_at_most_240_readings_first_and_last_included(count):
    daily = days(count)
    drawn = charts.thin(daily)
    assert len(drawn) == min(count, charts.MAX_POINTS)
    if count:
        assert drawn[0] is daily[0] and drawn[-1] is daily[-1]
    dates = [r["date"] for r in drawn]
    assert dates == sorted(set(dates)), "in order, none twice"


# -- every chart: valid, self-contained, one axis, small -------------------------------------


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("key", list(charts.RANGES))
@pytest.mark.parametrize("width", [None, "360"])
def test_every_chart_is_a_valid_svg_without_script_or_external_urls(name, key, width):
    svg = draw(name, days(800), key, width=width)
    assert svg_root(svg).tag == "{http://www.w3.org/2000/svg}svg"
    assert "<script" not in svg.lower() and "<!--" not in svg
    assert not re.search(r"\son\w+\s*=", svg), "no event handler attributes"
    assert external_references(svg) == []


@pytest.mark.parametrize("name", NAMES)
def test_every_chart_has_exactly_one_y_axis(name):
    svg = draw(name, days(120), "90d")
    assert len(re.findall(r'class="axis y[ "]', svg)) == 1
    assert "axis y2" not in svg and "secondary" not in svg


@pytest.mark.parametrize("name", NAMES)
def test_a_ten_year_chart_is_small_and_has_no_dot_per_point(name):
    svg = draw(name, climb(3653), "all", {"goal_score": 70})
    assert len(svg.encode()) < 60_000, f"{len(svg.encode())} bytes"
    assert "<circle" not in svg and 'class="dots"' not in svg
    assert all(0 < n <= charts.MAX_POINTS for n in line_vertex_counts(svg))


def test_the_ssi_axis_is_0_to_100_and_the_pillars_share_one_0_to_25_axis():
    assert [t for t, _ in y_labels(draw("ssi", days(60)))] == ["100", "80", "60", "40", "20", "0"]
    pillars = draw("pillars", days(60))
    assert [t for t, _ in y_labels(pillars)] == ["25", "20", "15", "10", "5", "0"]
    assert set(legend(pillars)) == {"Brand", "People", "Insights", "Relationships"}
    assert line_vertex_counts(pillars) == [60] * 4


def test_the_ranks_axis_is_fitted_to_the_ranks_and_better_is_higher():
    daily = [
        row(TODAY - timedelta(days=n), industry_rank=12 + n % 3, network_rank=18)
        for n in range(30, -1, -1)
    ]
    labels = y_labels(draw("ranks", daily))
    texts = [t for t, _ in labels]
    assert texts[0] == "Top 10%" and texts[-1] == "Top 20%", "Top 10% at the top, fitted to 12-18"
    assert "Top 100%" not in texts and "Top 50%" not in texts
    assert set(legend(draw("ranks", daily))) == {"Industry rank", "Network rank"}


@pytest.mark.parametrize(
    "values, ticks",
    [([1, 3], [1, 2, 3, 4]), ([40, 40], [39, 40, 41]), ([5, 95], [20, 40, 60, 80, 100])],
)
def test_rank_ticks_are_round_and_cover_the_ranks(values, ticks):
    (bottom, top), labels = charts.rank_scale(values)
    assert labels == ticks and bottom <= min(values) and top >= max(values)


def test_each_series_keeps_its_colour_in_every_range_and_chart():
    daily = with_jump(climb(400), TODAY - timedelta(days=10))
    expected = {
        "SSI": COLOURS["total"], "Brand": COLOURS["brand"], "People": COLOURS["people"],
        "Insights": COLOURS["insights"], "Relationships": COLOURS["relationships"],
        "Industry average (30)": COLOURS["industry_avg"], "Network average (33)": COLOURS["network_avg"],
        "Your goal (70)": COLOURS["goal"], MARKER: COLOURS["recalibration"],
        "Industry rank": COLOURS["industry_rank"], "Network rank": COLOURS["network_rank"],
    }  # fmt: skip
    seen = {}
    for key in charts.RANGES:
        for settings in ({}, {"goal_score": 70}):
            for name in NAMES:
                for label, colour in legend(draw(name, daily, key, settings)).items():
                    seen.setdefault(label, set()).add(colour)
    assert seen == {label: {colour} for label, colour in expected.items()}
    assert len(set(COLOURS.values())) == len(COLOURS), "no two series share a colour"


# -- reference lines -------------------------------------------------------------------------


def test_the_goal_is_a_line_when_set_and_absent_otherwise():
    assert "Your goal" not in draw("ssi", days(60))
    svg = draw("ssi", days(60), settings={"goal_score": 72.5})
    assert "Your goal (72.5)" in svg
    assert sorted(line_vertex_counts(svg)) == [2, 60, 60, 60], "goal: one straight segment"


def test_the_averages_are_lines_when_known_and_absent_when_not():
    known = draw("ssi", days(60))
    assert "Industry average (30)" in known and "Network average (33)" in known
    unknown = [row(r["date"], r["total"], industry_avg=None, network_avg=None) for r in days(60)]
    svg = draw("ssi", unknown)
    assert "average" not in svg and line_vertex_counts(svg) == [60]


def test_an_average_named_in_the_legend_is_its_latest_value():
    daily = days(60)
    daily[-1] = {**daily[-1], "industry_avg": 28.4}
    assert "Industry average (28.4)" in draw("ssi", daily)


# -- recalibration marks -----------------------------------------------------------------------


def marks(svg: str) -> int:
    return svg.count("<circle")


def test_a_steady_climb_has_no_recalibration_mark_however_long():
    for count, per_day in ((3653, 0.005), (400, 0.05), (60, 0.002)):
        svg = draw("ssi", climb(count, per_day))
        assert MARKER not in svg and marks(svg) == 0


def test_a_jump_of_at_least_the_setting_is_marked_once():
    daily = with_jump(climb(60), TODAY - timedelta(days=10), by=-2.5)
    svg = draw("ssi", daily, "30d")
    assert MARKER in svg and marks(svg) == 1
    assert f"{(TODAY - timedelta(days=10)).day} May 2026" in svg


def test_a_jump_below_the_setting_is_not_marked():
    daily = with_jump(climb(60), TODAY - timedelta(days=10), by=1.5)
    assert marks(draw("ssi", daily, "30d")) == 0
    assert marks(draw("ssi", daily, "30d", {"recalibration_points": 1.0})) == 1


def test_a_jump_outside_the_range_is_not_marked():
    daily = with_jump(climb(200), TODAY - timedelta(days=60))
    assert MARKER not in draw("ssi", daily, "30d")
    assert MARKER in draw("ssi", daily, "90d")


def test_a_jump_dropped_by_thinning_is_still_marked():
    daily = climb(3653)
    drawn = {r["date"] for r in charts.thin(daily)}
    day = next(
        d for n in range(100, 3000) if (d := TODAY - timedelta(days=n)).isoformat() not in drawn
    )
    assert marks(draw("ssi", with_jump(daily, day))) == 1


# -- date labels -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, width, expected",
    [
        ("all", None, ["2018", "2020", "2022", "2024", "2026"]),
        ("30d", None, ["20 Apr", "27 Apr", "4 May", "11 May", "18 May"]),
        ("1y", None, ["Jul 2025", "Sep", "Nov", "Jan 2026", "Mar", "May"]),
        ("all", "360", ["2020", "2025"]),
    ],
)
def test_date_labels_are_calendar_ticks_evenly_spaced(key, width, expected):
    assert x_labels(draw("ssi", days(3653), key, width=width)) == expected


@pytest.mark.parametrize("span", [1, 5, 13, 40, 100, 400, 1500, 3653, 9000])
@pytest.mark.parametrize("most", [4, 8])
def test_date_ticks_are_few_within_the_days_drawn_and_evenly_spaced(span, most):
    first = TODAY - timedelta(days=span)
    ticks = [t["value"] for t in date_ticks(first, TODAY, most)]
    assert 1 <= len(ticks) <= most and first <= ticks[0] and ticks[-1] <= TODAY
    gaps = {(b - a).days for a, b in zip(ticks, ticks[1:], strict=False)}
    assert max(gaps, default=0) - min(gaps, default=0) <= 3, "months differ by 3 days at most"


# -- empty states ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "daily, words",
    [
        ([], "No readings in this range."),
        (days(10, end=TODAY - timedelta(days=60)), "No readings in this range."),
        (days(1), "The line starts with your second visit."),
        (days(10, end=TODAY - timedelta(days=30)), "One reading in this range"),
    ],
    ids=["no readings", "none in range", "one reading", "one in range"],
)
def test_too_few_readings_draw_a_message_not_an_empty_grid(name, daily, words):
    svg = draw(name, daily, "30d")
    svg_root(svg)
    assert words in svg
    assert "1970" not in svg and 'class="axis' not in svg and line_vertex_counts(svg) == []


def test_a_ranks_chart_without_any_rank_says_so():
    daily = [row(TODAY - timedelta(days=n), industry_rank=None, network_rank=None) for n in (2, 1)]
    assert "No ranks in this range." in draw("ranks", daily, "30d")


# -- the cache ---------------------------------------------------------------------------------


def test_a_changed_reading_draws_a_new_chart_with_the_same_number_of_days():
    daily = days(60)
    first = charts.draw("ssi", daily, "all", TODAY, SETTINGS)
    assert charts.draw("ssi", daily, "all", TODAY, SETTINGS) == first
    changed = [*daily[:-1], {**daily[-1], "industry_avg": 12.5}]
    assert "Industry average (12.5)" in charts.draw("ssi", changed, "all", TODAY, SETTINGS)
    assert "Your goal (80)" in charts.draw(
        "ssi", daily, "all", TODAY, {**SETTINGS, "goal_score": 80}
    )


# -- text alternatives -------------------------------------------------------------------------


def alt(name, daily, key="all", settings=None):
    return charts.text_alternative(name, daily, key, TODAY, {**SETTINGS, **(settings or {})})


def test_the_ssi_alternative_says_what_the_chart_shows():
    daily = [
        row(TODAY - timedelta(days=n), 50 + n % 7, industry_avg=28.4) for n in range(20, -1, -1)
    ]
    text = alt("ssi", daily, settings={"goal_score": 70})
    # 56 on 30 Apr, one point less each day to 50, then back to 56 overnight (a jump: the
    # pillars all rise, the ranks hold): twice in three weeks.
    assert text == (
        "SSI from 56 on 30 Apr 2026 to 50 on 20 May 2026, highest 56 on 30 Apr 2026, "
        "lowest 50 on 6 May 2026; industry average 28.4; network average 33; your goal 70; "
        "2 days marked as a likely LinkedIn recalibration (7 May 2026, 14 May 2026)."
    )


def test_the_ssi_alternative_names_the_last_recalibrations_with_a_count():
    daily = climb(100)
    for n in (80, 60, 40, 20):
        daily = with_jump(daily, TODAY - timedelta(days=n), by=3)
    text = alt("ssi", daily)
    assert text.endswith(
        "; 4 days marked as a likely LinkedIn recalibration "
        "(the last 3: 21 Mar 2026, 10 Apr 2026, 30 Apr 2026)."
    )
    assert not re.search(r"\b1 Mar 2026", text), "the first of the four is only counted"


def test_the_pillars_and_ranks_alternatives():
    daily = [
        row(
            TODAY - timedelta(days=n),
            brand=10 + (30 - n) / 10,
            people=5,
            insights=6,
            relationships=7,
            industry_rank=20 - (30 - n) // 10,
            network_rank=25,
        )
        for n in range(30, -1, -1)
    ]
    assert alt("pillars", daily, "30d") == (
        "Pillars out of 25 each, from 20 Apr 2026 to 20 May 2026: "
        "Brand 10 to 13, People 5 to 5, Insights 6 to 6, Relationships 7 to 7."
    )
    assert alt("ranks", daily, "30d") == (
        "Industry rank from Top 20% on 20 Apr 2026 to Top 17% on 20 May 2026, best Top 17% on 20 May 2026; "
        "network rank from Top 25% on 20 Apr 2026 to Top 25% on 20 May 2026, best Top 25% on 20 Apr 2026; "
        "better ranks are drawn higher."
    )


@pytest.mark.parametrize(
    "daily, name, text",
    [
        ([], "ssi", "No readings yet."),
        (days(5, end=TODAY - timedelta(days=60)), "pillars", "No readings in this range."),
        (
            days(1),
            "ssi",
            "Your first reading: SSI 40 on 20 May 2026. The lines start with your second visit.",
        ),
        (
            [row(TODAY, industry_rank=None, network_rank=None)] * 1,
            "ranks",
            "No ranks in this range.",
        ),
    ],
)
def test_alternatives_with_too_few_readings(daily, name, text):
    assert alt(name, daily, "30d") == text
