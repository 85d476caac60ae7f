"""What `serve` (so `make run`) tells a newcomer when it starts, branch by branch, and the
steps `extension build` prints; the process test is tests/processes/test_make_run.py."""

import pytest

from companion import autostart, config
from companion.cli import cli
from companion.cli.extension_commands import load_steps
from companion.cli.serve_commands import _welcome
from companion.extension_build import build
from tests.autostart.isolation import isolate

LINK = "http://127.0.0.1:47613/signin?code=abc"


@pytest.fixture
def data(tmp_path, monkeypatch):
    isolate(tmp_path, monkeypatch)
    path = tmp_path / "data"
    path.mkdir()
    return path


def settings(data, **changes):
    return {**config.load({"HOME": str(data)}), **changes}


def test_in_order_the_data_the_link_the_extension_to_build_and_autostart_to_enable(data):
    lines = _welcome(data, LINK, demo=False, settings=settings(data))
    assert lines[0] == f"Your data lives in {data}"
    assert lines[1] == f"Open your summary: {LINK}"
    assert "`ssi-companion extension build` makes it" in lines[3]
    assert lines[-1].endswith("`ssi-companion autostart enable`")


def test_a_built_chrome_extension_is_named_with_the_three_steps_to_load_it(data):
    build("chrome", data / "extension")
    lines = _welcome(data, LINK, demo=False, settings=settings(data))
    folder = data / "extension" / "chrome"
    assert f"The extension is in {folder}" in lines
    assert "  1. open chrome://extensions" in lines
    assert f'  3. click "Load unpacked" and choose {folder}' in lines


def test_a_firefox_build_alone_gets_the_firefox_steps(data):
    build("firefox", data / "extension")
    lines = _welcome(data, LINK, demo=False, settings=settings(data))
    assert "  1. open about:debugging#/runtime/this-firefox" in lines
    assert f"  3. choose {data / 'extension' / 'firefox' / 'manifest.json'}" in lines


def test_autostart_on_for_this_companion_says_so(data):
    autostart.enable(home=str(data), start=False)
    line = _welcome(data, LINK, demo=False, settings=settings(data))[-1]
    assert line.startswith("Starts at login: yes (XDG autostart entry")


def test_autostart_registered_for_another_port_says_how_to_register_this_one(data):
    autostart.enable(home=str(data), port=47999, start=False)
    line = _welcome(data, LINK, demo=False, settings=settings(data))[-1]
    assert "another data directory, port or install" in line
    assert "`ssi-companion autostart enable` registers this one" in line


def test_autostart_that_cannot_be_read_says_why_instead_of_failing(data):
    line = _welcome(data, LINK, demo=False, settings=settings(data, PORT=0))[-1]
    assert line.startswith("Start at login: unknown (the port must be")


def test_the_demo_says_its_data_is_made_up_and_offers_nothing_that_outlives_it(data):
    lines = _welcome(data, LINK, demo=True, settings=settings(data))
    assert lines[0].endswith("(made up, removed on exit)")
    assert len(lines) == 3 and not any("autostart" in line for line in lines)


def test_extension_build_defaults_to_the_data_directory_and_ignores_a_bad_port(
    runner, home, monkeypatch
):
    monkeypatch.setenv("SSI_COMPANION_PORT", "not-a-port")
    result = runner.invoke(cli, ["extension", "build", "--browser", "firefox"])
    assert result.exit_code == 0, result.output
    folder = home / "extension" / "firefox"
    assert (folder / "manifest.json").is_file()
    assert f"Built the firefox extension in {folder}" in result.output
    for line in load_steps("firefox", folder):
        assert line in result.output
