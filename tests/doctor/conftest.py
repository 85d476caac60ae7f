"""What every doctor test shares: nothing of the real user's is read or touched."""

import sys

import pytest

from companion import autostart as autostart_module
from companion.autostart import Autostart, AutostartError, xdg
from tests.conftest import free_port

LOCATION = "/nowhere/ssi-companion.desktop"


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    # Autostart looks in the user's config and asks systemctl whether a user manager runs; the
    # notification check at the session bus; the server check at the configured port, where
    # the developer's own companion may answer.
    user = tmp_path / "user"
    monkeypatch.setenv("HOME", str(user))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(user / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(user / ".local" / "share"))
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setenv("SSI_COMPANION_PORT", str(free_port()))


class AutostartState:
    """companion.autostart.status answering what the test sets, as the real Autostart or
    AutostartError, so these tests do not depend on the desktop they run on."""

    def __init__(self):
        self.answer = Autostart(False, xdg.METHOD, LOCATION, [sys.executable, "serve"])

    def enable(self, program: str = sys.executable, **fields):
        command = [program, "-m", "companion", "serve"]
        self.answer = Autostart(True, xdg.METHOD, LOCATION, command, **fields)

    def fail(self, message: str, remedy: str | None = None):
        self.answer = AutostartError(message, remedy)

    def status(self, home=None, port=None, *, platform=None):
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


@pytest.fixture
def autostart(monkeypatch):
    state = AutostartState()
    monkeypatch.setattr(autostart_module, "status", state.status)
    return state


@pytest.fixture
def desktop(monkeypatch):
    """A desktop notification server, as Notifier.available() would find one."""
    from companion.reminders.desktop import Notifier

    monkeypatch.setattr(Notifier, "available", lambda self: True)
