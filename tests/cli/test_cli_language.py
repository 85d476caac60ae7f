"""The installed `ssi-companion` speaks the `language` setting, else the system's language.

Run as the user runs it (.venv/bin/ssi-companion, a process of its own). The sentences'
translations are the catalogs' to test; here the language is seen in what Babel writes for
it, which needs no catalog: `parse` prints "13.118 / 25" in English, "13,118 / 25" in
Italian and "Top 75 %" (a space before %) in German. What each language should print is
rendered in this process with companion.i18n, the same way the command renders it.

And every sentence the commands print goes through the catalog: with a stand-in catalog
that marks what it is asked for, no line comes out unmarked.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from companion import i18n
from companion.cli.reading_commands import format_reading
from companion.parse import parse_page
from tests.cli.test_cli import PAGE
from tests.conftest import free_port
from tests.i18n.pseudo import Bracketed

EXECUTABLE = Path(sys.executable).parent / "ssi-companion"


@pytest.fixture
def page(tmp_path) -> Path:
    path = tmp_path / "ssi.html"
    path.write_text(PAGE, encoding="utf-8")
    return path


def run(home: Path, *args, lang: str = "C.UTF-8") -> subprocess.CompletedProcess:
    # conftest.py removed LANGUAGE, LC_ALL and LC_MESSAGES: LANG alone names the system's.
    env = {**os.environ, "SSI_COMPANION_HOME": str(home), "LANG": lang}
    return subprocess.run(
        [str(EXECUTABLE), *map(str, args)], env=env, capture_output=True, text=True, timeout=60
    )


def table_in(language: str) -> str:
    """What `parse` prints for PAGE with `language` active."""
    with i18n.use(language):
        return format_reading(parse_page(PAGE)) + "\n"


def parsed(home: Path, page: Path, lang: str = "C.UTF-8") -> str:
    result = run(home, "parse", page, lang=lang)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_languages_are_told_apart_by_their_numbers():
    # Otherwise the tests below would prove nothing.
    english, italian, german = table_in("en"), table_in("it"), table_in("de")
    assert "13.118 / 25" in english and "13,118 / 25" in italian
    assert "Tra i primi 75%" in italian and "Top 75\u00a0%" in german
    assert len({english, italian, german}) == 3


def test_without_a_setting_the_system_language_is_spoken(tmp_path, page):
    home = tmp_path / "home"  # no database yet: `auto`
    assert parsed(home, page, lang="it_IT.UTF-8") == table_in("it")
    assert parsed(home, page, lang="C.UTF-8") == table_in("en")
    assert not home.exists(), "choosing the language created the data directory"


def test_the_language_setting_beats_the_system_language(tmp_path, page):
    home = tmp_path / "home"
    assert run(home, "settings", "set", "language", "de").returncode == 0
    assert parsed(home, page, lang="it_IT.UTF-8") == table_in("de")
    assert parsed(home, page, lang="C.UTF-8") == table_in("de")

    refused = run(home, "settings", "set", "language", "xx", lang="it_IT.UTF-8")
    assert refused.returncode == 1
    assert refused.stderr.startswith("Error: "), refused.stderr  # click's own word
    assert "Traceback" not in refused.stderr
    assert parsed(home, page) == table_in("de")  # the refused value changed nothing

    assert run(home, "settings", "set", "language", "auto").returncode == 0
    assert parsed(home, page, lang="it_IT.UTF-8") == table_in("it")


# -- every sentence goes through the catalog ---------------------------------------------------


@pytest.fixture
def pseudo(tmp_path, monkeypatch, home):
    """Commands run in Italian, every sentence ⟦marked⟧; English again after the test."""
    from tests.autostart.isolation import isolate

    isolate(tmp_path, monkeypatch)
    monkeypatch.setenv("SSI_COMPANION_PORT", str(free_port()))
    monkeypatch.setattr(i18n, "translations", lambda language: Bracketed())
    monkeypatch.setenv("LANG", "it_IT.UTF-8")
    yield
    i18n.activate(i18n.DEFAULT)  # the CLI activated Italian in this test's context


def lines_of(runner, *args) -> list[str]:
    from companion import __version__
    from companion.cli import cli

    result = runner.invoke(cli, list(map(str, args)))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    same = {f"SSI Companion {__version__}"}
    # Click's own usage lines around a usage error are click's to translate.
    return [
        line
        for line in result.output.splitlines()
        if line.strip() and line not in same and not line.startswith(("Usage: ", "Try '"))
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["status"],
        ["backups"],
        ["readings"],
        ["reparse"],
        ["doctor"],
        ["open"],
        ["restore", "x.db"],
        ["autostart", "status"],
        ["autostart", "enable"],
        ["autostart", "disable"],
        ["settings", "get"],
    ],
)
def test_every_line_a_command_prints_went_through_the_catalog(runner, pseudo, args):
    lines = lines_of(runner, *args)
    assert lines
    for line in lines:
        assert "⟦" in line, f"not through the catalog: {line!r}"


def test_import_and_its_refusals_went_through_the_catalog(runner, pseudo, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    lines = lines_of(runner, "import", empty)
    assert lines and all("⟦" in line for line in lines), lines
    assert any("⟦is empty⟧" in line for line in lines), lines


def test_every_finding_and_advice_of_doctor_went_through_the_catalog(runner, pseudo):
    import json

    from companion.cli import cli

    checks = json.loads(runner.invoke(cli, ["doctor", "--json"]).output)["checks"]
    for check in checks:
        assert check["title"].startswith("⟦"), check
        if check["name"] != "version":  # "SSI Companion 0.1.0 (Python 3.11.7)": no words
            assert "⟦" in check["summary"], check
        assert check["fix"] is None or "⟦" in check["fix"], check
    # Scripts read the ids, which stay as they are.
    assert checks[0]["name"] == "data_dir"
