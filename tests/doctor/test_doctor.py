"""`ssi-companion doctor`: each state a user meets, its line, what to do, and the exit code."""

import hashlib
import http.server
import json
import os
import random
import shlex
import sqlite3
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest

import companion
from companion import config, doctor, store
from companion.autostart import systemd
from companion.cli import cli
from companion.doctor import install
from companion.doctor import server as doctor_server
from companion.store import access_token as token
from companion.store import backups, extension_contact, locks
from tests.doctor.helpers import (
    CHECK_NAMES,
    by_name,
    capture,
    doctor_json,
    failed_capture,
    fix_of,
    healthy,
    line_of,
    listing,
)
from tests.doctor.helpers import doctor as run_doctor


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def checks(home, **kw) -> dict:
    return by_name(doctor.run_checks(home, **kw))


@pytest.fixture
def serving(monkeypatch):
    """A companion that serves `home` and answers its ping, without starting a process (the
    real one is in test_doctor_server.py)."""
    holder = {"pid": 4242, "port": 47999, "command": "serve"}
    answer = {"app": "ssi-companion", "version": companion.__version__, "api": 1}
    monkeypatch.setattr(locks, "who_serves", lambda data_dir: holder)
    monkeypatch.setattr(doctor_server, "ping", lambda port, timeout=None: answer)
    return answer


# -- a data directory that is not there ---------------------------------------------------------


def test_a_missing_data_dir_is_reported_and_nothing_is_created(home):
    result = run_doctor()
    assert result.exit_code == 1, result.output
    assert not home.exists()
    assert line_of(result.output, "Data directory") == f"✗ Data directory: {home} does not exist"
    for title in ("Data directory", "Database", "Token", "Last capture"):
        assert "run `ssi-companion serve` (or `make run`) once" in fix_of(result.output, title)
    assert line_of(result.output, "Server") == "✗ Server: not running"
    assert "Traceback" not in result.output


def test_a_missing_data_dir_in_json_and_nothing_is_created(home):
    code, found = doctor_json()
    assert code == 1
    assert not home.exists()
    assert found["ok"] is False
    assert [c["name"] for c in found["checks"]] == CHECK_NAMES
    assert by_name(found["checks"])["data_dir"]["details"] == {"path": str(home), "exists": False}


def test_the_default_data_dir_is_looked_for_without_being_made(home, monkeypatch, tmp_path):
    monkeypatch.delenv("SSI_COMPANION_HOME")
    default = tmp_path / "user" / ".local" / "share" / "ssi-companion"  # XDG_DATA_HOME
    result = run_doctor()
    assert result.exit_code == 1
    assert line_of(result.output, "Data directory") == f"✗ Data directory: {default} does not exist"
    assert not (tmp_path / "user").exists()


# -- a healthy one ------------------------------------------------------------------------------


def test_a_healthy_data_dir_passes_every_check_but_the_server(home, autostart, desktop):
    autostart.enable()
    healthy(home)
    result = run_doctor()
    assert result.exit_code == 1  # no server runs
    lines = result.output.splitlines()
    assert [line for line in lines if not line.startswith("✓ ")] == [
        "✗ Server: not running",
        "  → start it: `ssi-companion serve` (or `make run`), or turn on autostart "
        "(`ssi-companion autostart enable`)",
    ]
    assert (
        line_of(result.output, "Data directory") == f"✓ Data directory: {home} (0700, files 0600)"
    )
    database = line_of(result.output, "Database")
    assert database.startswith(f"✓ Database: {home / 'ssi.db'} (")
    assert "KB, schema 6, integrity ok, 1 reading)" in database
    assert line_of(result.output, "Token") == f"✓ Token: {home / 'token'} (0600)"
    assert line_of(result.output, "Last capture").endswith("minutes ago: read")
    assert line_of(result.output, "Extension").startswith("✓ Extension: chrome, last connected ")
    assert line_of(result.output, "Last backup").endswith(str(backups.newest(home).path))
    assert line_of(result.output, "Version") == (
        f"✓ Version: SSI Companion {companion.__version__} (Python {sys.version.split()[0]})"
    )
    assert token.get(home) not in result.output


def test_exit_0_when_everything_is_in_place(home, autostart, desktop, serving):
    autostart.enable()
    healthy(home)
    result = run_doctor()
    assert result.exit_code == 0, result.output
    assert all(line.startswith("✓ ") for line in result.output.splitlines()), result.output
    assert (
        line_of(result.output, "Server")
        == "✓ Server: serving on http://127.0.0.1:47999/ (pid 4242)"
    )
    code, found = doctor_json()
    assert (code, found["ok"]) == (0, True)
    assert all(c["ok"] and c["fix"] is None for c in found["checks"])


def test_doctor_changes_nothing_in_the_data_dir(home):
    healthy(home)
    before = listing(home)
    assert run_doctor().exit_code == 1
    assert run_doctor("--json").exit_code == 1
    # Not even the -wal and -shm a read-only connection would leave beside a WAL database.
    assert listing(home) == before


def test_the_json_says_what_the_lines_say(home, autostart):
    healthy(home)
    failed_capture(home)
    plain = run_doctor()
    code, found = doctor_json()
    assert code == plain.exit_code == 1
    assert [c["name"] for c in found["checks"]] == CHECK_NAMES
    expected = []
    for check in found["checks"]:
        assert set(check) == {"name", "title", "ok", "summary", "fix", "details"}
        assert (check["fix"] is None) == check["ok"]
        expected.append(f"{'✓' if check['ok'] else '✗'} {check['title']}: {check['summary']}")
        if not check["ok"]:
            expected.append(f"  → {check['fix']}")
    assert plain.output.splitlines() == expected
    assert found["ok"] is all(c["ok"] for c in found["checks"]) is False
    assert {n for n, c in by_name(found["checks"]).items() if not c["ok"]} == {
        "server",
        "last_capture",
        "notifications",
        "autostart",
    }
    assert token.get(home) not in plain.output + json.dumps(found)


# -- permissions --------------------------------------------------------------------------------


def test_files_others_may_read_are_named_with_the_chmod_that_fixes_them(home):
    healthy(home)
    os.chmod(home, 0o755)
    os.chmod(home / "ssi.db", 0o644)
    os.chmod(home / "backups", 0o750)
    result = run_doctor()
    line = line_of(result.output, "Data directory")
    assert line.startswith(f"✗ Data directory: {home}: others may read {home} (0755), ")
    assert "ssi.db (0644)" in line and "backups (0750)" in line
    fix = fix_of(result.output, "Data directory")
    command = f"chmod -R go-rwx {shlex.quote(str(home))}"
    assert fix.startswith(command + " (")
    subprocess.run(command, shell=True, check=True)
    assert line_of(run_doctor().output, "Data directory").startswith("✓ ")


def test_a_token_others_may_read(home):
    healthy(home)
    os.chmod(home / "token", 0o644)
    result = run_doctor()
    assert (
        line_of(result.output, "Token") == f"✗ Token: {home / 'token'} may be read by others (0644)"
    )
    assert fix_of(result.output, "Token").startswith(f"chmod 600 {home / 'token'}; then, ")
    assert "ssi-companion token --rotate" in fix_of(result.output, "Token")
    assert token.get(home) not in result.output
    assert token.get(home) not in run_doctor("--json").output


def test_a_missing_token(home):
    healthy(home)
    (home / "token").unlink()
    result = run_doctor()
    assert line_of(result.output, "Token") == f"✗ Token: {home / 'token'} does not exist yet"
    assert not (home / "token").exists()  # doctor makes none


def test_a_damaged_token_says_how_to_make_a_new_one(home):
    healthy(home)
    (home / "token").write_text("not a token\n")
    result = run_doctor()
    assert line_of(result.output, "Token") == (
        f"✗ Token: {home / 'token'} holds no token (it is damaged)"
    )
    assert "ssi-companion token --rotate" in fix_of(result.output, "Token")
    assert (home / "token").read_text() == "not a token\n"


# -- the database -------------------------------------------------------------------------------


def _garbage(data: bytearray, rng: random.Random) -> bytearray:
    return bytearray(rng.randbytes(len(data)))


def _pages(data: bytearray, rng: random.Random) -> bytearray:
    # The first page stays: SQLite opens the file, and finds the rest damaged.
    return data[:4096] + bytearray(rng.randbytes(len(data) - 4096))


@pytest.mark.parametrize("damage", [_garbage, _pages])
def test_a_damaged_database_is_named_with_the_restore_that_brings_it_back(home, damage):
    healthy(home)
    db_file = home / "ssi.db"
    db_file.write_bytes(damage(bytearray(db_file.read_bytes()), random.Random(7)))
    before = sha256(db_file)
    result = run_doctor()
    assert result.exit_code == 1
    assert line_of(result.output, "Database").startswith(f"✗ Database: {db_file} is damaged (")
    newest = backups.newest(home)
    assert fix_of(result.output, "Database") == (
        f"restore the newest backup ({newest.local_time:%Y-%m-%d %H:%M}, 1 reading): "
        f"`ssi-companion restore {newest.path}`"
    )
    assert line_of(result.output, "Last capture").startswith("✗ Last capture: unknown")
    assert sha256(db_file) == before
    assert sorted(p.name for p in home.glob("ssi.db*")) == ["ssi.db"]
    assert "Traceback" not in result.output


def test_a_damaged_database_without_a_backup(home):
    healthy(home)
    for backup in backups.list_backups(home):
        backup.path.unlink()
    (home / "ssi.db").write_bytes(b"not a database" * 500)
    found = checks(home)
    assert not found["database"].ok
    assert found["database"].fix.startswith(f"there is no backup: move {home / 'ssi.db'} aside")
    assert not found["backup"].ok


def test_a_missing_database_with_backups_says_which_to_restore(home):
    healthy(home)
    (home / "ssi.db").unlink()
    found = checks(home)
    assert found["database"].summary == f"{home / 'ssi.db'} is missing, though backups exist"
    assert f"ssi-companion restore {backups.newest(home).path}" in found["database"].fix
    assert not (home / "ssi.db").exists()


def test_a_newer_schema_says_upgrade(home):
    healthy(home)
    conn = sqlite3.connect(home / "ssi.db")
    with conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('ssi-companion', '0099_from_the_future', '2030-01-01')"
        )
    conn.close()
    found = checks(home)["database"]
    assert not found.ok
    assert "was written by a newer SSI Companion (schema 99; this version knows 6)" in found.summary
    assert found.fix.startswith("upgrade SSI Companion")


def test_a_database_in_use_is_read_without_waiting_for_it(home):
    # A writer holds its transaction open: doctor reads the last committed state, at once.
    healthy(home)
    writer = store.connect(home)
    try:
        writer.execute("BEGIN IMMEDIATE")
        found = checks(home)
        writer.rollback()
    finally:
        writer.close()
    assert found["database"].ok, found["database"]
    assert found["database"].details["readings"] == 1


# -- backups ------------------------------------------------------------------------------------


def test_no_backup_while_readings_exist(home, runner):
    config.data_dir(home)
    capture(home)
    found = checks(home)["backup"]
    assert (found.ok, found.summary) == (False, "none yet, for 1 reading")
    assert found.fix.startswith("run `ssi-companion backup`")
    assert runner.invoke(cli, ["backup"]).exit_code == 0
    assert checks(home)["backup"].ok


def test_an_old_backup_with_captures_since_is_too_old(home):
    config.data_dir(home)
    capture(home, minutes_ago=60 * 24 * 6)
    backups.make_backup(home, now=store.now_utc() - timedelta(days=5))
    capture(home)
    found = checks(home)["backup"]
    assert not found.ok
    assert "5 days ago" in found.summary and found.summary.endswith("; captures came in since")
    assert found.fix.startswith("run `ssi-companion backup`")


def test_an_old_backup_with_nothing_new_since_is_fine(home):
    healthy(home)
    found = checks(home, now=store.now_utc() + timedelta(days=5))["backup"]
    assert found.ok, found
    assert "5 days ago" in found.summary


# -- the server ---------------------------------------------------------------------------------


def test_no_server(home):
    healthy(home)
    result = run_doctor()
    assert line_of(result.output, "Server") == "✗ Server: not running"
    assert fix_of(result.output, "Server").startswith("start it: `ssi-companion serve`")


class _Other(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"app": "something-else"}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_the_port_taken_by_another_program(home):
    healthy(home)
    other = http.server.HTTPServer(("127.0.0.1", config.load()["PORT"]), _Other)
    thread = threading.Thread(target=other.serve_forever, daemon=True)
    thread.start()
    try:
        found = checks(home)["server"]
    finally:
        other.shutdown()
        other.server_close()
        thread.join()
    assert (
        found.summary
        == f"not running, and port {config.load()['PORT']} is taken by another program"
    )
    assert found.fix.startswith("set SSI_COMPANION_PORT to a free port")


def test_a_bad_port_setting_is_reported_not_raised(home, monkeypatch):
    healthy(home)
    monkeypatch.setenv("SSI_COMPANION_PORT", "many")
    result = run_doctor()
    assert result.exit_code == 1
    assert "SSI_COMPANION_PORT must be a whole number" in line_of(result.output, "Server")
    assert line_of(result.output, "Data directory").startswith("✓ ")


def test_a_holder_that_does_not_answer(home, monkeypatch):
    from tests.conftest import free_port

    healthy(home)
    port = free_port()
    monkeypatch.setattr(
        locks, "who_serves", lambda d: {"pid": 99, "port": port, "command": "serve"}
    )
    found = checks(home)["server"]
    assert not found.ok
    assert found.summary.startswith(
        f"pid 99 holds the data directory but does not answer on port {port}"
    )
    assert "kill 99" in found.fix


def test_a_running_companion_of_another_version_wants_a_restart(home, serving):
    healthy(home)
    serving["version"] = "9.9.9"
    found = checks(home)["server"]
    assert not found.ok
    assert "runs version 9.9.9" in found.summary
    assert found.fix.startswith("restart it")


def test_a_restore_under_way(home, monkeypatch):
    healthy(home)
    monkeypatch.setattr(
        locks, "who_serves", lambda d: {"pid": 7, "port": None, "command": "restore"}
    )
    found = checks(home)
    assert found["database"].summary == "a restore is under way (pid 7)"
    assert found["server"].summary == "a restore is under way (pid 7)"


# -- captures, notifications, autostart, version ------------------------------------------------


def test_no_capture_yet(home):
    config.data_dir(home)
    store.connect(home).close()
    found = checks(home)["last_capture"]
    assert (found.ok, found.summary) == (False, "none yet")
    assert "https://www.linkedin.com/sales/ssi" in found.fix


def test_a_last_capture_that_could_not_be_read_says_why(home):
    healthy(home)
    failed_capture(home)
    result = run_doctor()
    line = line_of(result.output, "Last capture")
    assert line.startswith("✗ Last capture: ")
    assert line.endswith(
        ": not read (not_ssi_page: This is LinkedIn's sign-in page: sign in, then open the SSI page.)"
    )
    assert "https://www.linkedin.com/sales/ssi" in fix_of(result.output, "Last capture")


def test_an_extension_that_never_connected_is_told_how_to_load_and_pair(home):
    # A pipx install has no README: the command that builds the extension prints the steps.
    healthy(home)
    (home / extension_contact.CONTACT_FILE).unlink()
    found = checks(home)["extension"]
    assert (found.ok, found.summary) == (False, "has never connected with the token")
    assert found.fix.startswith("build it with `ssi-companion extension build`")
    assert "prints the three steps to load it" in found.fix
    assert "Pair with the companion" in found.fix and "README" not in found.fix


def test_without_a_notification_server_reminders_go_to_the_inbox(home):
    found = checks(home)["notifications"]
    assert not found.ok
    assert (
        found.summary
        == "no desktop notification server: reminders go to the inbox on the summary page"
    )


def test_a_session_bus_that_is_not_there(home, monkeypatch, tmp_path):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-such-bus")
    assert not checks(home)["notifications"].ok


def test_a_notification_server(home, desktop):
    found = checks(home)["notifications"]
    assert (found.ok, found.summary) == (True, "a desktop notification server is there")


def test_autostart_off_says_how_to_turn_it_on(home, autostart):
    found = checks(home)["autostart"]
    assert not found.ok
    assert found.fix == "turn it on: `ssi-companion autostart enable`"


def test_autostart_on(home, autostart):
    autostart.enable()
    found = checks(home)["autostart"]
    assert (found.ok, found.summary) == (
        True,
        "on (XDG autostart entry: /nowhere/ssi-companion.desktop)",
    )
    assert found.details["command"][0] == sys.executable


def test_autostart_that_would_start_a_program_gone(home, autostart, tmp_path):
    autostart.enable(str(tmp_path / "old-venv" / "bin" / "python"))
    found = checks(home)["autostart"]
    assert not found.ok
    assert "which is not there any more" in found.summary


def test_autostart_that_cannot_tell_says_the_errors_own_remedy(home, autostart):
    autostart.fail("no autostart for this desktop", "start it yourself: `ssi-companion serve`")
    found = checks(home)["autostart"]
    assert (found.ok, found.summary) == (False, "cannot be checked: no autostart for this desktop")
    assert found.fix == "start it yourself: `ssi-companion serve`"


def test_autostart_that_cannot_tell_without_a_remedy_never_offers_enable(home, autostart):
    # enable would fail the same way.
    autostart.fail("something is in the way")
    found = checks(home)["autostart"]
    assert found.fix == install.PUT_IT_RIGHT
    assert "autostart enable" not in found.fix


def test_a_bad_port_setting_is_what_autostart_says_to_fix(home, monkeypatch):
    # The real module: it cannot say what enable would register with such a setting.
    monkeypatch.setenv("SSI_COMPANION_PORT", "many")
    result = run_doctor()
    assert line_of(result.output, "Autostart") == (
        "✗ Autostart: cannot be checked: SSI_COMPANION_PORT must be a whole number, not 'many'"
    )
    fix = fix_of(result.output, "Autostart")
    assert fix == "correct that setting (or unset it for the default), then try again"
    assert "autostart enable" not in fix


def test_autostart_in_a_fresh_user_config_is_off(home, tmp_path):
    # The real module, on the config of the test's own user (the isolated fixture).
    found = checks(home)["autostart"]
    assert not found.ok
    assert found.fix == "turn it on: `ssi-companion autostart enable`"
    assert not (tmp_path / "user").exists()


def test_autostart_off_because_a_file_is_in_the_way_says_so(home, monkeypatch):
    # The real module: enable would refuse the file, so the fix is to move it, not enable.
    monkeypatch.setattr(systemd, "manager_running", lambda: False)
    entry = Path(os.environ["XDG_CONFIG_HOME"]) / "autostart" / "ssi-companion.desktop"
    entry.parent.mkdir(parents=True)
    entry.write_text("[Desktop Entry]\nExec=mine\n")
    found = checks(home)["autostart"]
    assert not found.ok
    assert found.fix.startswith(f"{entry} was not written by ssi-companion, so it is left as it is")
    assert entry.read_text() == "[Desktop Entry]\nExec=mine\n"


def test_a_version_that_is_not_installed(home, monkeypatch):
    monkeypatch.setattr(companion, "__version__", "0.0.0")
    found = checks(home)["version"]
    assert not found.ok
    assert found.fix.startswith("install the package")


def test_a_check_that_breaks_is_a_finding_and_the_others_still_run(home, monkeypatch):
    from companion.store import extension_contact

    def boom(data_dir):
        raise RuntimeError("boom")

    healthy(home)
    monkeypatch.setattr(extension_contact, "last", boom)
    result = run_doctor()
    assert result.exit_code == 1
    assert (
        line_of(result.output, "Extension")
        == "✗ Extension: could not be checked (RuntimeError: boom)"
    )
    assert line_of(result.output, "Version").startswith("✓ ")
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_autostart_that_runs_another_command_than_enable_would(home, autostart):
    autostart.enable(up_to_date=False)
    found = checks(home)["autostart"]
    assert not found.ok
    assert found.fix == "bring it up to date: `ssi-companion autostart enable`"
