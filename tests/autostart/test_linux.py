"""Linux for real: the XDG autostart entry (this machine has no systemd user manager) and the
systemd user unit, as files under the test's own HOME, read by systemd's and GLib's own tools."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion import autostart
from companion.autostart import files, linux, systemd, xdg
from companion.autostart.model import Launch
from tests.autostart.isolation import Serving, tree, user_manager
from tests.autostart.readers import GI, glib_argv, systemd_verify
from tests.conftest import require_system_package

SCRIPT = os.path.abspath(Path(sys.executable).parent / "ssi-companion")
# A data directory that needs every kind of quoting a unit or an entry knows.
AWKWARD = 'data dir/it\'s "100%" $HOME \\ `x` #1'
# The real one, whatever isolation.isolate puts in its place on a desktop with a user manager.
REAL_SYSTEMCTL = systemd.systemctl


def entry() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"]) / "autostart" / "ssi-companion.desktop"


def unit() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"]) / "systemd" / "user" / "ssi-companion.service"


# -- which method ----------------------------------------------------------------------------


def test_the_user_manager_is_asked_for_real(monkeypatch):
    # The real systemctl, even where isolation.py replaced it (a desktop with a user manager):
    # `is-system-running` only reads. Offline here and in CI; running on such a desktop.
    monkeypatch.setattr(systemd, "systemctl", REAL_SYSTEMCTL)
    answer = subprocess.run(
        ["systemctl", "--user", "is-system-running"], capture_output=True, text=True
    ).stdout.strip()
    assert systemd.manager_running() is (answer in systemd.MANAGER_RUNNING)


def test_a_process_a_test_starts_finds_no_session_of_the_desktop(monkeypatch):
    # isolation.isolate took them out: a companion or systemctl started here cannot reach the
    # developer's session bus or user manager.
    shown = subprocess.run(
        [sys.executable, "-c", "import os; print(os.environ.get('DBUS_SESSION_BUS_ADDRESS'), "
         "os.environ.get('XDG_RUNTIME_DIR'))"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert shown == "None None\n"


def test_asking_whether_a_manager_runs_has_a_short_timeout(monkeypatch):
    # The settings page asks on every render, doctor on every run: a hung systemctl must not
    # hold them up for the 30 s that enable and disable allow.
    recorded = user_manager(monkeypatch)
    assert autostart.status().method == "systemd user unit"
    assert recorded.calls == [["is-system-running"]]
    assert recorded.timeouts == [systemd.DETECT_TIMEOUT_S]
    assert systemd.DETECT_TIMEOUT_S <= 3 < systemd.SYSTEMCTL_TIMEOUT_S


@pytest.mark.slow
def test_a_systemctl_that_hangs_costs_a_moment_and_means_no_manager(monkeypatch, tmp_path):
    # A real process that never answers, where PATH finds systemctl.
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "systemctl").write_text("#!/bin/sh\nexec sleep 60\n")
    (folder / "systemctl").chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(systemd, "systemctl", REAL_SYSTEMCTL)
    started = time.monotonic()
    found = autostart.status()
    assert time.monotonic() - started < systemd.DETECT_TIMEOUT_S + 5
    assert found.method == "XDG autostart entry" and not found.enabled


def test_without_a_user_manager_enable_writes_an_xdg_autostart_entry(monkeypatch, tmp_path):
    monkeypatch.setenv("SSI_COMPANION_HOME", str(tmp_path / "data"))
    result = autostart.enable()
    assert result.enabled and result.changed
    assert result.method == "XDG autostart entry"
    assert result.location == str(entry())
    assert result.command == [SCRIPT, "serve"]
    assert result.environment == {"SSI_COMPANION_HOME": str(tmp_path / "data")}
    assert "next login" in result.note and f"{SCRIPT} serve" in result.note
    assert not unit().exists()


def test_with_a_companion_running_the_entry_does_not_say_how_to_start_one(app):
    with Serving(app) as running:
        result = autostart.enable(port=running.port)
    assert result.note.startswith(f"A companion already runs on http://127.0.0.1:{running.port}/.")
    assert "next login" in result.note and "To start it now" not in result.note


def test_xdg_config_home_defaults_to_dot_config(user, monkeypatch):
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert autostart.enable().location == str(
        user / ".config" / "autostart" / "ssi-companion.desktop"
    )
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/config")  # not absolute: ignored (XDG spec)
    assert autostart.status().enabled


# -- the XDG entry ---------------------------------------------------------------------------


def test_the_entry_holds_the_command_and_defaults_add_nothing():
    autostart.enable()
    text = entry().read_text()
    assert text.splitlines()[0] == f"# {files.MARK}"
    assert f"\nExec={SCRIPT} serve\n" in text
    assert "--port" not in text and "SSI_COMPANION_HOME" not in text and "/usr/bin/env" not in text
    assert "\nType=Application\n" in text and "\nX-GNOME-Autostart-enabled=true\n" in text


def test_another_home_and_port_are_in_the_entry(monkeypatch, tmp_path):
    monkeypatch.setenv("SSI_COMPANION_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("SSI_COMPANION_PORT", "47700")
    autostart.enable()
    exec_line = f"/usr/bin/env SSI_COMPANION_HOME={tmp_path}/data {SCRIPT} serve --port 47700"
    assert f"\nExec={exec_line}\n" in entry().read_text()


def test_enabling_twice_changes_nothing_not_even_the_time():
    first = autostart.enable()
    written, stamp = entry().read_bytes(), entry().stat().st_mtime_ns
    again = autostart.enable()
    assert again.enabled and not again.changed
    assert entry().read_bytes() == written and entry().stat().st_mtime_ns == stamp
    assert (again.command, again.location) == (first.command, first.location)


def test_disable_removes_exactly_what_enable_wrote(user):
    others = Path(os.environ["XDG_CONFIG_HOME"]) / "autostart"
    others.mkdir(parents=True)
    (others / "someone-else.desktop").write_text("[Desktop Entry]\nExec=other\n")
    before = tree(user)
    autostart.enable()
    assert tree(user) != before
    result = autostart.disable()
    assert not result.enabled and result.changed
    assert tree(user) == before


def test_disable_when_not_enabled_is_fine_and_creates_nothing(user):
    result = autostart.disable()
    assert not result.enabled and not result.changed
    assert tree(user) == {}


@pytest.mark.parametrize("kind", ["foreign file", "symbolic link", "folder"])
def test_a_file_that_is_not_ours_is_never_touched(user, kind):
    path = entry()
    path.parent.mkdir(parents=True)
    if kind == "foreign file":
        path.write_text("[Desktop Entry]\nExec=/usr/bin/something-else\n")
    elif kind == "symbolic link":
        (user / "target.desktop").write_text("mine")
        path.symlink_to(user / "target.desktop")
    else:
        path.mkdir()
    before = tree(user)
    for change in (autostart.enable, autostart.disable):
        with pytest.raises(autostart.AutostartError, match="left as it is"):
            change()
    assert tree(user) == before
    state = autostart.status()
    assert not state.enabled and "left as it is" in state.note


def test_an_entry_switched_off_by_the_desktop_is_disabled_and_enable_switches_it_on():
    autostart.enable()
    entry().write_text(entry().read_text().replace("enabled=true", "enabled=false"))
    state = autostart.status()
    assert not state.enabled and "switched this entry off" in state.note
    assert autostart.enable().changed
    assert autostart.status().enabled


def test_status_says_when_the_registration_is_not_what_enable_would_write(monkeypatch):
    autostart.enable()
    assert autostart.status().up_to_date
    monkeypatch.setenv("SSI_COMPANION_PORT", "47701")
    state = autostart.status()
    assert state.enabled and not state.up_to_date and state.port == 47613
    assert autostart.enable().changed and autostart.status().up_to_date


def test_glib_reads_the_entry_as_the_command_we_meant(tmp_path, monkeypatch):
    """GLib (Gio.DesktopAppInfo, what GNOME starts autostart entries with) reads the file."""
    require_system_package(GI, "python3-gi")
    home = tmp_path / AWKWARD
    monkeypatch.setenv("SSI_COMPANION_HOME", str(home))
    autostart.enable()
    assert glib_argv(entry()) == ["/usr/bin/env", f"SSI_COMPANION_HOME={home}", SCRIPT, "serve"]


# What command.launch lets through: no control characters, UTF-8 only (no surrogates).
ARGUMENT = st.text(
    st.characters(min_codepoint=32, blacklist_characters="\x7f", blacklist_categories=("Cs",)),
    max_size=12,
)


@given(
    st.lists(ARGUMENT, min_size=1, max_size=4),
    st.dictionaries(st.sampled_from(["A", "B"]), ARGUMENT),
)
def test_the_entry_and_the_unit_read_back_what_they_were_given(args, environment):
    launch = Launch(["/bin/ssi-companion", *args], environment)
    command, read_environment, _, starts = xdg.parse(xdg.render(launch))
    assert (command, read_environment, starts) == (launch.command, environment, True)
    command, read_environment, _ = systemd.parse(systemd.render(launch))
    assert (command, read_environment) == (launch.command, environment)


# -- the systemd unit ------------------------------------------------------------------------


def test_with_a_user_manager_the_unit_is_written_and_enabled_now(monkeypatch, tmp_path):
    systemctl = user_manager(monkeypatch)
    monkeypatch.setenv("SSI_COMPANION_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("SSI_COMPANION_PORT", "47702")
    result = autostart.enable()
    assert result.method == "systemd user unit" and result.location == str(unit())
    assert systemctl.calls == [
        ["is-system-running"],
        ["daemon-reload"],
        ["enable", "--now", "ssi-companion.service"],
    ]
    text = unit().read_text()
    assert f"\nExecStart={SCRIPT} serve --port 47702\n" in text
    assert f'\nEnvironment="SSI_COMPANION_HOME={tmp_path}/data"\n' in text
    assert "\nRestart=on-failure\n" in text and "\nWantedBy=default.target\n" in text
    assert "Started now" in result.note
    assert not entry().exists()


def test_the_unit_defaults_add_nothing(monkeypatch):
    user_manager(monkeypatch)
    autostart.enable()
    text = unit().read_text()
    assert f"\nExecStart={SCRIPT} serve\n" in text
    assert "Environment=" not in text and "--port" not in text


def test_systemd_analyze_verifies_the_unit(monkeypatch, tmp_path):
    require_system_package("/usr/bin/systemd-analyze", "systemd")
    user_manager(monkeypatch)
    monkeypatch.setenv("SSI_COMPANION_HOME", str(tmp_path / AWKWARD))
    monkeypatch.setenv("SSI_COMPANION_PORT", "47703")
    autostart.enable()
    assert systemd_verify(unit(), tmp_path) == (0, "")


def test_systemd_finds_the_program_at_an_awkward_path(monkeypatch, tmp_path):
    """verify checks that ExecStart='s program exists: systemd read the quoted path as written."""
    require_system_package("/usr/bin/systemd-analyze", "systemd")
    user_manager(monkeypatch)
    bin_dir = tmp_path / "data dir/100% $HOME `x` #1 ü" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "ssi-companion").symlink_to(SCRIPT)
    monkeypatch.setattr(sys, "executable", str(bin_dir / "python"))
    assert autostart.enable().command == [str(bin_dir / "ssi-companion"), "serve"]
    assert systemd_verify(unit(), tmp_path) == (0, "")
    (bin_dir / "ssi-companion").unlink()
    code, said = systemd_verify(unit(), tmp_path)
    assert code != 0 and f"Command {bin_dir}/ssi-companion is not executable" in said


def test_a_program_path_systemd_cannot_start_is_refused(monkeypatch, tmp_path, user):
    user_manager(monkeypatch)
    bin_dir = tmp_path / "it's" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "ssi-companion").symlink_to(SCRIPT)
    monkeypatch.setattr(sys, "executable", str(bin_dir / "python"))
    with pytest.raises(autostart.AutostartError, match="quote or a backslash"):
        autostart.enable()
    assert tree(user) == {}


def test_a_unit_enabled_once_is_not_enabled_again(monkeypatch):
    systemctl = user_manager(monkeypatch)
    autostart.enable()
    written = unit().read_bytes()
    link = unit().parent / "default.target.wants" / "ssi-companion.service"
    link.parent.mkdir()
    link.symlink_to(unit())  # what `systemctl --user enable` made
    systemctl.calls.clear()
    again = autostart.enable()
    assert again.enabled and not again.changed
    assert systemctl.calls == [["is-system-running"]] and unit().read_bytes() == written


def test_a_companion_that_already_answers_is_not_started_twice(monkeypatch, app):
    systemctl = user_manager(monkeypatch)
    with Serving(app) as running:
        result = autostart.enable(port=running.port)
    assert ["enable", "ssi-companion.service"] in systemctl.calls
    assert not any("--now" in call for call in systemctl.calls)
    assert f"already runs on http://127.0.0.1:{running.port}/" in result.note


def test_disable_with_a_user_manager_disables_stops_and_removes_the_unit(monkeypatch, user):
    before = tree(user)
    systemctl = user_manager(monkeypatch)
    autostart.enable()
    systemctl.calls.clear()
    result = autostart.disable()
    assert systemctl.calls == [
        ["is-system-running"],
        ["disable", "--now", "ssi-companion.service"],
        ["daemon-reload"],
    ]
    assert not result.enabled and "Stopped" in result.note
    assert tree(user) == before


def test_a_failing_systemctl_is_an_error_that_says_what_failed(monkeypatch):
    recorded = user_manager(monkeypatch)
    recorded.answers["enable"] = (1, "Failed to enable unit: Access denied")
    with pytest.raises(autostart.AutostartError, match="Access denied.*disable` removes it"):
        autostart.enable()


def test_without_a_manager_the_unit_and_its_link_are_removed_by_hand(monkeypatch, user):
    before = tree(user)
    user_manager(monkeypatch)
    autostart.enable()
    link = unit().parent / "default.target.wants" / "ssi-companion.service"
    link.parent.mkdir()
    link.symlink_to(unit())
    monkeypatch.setattr(systemd, "manager_running", lambda: False)
    assert (
        autostart.status().method == "systemd user unit"
    )  # what is there, not what enable would use
    assert autostart.disable().changed
    assert tree(user) == before
    assert not link.is_symlink() and not unit().exists()


def test_a_method_that_changed_leaves_one_registration_only(monkeypatch):
    autostart.enable()  # no user manager: the XDG entry
    assert entry().exists()
    user_manager(monkeypatch)
    result = autostart.enable()
    assert result.method == "systemd user unit" and result.changed
    assert unit().exists() and not entry().exists()


def test_disable_refuses_before_removing_anything_when_a_path_is_not_ours(monkeypatch, user):
    autostart.enable()
    unit().parent.mkdir(parents=True)
    unit().write_text("[Service]\nExecStart=/bin/true\n")
    before = tree(user)
    with pytest.raises(autostart.AutostartError, match="not written by ssi-companion"):
        linux.disable(Launch([SCRIPT, "serve"], {}), stop=True)
    assert tree(user) == before
