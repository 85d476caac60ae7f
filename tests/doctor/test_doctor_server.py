"""Doctor beside a real `ssi-companion serve`: it answers while the server runs, names its
port, takes no lock that would stand in the server's way, and sees it stop."""

import time

import pytest

from companion.store import access_token as token
from companion.store import backups
from tests.conftest import ServerProcess, free_port
from tests.doctor.helpers import doctor, doctor_json, fix_of, line_of, listing
from tests.helpers_api import EXTENSION_ORIGIN, auth, capture_body, post_json
from tests.helpers_process import recent

pytestmark = pytest.mark.slow


def wait_for_backup(home, timeout: float = 20) -> None:
    # serve makes its start-up backup in the background, just after it is ready.
    deadline = time.monotonic() + timeout
    while not backups.list_backups(home, with_counts=False):
        assert time.monotonic() < deadline, "serve made no backup at start-up"
        time.sleep(0.05)


def test_with_a_companion_running_every_check_passes(home, autostart, desktop):
    autostart.enable()
    server = ServerProcess(home).start()
    try:
        wait_for_backup(home)
        status, _, body = post_json(
            server.port,
            capture_body(captured_at=recent(1)),
            auth(home, Origin=EXTENSION_ORIGIN),
        )
        assert status == 201, body
        started = time.monotonic()
        result = doctor()
        assert time.monotonic() - started < 10  # no lock of the server's held it up
        assert result.exit_code == 0, result.output
        assert line_of(result.output, "Server") == (
            f"✓ Server: serving on http://127.0.0.1:{server.port}/ (pid {server.proc.pid})"
        )
        assert line_of(result.output, "Extension").startswith("✓ Extension: chrome, ")
        assert line_of(result.output, "Last capture").endswith(": read")
        assert token.get(home) not in result.output
        code, found = doctor_json()
        assert code == 0 and found["ok"] is True
        server_check = next(c for c in found["checks"] if c["name"] == "server")
        assert server_check["details"]["port"] == server.port
        # The server still serves: doctor took nothing from it.
        status, _, _ = post_json(
            server.port, capture_body(captured_at=recent(0)), auth(home, Origin=EXTENSION_ORIGIN)
        )
        assert status == 201
    finally:
        server.stop()
    before = listing(home)
    result = doctor()
    assert result.exit_code == 1
    assert line_of(result.output, "Server") == "✗ Server: not running"
    assert fix_of(result.output, "Server").startswith("start it: `ssi-companion serve`")
    assert listing(home) == before


def test_a_companion_of_another_data_dir_on_our_port(home, tmp_path, monkeypatch):
    port = free_port()
    monkeypatch.setenv("SSI_COMPANION_PORT", str(port))
    other = ServerProcess(tmp_path / "other-home", port).start()
    try:
        result = doctor()
    finally:
        other.stop()
    assert result.exit_code == 1
    assert line_of(result.output, "Server") == (
        f"✗ Server: not running for {home}; the companion on port {port} serves another data "
        "directory"
    )
    assert not home.exists()
