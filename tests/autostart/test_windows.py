"""Windows through its format, with a stand-in registry: winreg exists only on Windows, so the
Run value goes to `Registry` below, the one fake in this repository. Everything else
(the command line, its quoting, what is ours) is the real code."""

import os
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion import autostart
from companion.autostart import windows

RUN = r"Software\Microsoft\Windows\CurrentVersion\Run"


class Registry:
    """HKEY_CURRENT_USER as a dict of (key, value name) -> data: get, set and delete values."""

    def __init__(self):
        self.values: dict[tuple[str, str], object] = {}

    def get_value(self, key, name):
        return self.values.get((key, name))

    def set_value(self, key, name, data):
        self.values[(key, name)] = data

    def delete_value(self, key, name):
        del self.values[(key, name)]


@pytest.fixture
def registry(monkeypatch) -> Registry:
    fake = Registry()
    monkeypatch.setattr(windows, "registry", lambda: fake)
    return fake


def python() -> str:
    # No pythonw.exe beside this (Linux) Python: the fallback is sys.executable itself.
    return os.path.abspath(sys.executable)


def test_the_run_value_runs_python_m_companion_serve(registry):
    result = autostart.enable(platform="win32")
    assert (result.enabled, result.changed, result.method) == (True, True, "Run registry value")
    assert result.location == rf"HKCU\{RUN}\SSI Companion"
    assert registry.values == {(RUN, "SSI Companion"): f"{python()} -m companion serve"}
    assert result.command == [python(), "-m", "companion", "serve"]
    assert "next login" in result.note


def test_a_path_with_spaces_is_quoted_and_another_port_is_registered(
    registry, monkeypatch, tmp_path
):
    pythonw = tmp_path / "Program Files" / "Python" / "pythonw.exe"
    pythonw.parent.mkdir(parents=True)
    pythonw.write_bytes(b"")
    monkeypatch.setattr(sys, "executable", str(pythonw.with_name("python.exe")))
    monkeypatch.setenv("SSI_COMPANION_PORT", "47720")
    autostart.enable(platform="win32")
    line = registry.values[(RUN, "SSI Companion")]
    assert line == f'"{pythonw}" -m companion serve --port 47720'
    state = autostart.status(platform="win32")
    assert state.command == [str(pythonw), "-m", "companion", "serve", "--port", "47720"]
    assert state.port == 47720 and state.up_to_date and state.command_line == line


def test_enabling_twice_changes_nothing_and_disable_removes_only_our_value(registry):
    registry.values[(RUN, "Something Else")] = r"C:\something.exe"
    autostart.enable(platform="win32")
    assert not autostart.enable(platform="win32").changed
    result = autostart.disable(platform="win32")
    assert result.changed and not result.enabled
    assert registry.values == {(RUN, "Something Else"): r"C:\something.exe"}
    assert not autostart.disable(platform="win32").changed


@pytest.mark.parametrize("data", [r"C:\Other\app.exe --serve", 1])
def test_a_value_that_is_not_ours_is_refused(registry, data):
    registry.values[(RUN, "SSI Companion")] = data
    for change in (autostart.enable, autostart.disable):
        with pytest.raises(autostart.AutostartError, match="not written by ssi-companion"):
            change(platform="win32")
    assert registry.values == {(RUN, "SSI Companion"): data}
    assert "not written by ssi-companion" in autostart.status(platform="win32").note


def test_another_data_directory_must_be_the_accounts_own(registry, monkeypatch, tmp_path):
    """A Run value is a command line only: the data directory must come from the account."""
    home = str(tmp_path / "data")
    monkeypatch.setenv("SSI_COMPANION_HOME", home)
    with pytest.raises(autostart.AutostartError, match="for your account"):
        autostart.enable(platform="win32")
    assert registry.values == {}
    registry.values[("Environment", "SSI_COMPANION_HOME")] = home
    assert autostart.enable(platform="win32").enabled
    assert autostart.status(platform="win32").up_to_date


@given(st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc"))), min_size=1))
def test_the_command_line_is_read_back_as_written(args):
    assert windows.split(subprocess.list2cmdline(args)) == args
