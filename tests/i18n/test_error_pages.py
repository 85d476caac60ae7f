"""A mistyped address or a refused form gets the companion's own page, in the user's
language, never Werkzeug's English one; an API error stays JSON, a foreign Host plain."""

import pytest

from companion import i18n

NOT_FOUND = "This page does not exist"


def heading(page: str) -> str:
    return page.split("<h1>", 1)[1].split("</h1>", 1)[0]


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_a_missing_page_says_so_in_the_browsers_language(anonymous, language):
    response = anonymous.get("/no-such-page", headers={"Accept-Language": language})
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert f'<html lang="{language}">' in page
    expected = i18n.translations(language).ugettext(NOT_FOUND)
    if language != "en":
        assert expected != NOT_FOUND, f"the {language} catalog lacks {NOT_FOUND!r}"
    assert heading(page) == expected
    assert "Not Found" not in page and "spelling" not in page


def test_a_wrong_method_gets_its_own_sentence(client):
    response = client.delete("/settings", headers={"Accept-Language": "de"})
    assert response.status_code == 405
    assert heading(response.get_data(as_text=True)) == i18n.translations("de").ugettext(
        "This address cannot be used that way"
    )


def test_a_refused_form_keeps_the_views_own_reason_in_the_language(client):
    response = client.post("/settings", data={}, headers={"Accept-Language": "it"})
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert heading(page) == i18n.translations("it").ugettext("The request was refused")
    assert "<p>" in page.split("</h1>", 1)[1]  # the reason the CSRF check gave


def test_the_api_and_a_foreign_host_get_no_page(client):
    api = client.get("/api/v1/no-such-route", headers={"Accept-Language": "it"})
    assert api.status_code == 404 and api.is_json
    foreign = client.get("/", headers={"Host": "evil.example"})
    assert foreign.status_code == 400 and "SSI Companion" not in foreign.get_data(as_text=True)
