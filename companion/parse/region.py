"""Cut a captured page down to the parts that can hold SSI data, before BeautifulSoup reads it.

A saved page is mostly feed, navigation and messaging markup. BeautifulSoup builds Python
objects for every node it keeps, which on a 400 KB page costs many times the C parse. lxml finds
the interesting elements in C; BeautifulSoup then reads only those (see `make bench`).

It is also where a hostile page is stopped. BeautifulSoup and the layouts work in Python, at
tens of microseconds an element, and libxml2's parent step (`/..`) is quadratic in the number
of nodes it starts from: 100,000 elements marked like the SSI page's took a minute. The real
page has fewer than 100 such elements and an SSI region of under 100 elements and 7 KB, so a
page far past that is refused here, in C time, with `TooComplex`.
"""

import re
from html import escape

import lxml.etree
import lxml.html

# Elements worth keeping, by tag: the pillar bars, the title,
# and the password field that gives a sign-in page away.
_TAGS = ("progress", "title", "input")
# ... and by a word in their class or id: anything named after the SSI ("ssi" as a word of its
# own: "user-ssi-score", never "sessions" or "classic"), loading skeletons.
_SSI_WORDS = ("ssi-", "-ssi", "ssi_", "_ssi")
_CLASS_WORDS = (*_SSI_WORDS, "sub-score", "skeleton", "ghost")
_ID_WORDS = (*_SSI_WORDS, "sub-score")
# Unicode strings that declare an encoding make lxml refuse them; the declaration is moot.
# All of a run of them: lxml refuses the next one just as well, and BeautifulSoup would then
# read the whole page in Python.
_XML_DECLARATION = re.compile(r"^(?:[\s\ufeff]*<\?xml[^>]*>)+", re.IGNORECASE)
# Only a <code> that holds the payload is worth keeping: a saved page has dozens of others,
# some of hundreds of KB. The payload may sit in a comment, which `.` (the text) leaves out.
_CODE = "//code[contains(., 'memberScore') or .//comment()[contains(., 'memberScore')]]"

# The real page, in every fixture and saved page seen: under 100 marked elements, an SSI region
# of under 100 elements and 7 KB. The limits leave room for a richer page, not for a hostile one.
MAX_MARKED = 1_000
MAX_REGION_ELEMENTS = 10_000
MAX_REGION_CHARS = 1_000_000


class TooComplex(ValueError):
    """The page is far beyond what the SSI page is; reading it would cost seconds or more."""


def _too_complex(what: str) -> TooComplex:
    return TooComplex(
        f"This page is far beyond what the SSI page is: {what}. It is not the SSI page, or "
        "not as LinkedIn shows it."
    )


def _marked_paths(page: str) -> tuple[list[str], list[str]]:
    """XPaths of the elements kept by tag, and of the attributes that mark the others."""
    tags = [f"//{tag}" for tag in _TAGS] + [_CODE]
    # Visiting attribute nodes (//@class) is several times faster than testing every element
    # (//*[contains(@class, ...)]); and a word the page lacks costs nothing when left out.
    attributes = []
    for attribute, words in (("class", _CLASS_WORDS), ("id", _ID_WORDS)):
        tests = [f"contains(., '{w}')" for w in words if w in page]
        if tests:
            attributes.append(f"//@{attribute}[{' or '.join(tests)}]")
    return tags, attributes


def _marked(root, page: str) -> list:
    """The elements worth keeping, in page order, or TooComplex when there are far too many."""
    tags, attributes = _marked_paths(page)
    elements = []
    # Each path on its own, and counted before anything else: one path is linear, while a
    # union or a parent step (/..) is quadratic in the nodes it holds.
    for path in tags + attributes:
        nodes = root.xpath(path)
        elements += [node.getparent() for node in nodes] if path in attributes else nodes
        if len(elements) > MAX_MARKED:
            raise _too_complex(
                f"over {MAX_MARKED:,} of its elements are marked like the SSI page's (the SSI "
                "page has under 100)"
            )
    # A node-set variable comes back in document order without repeats, which the small
    # document must keep.
    return root.xpath("$elements", elements=elements)


def _outermost(elements: list) -> list:
    chosen = set(elements)
    return [el for el in elements if not any(a in chosen for a in el.iterancestors())]


def _serialized(elements: list) -> list[str]:
    """Each element as HTML, as long as the whole stays within what is worth reading."""
    count = sum(int(el.xpath("count(descendant-or-self::*)")) for el in elements)
    if count > MAX_REGION_ELEMENTS:
        raise _too_complex(
            f"its SSI region holds {count:,} elements (at most {MAX_REGION_ELEMENTS:,} are read)"
        )
    parts, size = [], 0
    for el in elements:
        parts.append(lxml.html.tostring(el, encoding="unicode", with_tail=False))
        size += len(parts[-1])
        if size > MAX_REGION_CHARS:
            raise _too_complex(f"its SSI region is over {MAX_REGION_CHARS:,} characters long")
    return parts


def ssi_region(page: str) -> str | None:
    """The interesting elements of `page` as one small document, or None if lxml cannot read it.

    Elements are kept whole and in page order, so ancestry inside each one (a caption inside
    `.user-ssi-score`, a value inside `<progress>`) is what the page had. Raises TooComplex
    for a page far beyond the SSI page (see MAX_MARKED and MAX_REGION_*).
    """
    try:
        root = lxml.html.document_fromstring(_XML_DECLARATION.sub("", page, count=1))
    except (lxml.etree.ParserError, ValueError):
        # The caller then reads the whole page with BeautifulSoup: fine for a page with no
        # element at all, minutes for a large one.
        if len(page) > MAX_REGION_CHARS or page.count("<") > MAX_REGION_ELEMENTS:
            raise _too_complex(
                "its HTML cannot be read, and it is too large to try otherwise"
            ) from None
        return None
    parts = _serialized(_outermost(_marked(root, page)))
    lang = root.get("lang") or ""
    lang_attr = f' lang="{escape(lang)}"' if lang else ""
    return f"<html{lang_attr}><body>{''.join(parts)}</body></html>"
