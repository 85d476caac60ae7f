"""The `language` setting, and the settings' words in the active language: labels, help,
refusals and notes offered to translators whole; what users type stays the same."""

from datetime import date

import pytest

from companion import i18n, store
from companion.cli import cli
from companion.store import preference_values as v
from companion.store import preferences
from companion.store.preferences import SETTINGS, SettingError, load, notes, parse_value
from companion.store.stored_language import stored_language
from tests.i18n.pseudo import assert_translated, bracketed

CHOICES = "auto, en, it, pt, de, fr, es"


@pytest.mark.parametrize("text", ["auto", *i18n.LANGUAGES])
def test_auto_and_each_of_the_six_languages_are_taken(text):
    assert parse_value("language", text) == text
    assert parse_value("language", f" {text.upper()} ") == text


def test_the_default_is_auto():
    assert SETTINGS["language"].default == "auto"
    assert SETTINGS["language"].label == "Language"


@pytest.mark.parametrize(
    "text, sentence",
    [
        ("xx", f"xx is not a language the companion speaks: use {CHOICES}."),
        ("italiano", f"italiano is not a language the companion speaks: use {CHOICES}."),
        ("pt-BR", f"pt-BR is not a language the companion speaks: use {CHOICES}."),
        ("", f"An empty value is not a language the companion speaks: use {CHOICES}."),
    ],
)
def test_another_language_is_refused_with_a_sentence(text, sentence):
    with pytest.raises(SettingError) as error:
        parse_value("language", text)
    assert error.value.message == sentence
    assert str(error.value) == f"language: {sentence}"


def test_the_language_is_stored_and_read_before_a_command_opens_the_database(tmp_path):
    db = store.connect(tmp_path)
    assert stored_language(tmp_path / "missing.db") == "auto"
    preferences.set_value(db, "language", "de")
    assert load(db)["language"] == "de"
    # While another connection has it open (a running serve: -wal and -shm exist)...
    assert stored_language(store.db_path(tmp_path)) == "de"
    db.close()
    # ...and once every connection is closed, read without creating a file.
    before = sorted(p.name for p in tmp_path.iterdir())
    assert stored_language(store.db_path(tmp_path)) == "de"
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_the_cli_sets_the_language(runner, home):
    # A command activates the stored language in the context it runs in, which under
    # CliRunner is the test's own: the block gives English back to the tests that follow.
    with i18n.use("en"):
        result = runner.invoke(cli, ["settings", "set", "language", "fr"])
        assert (result.exit_code, result.output) == (0, "language = fr\n")
        result = runner.invoke(cli, ["settings", "set", "language", "xx"])
        assert i18n.active() == "fr", "the next command speaks French"
    assert result.exit_code == 1
    # Refused in the language stored a moment before, as the user now reads everything.
    with i18n.use("fr"):
        refusal = i18n._("%(value)s is not a language the companion speaks: use %(choices)s.",
                         value="xx", choices=CHOICES)  # fmt: skip
    assert refusal.startswith("xx n’est pas")
    assert result.output == f"Error: language: {refusal}\n"


# -- the settings' words in another language ----------------------------------------------------


def test_every_label_and_help_is_translated_when_read(monkeypatch):
    english = {key: (s.label, s.help) for key, s in SETTINGS.items()}
    with bracketed(monkeypatch):
        for key, setting in SETTINGS.items():
            assert setting.label == f"⟦{english[key][0]}⟧"
            assert setting.help == (f"⟦{english[key][1]}⟧" if english[key][1] else "")
    assert SETTINGS["goal_score"].label == "Your target SSI", "English again after the block"


@pytest.mark.parametrize("key", list(SETTINGS))
def test_every_refusal_is_a_sentence_in_the_language(monkeypatch, key):
    with bracketed(monkeypatch), pytest.raises(SettingError) as error:
        parse_value(key, "x?y")
    assert_translated(error.value.message)


@pytest.mark.parametrize(
    "key, text",
    [
        ("stale_days", ""),
        ("stale_days", "7.5"),
        ("stale_days", "0"),
        ("drop_points", "0"),
        ("goal_score", "101"),
        ("retention_days", "0"),
        ("rank_points", "100"),
        ("check_times", ","),
        ("check_weekdays", ""),
        ("weekly_weekday", ""),
        ("quiet_hours", "22:00-22:00"),
        ("rule_goal", ""),
    ],
)
def test_each_kind_of_refusal_is_translated_whole(monkeypatch, key, text):
    with bracketed(monkeypatch), pytest.raises(SettingError) as error:
        parse_value(key, text)
    assert_translated(error.value.message)


def test_an_unknown_setting_and_a_past_goal_date_are_refused_in_the_language(monkeypatch, tmp_path):
    db = store.connect(tmp_path)
    with bracketed(monkeypatch):
        with pytest.raises(SettingError) as error:
            parse_value("colour", "red")
        assert_translated(error.value.message)
        with pytest.raises(preferences.SettingErrors) as errors:
            preferences.set_values(db, {"goal_date": "2026-01-01"}, date(2026, 12, 2))
        assert_translated(errors.value.errors["goal_date"])


def test_every_note_is_a_sentence_in_the_language(monkeypatch):
    values = {key: s.default for key, s in SETTINGS.items()}
    half = {**values, "weekly_weekday": "sat", "goal_score": 60.0}
    other_half = {**values, "goal_date": "2026-01-01"}
    with bracketed(monkeypatch):
        found = notes(half, date(2026, 12, 2)) + notes(other_half, date(2026, 12, 2))
    assert len(found) == 4
    for note in found:
        assert_translated(note.message)
    assert "sabato" in found[0].message, "the day's name in the language, from Babel"


# -- day names -----------------------------------------------------------------------------------


def test_day_names_follow_the_active_language():
    assert list(v.DAY_NAMES) == list(v.ENGLISH_DAY_NAMES)
    assert v.day_name("sat") == "Saturday"
    with i18n.use("it"):
        assert list(v.DAY_NAMES) == [
            "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica",
        ]  # fmt: skip
        assert v.DAY_NAMES[6] == "domenica" and len(v.DAY_NAMES) == 7
    with i18n.use("de"):
        assert v.day_name("mon") == "Montag"


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_the_typed_days_stay_the_same_in_every_language(language):
    with i18n.use(language):
        assert parse_value("check_weekdays", "mon,Tuesday,sun") == ["mon", "tue", "sun"]
        assert parse_value("weekly_weekday", "Friday") == "fri"
        assert parse_value("rule_goal", "off") is False
        assert parse_value("quiet_hours", "off") is None


def test_a_day_named_in_the_active_language_is_taken_too():
    with i18n.use("it"):
        assert parse_value("weekly_weekday", "Sabato") == "sat"
    with i18n.use("pt"):
        assert parse_value("check_weekdays", "segunda-feira, sábado") == ["mon", "sat"]
    with pytest.raises(SettingError):
        parse_value("weekly_weekday", "sabato")  # in English, an Italian name is not a day
