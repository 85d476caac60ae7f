"""Which language the companion speaks outside the pages: the `language` preference, and for
`auto` the system's locale as gettext reads it (LANGUAGE, LC_ALL, LC_MESSAGES, LANG)."""

import pytest

from companion import i18n
from tests.i18n.expected import OTHER_LANGUAGES, translated

LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture
def system(monkeypatch):
    """system(LANG="it_IT.UTF-8", ...): exactly these locale variables set, the others unset."""

    def set_locale(**variables):
        for name in LOCALE_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        for name, value in variables.items():
            monkeypatch.setenv(name, value)

    return set_locale


@pytest.fixture(autouse=True)
def english_afterwards():
    """A language activated here must not leak into the tests that run after these."""
    yield
    i18n.activate(i18n.DEFAULT)


@pytest.mark.parametrize(
    "variables, expected",
    [
        ({"LANG": "it_IT.UTF-8"}, "it"),
        ({"LANG": "pt_BR.UTF-8"}, "pt"),
        ({"LANG": "pt_PT.UTF-8"}, "pt"),
        ({"LANG": "de_DE.UTF-8"}, "de"),
        ({"LANG": "fr_CA.UTF-8"}, "fr"),
        ({"LANG": "es_MX"}, "es"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "C"}, "en"),
        ({"LANG": "POSIX"}, "en"),
        ({"LANG": "ja_JP"}, "en"),
        ({"LANG": "ja_JP.UTF-8"}, "en"),
        ({"LC_MESSAGES": "fr_FR.UTF-8", "LANG": "de_DE.UTF-8"}, "fr"),
        ({"LC_ALL": "es_ES.UTF-8", "LC_MESSAGES": "fr_FR.UTF-8", "LANG": "de_DE.UTF-8"}, "es"),
        ({"LANGUAGE": "it", "LC_ALL": "es_ES.UTF-8", "LANG": "de_DE.UTF-8"}, "it"),
        # LANGUAGE is a list of preferences: the first of the six in it.
        ({"LANGUAGE": "ja:de:en", "LANG": "fr_FR.UTF-8"}, "de"),
        ({"LANGUAGE": "pt_BR:pt", "LANG": "C.UTF-8"}, "pt"),
        # An empty variable is an unset one: the next is read.
        ({"LANGUAGE": "", "LC_ALL": "", "LANG": "de_DE.UTF-8"}, "de"),
        # The first variable set decides, even for a language outside the six.
        ({"LC_ALL": "ja_JP.UTF-8", "LANG": "de_DE.UTF-8"}, "en"),
    ],
    ids=lambda value: (
        ",".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else value
    ),
)
def test_auto_follows_the_system_locale(system, variables, expected):
    system(**variables)
    assert i18n.choose("auto") == expected
    assert i18n.system_language() == expected


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_a_chosen_language_wins_over_the_system(system, language):
    for lang in ("it_IT.UTF-8", "ja_JP.UTF-8", "C.UTF-8"):
        system(LANGUAGE=lang, LANG=lang)
        assert i18n.choose(language) == language


def test_the_tests_run_in_english():
    """tests/conftest.py: C.UTF-8, so no developer's locale changes what the tests see."""
    assert i18n.choose("auto") == "en"
    assert i18n.active() == "en"


def test_use_writes_in_a_language_then_restores_the_previous_one():
    i18n.activate("fr")
    with i18n.use("it"):
        assert i18n.active() == "it"
        with i18n.use("de"):
            assert i18n.active() == "de"
        assert i18n.active() == "it"
    assert i18n.active() == "fr"
    with pytest.raises(RuntimeError), i18n.use("es"):
        raise RuntimeError("a failure inside the block")
    assert i18n.active() == "fr"


@pytest.mark.parametrize("unknown", ["ja", "en_US", "", "Italian"])
def test_a_language_outside_the_six_is_english(unknown):
    with i18n.use(unknown):
        assert i18n.active() == "en"
    i18n.activate(unknown)
    assert i18n.active() == "en"


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_the_active_language_translates(language):
    """_() answers in the language `use` made active: its catalog's words, not English."""
    expected = translated(language, "Settings")
    assert expected != "Settings", f"the {language} catalog has no translation of 'Settings'"
    with i18n.use(language):
        assert i18n._("Settings") == expected
    assert i18n._("Settings") == "Settings"


@pytest.mark.parametrize("name", ["Italian_Italy", "Italian_Italy.1252", "it_IT", "it-IT"])
def test_windows_locale_names_count_as_their_language(name):
    assert i18n.language_of(name) == "it"


def test_auto_on_windows_follows_its_locale_name(system, monkeypatch):
    """Windows sets none of the variables: getlocale() gives ("Italian_Italy", "1252")."""
    system()
    monkeypatch.setattr(i18n.system_locale_module, "getlocale", lambda: ("Italian_Italy", "1252"))
    assert i18n.choose("auto") == "it"


@pytest.mark.parametrize(
    "accept, language",
    [("fr;q=0, de;q=0.5", "de"), ("it;q=0", "en"), ("pt;q=0.0, es", "es")],
)
def test_a_language_the_browser_refuses_is_not_chosen(app, accept, language):
    with app.test_request_context("/settings", headers={"Accept-Language": accept}):
        app.preprocess_request()
        assert i18n.active() == language


def test_the_api_answers_in_english_whatever_the_browser_asks(app):
    """Its messages are for the extension, which words what it shows in its own language."""
    with app.test_request_context("/api/v1/ping", headers={"Accept-Language": "it"}):
        app.preprocess_request()
        assert i18n.active() == "en"
    with app.test_request_context("/settings", headers={"Accept-Language": "it"}):
        app.preprocess_request()
        assert i18n.active() == "it"
