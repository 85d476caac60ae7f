"""A pseudo-translation of every marked sentence, made at test time from the code itself.

Each msgstr is its English with accented letters, in brackets and about 40% longer:
"Settings" -> "[Šéţţîñĝš ~~~~]". Placeholders (%(points)s, %%), HTML tags and entities stay
as they are, so every sentence still formats. A page written with it shows at a glance what
went through the catalog (bracketed, accented) and what did not (plain English), and whether
the layout takes longer words. The tests of the catalog check use it as a complete catalog.

`bracketed` is the other stand-in, for tests that need no catalog file: while it is active
every sentence that goes through _() or ngettext() comes out between ⟦ and ⟧, so a text with
a word left outside the brackets was glued on in the code, never offered to translators.
"""

import contextlib
import math
import re
from pathlib import Path

from babel.messages.catalog import PYTHON_FORMAT, Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po
from babel.support import NullTranslations

from companion import i18n
from companion.i18n import DOMAIN

_PLAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ACCENTED = "áƀçđéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÁƁÇĐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ"
ACCENTS = str.maketrans(_PLAIN, _ACCENTED)
# Kept exactly: Python placeholders (as Babel's checker reads them), tags, entities.
_KEPT = re.compile(rf"(?x:{PYTHON_FORMAT.pattern})|<[^>]*>|&#?\w+;")
# The padding comes in short words, as real languages have them: a 40-character run of "~"
# would overflow a phone where no translation would.
_PAD_WORD = 6
OPEN, CLOSE = "[", "]"


def pseudo(text: str) -> str:
    """`text` accented, bracketed and about 40% longer, its placeholders intact."""
    if not text:
        return text
    parts, last, words = [], 0, 0
    for kept in _KEPT.finditer(text):
        parts.append(text[last : kept.start()].translate(ACCENTS))
        parts.append(kept.group(0))
        words += kept.start() - last
        last = kept.end()
    parts.append(text[last:].translate(ACCENTS))
    words += len(text) - last
    # Longer by 40% of the words only: a translation lengthens the words, not the values
    # that fill the placeholders (a date, a number).
    extra = max(2, math.ceil(0.4 * words))
    pad = " ".join("~" * min(_PAD_WORD, extra - i) for i in range(0, extra, _PAD_WORD))
    return f"{OPEN}{''.join(parts)} {pad}{CLOSE}"


def pseudo_catalog(language: str, template: Catalog) -> Catalog:
    """Every message of `template` (maintain.extract()) pseudo-translated for `language`."""
    catalog = Catalog(locale=language, domain=DOMAIN, project="SSI Companion", fuzzy=False)
    for message in template:
        if not message.id:
            continue
        if message.pluralizable:
            singular, plural = message.id
            string = (pseudo(singular), *[pseudo(plural)] * (catalog.num_plurals - 1))
        else:
            string = pseudo(message.id)
        catalog.add(
            message.id,
            string,
            locations=message.locations,
            flags=message.flags - {"fuzzy"},
            auto_comments=message.auto_comments,
            context=message.context,
        )
    return catalog


def write_catalog(catalog: Catalog, folder: Path) -> Path:
    """`catalog` as folder/<lang>/LC_MESSAGES/messages.po and its compiled .mo; the .po."""
    target = Path(folder) / str(catalog.locale) / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    po_path = target / f"{DOMAIN}.po"
    with po_path.open("wb") as po:
        write_po(po, catalog)
    with po_path.with_suffix(".mo").open("wb") as mo:
        write_mo(mo, catalog)
    return po_path


# -- the runtime stand-in: ⟦every sentence⟧ -------------------------------------------------

BRACKETED = re.compile(r"⟦[^⟦⟧]*⟧")


class Bracketed(NullTranslations):
    def ugettext(self, message):
        return f"⟦{message}⟧"

    def ungettext(self, singular, plural, n):
        return f"⟦{singular if n == 1 else plural}⟧"


@contextlib.contextmanager
def bracketed(monkeypatch, language: str = "it"):
    """Inside the block `language` is active and translated into ⟦...⟧; English stays as is."""
    pseudo = Bracketed()
    monkeypatch.setattr(
        i18n, "translations", lambda code: pseudo if code == language else NullTranslations()
    )
    with i18n.use(language):
        yield


def outside(text: str) -> str:
    """What is left of `text` once every bracketed sentence (nested ones too) is taken out."""
    previous = None
    while previous != text:
        previous, text = text, BRACKETED.sub("", text)
    return text


def assert_translated(text: str) -> None:
    """Every word of `text` came from a marked sentence (or a value placed into one)."""
    assert text.startswith("⟦"), text
    left = outside(text)
    assert not re.search(r"[^\W\d_]", left), f"not offered to translators: {left!r} in {text!r}"
