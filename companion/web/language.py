"""Which language a page is written in: the user's `language` preference, else the browser's.

Flask-Babel chooses (its `locale_selector`) and renders the templates' `_()` and `ngettext`;
the sentences and numbers the core writes (history/, reminders/) follow the same choice,
as this module activates it in companion.i18n for every request.
"""

from flask import g, request
from flask_babel import Babel, get_locale
from markupsafe import Markup

from companion import extension_sources, i18n
from companion.store import preferences
from companion.web.db import get_db


def preferred_language() -> str:
    """The `language` preference, read once a request ("auto" when it cannot be read)."""
    if "language_preference" not in g:
        try:
            g.language_preference = preferences.load(get_db())["language"]
        except Exception:  # a page that reports a damaged database still needs a language
            g.language_preference = "auto"
    return g.language_preference


def select_language() -> str:
    chosen = preferred_language()
    if chosen in i18n.LANGUAGES:
        return chosen
    # The browser's languages in the user's order of preference (Accept-Language: "de-CH,
    # en;q=0.8" is German): the first of the six wins, a regional tag counting as its language.
    for tag, quality in request.accept_languages:
        if quality > 0 and i18n.language_of(tag):  # q=0 means "not this one"
            return i18n.language_of(tag)
    return i18n.DEFAULT


def _activate() -> None:
    # The API answers the extension in English whatever the browser asks for: its messages
    # and codes are for programs (the extension words them itself, in its own language).
    if request.blueprint == "api":
        i18n.activate(i18n.DEFAULT)
        return
    i18n.activate(str(get_locale()))


def _vary(response):
    # The same address reads differently for another Accept-Language.
    response.vary.add("Accept-Language")
    return response


def init_app(app) -> None:
    Babel(
        app,
        locale_selector=select_language,
        default_translation_directories=str(i18n.CATALOGS),
        default_domain=i18n.DOMAIN,
    )
    app.before_request(_activate)
    app.after_request(_vary)
    # A waitress thread serves one request after another: none inherits the last one's.
    app.teardown_request(lambda _exc: i18n.activate(i18n.DEFAULT))
    app.context_processor(
        lambda: {"page_language": str(get_locale()), "extension_button": _extension_button}
    )


def _extension_button(key: str) -> Markup:
    """The extension's own word for a button (popupOpenSummary...), in the page's language:
    the extension follows the same browser, so the page names what the user sees there."""
    word = extension_sources.extension_message(str(get_locale()), key)
    # translate="no": the extension's own label, which no page translation should change.
    return Markup('<span translate="no">{}</span>').format(word)
