"""The pages and the CLI name the extension's buttons as the extension shows them, in the same
language: both follow the user's browser, so "Open summary" on a page is the button's own text.
"""

import json

import pytest

from companion import i18n
from companion.doctor.activity import LOAD_AND_PAIR
from companion.extension_sources import extension_dir, extension_message

LANGUAGES = i18n.LANGUAGES


def extension_words(language: str) -> dict:
    path = extension_dir().joinpath("_locales", language, "messages.json")
    return {key: entry["message"] for key, entry in json.loads(path.read_text("utf-8")).items()}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_signed_out_page_names_the_extensions_own_button(anonymous, language):
    page = anonymous.get("/", headers={"Accept-Language": language}).get_data(as_text=True)
    button = extension_words(language)["popupOpenSummary"]
    assert f'<html lang="{language}">' in page
    assert f'<strong><span translate="no">{button}</span></strong>' in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_doctor_tells_to_press_the_pairing_button_as_the_extension_words_it(language):
    with i18n.use(language):
        advice = i18n._(LOAD_AND_PAIR)
    assert extension_words(language)["optionsPairButton"] in advice


def test_a_language_the_extension_lacks_gets_its_english_word():
    assert extension_message("ja", "popupOpenSummary") == extension_words("en")["popupOpenSummary"]
