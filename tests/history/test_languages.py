"""The history's texts in another language: the summary's sentences, the tips, the reasons a
capture failed, the charts' titles, legends, empty states and text alternatives. Each is
offered to translators whole, and numbers and dates follow the language (see pseudo.py)."""

import re
from datetime import date, timedelta

import pytest

from companion import i18n
from companion.history import charts, refusals
from companion.history.summary import freshness, summarize
from companion.history.tips import TIPS, tip, tips
from companion.parse import validation
from companion.reading import PILLAR_NAMES, PILLARS, pillar_name
from tests.builders import daily as row
from tests.i18n.pseudo import assert_translated, bracketed

TODAY = date(2026, 5, 20)
SETTINGS = {"goal_score": 70.0, "recalibration_points": 2.0, "goal_date": None}


def days(count: int, end: date = TODAY) -> list[dict]:
    return [
        row(end - timedelta(days=n), 40.0 + (n % 5) / 2, industry_rank=20 + n % 2)
        for n in range(count - 1, -1, -1)
    ]


def jumped(daily: list, on: date, by: float = 4.0) -> list:
    """Every pillar moves by by/4 on `on` (and after) while both ranks hold: a recalibration."""
    out, moved = [], False
    for r in daily:
        moved = moved or r["date"] == on.isoformat()
        out.append(
            row(r["date"], r["total"] + by, industry_rank=r["industry_rank"]) if moved else r
        )
    return out


def test_english_is_the_source_language_and_needs_no_catalog():
    assert tip("brand") == TIPS["brand"][0]
    assert tips("people") == TIPS["people"]
    assert pillar_name("people") == PILLAR_NAMES["people"] == "Find the right people"


def test_the_pillar_names_and_tips_are_translated_where_shown(monkeypatch):
    with bracketed(monkeypatch):
        for key in PILLARS:
            assert pillar_name(key) == f"⟦{PILLAR_NAMES[key]}⟧"
            assert all(t.startswith("⟦") for t in tips(key))
        assert tip("brand", 4) == f"⟦{TIPS['brand'][1]}⟧"
    assert pillar_name("brand") == PILLAR_NAMES["brand"], "back in English after the block"


@pytest.mark.parametrize("age", [0, 1, 2, 1000])
def test_freshness_is_one_sentence_with_the_count_in_the_language(monkeypatch, age):
    with bracketed(monkeypatch):
        said = freshness(TODAY - timedelta(days=age), TODAY)
    assert_translated(said)
    if age == 1000:
        assert "1.000 days ago" in said, "Italian groups thousands with a dot"


def test_the_summary_says_everything_in_the_language(monkeypatch):
    daily = [
        row(TODAY - timedelta(days=n), 40 + n / 10, industry="Software") for n in range(20, 0, -1)
    ]
    daily.append(row(TODAY, 42.0, industry="Computer Software"))
    with bracketed(monkeypatch):
        summary = summarize(daily, SETTINGS, TODAY)
    assert_translated(summary["freshness"])
    assert_translated(summary["industry_change"])
    assert "Computer Software" in summary["industry_change"], "LinkedIn's own names as they are"
    for pillar in summary["pillars"]:
        assert_translated(pillar.name)
    for advice in summary["advice"]:
        assert_translated(advice)


@pytest.mark.parametrize("code", [*refusals.EXPLANATIONS, "no such code"])
def test_each_failed_capture_is_explained_in_the_language(monkeypatch, code):
    with bracketed(monkeypatch):
        said = refusals.explain(code)
    assert_translated(said["label"])
    assert_translated(said["advice"])
    assert refusals.explain(validation.NOT_SSI_PAGE)["label"] == "Not the SSI page"


# -- the charts --------------------------------------------------------------------------------


def svg_texts(svg: str) -> list[str]:
    """Every text a chart shows (title, legends, notes, axis ticks) and its <title>."""
    return [t for t in re.findall(r">([^<>]+)</(?:text|title)>", svg) if t.strip()]


@pytest.mark.parametrize("name", list(charts.DRAWN))
def test_a_chart_writes_its_title_legends_and_ticks_in_the_language(monkeypatch, name):
    daily = jumped(days(120), TODAY - timedelta(days=10))
    with bracketed(monkeypatch):
        svg = charts.DRAWN[name](daily, "90d", TODAY, SETTINGS, None)
    texts = svg_texts(svg)
    words = [t for t in texts if re.search(r"[^\W\d_]", t)]
    # Letters are either a marked sentence, LinkedIn's "SSI", or Babel's Italian months.
    months = {"gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"}
    for text in words:
        if text == "SSI" or set(re.findall(r"[^\W\d_]+", text)) <= months:
            continue
        assert_translated(text)
    assert any(t.startswith("⟦") for t in texts), texts


@pytest.mark.parametrize("name", list(charts.DRAWN))
@pytest.mark.parametrize("count", [0, 1, 3])
def test_a_chart_with_too_few_readings_says_so_in_the_language(monkeypatch, name, count):
    daily = days(count, end=TODAY - timedelta(days=40)) if count == 3 else days(count)
    with bracketed(monkeypatch):
        svg = charts.DRAWN[name](daily, "30d", TODAY, SETTINGS, None)
        alt = charts.text_alternative(name, daily, "30d", TODAY, SETTINGS)
    for text in svg_texts(svg):
        assert_translated(text)
    assert_translated(alt)


@pytest.mark.parametrize("name", list(charts.DRAWN))
def test_a_chart_text_alternative_is_whole_sentences_in_the_language(monkeypatch, name):
    daily = [row(TODAY - timedelta(days=n), 40.0) for n in range(59, -1, -1)]
    for n in (40, 30, 20, 10):  # four recalibrations: the last three are named
        daily = jumped(daily, TODAY - timedelta(days=n))
    with bracketed(monkeypatch):
        alt = charts.text_alternative(name, daily, "all", TODAY, SETTINGS)
    assert_translated(alt)
    if name == "ssi":
        assert "⟦your goal 70⟧" in alt and "20 mag 2026" in alt, "Babel's Italian dates"
        assert "⟦4 days marked as a likely LinkedIn recalibration (the last 3: " in alt


def test_the_chart_cache_keeps_each_language_apart(monkeypatch):
    daily = days(60)
    english = charts.draw("ssi", daily, "all", TODAY, SETTINGS)
    with bracketed(monkeypatch):
        italian = charts.draw("ssi", daily, "all", TODAY, SETTINGS)
        assert charts.draw("ssi", daily, "all", TODAY, SETTINGS) == italian
    assert "⟦SSI (out of 100)⟧" in italian and "⟦" not in english
    assert charts.draw("ssi", daily, "all", TODAY, SETTINGS) == english
    assert i18n.active() == "en"


def test_a_long_translated_legend_gets_a_line_of_its_own_on_a_phone():
    from companion.history.charts_style import NARROW, WIDE, legend_columns

    assert legend_columns(["Industry rank", "Network rank"], NARROW) == 2
    assert legend_columns(["Posizione SSI nel settore", "Posizione SSI nella rete"], NARROW) == 1
    assert legend_columns(["Posizione SSI nel settore", "Posizione SSI nella rete"], WIDE) == 3
