"""`ssi-companion autostart enable|disable|status`: plain messages, `Error: ...` and exit 1 for
what cannot be done, never a traceback."""

import os
import sys
from pathlib import Path

from companion import __version__
from companion.cli import cli
from companion.store import locks
from companion.web import create_app
from tests.autostart.isolation import Serving
from tests.conftest import free_port

SCRIPT = os.path.abspath(Path(sys.executable).parent / "ssi-companion")


def entry() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"]) / "autostart" / "ssi-companion.desktop"


def run(runner, *args):
    result = runner.invoke(cli, ["autostart", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def test_enable_says_what_it_did_and_how_to_start_the_companion_now(runner, home):
    result = run(runner, "enable")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"Start at login: enabled (XDG autostart entry, {entry()})."
    assert lines[1] == f"It runs: SSI_COMPANION_HOME={home} {SCRIPT} serve"
    assert "next login" in lines[2] and f"To start it now: SSI_COMPANION_HOME={home}" in lines[2]

    again = run(runner, "enable")
    assert again.exit_code == 0
    assert again.output.startswith("Start at login: already enabled (XDG autostart entry")


def test_status_says_what_runs_where_and_whether_a_companion_answers(runner, home, monkeypatch):
    port = free_port()
    result = run(runner, "status")
    assert result.exit_code == 0, result.output
    assert "Start at login  disabled (enable would add this XDG autostart entry)" in result.output
    assert f"Would write     {entry()}" in result.output

    monkeypatch.setenv("SSI_COMPANION_PORT", str(port))
    run(runner, "enable")
    shown = run(runner, "status").output.splitlines()
    assert shown[:5] == [
        "Start at login  enabled (XDG autostart entry)",
        f"Location        {entry()}",
        f"Command         /usr/bin/env SSI_COMPANION_HOME={home} {SCRIPT} serve --port {port}",
        f"Environment     SSI_COMPANION_HOME={home}",
        f"Running now     no: nothing answers on http://127.0.0.1:{port}/",
    ]


def running_now(runner) -> str:
    [line] = [line for line in run(runner, "status").output.splitlines() if "Running now" in line]
    return line


def test_status_finds_the_companion_of_this_data_directory(runner, home, app, monkeypatch):
    # Its serve.lock names the port it serves on, as `serve` writes it.
    with Serving(app) as running, locks.serving(home, running.port):
        monkeypatch.setenv("SSI_COMPANION_PORT", str(running.port))
        shown = running_now(runner)
    assert shown == (
        f"Running now     yes: SSI Companion {__version__} answers on "
        f"http://127.0.0.1:{running.port}/"
    )


def test_a_companion_for_another_data_directory_is_not_this_one(
    runner, home, monkeypatch, tmp_path
):
    other = create_app({"HOME": str(tmp_path / "other"), "TESTING": True})
    with Serving(other) as running, locks.serving(tmp_path / "other", running.port):
        monkeypatch.setenv("SSI_COMPANION_PORT", str(running.port))
        shown = running_now(runner)
    assert shown == (
        f"Running now     no: a companion for another data directory answers on port {running.port}"
    )


def test_this_data_directory_served_on_another_port_is_named(runner, app, monkeypatch, tmp_path):
    home = app.config["DATA_DIR"]
    other = create_app({"HOME": str(tmp_path / "other"), "TESTING": True})
    elsewhere = free_port()
    with Serving(other) as running, locks.serving(home, elsewhere):
        monkeypatch.setenv("SSI_COMPANION_PORT", str(running.port))
        shown = running_now(runner)
    assert shown == (
        f"Running now     no: a companion for another data directory answers on port "
        f"{running.port}; {home} is served on port {elsewhere} (pid {os.getpid()})"
    )


def test_status_says_when_enable_would_register_something_else(runner, monkeypatch):
    run(runner, "enable")
    monkeypatch.setenv("SSI_COMPANION_PORT", "47730")
    assert "`ssi-companion autostart enable` updates it" in run(runner, "status").output


def test_disable_says_what_it_removed_and_is_fine_when_nothing_is_there(runner):
    run(runner, "enable")
    result = run(runner, "disable")
    assert result.exit_code == 0
    assert result.output.startswith(f"Start at login: disabled; removed {entry()}.")
    assert not entry().exists()
    again = run(runner, "disable")
    assert (again.exit_code, again.output) == (
        0,
        "Start at login was not enabled: nothing to remove.\n",
    )


def test_a_file_that_is_not_ours_is_an_error_not_a_traceback(runner):
    entry().parent.mkdir(parents=True)
    entry().write_text("[Desktop Entry]\nExec=mine\n")
    for command in ("enable", "disable"):
        result = run(runner, command)
        assert result.exit_code == 1
        assert result.output.startswith(f"Error: {entry()} was not written by ssi-companion")
        assert "Traceback" not in result.output
    assert entry().read_text() == "[Desktop Entry]\nExec=mine\n"
    status = run(runner, "status")
    assert status.exit_code == 0 and "left as it is" in status.output


def test_a_bad_port_setting_is_an_error(runner, monkeypatch):
    monkeypatch.setenv("SSI_COMPANION_PORT", "lots")
    result = run(runner, "status")
    assert result.exit_code == 1
    assert result.output == "Error: SSI_COMPANION_PORT must be a whole number, not 'lots'\n"
