"""Which command a login starts: the installed script by absolute path, and the data directory
and port only when they are not the defaults."""

import os
import sys
from pathlib import Path

import platformdirs
import pytest

from companion import autostart
from companion.autostart import command
from companion.autostart.command import executable, windowless

PROGRAM = ["/opt/ssi/bin/ssi-companion"]


def test_the_script_beside_this_python_is_the_one_registered():
    # This venv's .venv/bin/ssi-companion, beside .venv/bin/python: the same install.
    script = Path(sys.executable).parent / "ssi-companion"
    assert script.is_file()
    assert executable() == [os.path.abspath(script)]
    assert os.path.isabs(executable()[0])


def test_without_a_script_beside_python_path_is_searched_then_python_m(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setattr(sys, "executable", str(bin_dir / "python3"))
    on_path = tmp_path / "elsewhere"
    on_path.mkdir()
    script = on_path / "ssi-companion"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(on_path))
    assert executable() == [str(script)]

    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    assert executable() == [str(bin_dir / "python3"), "-m", "companion"]


def test_windows_uses_pythonw_beside_python_for_no_console_window(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python.exe"))
    assert windowless() == [str(tmp_path / "python.exe"), "-m", "companion"]
    (tmp_path / "pythonw.exe").write_bytes(b"")
    assert windowless() == [str(tmp_path / "pythonw.exe"), "-m", "companion"]


def test_the_defaults_add_nothing(monkeypatch):
    monkeypatch.delenv("SSI_COMPANION_HOME", raising=False)
    launch = command.launch(program=PROGRAM)
    assert launch.command == [*PROGRAM, "serve"]
    assert launch.environment == {}
    assert launch.port == 47613
    # The default data directory named explicitly is still the default.
    explicit = command.launch(
        platformdirs.user_data_dir("ssi-companion", False), 47613, program=PROGRAM
    )
    assert explicit == launch


def test_another_data_directory_and_port_are_registered(tmp_path, monkeypatch):
    monkeypatch.setenv("SSI_COMPANION_HOME", str(tmp_path / "my data"))
    monkeypatch.setenv("SSI_COMPANION_PORT", "47700")
    launch = command.launch(program=PROGRAM)
    assert launch.command == [*PROGRAM, "serve", "--port", "47700"]
    assert launch.environment == {"SSI_COMPANION_HOME": str(tmp_path / "my data")}
    assert launch.port == 47700
    # What the caller passes wins over the environment (the settings page passes its own).
    assert command.launch(None, 47613, program=PROGRAM).command == [*PROGRAM, "serve"]


def test_a_relative_data_directory_is_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    launch = command.launch("data", program=PROGRAM)
    assert launch.environment == {"SSI_COMPANION_HOME": str(tmp_path / "data")}


@pytest.mark.parametrize(
    "home, port, message",
    [
        ("/tmp/a\nExecStartPre=/bin/evil", None, "control character"),
        ("/tmp/caf\udce9", None, "not UTF-8"),
        (None, 0, "from 1 to 65535"),
        (None, 70000, "from 1 to 65535"),
    ],
)
def test_what_cannot_be_registered_is_refused(home, port, message):
    with pytest.raises(autostart.AutostartError, match=message):
        command.launch(home, port, program=PROGRAM)


def test_a_bad_port_in_the_environment_is_an_autostart_error(monkeypatch):
    monkeypatch.setenv("SSI_COMPANION_PORT", "many")
    with pytest.raises(autostart.AutostartError, match="SSI_COMPANION_PORT must be a whole number"):
        autostart.status()


def test_an_unknown_platform_is_refused_with_a_message():
    with pytest.raises(autostart.AutostartError, match="not supported on this platform"):
        autostart.status(platform="sunos5")
