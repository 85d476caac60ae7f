"""Cut a captured page down to the parts that can hold SSI data, before BeautifulSoup reads it.

A saved page is mostly feed, navigation and messaging markup. BeautifulSoup builds Python
objects for every node it keeps, which on a 400 KB page costs many times the C parse. lxml finds
the interesting elements in C; BeautifulSoup then reads only those (see `make bench`).
"""

import re
from html import escape

import lxml.etree
import lxml.html

# Elements worth keeping, by tag: the pillar bars, the 2021 page's embedded JSON, the title,
# and the password field that gives a sign-in page away.
_TAGS = ("progress", "code", "title", "input")
# ... and by a word in their class or id: anything named after the SSI ("ssi" as a word of its
# own: "user-ssi-score", never "sessions" or "classic"), loading skeletons.
_SSI_WORDS = ("ssi-", "-ssi", "ssi_", "_ssi")
_CLASS_WORDS = (*_SSI_WORDS, "sub-score", "skeleton", "ghost")
_ID_WORDS = (*_SSI_WORDS, "sub-score")
# Unicode strings that declare an encoding make lxml refuse them; the declaration is moot.
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>", re.IGNORECASE)


def _xpath(page: str) -> lxml.etree.XPath:
    paths = [f"//{tag}" for tag in _TAGS]
    # Visiting attribute nodes (//@class) is several times faster than testing every element
    # (//*[contains(@class, ...)]); and a word the page lacks costs nothing when left out.
    for attribute, words in (("class", _CLASS_WORDS), ("id", _ID_WORDS)):
        tests = [f"contains(., '{w}')" for w in words if w in page]
        if tests:
            paths.append(f"//@{attribute}[{' or '.join(tests)}]/..")
    # A union answers in document order, which the small document must keep.
    return lxml.etree.XPath(" | ".join(paths))


def _outermost(elements: list) -> list:
    chosen = set(elements)
    return [el for el in elements if not any(a in chosen for a in el.iterancestors())]


def ssi_region(page: str) -> str | None:
    """The interesting elements of `page` as one small document, or None if lxml cannot read it.

    Elements are kept whole and in page order, so ancestry inside each one (a caption inside
    `.user-ssi-score`, a value inside `<progress>`) is what the page had.
    """
    try:
        root = lxml.html.document_fromstring(_XML_DECLARATION.sub("", page, count=1))
    except (lxml.etree.ParserError, ValueError):
        return None
    found = _xpath(page)(root)
    parts = [
        lxml.html.tostring(el, encoding="unicode", with_tail=False) for el in _outermost(found)
    ]
    lang = root.get("lang") or ""
    lang_attr = f' lang="{escape(lang)}"' if lang else ""
    return f"<html{lang_attr}><body>{''.join(parts)}</body></html>"
