"""The extension build: one manifest template, a folder per browser that loads as it is."""

import json
import re
import shutil
import subprocess
import zipfile

import pytest
from click.testing import CliRunner

from companion import __version__, reading
from companion.cli import cli
from companion.extension_build import BuildError, build, render_manifest
from tests.conftest import REPO, require_system_package

EXTENSION = REPO / "extension"
# Firefox runs background scripts as ES modules ("type": "module") from 128 on; the
# data_collection_permissions key asks for more (140), and whichever is higher wins.
FIREFOX_MODULE_BACKGROUND = 128
MAX_LINES = 300


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("ext")
    return {browser: build(browser, out) for browser in ("chrome", "firefox")}


def test_template_is_valid_json_and_the_only_manifest_source():
    json.loads((REPO / "manifest_template.json").read_text())
    assert not (REPO / "extension" / "manifest.json").exists()


@pytest.mark.parametrize("browser", ["chrome", "firefox"])
def test_permissions_are_exactly_what_the_extension_needs(browser):
    manifest = render_manifest(browser)
    assert manifest["manifest_version"] == 3
    assert manifest["version"] == __version__
    # webNavigation and scripting: in-app visits to the SSI page (navigation.js), which
    # injects content.js only where the content script itself runs.
    assert sorted(manifest["permissions"]) == ["alarms", "scripting", "storage", "webNavigation"]
    [content] = manifest["content_scripts"]
    assert content["matches"] == ["https://www.linkedin.com/sales/ssi*"]
    assert manifest["host_permissions"] == ["http://127.0.0.1/*", *content["matches"]]
    assert not any(key.startswith("x-") for key in manifest)


def test_chrome_runs_a_module_service_worker():
    manifest = render_manifest("chrome")
    assert manifest["background"] == {"service_worker": "service-worker.js", "type": "module"}
    assert "browser_specific_settings" not in manifest


def test_firefox_variant_has_its_own_keys():
    manifest = render_manifest("firefox")
    assert manifest["background"] == {"scripts": ["service-worker.js"], "type": "module"}
    gecko = manifest["browser_specific_settings"]["gecko"]
    assert gecko["id"]
    assert int(gecko["strict_min_version"].split(".")[0]) >= FIREFOX_MODULE_BACKGROUND
    assert gecko["data_collection_permissions"] == {"required": ["none"]}


@pytest.mark.parametrize("browser", ["chrome", "firefox"])
def test_built_folder_holds_every_file_the_manifest_names(built, browser):
    folder, archive = built[browser]
    manifest = json.loads((folder / "manifest.json").read_text())
    named = [manifest["action"]["default_popup"], manifest["options_ui"]["page"]]
    named += manifest["content_scripts"][0]["js"] + list(manifest["icons"].values())
    named += manifest["background"].get("scripts", [])
    named += [manifest["background"]["service_worker"]] if browser == "chrome" else []
    for name in named:
        assert (folder / name).is_file(), name
    with zipfile.ZipFile(archive) as zipped:
        names = set(zipped.namelist())
    assert "manifest.json" in names and set(named) <= names
    assert not any(n.startswith("node_modules") or n.endswith(".md") for n in names)


IMPORT = re.compile(r"""^\s*import\b[^;]*?\bfrom\s+["']([^"']+)["'];""", re.MULTILINE | re.DOTALL)
SCRIPT_SRC = re.compile(r"""<script\b[^>]*\bsrc=["']([^"']+)["']""")
SCRIPT_TAG = re.compile(r"""(<script\b[^>]*\bsrc=["']([^"']+)["'][^>]*>)""")
MODULE_SYNTAX = re.compile(r"^\s*(?:import|export)\b", re.MULTILINE)


def loaded_files(folder, manifest) -> set[str]:
    """Every file the browser loads: what the manifest and the pages name, and their imports."""
    background = manifest["background"]
    pending = list(background.get("scripts", []))
    if "service_worker" in background:
        pending.append(background["service_worker"])
    pending += manifest["content_scripts"][0]["js"]
    for page in (manifest["action"]["default_popup"], manifest["options_ui"]["page"]):
        pending += SCRIPT_SRC.findall((folder / page).read_text())
    seen = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        assert (folder / name).is_file(), f"{name} is loaded but not in the build"
        for specifier in IMPORT.findall((folder / name).read_text()):
            assert specifier.startswith("./"), f"{name} imports {specifier}: only ./ files"
            pending.append(specifier.removeprefix("./"))
    return seen


@pytest.mark.parametrize("browser", ["chrome", "firefox"])
def test_every_module_the_browser_loads_is_built(built, browser):
    folder, _ = built[browser]
    manifest = json.loads((folder / "manifest.json").read_text())
    loaded = loaded_files(folder, manifest)
    shipped = {p.name for p in folder.glob("*.js")}
    assert "vocabulary.js" in loaded
    assert loaded == shipped, "every shipped script is loaded, and nothing else"
    # A content script cannot be a module; a page's module needs type="module" to load.
    for name in manifest["content_scripts"][0]["js"]:
        assert not MODULE_SYNTAX.search((folder / name).read_text()), name
    for page in folder.glob("*.html"):
        for tag, src in SCRIPT_TAG.findall(page.read_text()):
            if MODULE_SYNTAX.search((folder / src).read_text()):
                assert 'type="module"' in tag, f"{page.name}: {src} is a module"


def test_html_pages_have_no_inline_scripts(built):
    folder, _ = built["chrome"]
    for page in folder.glob("*.html"):
        text = page.read_text()
        assert "<script>" not in text and "onclick=" not in text.lower(), page.name


def test_unknown_browser_is_refused():
    with pytest.raises(BuildError):
        render_manifest("safari")


def test_cli_build_prints_where(tmp_path):
    result = CliRunner().invoke(
        cli, ["extension", "build", "--browser", "firefox", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert str(tmp_path / "firefox") in result.output
    assert (tmp_path / f"ssi-companion-firefox-{__version__}.zip").is_file()


# ---------------------------------------------------------------- the vocabulary

EXPORT = re.compile(
    r"^export const (\w+) = (?:Object\.freeze\((.*?)\)|(\".*?\"));$", re.MULTILINE | re.DOTALL
)


def expected_vocabulary() -> dict:
    [total] = set(reading.PILLARS_AND_TOTAL) - set(reading.PILLARS)
    assert total in reading.READING_FIELDS
    return {
        "PILLARS": list(reading.PILLARS),
        "PILLAR_NAMES": dict(reading.PILLAR_NAMES),
        "TOTAL": total,
        "READING_FIELDS": list(reading.READING_FIELDS),
        "RANKS": list(reading.RANKS),
    }


def vocabulary_text(built) -> str:
    folder, _ = built["chrome"]
    text = (folder / "vocabulary.js").read_text()
    firefox_folder, _ = built["firefox"]
    assert (firefox_folder / "vocabulary.js").read_text() == text, "one vocabulary for both"
    return text


def test_built_vocabulary_is_companion_reading_exactly(built):
    text = vocabulary_text(built)
    assert text.startswith(
        "// Generated by `ssi-companion extension build` from companion/reading.py"
    )
    assert "do not edit" in text.splitlines()[0]
    exported = {name: json.loads(frozen or plain) for name, frozen, plain in EXPORT.findall(text)}
    assert exported == expected_vocabulary()
    # Nothing else in the file but the header, the exports, and blank lines.
    rest = EXPORT.sub("", text)
    assert all(line == "" or line.startswith("//") for line in rest.splitlines()), rest


def test_built_vocabulary_evaluates_to_the_same_in_javascript(built):
    require_system_package(shutil.which("node") or "/usr/bin/node", "nodejs")
    node = shutil.which("node")
    # A data: URL is always an ES module, whatever package.json says.
    script = (
        "const source = require('fs').readFileSync(0, 'utf8');"
        "import('data:text/javascript,' + encodeURIComponent(source)).then((v) => {"
        "  const frozen = Object.entries(v).every(([, x]) => typeof x !== 'object' || Object.isFrozen(x));"
        "  console.log(JSON.stringify({ exports: { ...v }, frozen }));"
        "});"
    )
    result = subprocess.run(
        [node, "-e", script],
        input=vocabulary_text(built),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    evaluated = json.loads(result.stdout)
    assert evaluated == {"exports": expected_vocabulary(), "frozen": True}


def extension_sources():
    for path in sorted(EXTENSION.rglob("*")):
        relative = path.relative_to(EXTENSION)
        if path.is_file() and "node_modules" not in relative.parts:
            if path.suffix in {".js", ".mjs", ".html", ".css"}:
                yield path, relative


def spelled_vocabulary(text: str, suffix: str) -> list[str]:
    """The reading's words that `text` spells itself instead of importing them."""
    found = [name for name in reading.PILLAR_NAMES.values() if name.lower() in text.lower()]
    # Pillars and the fields with an underscore are words of their own. LinkedIn's ids that
    # hold them (establish-brand__sub-score-bar) are LinkedIn's words, not ours.
    words = [*reading.PILLARS, *(f for f in reading.READING_FIELDS if "_" in f)]
    found += re.findall(rf"(?<![\w-])({'|'.join(words)})(?![\w-])", text)
    if suffix != ".css":  # a CSS class such as .total names a style
        plain = [f for f in reading.READING_FIELDS if f not in words]
        either = "|".join(plain)
        found += re.findall(rf"(?:\?\.|\.)({either})\b|\b({either})\s*:", text)
    return [word if isinstance(word, str) else "".join(word) for word in found]


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ('["brand", "Establish your professional brand"],', "brand"),
        ("row.append(reading.people)", "people"),
        ("const reading = { total: 19.7 };", "total"),
        ("latest?.reading?.total", "total"),
        ("const RANKS = ['industry_rank'];", "industry_rank"),
        ("<th>Find the right people</th>", "Find the right people"),
    ],
)
def test_the_spelling_check_finds_vocabulary(text, word):
    assert word in spelled_vocabulary(text, ".js")


def test_no_extension_source_spells_the_vocabulary():
    """Pillar and field names reach the extension only through the built vocabulary.js."""
    for path, relative in extension_sources():
        assert spelled_vocabulary(path.read_text(), path.suffix) == [], relative
    assert not (EXTENSION / "vocabulary.js").exists(), "vocabulary.js is made by the build only"


def test_every_extension_script_stays_under_300_lines():
    for path, relative in extension_sources():
        if path.suffix in {".js", ".mjs"}:
            lines = len(path.read_text().splitlines())
            assert lines < MAX_LINES, f"{relative} has {lines} lines: split it along a concern"
