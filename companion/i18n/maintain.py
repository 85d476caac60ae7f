"""Keeping the catalogs in step with the code: `make catalogs`, and the checks CI makes.

    python -m companion.i18n.maintain update   extract, merge into each .po, compile each .mo
    python -m companion.i18n.maintain check    exit 1, naming each problem, unless all is current
    python -m companion.i18n.maintain check it the same for the languages named

A translator edits `catalogs/<lang>/LC_MESSAGES/messages.po` (the template, messages.pot, is
written beside them by `update` and is not kept in git), then runs `update` to compile. The
compiled .mo files are committed, so an installed companion needs no build step; `check`
proves they say what the .po files say. Not used by the companion while it runs.
"""

import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from companion.i18n import CATALOGS, DEFAULT, DOMAIN, LANGUAGES

PACKAGE = Path(__file__).resolve().parent.parent  # companion/
MAPPING = Path(__file__).with_name("babel.cfg")
TRANSLATED = tuple(language for language in LANGUAGES if language != DEFAULT)
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def po_path(language: str) -> Path:
    return CATALOGS / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract() -> Catalog:
    """Every sentence marked in the code and the templates, as `pybabel extract` finds them."""
    with MAPPING.open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    template = Catalog(project="SSI Companion", domain=DOMAIN, fuzzy=False)
    found = extract_from_dir(
        str(PACKAGE),
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    )
    for filename, lineno, message, comments, context in found:
        path = Path("companion") / filename
        template.add(message, None, [(path.as_posix(), lineno)], auto_comments=comments,
                     context=context)  # fmt: skip
    return template


def read_catalog(language: str) -> Catalog:
    with po_path(language).open("rb") as po:
        return read_po(po, locale=language, domain=DOMAIN)


def _ids(catalog: Catalog) -> set:
    return {message.id if isinstance(message.id, str) else message.id[0]
            for message in catalog if message.id}  # fmt: skip


def _compiled(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def _translations_of(mo_bytes: bytes) -> dict:
    catalog = read_mo(io.BytesIO(mo_bytes))
    return {(m.id if isinstance(m.id, str) else tuple(m.id)): m.string for m in catalog if m.id}


def _placeholders(text: str) -> set:
    """%(points)s and the like: a translation that drops one loses the number it stands for."""
    return set(re.findall(r"%\((\w+)\)", text))


def problems(languages: tuple = TRANSLATED) -> list[str]:
    """What stops the catalogs from being complete and current, one line each."""
    template, found = extract(), []
    wanted = _ids(template)
    for language in languages:
        if not po_path(language).exists():
            found.append(f"{language}: no catalog at {po_path(language)}: run make catalogs")
            continue
        catalog = read_catalog(language)
        have = _ids(catalog)
        found += [f"{language}: missing {m!r}: run make catalogs" for m in sorted(wanted - have)]
        found += [f"{language}: no longer in the code {m!r}" for m in sorted(have - wanted)]
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if not all(strings):
                found.append(f"{language}: untranslated {message.id!r}")
            elif message.fuzzy:
                found.append(f"{language}: fuzzy (check, then remove the flag) {message.id!r}")
        for message, errors in catalog.check():
            found += [f"{language}: {message.id!r}: {error}" for error in errors]
        found += [f"{language}: {m.id!r} loses or invents a placeholder" for m in catalog
                  if m.id and isinstance(m.id, str) and m.string
                  and _placeholders(m.id) != _placeholders(m.string)]  # fmt: skip
        mo = po_path(language).with_suffix(".mo")
        if not mo.exists() or _translations_of(mo.read_bytes()) != _translations_of(
            _compiled(catalog)
        ):
            found.append(f"{language}: {mo.name} is not compiled from its .po: run make catalogs")
    return found


def update() -> None:
    template = extract()
    with (CATALOGS / f"{DOMAIN}.pot").open("wb") as pot:
        write_po(pot, template, sort_by_file=True)
    for language in TRANSLATED:
        path = po_path(language)
        if path.exists():
            catalog = read_catalog(language)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=language, domain=DOMAIN, project="SSI Companion")
        before = (_ids(catalog), _translations_of(_compiled(catalog)))
        catalog.update(template, no_fuzzy_matching=True)
        mo_path = path.with_suffix(".mo")
        if (
            path.exists()
            and mo_path.exists()
            and before == (_ids(catalog), _translations_of(mo_path.read_bytes()))
        ):
            continue  # nothing changed but the template's date: no diff for git
        with path.open("wb") as po:
            write_po(po, catalog, no_location=True, sort_output=True, ignore_obsolete=True,
                     width=100)  # fmt: skip
        with path.with_suffix(".mo").open("wb") as mo:
            mo.write(_compiled(catalog))


def main(argv: list[str]) -> int:
    if argv == ["update"]:
        update()
        return 0
    if argv[:1] == ["check"] and set(argv[1:]) <= set(TRANSLATED):
        found = problems(tuple(argv[1:]) or TRANSLATED)
        for line in found:
            print(line)
        print(f"catalogs: {len(found)} problem(s)" if found else "catalogs: complete and current")
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
