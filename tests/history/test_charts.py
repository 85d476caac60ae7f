"""The SVG charts (companion.history.charts): ranges, thinning, empty history, recalibration marks."""

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from companion.history import charts
from tests.builders import daily as row

TODAY = date(2026, 5, 20)
MARKER = "Likely LinkedIn recalibration"


def days(count: int, end: date = TODAY) -> list[dict]:
    """One reading a day for `count` days up to `end`; the total wobbles, the ranks too."""
    return [
        row(end - timedelta(days=n), 40.0 + (n % 5) / 2, industry_rank=20 + n % 2)
        for n in range(count - 1, -1, -1)
    ]


def with_recalibration(daily: list, day: date) -> list:
    """Every pillar falls on `day` while both ranks hold: what LinkedIn's recalibration looks like."""
    out = []
    for r in daily:
        if r["date"] == day.isoformat():
            before = out[-1]
            r = row(
                day,
                before["total"] - 4,
                industry_rank=before["industry_rank"],
                network_rank=before["network_rank"],
            )
        out.append(r)
    return out


def line_vertex_counts(svg: str) -> list[int]:
    paths = re.findall(r'<path d="(M[^"]+)" class="line reactive nofill"', svg)
    return [len(re.findall(r"-?\d+(?:\.\d+)? -?\d+(?:\.\d+)?", p)) for p in paths]


def external_references(svg: str) -> list[str]:
    """URLs the SVG would fetch: in attributes or CSS, not its namespace names or comments."""
    body = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    body = re.sub(r'\sxmlns(:\w+)?="[^"]*"', "", body)
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


def test_thin_spreads_evenly():
    drawn = charts.thin(days(2400))
    gaps = {
        (date.fromisoformat(b["date"]) - date.fromisoformat(a["date"])).days
        for a, b in zip(drawn, drawn[1:], strict=False)
    }
    assert gaps <= {10, 11}


# -- rendering -------------------------------------------------------------------------------


@pytest.mark.parametrize("draw", [charts.scores_chart, charts.ranks_chart])
@pytest.mark.parametrize("key", list(charts.RANGES))
def test_every_range_draws_a_valid_svg_without_script_or_external_urls(draw, key):
    svg = draw(days(800), key, TODAY)
    root = ET.fromstring(svg.encode())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "<script" not in svg.lower()
    assert not re.search(r"\son\w+\s*=", svg), "no event handler attributes"
    assert external_references(svg) == []


def test_scores_chart_draws_the_total_and_four_pillars_within_the_range():
    svg = charts.scores_chart(days(200), "30d", TODAY)
    for label in ("SSI", "Brand", "People", "Insights", "Relationships"):
        assert f">{label}<" in svg
    assert line_vertex_counts(svg) == [31] * 5


def test_ranks_chart_draws_both_ranks():
    svg = charts.ranks_chart(days(50), "30d", TODAY)
    assert "Industry rank" in svg and "Network rank" in svg
    assert line_vertex_counts(svg) == [31, 31]


def test_a_ten_year_history_draws_at_most_240_points_per_series():
    daily = days(3653)
    for svg in (charts.scores_chart(daily, "all", TODAY), charts.ranks_chart(daily, "all", TODAY)):
        counts = line_vertex_counts(svg)
        assert counts and all(n <= charts.MAX_POINTS for n in counts)


@pytest.mark.parametrize("draw", [charts.scores_chart, charts.ranks_chart])
@pytest.mark.parametrize(
    "daily",
    [[], days(10, end=TODAY - timedelta(days=60))],
    ids=["no readings", "none in range"],
)
def test_an_empty_history_draws_an_empty_chart_that_says_so(draw, daily):
    svg = draw(daily, "30d", TODAY)
    ET.fromstring(svg.encode())
    assert "No readings in this range" in svg
    assert line_vertex_counts(svg) == []
    assert "<script" not in svg


@pytest.mark.parametrize("draw", [charts.scores_chart, charts.ranks_chart])
def test_an_empty_chart_shows_no_made_up_date(draw):
    svg = draw([], "30d", TODAY)
    assert "1970" not in svg, "an empty chart labels an axis with the epoch"


def test_ranks_chart_without_any_rank_is_empty():
    daily = [row(TODAY - timedelta(days=n), industry_rank=None, network_rank=None) for n in (2, 1)]
    assert "No readings in this range" in charts.ranks_chart(daily, "30d", TODAY)


# -- recalibration marks ---------------------------------------------------------------------


def test_a_recalibration_day_in_range_is_marked():
    day = TODAY - timedelta(days=10)
    svg = charts.scores_chart(with_recalibration(days(60), day), "30d", TODAY)
    assert MARKER in svg
    marks = re.search(re.escape(MARKER) + r".*", svg, re.S)
    assert marks is not None
    assert day.isoformat() in svg


def test_a_recalibration_day_outside_the_range_is_not_marked():
    daily = with_recalibration(days(200), TODAY - timedelta(days=60))
    assert MARKER not in charts.scores_chart(daily, "30d", TODAY)
    assert MARKER in charts.scores_chart(daily, "90d", TODAY)


def test_no_mark_without_a_recalibration():
    assert MARKER not in charts.scores_chart(days(60), "all", TODAY)


def test_a_recalibration_day_dropped_by_thinning_is_still_marked():
    daily = days(3653)
    drawn = {r["date"] for r in charts.thin(daily)}
    day = next(
        TODAY - timedelta(days=n)
        for n in range(100, 3000)
        if (TODAY - timedelta(days=n)).isoformat() not in drawn
    )
    assert MARKER in charts.scores_chart(with_recalibration(daily, day), "all", TODAY)


@pytest.mark.parametrize("draw", [charts.scores_chart, charts.ranks_chart])
def test_the_svg_names_no_other_host_at_all(draw):
    # Not even in comments: only the XML namespace names may look like URLs.
    svg = draw(days(60), "30d", TODAY)
    body = re.sub(r'\sxmlns(:\w+)?="[^"]*"', "", svg)
    assert re.findall(r"https?://[^\s\"'<>]+", body) == []
