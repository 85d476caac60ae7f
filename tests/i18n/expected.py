"""What a text must read in a language: the catalog's translation of the sentences it is made of.

The tests never write Italian themselves: they take what the companion writes in English,
find the marked sentences (msgids) it is made of, and expect what the compiled catalog gives
for each (`companion.i18n.translations(lang)`), placeholders standing for any value (the
values are formatted for the language: "2,0", "10 nov 2026", a translated pillar name). A
language whose catalog has no translation of a sentence fails, as an English text would.
"""

import re
from functools import cache

from babel.messages.catalog import Message

from companion import i18n
from companion.i18n import maintain

OTHER_LANGUAGES = tuple(language for language in i18n.LANGUAGES if language != i18n.DEFAULT)
_PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]?\d*(?:\.\d+)?[diouxXeEfFgGcrs]|%%")
# A msgid with fewer letters than this outside its placeholders ("%(day)s at %(time)s") is
# too short to be recognised inside a longer text.
MIN_LETTERS = 5
# Numbers that reach every plural form of the six languages (0, one, few, many, other).
PLURAL_PROBES = (0, 1, 2, 3, 5, 11, 21, 101, 1_000_000)


@cache
def template():
    """Every sentence marked in the code now (maintain.extract(), as `make catalogs` reads it)."""
    return maintain.extract()


def translated(language: str, msgid: str) -> str:
    """The catalog's translation of `msgid`; the msgid itself where the catalog has none."""
    return i18n.translations(language).ugettext(msgid)


def pattern(text: str) -> str:
    """A regular expression for `text` formatted: each placeholder any value."""
    parts, last = [], 0
    for found in _PLACEHOLDER.finditer(text):
        parts.append(re.escape(text[last : found.start()]))
        parts.append("%" if found.group(0) == "%%" else "(.+?)")
        last = found.end()
    parts.append(re.escape(text[last:]))
    # Whole words only: "Ranks" is not found inside "Pranks".
    before = r"(?<!\w)" if re.match(r"\w", text) else ""
    after = r"(?!\w)" if re.search(r"\w$", text) else ""
    return before + "".join(parts) + after


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in _PLACEHOLDER.sub("", text))


def _words(text: str) -> str:
    """`text` without the placeholders it starts or ends with."""
    edge = rf"^(?:{_PLACEHOLDER.pattern})+|(?:{_PLACEHOLDER.pattern})+$"
    return re.sub(edge, "", text)


def english_forms(message: Message) -> tuple[str, ...]:
    return tuple(message.id) if message.pluralizable else (message.id,)


def forms_in(language: str, message: Message) -> set[str]:
    """Every form of `message` the catalog of `language` gives (one, or each plural form)."""
    catalog = i18n.translations(language)
    if message.pluralizable:
        singular, plural = message.id
        return {catalog.ungettext(singular, plural, n) for n in PLURAL_PROBES}
    return {catalog.ugettext(message.id)}


def sentences_of(english: str) -> list[Message]:
    """The marked messages `english` is made of, longest first; none inside another's match."""
    found = []
    for message in template():
        if not message.id:
            continue
        for form in english_forms(message):
            if _letters(form) < MIN_LETTERS:
                continue
            # Located by its words: a placeholder at either end would match from anywhere.
            hit = re.search(pattern(_words(form)), english)
            if hit and re.search(pattern(form), english):
                found.append((hit.span(), message))
                break
    kept = [
        (span, message)
        for span, message in found
        if not any(o != span and o[0] <= span[0] and span[1] <= o[1] for o, _ in found)
    ]
    return [message for _, message in sorted(kept, key=lambda item: item[0])]


def assert_written_in(language: str, english: str, shown: str, what: str) -> None:
    """`shown` is `english` as the catalog of `language` writes it, sentence by sentence."""
    messages = sentences_of(english)
    assert messages, (
        f"{what}: no sentence marked in the code reads {english!r}: "
        "is it marked for translation (_, ngettext, N_)?"
    )
    for message in messages:
        forms = forms_in(language, message)
        if language != i18n.DEFAULT:
            assert forms != set(english_forms(message)), (
                f"{what}: the {language} catalog has no translation of {message.id!r}"
            )
        assert any(re.search(pattern(form), shown) for form in forms), (
            f"{what} in {language}: {shown!r} does not say the catalog's translation of "
            f"{message.id!r}: {sorted(forms)}"
        )
    if language != i18n.DEFAULT:
        assert shown != english, f"{what} in {language} is the English text: {shown!r}"
