"""The five catalogs are complete and current, and the check that says so can fail.

`maintain.problems()` is what `python -m companion.i18n.maintain check` (and CI) reports. The
first test runs it on the real catalogs. The others run it, with the real extraction of the
code, on a temporary catalog directory holding a complete (pseudo-translated) catalog for each
language, broken one way at a time: each kind of problem must be reported, naming the sentence.
"""

import shutil

import pytest
from babel.messages.pofile import write_po

from companion.i18n import maintain
from tests.i18n.pseudo import pseudo, pseudo_catalog, write_catalog

SHOWN_AT_MOST = 80


def test_every_catalog_is_complete_and_current():
    found = maintain.problems()
    listed = "\n".join(found[:SHOWN_AT_MOST])
    more = f"\n... and {len(found) - SHOWN_AT_MOST} more" if len(found) > SHOWN_AT_MOST else ""
    assert not found, (
        f"{len(found)} problem(s) in companion/i18n/catalogs "
        f"(python -m companion.i18n.maintain check):\n{listed}{more}"
    )


# -- the check itself, on a temporary copy ----------------------------------------------------


@pytest.fixture(scope="module")
def template():
    """The code's sentences, extracted once for the module (the code does not change here)."""
    return maintain.extract()


@pytest.fixture(scope="module")
def complete(tmp_path_factory, template):
    """A catalog directory where every language is complete (pseudo-translated)."""
    folder = tmp_path_factory.mktemp("complete-catalogs")
    for language in maintain.TRANSLATED:
        write_catalog(pseudo_catalog(language, template), folder)
    return folder


@pytest.fixture
def catalogs(complete, template, tmp_path, monkeypatch):
    """A copy of the complete catalogs, which problems() reads instead of the real ones."""
    folder = shutil.copytree(complete, tmp_path / "catalogs")
    monkeypatch.setattr(maintain, "CATALOGS", folder)
    monkeypatch.setattr(maintain, "extract", lambda: template)
    return folder


def italian():
    return maintain.read_catalog("it")


def save(catalog, compile_mo=True):
    """The Italian catalog as a translator leaves it: the .po, and the .mo if compiled."""
    path = maintain.po_path("it")
    if compile_mo:
        write_catalog(catalog, path.parents[2])
    else:
        with path.open("wb") as po:
            write_po(po, catalog)


def some_message(catalog, with_placeholder=False, plural=False):
    for message in catalog:
        if not message.id or message.pluralizable != plural:
            continue
        if with_placeholder and "%(" not in str(message.id):
            continue
        return message
    raise AssertionError("the code has no such sentence marked: the test cannot try the check")


def reported(needle: str, msgid) -> list[str]:
    return [line for line in maintain.problems() if needle in line and repr(msgid) in line]


def test_a_complete_catalog_has_no_problems(catalogs):
    """Without this, the tests below could pass on a check that reports everything."""
    assert maintain.problems() == []


def test_a_sentence_missing_from_a_catalog_is_reported(catalogs):
    catalog = italian()
    message = some_message(catalog)
    del catalog[message.id]
    save(catalog)
    assert reported("it: missing", message.id), maintain.problems()


def test_a_sentence_the_code_no_longer_has_is_reported(catalogs):
    catalog = italian()
    catalog.add("A sentence no code says any more", "Una frase che il codice non dice più")
    save(catalog)
    assert reported("it: no longer in the code", "A sentence no code says any more")


def test_an_empty_translation_is_reported(catalogs):
    catalog = italian()
    message = some_message(catalog)
    catalog[message.id].string = ""
    save(catalog)
    assert reported("it: untranslated", message.id), maintain.problems()


def test_a_plural_with_an_empty_form_is_reported(catalogs):
    catalog = italian()
    message = some_message(catalog, plural=True)
    forms = list(message.string)
    forms[-1] = ""
    message.string = tuple(forms)
    save(catalog)
    assert reported("it: untranslated", message.id), maintain.problems()


def test_a_fuzzy_translation_is_reported(catalogs):
    catalog = italian()
    message = some_message(catalog)
    message.flags.add("fuzzy")
    save(catalog)
    assert reported("it: fuzzy", message.id), maintain.problems()


def test_a_wrong_placeholder_is_reported(catalogs):
    """%(points)s written %(punti)s: the sentence would fail to format, or show nothing."""
    catalog = italian()
    message = some_message(catalog, with_placeholder=True)
    name = message.id[message.id.index("%(") + 2 : message.id.index(")")]
    message.string = message.string.replace(f"%({name})", "%(punti)", 1)
    save(catalog)
    found = reported("it: ", message.id)
    assert any("punti" in line for line in found), maintain.problems()


def test_a_translation_that_leaves_a_placeholder_out_is_reported(catalogs):
    """The number a sentence is about must not vanish: "fell %(points)s points" -> "fell"."""
    catalog = italian()
    message = some_message(catalog, with_placeholder=True)
    message.string = pseudo("no number here")
    save(catalog)
    assert reported("it: ", message.id), maintain.problems()


def test_a_catalog_edited_but_not_compiled_is_reported(catalogs):
    catalog = italian()
    message = some_message(catalog)
    message.string = pseudo("edited, not compiled")
    save(catalog, compile_mo=False)
    assert any(
        line.startswith("it: ") and "not compiled from its .po" in line
        for line in maintain.problems()
    ), maintain.problems()


def test_a_missing_compiled_catalog_is_reported(catalogs):
    maintain.po_path("it").with_suffix(".mo").unlink()
    assert any("it: messages.mo is not compiled" in line for line in maintain.problems())


def test_a_language_without_a_catalog_is_reported(catalogs):
    shutil.rmtree(catalogs / "pt")
    assert [line for line in maintain.problems() if line.startswith("pt: ")] == [
        f"pt: no catalog at {maintain.po_path('pt')}: run make catalogs"
    ]
