"""What a login would start, started for real: the unit's ExecStart= and Environment= lines and
the entry's Exec= line, read from the written files, run as processes that must answer
GET /api/v1/ping on 127.0.0.1 with the data directory and port they were registered with."""

import os
import shlex
import subprocess
from pathlib import Path

import pytest

from companion import __version__, autostart
from companion.cli import cli
from companion.store.access_token import TOKEN_FILE
from tests.autostart.isolation import user_manager
from tests.autostart.readers import GI, glib_argv
from tests.conftest import ServerProcess, free_port, require_system_package

pytestmark = pytest.mark.slow


class Registered(ServerProcess):
    """A registration's own command line in a process of its own (ServerProcess's waiting and
    stopping), with none of this test's SSI_COMPANION_* settings: only what it registered."""

    def __init__(self, argv: list[str], environment: dict[str, str], port: int):
        super().__init__(home=None, port=port)
        self.argv = argv
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SSI_COMPANION_")}
        self.env.update(environment)

    def start(self, wait: bool = True):
        self.proc = subprocess.Popen(
            self.argv, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        if wait:
            self.wait_ready()
        return self


def _registered_with(monkeypatch, tmp_path):
    data = tmp_path / "data dir"
    port = free_port()
    monkeypatch.setenv("SSI_COMPANION_HOME", str(data))
    monkeypatch.setenv("SSI_COMPANION_PORT", str(port))
    return data, port


def _answers(process: Registered, data, runner):
    try:
        process.start()
        assert autostart.answering(process.port, timeout=5) == __version__
        assert (data / TOKEN_FILE).is_file()  # the registered data directory, not another
        shown = runner.invoke(cli, ["autostart", "status"])
        assert shown.exit_code == 0, shown.output
        assert f"Running now     yes: SSI Companion {__version__} answers" in shown.output
    finally:
        process.stop()
    assert autostart.answering(process.port, timeout=1) is None


def test_the_units_execstart_starts_a_companion_that_answers(monkeypatch, tmp_path, runner):
    user_manager(monkeypatch)
    data, port = _registered_with(monkeypatch, tmp_path)
    result = autostart.enable()
    text = Path(result.location).read_text()
    lines = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    argv = shlex.split(lines["ExecStart"])
    environment = dict(word.split("=", 1) for word in shlex.split(lines["Environment"]))
    assert argv[1:] == ["serve", "--port", str(port)] and os.path.isabs(argv[0])
    assert environment == {"SSI_COMPANION_HOME": str(data)}
    _answers(Registered(argv, environment, port), data, runner)


def test_the_entrys_exec_starts_a_companion_that_answers(monkeypatch, tmp_path, runner):
    require_system_package(GI, "python3-gi")
    data, port = _registered_with(monkeypatch, tmp_path)
    result = autostart.enable()
    assert result.method == "XDG autostart entry"
    argv = glib_argv(result.location)  # env(1) sets the data directory itself
    assert argv[0] == "/usr/bin/env" and argv[-3:] == ["serve", "--port", str(port)]
    _answers(Registered(argv, {}, port), data, runner)
