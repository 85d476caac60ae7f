"""Real processes sharing one data directory: a running `serve`, CLI commands, a second `serve`.

Every test runs the companion as the user does (`python -m companion ...` in processes of its
own, talking to 127.0.0.1 only), so what is proven is what SQLite's and the kernel's locks do
across processes, not what a mock says they would do. The database file is opened here only
after every companion process has ended.
"""

import http.client
import json
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlite_utils import Database

from companion.reading import PILLARS, RANKS
from companion.store import access_token as token
from companion.store.migrations import migrations
from tests.builders import reading, write_csv
from tests.conftest import DATA, ServerProcess, free_port

PAGE = (DATA / "current_en.html").read_text(encoding="utf-8")
PAGE_TOTAL = 19.706
SSI_URL = "https://www.linkedin.com/sales/ssi"
# Captures are 2020 onwards, ~40 a day; imported rows are 2015: the two never share a moment.
CAPTURE_BASE = datetime(2020, 1, 1, 8, 0, tzinfo=timezone(timedelta(hours=1)))
CAPTURE_STEP = timedelta(minutes=37)
# The big import: large enough that its one transaction writes ~27 MB into the WAL over ~2 s,
# so the kill at IMPORT_WAL_GROWTH lands well inside it (past the ~4 MB the captures alone grow
# the WAL to between automatic checkpoints, well before the commit), and holds the write lock
# long enough for captures to queue behind it. More rows prove nothing more: each 10,000 add
# ~2 s to every import.
IMPORT_ROWS = 30_000
IMPORT_WAL_GROWTH = 10_000_000
# Longer than store.BUSY_TIMEOUT_S: a capture may wait out a whole import's write lock.
REQUEST_TIMEOUT_S = 90
CLI_TIMEOUT_S = 60
IMPORT_TIMEOUT_S = 150
# The first test: captures from this many senders at once (each with moments of its own)
# during this many rounds of every command.
SENDERS, SENDER_SPAN, ROUNDS = 4, 10_000, 2


# -- helpers ----------------------------------------------------------------------------------


def _env(home: Path) -> dict:
    return {**os.environ, "SSI_COMPANION_HOME": str(home)}


def _command(*args) -> list[str]:
    return [sys.executable, "-m", "companion", *map(str, args)]


def cli(home: Path, *args, timeout: float = CLI_TIMEOUT_S) -> subprocess.CompletedProcess:
    """`ssi-companion ARGS` in a process of its own, on the data directory `home`."""
    return subprocess.run(
        _command(*args), env=_env(home), capture_output=True, text=True, timeout=timeout
    )


def cli_ok(home: Path, *args, timeout: float = CLI_TIMEOUT_S) -> str:
    """`cli`, which must exit 0 without a traceback; its standard output."""
    result = cli(home, *args, timeout=timeout)
    shown = " ".join(map(str, args))
    assert result.returncode == 0 and "Traceback" not in result.stderr, (
        f"`ssi-companion {shown}` exited {result.returncode}:\n{result.stderr[-3000:]}"
    )
    return result.stdout


def request(port: int, method: str, path: str, secret: str, body=None):
    """(status, decoded JSON answer) of one request to the companion on 127.0.0.1."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
    try:
        headers = {"Authorization": f"Bearer {secret}"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw else None
    finally:
        conn.close()


def capture_body(index: int) -> dict:
    """The `index`-th capture of a test: current_en.html at a moment of its own."""
    return {
        "id": str(uuid.uuid4()),
        "captured_at": (CAPTURE_BASE + index * CAPTURE_STEP).isoformat(),
        "url": SSI_URL,
        "html": PAGE,
    }


def post_capture(port: int, secret: str, index: int) -> tuple[int, dict]:
    body = capture_body(index)
    status, _ = request(port, "POST", "/api/v1/captures", secret, body)
    return status, body


def stored_ids(port: int, secret: str, when: str = "") -> set[str]:
    """The ids of every capture the server holds (`when` says when, should it fail)."""
    status, answer = request(port, "GET", "/api/v1/captures?limit=100000", secret)
    assert status == 200, f"the server cannot list its captures{when}: {answer}"
    return {c["id"] for c in answer["captures"]}


class Poster(threading.Thread):
    """Posts captures one after another, as the extension's outbox does, and notes each answer.

    Stops after `count` captures, or when `finish` is called.
    """

    def __init__(self, port, secret, count=None, pause=0.05, first_index=0):
        super().__init__(daemon=True)
        self.port, self.secret, self.count, self.pause = port, secret, count, pause
        self.first_index = first_index
        self.halt = threading.Event()
        self.lock = threading.Lock()
        self.answers: list[tuple[dict, int, float, float]] = []  # body, status, sent, took
        self.errors: list[str] = []

    def run(self) -> None:
        index = self.first_index
        end = None if self.count is None else self.first_index + self.count
        while not self.halt.is_set() and (end is None or index < end):
            sent = time.monotonic()
            try:
                status, body = post_capture(self.port, self.secret, index)
            except (OSError, http.client.HTTPException) as exc:
                with self.lock:
                    self.errors.append(f"capture {index}: {exc!r}")
            else:
                with self.lock:
                    self.answers.append((body, status, sent, time.monotonic() - sent))
            index += 1
            self.halt.wait(self.pause)

    def finish(self, timeout: float = REQUEST_TIMEOUT_S + 10) -> None:
        self.halt.set()
        self.join(timeout)
        assert not self.is_alive(), "a capture got no answer at all"

    def acknowledged(self) -> list[dict]:
        with self.lock:
            return [body for body, status, _, _ in self.answers if status == 201]

    def assert_all_created(self) -> None:
        refused = [(body["id"], status) for body, status, _, _ in self.answers if status != 201]
        assert not self.errors, f"captures without an answer: {self.errors[:3]}"
        assert not refused, f"{len(refused)} capture(s) not stored (not 201): {refused[:3]}"
        assert self.answers, "no capture was sent"


def stop_cleanly(server: ServerProcess) -> None:
    """SIGTERM, as a service manager stops it: exit 0, no traceback."""
    server.proc.terminate()
    _, err = server.proc.communicate(timeout=30)
    assert server.proc.returncode == 0 and "Traceback" not in err, err[-3000:]


def sqlite_after_stop(home: Path) -> sqlite3.Connection:
    """The database, opened here only once no companion process runs; sound and consistent."""
    conn = sqlite3.connect(home / "ssi.db")
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    return conn


def exported_readings(home: Path) -> dict[str, dict]:
    """What a fresh process sees: `export --format json`, by captured_at."""
    rows = json.loads(cli_ok(home, "export", "--format", "json"))["readings"]
    return {r["captured_at"]: r for r in rows}


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


@pytest.fixture(scope="module")
def big_export(tmp_path_factory) -> Path:
    """An export CSV of IMPORT_ROWS readings, one a minute from 2015-01-01 (none stored yet)."""
    rnd = random.Random(2015)
    start = datetime(2015, 1, 1, tzinfo=UTC)

    def row(minute: int) -> dict:
        pillars = [round(rnd.uniform(0, 25), 2) for _ in range(4)]
        ranks = [rnd.randint(1, 100) if rnd.random() < 0.8 else None for _ in range(2)]
        return reading(
            start + timedelta(minutes=minute),
            **dict(zip(PILLARS, pillars, strict=True)),
            total=round(sum(pillars), 2),
            **dict(zip(RANKS, ranks, strict=True)),
            industry_avg=None,
            network_avg=None,
        )

    path = tmp_path_factory.mktemp("import") / "big.csv"
    return write_csv(path, map(row, range(IMPORT_ROWS)))


def assert_everything_stored(home: Path, acknowledged: list[dict], imported: int) -> None:
    """After every process ended: sound file, each acknowledged capture with its reading,
    and exactly `imported` readings of the big export beside them."""
    conn = sqlite_after_stop(home)
    try:
        ok = {r[0] for r in conn.execute("SELECT id FROM captures WHERE status = 'ok'")}
        with_reading = {r[0] for r in conn.execute("SELECT capture_id FROM readings")}
        from_import = conn.execute(
            "SELECT COUNT(*) FROM readings WHERE captured_at_utc < '2016'"
        ).fetchone()[0]
        captures = conn.execute("SELECT COUNT(*) FROM captures").fetchone()[0]
    finally:
        conn.close()
    lost = [c["id"] for c in acknowledged if c["id"] not in ok or c["id"] not in with_reading]
    assert not lost, f"{len(lost)} acknowledged capture(s) lost: {lost[:3]}"
    assert from_import == imported
    assert captures == len(acknowledged) + imported


# -- the tests --------------------------------------------------------------------------------


def test_cli_commands_while_serve_runs_lose_no_capture(tmp_path):
    """Every command works while `serve` takes captures, and no acknowledged capture is lost.

    The bug this guards against: a command that closed a stray descriptor on ssi.db dropped
    SQLite's locks, so another process checkpointed and deleted the WAL under the server, and
    captures it had acknowledged vanished. After each command, every capture acknowledged so
    far must still be there for the server; at the end, for a fresh process as well.

    (The WAL file itself may come and go: the server opens a connection per request, so
    whenever no process has the database open, closing the last connection checkpoints and
    removes the WAL, as SQLite should. What must never go is an acknowledged capture.)
    """
    home = tmp_path / "home"
    server = ServerProcess(home).start()
    posters = []
    try:
        secret = token.get(home)
        # A few captures, exported now: the loop imports this file again and again.
        first = Poster(server.port, secret, count=3, pause=0)
        first.run()
        first.assert_all_created()
        earlier_csv, out_csv = tmp_path / "earlier.csv", tmp_path / "out.csv"
        cli_ok(home, "export", "--format", "csv", "--out", earlier_csv)
        commands = [
            ("status",),
            ("reparse",),  # early: it reads every kept page again, and more keep coming
            ("readings", "--json"),
            ("export", "--format", "json"),
            ("export", "--format", "csv", "--out", out_csv),
            ("import", earlier_csv),
            ("settings", "set", "stale_days", "8"),
            ("settings", "get", "stale_days"),
            ("backup",),
            ("backups",),
            ("check", "--dry-run", "--json"),
            ("token",),
        ]
        # Captures all through the commands, from a few senders at once: the server has one
        # connection open or several nearly all the time, so a command that made SQLite think
        # it alone had the file open would delete the WAL under them.
        posters = [
            Poster(server.port, secret, pause=0.1, first_index=3 + n * SENDER_SPAN)
            for n in range(SENDERS)
        ]
        for poster in posters:
            poster.start()

        def all_acknowledged():
            return first.acknowledged() + [c for p in posters for c in p.acknowledged()]

        for _ in range(ROUNDS):
            for args in commands:
                before = [c["id"] for c in all_acknowledged()]
                out = cli_ok(home, *args)
                if args[0] == "import":
                    assert out.startswith("Added 0 readings, skipped 3 already stored"), out
                elif args[:2] == ("settings", "get"):
                    assert out.strip() == "8"
                elif args[0] == "token":
                    assert out.strip() == secret
                elif "--json" in args:
                    json.loads(out)
                when = f" after `ssi-companion {' '.join(map(str, args))}`"
                gone = set(before) - stored_ids(server.port, secret, when)
                assert not gone, (
                    f"{len(gone)} acknowledged capture(s) gone{when}: {sorted(gone)[:3]}"
                )
        for poster in posters:
            poster.finish()
            poster.assert_all_created()
        acknowledged = all_acknowledged()
        total = len(acknowledged)

        # The command line and the server see the same daily series.
        cli_rows = json.loads(cli_ok(home, "readings", "--json"))["readings"]
        status, answer = request(server.port, "GET", "/api/v1/readings/daily", secret)
        assert status == 200
        assert cli_rows == answer["readings"]
        assert len(cli_rows) == len({c["captured_at"][:10] for c in acknowledged})

        # A new token works at once in the running server; the old one no longer does.
        new_secret = cli_ok(home, "token", "--rotate").strip()
        assert new_secret != secret and token.get(home) == new_secret
        assert request(server.port, "GET", "/api/v1/status", secret)[0] == 401
        status, answer = request(server.port, "GET", "/api/v1/status", new_secret)
        assert status == 200
        assert answer["counts"] == {"captures": total, "failed": 0, "readings": total}
        stop_cleanly(server)
    finally:
        for poster in posters:
            poster.halt.set()
        server.stop()

    sqlite_after_stop(home).close()
    seen = exported_readings(home)
    lost = [c["id"] for c in acknowledged if c["captured_at"] not in seen]
    assert not lost, f"{len(lost)} acknowledged capture(s) missing for a fresh process"
    assert all(seen[c["captured_at"]]["total"] == PAGE_TOTAL for c in acknowledged)


def _refusal(home: Path, pid: int, port: int) -> str:
    return f"Error: a companion already serves {home} (pid {pid}, port {port})"


def _port_closed(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return True
    return False


def test_second_serve_is_refused_and_the_first_keeps_serving(tmp_path):
    """A second `serve` on the same data directory says who serves it and exits 1; the first
    goes on storing captures. A killed server leaves no stale lock behind."""
    home = tmp_path / "home"
    first = ServerProcess(home).start()
    restarted = None
    try:
        secret = token.get(home)
        status, before = post_capture(first.port, secret, 0)
        assert status == 201

        other_port = free_port()
        started = time.monotonic()
        try:
            second = cli(home, "serve", "--port", other_port, timeout=20)
        except subprocess.TimeoutExpired:
            pytest.fail("a second serve on the same data directory kept running")
        took = time.monotonic() - started
        assert second.returncode == 1, second.stderr
        assert _refusal(home, first.proc.pid, first.port) in second.stderr, second.stderr
        assert "Traceback" not in second.stderr
        assert took < 10, f"the second serve took {took:.1f} s to give up"
        assert _port_closed(other_port), "the refused serve listened on its port"

        status, after = post_capture(first.port, secret, 1)
        assert status == 201
        assert {before["id"], after["id"]} <= stored_ids(first.port, secret)

        first.proc.kill()
        first.proc.wait(10)
        restarted = ServerProcess(home).start()
        status, third = post_capture(restarted.port, secret, 2)
        assert status == 201
        assert {before["id"], after["id"], third["id"]} <= stored_ids(restarted.port, secret)
        stop_cleanly(restarted)
    finally:
        first.stop()
        if restarted is not None:
            restarted.stop()
    sqlite_after_stop(home).close()


# `python -m companion ARGS`, with its modules imported before it waits for a common start
# moment: processes started together then reach the lock and the database within a
# millisecond of each other, not a Python start-up apart.
AT_ONCE = """\
import sys, time
import companion.web, companion.store.status
from companion.cli import cli
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
cli(sys.argv[2:], prog_name="ssi-companion")
"""


def _at_once(home: Path, start_at: float, *args) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", AT_ONCE, str(start_at), *map(str, args)],
        env=_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


@pytest.mark.parametrize("exists", [False, True], ids=["no-dir", "empty-dir"])
def test_two_serves_started_at_once_on_a_new_data_dir(tmp_path, exists):
    """Two `serve` (and two `status`) started at the same instant on a new data directory:
    exactly one serves, the other says which one and exits 1, and the new database is sound
    with each migration applied exactly once."""
    home = tmp_path / "home"
    if exists:
        home.mkdir(mode=0o700)
    ports = [free_port(), free_port()]
    start_at = time.time() + 1.5  # every process has done its imports by then
    serves = [_at_once(home, start_at, "serve", "--port", port) for port in ports]
    statuses = [_at_once(home, start_at, "status") for _ in range(2)]
    try:
        for proc in statuses:
            _, err = proc.communicate(timeout=CLI_TIMEOUT_S)
            assert proc.returncode == 0 and "Traceback" not in err, err[-3000:]
        wait_for(
            lambda: any(p.poll() is not None for p in serves),
            20,
            "one of the two serves to give up (both still run: two servers on one data dir?)",
        )
        time.sleep(0.5)  # had the other one failed too, it would have by now
        exited = [p for p in serves if p.poll() is not None]
        assert len(exited) == 1, "both serves exited:\n" + "\n".join(
            p.communicate()[1][-2000:] for p in exited
        )
        [loser] = exited
        [running] = [p for p in serves if p.poll() is None]
        winner = ServerProcess(home, ports[serves.index(running)])
        winner.proc = running
        winner.wait_ready()
        _, err = loser.communicate(timeout=10)
        assert loser.returncode == 1, err
        assert _refusal(home, running.pid, winner.port) in err, err
        assert "Traceback" not in err
        assert _port_closed(ports[serves.index(loser)])
        secret = token.get(home)
        assert post_capture(winner.port, secret, 0)[0] == 201
        stop_cleanly(winner)
    finally:
        for proc in serves + statuses:
            if proc.poll() is None:
                proc.kill()
            proc.communicate(timeout=10)

    conn = sqlite_after_stop(home)
    try:
        applied = conn.execute(
            "SELECT name, COUNT(*) FROM _sqlite_migrations GROUP BY name ORDER BY name"
        ).fetchall()
        assert migrations.pending(Database(conn)) == []
    finally:
        conn.close()
    assert applied == [(m.name, 1) for m in sorted(migrations._migrations, key=lambda m: m.name)]


def test_import_killed_mid_transaction_adds_nothing_and_loses_no_capture(tmp_path, big_export):
    """`import` killed (SIGKILL) while it writes IMPORT_ROWS rows: every capture the server
    acknowledged meanwhile is kept, the import added all of its rows or none (one
    transaction), the file is sound, and the same import run again then completes."""
    home = tmp_path / "home"
    server = ServerProcess(home).start()
    poster = None
    try:
        secret = token.get(home)
        poster = Poster(server.port, secret)
        poster.start()
        wait_for(lambda: len(poster.acknowledged()) >= 3, 20, "the first captures")
        wal = home / "ssi.db-wal"
        # The import's transaction spills its pages into the WAL as it inserts: well past
        # what the captures make, the kill lands in the middle of that transaction.
        threshold = file_size(wal) + IMPORT_WAL_GROWTH
        importer = subprocess.Popen(
            _command("import", big_export), env=_env(home),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            wait_for(
                lambda: file_size(wal) >= threshold or importer.poll() is not None,
                IMPORT_TIMEOUT_S,
                "the import to write",
            )
        finally:
            importer.kill()  # SIGKILL
            importer.communicate(timeout=10)
        assert importer.returncode == -signal.SIGKILL, (
            "the import ended before it could be killed in the middle of its transaction"
        )

        # The server stores captures again once the writer died holding the write lock.
        after_kill = len(poster.acknowledged())
        wait_for(lambda: len(poster.acknowledged()) >= after_kill + 3, 60, "captures after kill")

        # Run again, the import skips what the killed one stored: all of its rows or none.
        out = cli_ok(home, "import", big_export, timeout=IMPORT_TIMEOUT_S)
        match = re.match(r"Added ([\d,]+) readings?, skipped ([\d,]+) already stored", out)
        assert match, out
        added, kept = (int(group.replace(",", "")) for group in match.groups())
        assert kept in (0, IMPORT_ROWS), f"the killed import left {kept} of its rows"
        assert added + kept == IMPORT_ROWS, out
        poster.finish()
        poster.assert_all_created()
        stop_cleanly(server)
    finally:
        if poster is not None:
            poster.halt.set()
        server.stop()
    assert_everything_stored(home, poster.acknowledged(), IMPORT_ROWS)


def test_big_import_while_serving_fails_no_capture(tmp_path, big_export):
    """A big import (IMPORT_ROWS) beside a running server: every capture sent meanwhile is stored
    (201, if later than usual while the import holds the write lock), and the import succeeds."""
    home = tmp_path / "home"
    server = ServerProcess(home).start()
    poster = None
    try:
        secret = token.get(home)
        poster = Poster(server.port, secret)
        poster.start()
        wait_for(lambda: len(poster.acknowledged()) >= 3, 20, "the first captures")
        started = time.monotonic()
        out = cli_ok(home, "import", big_export, timeout=IMPORT_TIMEOUT_S)
        ended = time.monotonic()
        assert out.startswith(f"Added {IMPORT_ROWS:,} readings, skipped 0"), out
        poster.finish()
        poster.assert_all_created()
        during = [took for _, _, sent, took in poster.answers if started <= sent <= ended]
        assert len(during) >= 5, "the captures did not overlap the import"
        # A capture alone takes about 10 ms; one that waited out a write batch of the import
        # takes 20 times that or more (0.44 s was seen on a busy machine, under 0.5).
        assert max(during) > 0.2, "no capture met the import's write lock: nothing was proven"
        stop_cleanly(server)
    finally:
        if poster is not None:
            poster.halt.set()
        server.stop()
    assert_everything_stored(home, poster.acknowledged(), IMPORT_ROWS)
