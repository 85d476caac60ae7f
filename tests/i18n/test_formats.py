"""Dates, numbers, changes, ranks and lists as each language writes them; exports stay neutral.

The expected texts are written out (Babel's CLDR data, as a reader of each language expects
them), not computed with the code under test. Exports are files other programs read: whatever
the language, "61.23" and ISO 8601 dates, on every path out (the module, the web's /export,
the CLI's `export`).
"""

import json
import re
from datetime import date, datetime

import pytest

from companion import config, i18n, store
from companion.history import wording
from companion.ingest.exports import EXPORT_COLUMNS, export_csv, export_json
from companion.ingest.imports import import_file
from companion.store import preferences
from tests.builders import EXPORT_HEADER, reading, write_csv
from tests.conftest import DATA
from tests.helpers_process import cli, ok
from tests.i18n.expected import translated

NBSP, NNBSP, MINUS = "\u00a0", "\u202f", "\u2212"
DAY = date(2026, 11, 10)
MOMENT = "2026-11-10T09:30:00+01:00"

FORMATS = {
    # language: (day, time of MOMENT, 61.23, 1234.5, 1,234,567, -2.5, 23 percent, "A, B and C")
    "en": ("10 Nov 2026", "09:30", "61.23", "1,234.5", "1,234,567", "−2.5", "23%", "A, B and C"),
    "it": ("10 nov 2026", "09:30", "61,23", "1.234,5", "1.234.567", "−2,5", "23%", "A, B e C"),
    "pt": (
        "10 de nov. de 2026", "09:30", "61,23", "1.234,5", "1.234.567", "−2,5", "23%", "A, B e C"
    ),
    "de": ("10.11.2026", "09:30", "61,23", "1.234,5", "1.234.567", "−2,5", f"23{NBSP}%",
           "A, B und C"),
    "fr": ("10 nov. 2026", "09:30", "61,23", f"1{NNBSP}234,5", f"1{NNBSP}234{NNBSP}567", "−2,5",
           f"23{NBSP}%", "A, B et C"),
    "es": ("10 nov 2026", "9:30", "61,23", "1.234,5", "1.234.567", "−2,5", f"23{NBSP}%",
           "A, B y C"),
}  # fmt: skip


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    i18n.activate(i18n.DEFAULT)


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_numbers_dates_and_lists_follow_the_language(language):
    day, _clock, total, decimal, grouped, fall, percent, three = FORMATS[language]
    with i18n.use(language):
        assert wording.day(DAY) == day
        assert wording.day(MOMENT) == day
        assert wording.number(61.23) == total
        assert wording.number(1234.5) == decimal
        assert wording.count(1234567) == grouped
        assert wording.number(-2.5) == fall
        assert wording.signed(-2.5) == fall
        assert wording.signed(2.0) == "+2" + ("." if language == "en" else ",") + "0"
        assert wording.signed(0.01) == "±0"
        assert wording.percent(23) == percent
        assert wording.listing(["A", "B", "C"]) == three
        assert wording.listing(["A"]) == "A"


def test_english_is_written_as_before():
    """English is what the pages and tests always said: no locale changed it."""
    assert wording.moment(MOMENT) == "10 Nov 2026 at 09:30"
    assert wording.rank(23) == "Top 23%"
    assert wording.signed(-1.46) == f"{MINUS}1.5"
    assert wording.signed(2.04, 2) == "+2.04"


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_a_moment_is_a_sentence_of_the_language(language):
    day, clock, *_ = FORMATS[language]
    sentence = translated(language, "%(day)s at %(time)s")
    if language != "en":
        assert sentence != "%(day)s at %(time)s", f"the {language} catalog lacks 'at'"
    with i18n.use(language):
        assert wording.moment(MOMENT) == sentence % {"day": day, "time": clock}


def linkedin_rank(language: str, percent: int) -> str:
    """A rank as LinkedIn's own page in `language` writes it (tests/data/current_<lang>.html)."""
    page = (DATA / f"current_{language}.html").read_text(encoding="utf-8")
    shown = re.search(r'class="group-ssi-score__rank[^"]*">([^<]+)<', page).group(1)
    return re.sub(r"\d+", str(percent), shown)


def spaced(text: str) -> str:
    return " ".join(text.split())  # "23\u00a0%" and "23 %" read the same


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_a_rank_is_written_as_linkedin_writes_it_in_the_language(language):
    """ "Tra i primi 23%", "Primeiros 23%", "Top 23 %": what the user's SSI page says."""
    not_shown = translated(language, "not shown")
    if language != "en":
        assert not_shown != "not shown", f"the {language} catalog lacks 'not shown'"
    with i18n.use(language):
        assert spaced(wording.rank(23)) == spaced(linkedin_rank(language, 23))
        assert wording.rank(23).endswith(FORMATS[language][6])
        assert wording.rank(None) == not_shown


# -- exports: the same in every language -------------------------------------------------------

ROW = reading(
    "2026-11-10T09:30:00+01:00", brand=15.5, people=15.25, insights=15.23, relationships=15.25
)


@pytest.fixture
def italian_db(home, tmp_path):
    """A data directory with one reading of 61.23 whose `language` preference is Italian."""
    db = store.connect(config.data_dir(home))
    result = import_file(db, write_csv(tmp_path / "one.csv", [ROW]))
    assert (result.refused, result.added) == (None, 1)
    preferences.set_value(db, "language", "it")
    return db


def assert_neutral_csv(text: str) -> None:
    lines = text.splitlines()
    assert lines[0] == EXPORT_HEADER
    assert lines[1].startswith("2026-11-10T09:30:00+01:00,61.23,61,15.5,15.25,15.23,15.25,")
    assert "61,23" not in text and "nov" not in text.lower()


def assert_neutral_json(text: str) -> None:
    (row,) = json.loads(text)["readings"]
    assert list(row) == list(EXPORT_COLUMNS)
    assert row["total"] == 61.23 and row["captured_at"] == "2026-11-10T09:30:00+01:00"
    assert datetime.fromisoformat(row["captured_at"])
    assert "61,23" not in text


def test_exports_are_locale_neutral_in_any_active_language(italian_db):
    rows = store.list_readings(italian_db)
    for language in i18n.LANGUAGES:
        with i18n.use(language):
            assert_neutral_csv(export_csv(rows))
            assert_neutral_json(export_json(rows))


def test_the_web_exports_are_locale_neutral_on_an_italian_page(italian_db, client):
    headers = {"Accept-Language": "it"}
    page = client.get("/", headers=headers)
    assert page.status_code == 200 and '<html lang="it">' in page.get_data(as_text=True)
    csv_response = client.get("/export.csv", headers=headers)
    assert csv_response.status_code == 200
    assert_neutral_csv(csv_response.get_data(as_text=True))
    json_response = client.get("/export.json", headers=headers)
    assert json_response.status_code == 200
    assert_neutral_json(json_response.get_data(as_text=True))


def test_the_cli_export_is_locale_neutral_in_italian(italian_db, home, monkeypatch):
    """`ssi-companion export` as a real process, language it and an Italian system locale."""
    monkeypatch.setenv("LANG", "it_IT.UTF-8")
    assert ok(cli(home, "settings", "get", "language")).stdout.strip() == "it"
    assert_neutral_csv(ok(cli(home, "export")).stdout)
    assert_neutral_json(ok(cli(home, "export", "--format", "json")).stdout)
