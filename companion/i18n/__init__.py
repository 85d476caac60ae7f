"""The user's language: six catalogs, one active language per request, check or command. No Flask.

Sentences are marked where they are written: `_("...")` translates now, `N_("...")` only marks
a sentence defined at import time (a setting's label, a tip) so `pybabel extract` finds it,
and `_()` translates it where it is shown. `ngettext` is for counts ("1 day", "2 days").
Variables go in as `%(name)s`, as Flask-Babel does in the templates:
`_("Your SSI fell %(points)s points", points=...)`.

The web layer activates the page's language (Flask-Babel's choice) for each request; the
reminder check and the CLI activate the `language` preference, where `auto` is the system's.
English is the source language: it has no catalog, the sentences in the code are its words.
"""

import contextlib
import locale as system_locale_module
import os
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

# The order the settings page offers them in; "en" is also the fallback for anything else.
LANGUAGES = ("en", "it", "pt", "de", "fr", "es")
DEFAULT = "en"
# Each language in its own words, as a user looking for it would recognise it.
NATIVE_NAMES = {
    "en": "English",
    "it": "Italiano",
    "pt": "Português",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
}
CATALOGS = Path(__file__).with_name("catalogs")  # <lang>/LC_MESSAGES/messages.po and .mo
DOMAIN = "messages"

_active: ContextVar[str] = ContextVar("language", default=DEFAULT)


def N_(message: str) -> str:  # noqa: N802 (gettext's own name for "mark, don't translate")
    """Marks `message` for the catalogs; `_()` translates it where it is shown."""
    return message


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalog of `language` (English, the source language, needs none)."""
    if language == DEFAULT or language not in LANGUAGES:
        return NullTranslations()
    return Translations.load(str(CATALOGS), [language], DOMAIN)


def active() -> str:
    """The language sentences and numbers are being written in now."""
    return _active.get()


def activate(language: str) -> None:
    """Make `language` (one of LANGUAGES, else English) the active one in this context."""
    _active.set(language if language in LANGUAGES else DEFAULT)


@contextlib.contextmanager
def use(language: str):
    """Write in `language` inside the block, then go back to what was active before."""
    token = _active.set(language if language in LANGUAGES else DEFAULT)
    try:
        yield
    finally:
        _active.reset(token)


def gettext(message: str, /, **variables) -> str:
    text = translations(active()).ugettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, /, **variables) -> str:
    """`num` is also a variable (`%(num)d`), unless the caller passes it formatted."""
    variables.setdefault("num", num)
    return translations(active()).ungettext(singular, plural, num) % variables


_ = gettext


# Windows names its locales in English words: getlocale() gives ("Italian_Italy", "1252").
_WINDOWS_NAMES = {"english": "en", "italian": "it", "portuguese": "pt", "german": "de",
                  "french": "fr", "spanish": "es"}  # fmt: skip


def language_of(tag: str | None) -> str | None:
    """The language of a locale name ("it_IT.UTF-8", "pt-BR", "de", Windows' "Italian_Italy"),
    if it is one of the six."""
    if not tag:
        return None
    code = tag.replace("-", "_").split("_")[0].split(".")[0].lower()
    code = _WINDOWS_NAMES.get(code, code)
    return code if code in LANGUAGES else None


def system_language() -> str:
    """The system's language, as gettext reads it: LANGUAGE, LC_ALL, LC_MESSAGES, LANG.

    A locale outside the six ("C", "ja_JP") means English; on Windows and macOS, where these
    are often unset, the locale the process was given.
    """
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            # LANGUAGE is a list of preferences ("it:en"); "C" and "POSIX" mean no language.
            for tag in value.split(":"):
                if language_of(tag):
                    return language_of(tag)
            return DEFAULT
    with contextlib.suppress(ValueError, TypeError):
        return language_of(system_locale_module.getlocale()[0]) or DEFAULT
    return DEFAULT


def choose(preference: str | None) -> str:
    """The language the `language` preference stands for where no browser says one."""
    return preference if preference in LANGUAGES else system_language()
