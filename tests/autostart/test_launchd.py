"""macOS through its format: the LaunchAgent is written under the test's own HOME with the
platform named darwin, read back with plistlib, and launchctl is recorded where the module
runs it (launchd.launchctl), never run: there is no launchd here."""

import os
import plistlib
import sys
from pathlib import Path

import pytest

from companion import autostart
from companion.autostart import files, launchd
from tests.autostart.isolation import Recorded, Serving, tree

SCRIPT = os.path.abspath(Path(sys.executable).parent / "ssi-companion")
DOMAIN = f"gui/{os.getuid()}"


@pytest.fixture
def launchctl(monkeypatch) -> Recorded:
    recorded = Recorded()
    monkeypatch.setattr(launchd, "launchctl", recorded)
    return recorded


def agent(user) -> Path:
    return user / "Library" / "LaunchAgents" / "io.github.ssi-companion.plist"


def test_the_agent_is_a_plist_that_runs_serve_at_load_and_after_a_crash(user, launchctl):
    result = autostart.enable(platform="darwin")
    assert (result.enabled, result.changed, result.method) == (True, True, "LaunchAgent")
    assert result.location == str(agent(user))
    assert plistlib.loads(agent(user).read_bytes()) == {
        "Label": "io.github.ssi-companion",
        "ProgramArguments": [SCRIPT, "serve"],
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},
    }
    assert f"<!-- {files.MARK} -->".encode() in agent(user).read_bytes()
    assert launchctl.calls == [["bootstrap", DOMAIN, str(agent(user))]]
    assert "Started now" in result.note


def test_another_home_and_port_are_in_the_agent(user, launchctl, monkeypatch, tmp_path):
    monkeypatch.setenv("SSI_COMPANION_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("SSI_COMPANION_PORT", "47710")
    autostart.enable(platform="darwin")
    written = plistlib.loads(agent(user).read_bytes())
    assert written["ProgramArguments"] == [SCRIPT, "serve", "--port", "47710"]
    assert written["EnvironmentVariables"] == {"SSI_COMPANION_HOME": str(tmp_path / "data")}
    state = autostart.status(platform="darwin")
    assert state.enabled and state.up_to_date and state.port == 47710
    assert state.environment == {"SSI_COMPANION_HOME": str(tmp_path / "data")}


def test_enabling_twice_changes_nothing(user, launchctl):
    autostart.enable(platform="darwin")
    written, stamp = agent(user).read_bytes(), agent(user).stat().st_mtime_ns
    launchctl.calls.clear()
    again = autostart.enable(platform="darwin")
    assert again.enabled and not again.changed
    assert agent(user).read_bytes() == written and agent(user).stat().st_mtime_ns == stamp
    assert launchctl.calls == []


def test_a_changed_agent_is_booted_out_before_it_is_bootstrapped_again(
    user, launchctl, monkeypatch
):
    autostart.enable(platform="darwin")
    launchctl.calls.clear()
    monkeypatch.setenv("SSI_COMPANION_PORT", "47711")
    assert autostart.enable(platform="darwin").changed
    assert launchctl.calls == [
        ["bootout", f"{DOMAIN}/io.github.ssi-companion"],
        ["bootstrap", DOMAIN, str(agent(user))],
    ]


def test_a_changed_agent_not_started_now_leaves_the_running_companion_alone(
    user, launchctl, monkeypatch
):
    # The settings page enables with start=False: the companion serving it may be the loaded
    # agent, and a bootout without a bootstrap would stop it until the next login.
    autostart.enable(platform="darwin")
    launchctl.calls.clear()
    monkeypatch.setenv("SSI_COMPANION_PORT", "47712")
    result = autostart.enable(start=False, platform="darwin")
    assert result.changed and result.up_to_date
    assert launchctl.calls == []
    assert plistlib.loads(agent(user).read_bytes())["ProgramArguments"][-2:] == ["--port", "47712"]
    assert result.note == (
        "Not started now: the changed agent takes effect at your next login "
        "(a companion running now keeps running)."
    )


def test_a_new_agent_not_started_now_starts_at_the_next_login(user, launchctl):
    result = autostart.enable(start=False, platform="darwin")
    assert result.changed and launchctl.calls == []
    assert result.note == "Not started now: the agent starts at your next login."


def test_a_changed_agent_with_a_companion_answering_is_not_booted_out(user, launchctl, app):
    autostart.enable(platform="darwin")
    launchctl.calls.clear()
    with Serving(app) as running:
        result = autostart.enable(port=running.port, platform="darwin")
    assert result.changed and launchctl.calls == []
    assert result.note.startswith(f"A companion already runs on http://127.0.0.1:{running.port}/.")
    assert "keeps running" in result.note


def test_disable_boots_out_and_removes_exactly_the_agent(user, launchctl):
    before = tree(user)
    autostart.enable(platform="darwin")
    launchctl.calls.clear()
    result = autostart.disable(platform="darwin")
    assert not result.enabled and result.changed and "Stopped" in result.note
    assert launchctl.calls == [["bootout", f"{DOMAIN}/io.github.ssi-companion"]]
    assert tree(user) == before
    assert not autostart.disable(platform="darwin").changed
    assert launchctl.calls == [["bootout", f"{DOMAIN}/io.github.ssi-companion"]]


def test_an_agent_that_is_not_ours_is_refused(user, launchctl):
    agent(user).parent.mkdir(parents=True)
    agent(user).write_bytes(plistlib.dumps({"Label": "io.github.ssi-companion"}))
    before = tree(user)
    for change in (autostart.enable, autostart.disable):
        with pytest.raises(autostart.AutostartError, match="not written by ssi-companion"):
            change(platform="darwin")
    assert tree(user) == before and launchctl.calls == []


def test_a_failed_bootstrap_says_so_and_what_is_left(user, monkeypatch):
    monkeypatch.setattr(launchd, "launchctl", Recorded({"bootstrap": (5, "Input/output error")}))
    with pytest.raises(autostart.AutostartError, match="Input/output error.*next login"):
        autostart.enable(platform="darwin")
    assert autostart.status(platform="darwin").enabled


def test_a_companion_that_already_answers_is_not_started_twice(user, launchctl, app):
    with Serving(app) as running:
        result = autostart.enable(port=running.port, platform="darwin")
    assert launchctl.calls == []
    assert f"already runs on http://127.0.0.1:{running.port}/" in result.note
    assert "next login" in result.note
