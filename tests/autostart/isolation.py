"""A user of the test's own for start at login: HOME and XDG_CONFIG_HOME in a temporary folder,
and never the real user manager or session bus of the machine the tests run on."""

import subprocess
import threading
from pathlib import Path

from companion.autostart import systemd
from tests.conftest import free_port


class Recorded:
    """Stands where launchctl or systemctl would run: keeps each call's arguments and answers
    with `answers[first argument]` ((exit code, output)), else exit 0 and no output."""

    def __init__(self, answers: dict[str, tuple[int, str]] | None = None):
        self.answers = answers or {}
        self.calls: list[list[str]] = []
        self.timeouts: list[float | None] = []  # what each call was given (None: the default)

    def __call__(self, *args: str, timeout: float | None = None) -> subprocess.CompletedProcess:
        self.calls.append(list(args))
        self.timeouts.append(timeout)
        code, output = self.answers.get(args[0], (0, ""))
        return subprocess.CompletedProcess(list(args), code, output, "" if code == 0 else output)


def isolate(tmp_path: Path, monkeypatch) -> Path:
    """The test's user: its HOME, whose config folder is XDG_CONFIG_HOME. Returns HOME."""
    user = tmp_path / "user"
    user.mkdir()
    monkeypatch.setenv("HOME", str(user))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(user / "config"))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("SSI_COMPANION_PORT", raising=False)
    # Without these, neither systemctl run here nor a process a test starts (which inherits
    # this environment) finds the desktop's user manager or session bus.
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    if systemd.manager_running():
        # Should it find one even so (a developer's desktop), `systemctl --user enable` would
        # change their own session. Here (and in CI) the answer is "offline": the real call stays.
        monkeypatch.setattr(systemd, "systemctl", Recorded({"is-system-running": (1, "offline")}))
    return user


def user_manager(monkeypatch) -> Recorded:
    """A systemd user manager that runs, as `systemctl --user` answers it: calls are recorded,
    never run (none runs in this container: `systemd --user` cannot start here)."""
    recorded = Recorded({"is-system-running": (0, "running\n")})
    monkeypatch.setattr(systemd, "systemctl", recorded)
    return recorded


def tree(folder: Path) -> dict[str, bytes | str]:
    """Every file (its bytes) and link (its target) under `folder`."""
    found = {}
    for path in sorted(folder.rglob("*")) if folder.exists() else []:
        name = str(path.relative_to(folder))
        if path.is_symlink():
            found[name] = "-> " + str(path.readlink())
        elif path.is_file():
            found[name] = path.read_bytes()
    return found


class Serving:
    """The companion's app answering on a free 127.0.0.1 port, in a thread (werkzeug)."""

    def __init__(self, app):
        from werkzeug.serving import make_server

        self.port = free_port()
        self.server = make_server("127.0.0.1", self.port, app)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
