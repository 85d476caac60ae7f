"""The extension build: one manifest template, a folder per browser that loads as it is."""

import json
import zipfile

import pytest
from click.testing import CliRunner

from companion import __version__
from companion.cli import cli
from companion.extension_build import BuildError, build, render_manifest

from .conftest import REPO


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
    assert sorted(manifest["permissions"]) == ["alarms", "storage"]
    assert manifest["host_permissions"] == ["http://127.0.0.1/*"]
    [content] = manifest["content_scripts"]
    assert content["matches"] == ["https://www.linkedin.com/sales/ssi*"]
    assert not any(key.startswith("x-") for key in manifest)


def test_chrome_runs_a_service_worker():
    manifest = render_manifest("chrome")
    assert manifest["background"] == {"service_worker": "service-worker.js"}
    assert "browser_specific_settings" not in manifest


def test_firefox_variant_has_its_own_keys():
    manifest = render_manifest("firefox")
    assert manifest["background"] == {"scripts": ["service-worker.js"]}
    gecko = manifest["browser_specific_settings"]["gecko"]
    assert gecko["id"] and gecko["strict_min_version"]
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
