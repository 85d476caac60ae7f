"""Where the extension's sources and the manifest template are read from.

An installed wheel carries them inside the package, in companion/bundled/ (pyproject.toml maps
the repository's extension/ and manifest_template.json there at build time). A source
checkout, or an editable install of one, reads them where they are: at the repository's top
level. Either way they are read through importlib.resources, never by guessing at
site-packages.
"""

import json
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

TEMPLATE_NAME = "manifest_template.json"
EXTENSION_NAME = "extension"


def root() -> Traversable:
    bundled = resources.files("companion").joinpath("bundled")
    if bundled.is_dir():
        return bundled
    # A checkout only when it is one: an installed package without bundled/ sits in
    # site-packages, where another project's extension/ might be.
    checkout = Path(__file__).resolve().parents[1]
    if (checkout / "pyproject.toml").is_file() and (checkout / EXTENSION_NAME).is_dir():
        return checkout
    return bundled  # missing: the build's error names it


def template() -> Traversable:
    return root().joinpath(TEMPLATE_NAME)


def extension_dir() -> Traversable:
    return root().joinpath(EXTENSION_NAME)


def walk(folder: Traversable, prefix: tuple[str, ...] = ()):
    """Every file under `folder`, with its path inside it as parts, in a stable order."""
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        parts = (*prefix, entry.name)
        if entry.is_dir():
            yield from walk(entry, parts)
        elif entry.is_file():
            yield entry, parts


def extension_message(language: str, key: str) -> str:
    """What the extension calls a button in `language` (its _locales messages.json), so the
    pages name it as the user sees it; the English one when that language lacks it."""
    return _messages(language).get(key) or _messages("en")[key]


@cache
def _messages(language: str) -> dict:
    found = extension_dir().joinpath("_locales", language, "messages.json")
    if not found.is_file():
        return {}
    return {key: entry["message"] for key, entry in json.loads(found.read_text("utf-8")).items()}
