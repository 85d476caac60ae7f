"""Backups, their rotation, and restoring one, as a user meets them.

Everything runs for real: `serve` is a subprocess on a free loopback port, every command is
`python -m companion ...` in its own process with SSI_COMPANION_HOME set, and the files are
real SQLite files in a temporary data directory. Each wait is bounded by a deadline or a
subprocess timeout.
"""

import fcntl
import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from companion.store import backups
from tests.builders import write_history
from tests.conftest import ServerProcess
from tests.helpers_api import auth, capture_body, post_json, raw_request
from tests.helpers_process import (
    cli,
    integrity,
    ok,
    recent,
    refused,
    sha256,
)

# -- helpers ----------------------------------------------------------------------------------


def backup_path(result: subprocess.CompletedProcess) -> Path:
    """`backup` prints the file it wrote as its last line, for scripts to pick up."""
    return Path(ok(result).stdout.strip().splitlines()[-1])


def readings_in(db_file: Path) -> list[dict]:
    conn = sqlite3.connect(f"{db_file.resolve().as_uri()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM readings ORDER BY captured_at_utc")]
    finally:
        conn.close()


def api_readings(server: ServerProcess) -> list[dict]:
    status, _, body = raw_request(
        server.port, "GET", "/api/v1/readings?limit=100000", auth(server.home)
    )
    assert status == 200, body
    return json.loads(body)["readings"]


def backup_files(home: Path) -> list[Path]:
    return sorted((home / "backups").glob("ssi-*.db"))


def set_aside(home: Path) -> list[Path]:
    """The databases restores kept aside (not their -wal/-shm, which reading them may make)."""
    return sorted(
        p for p in home.glob("ssi.db.before-restore-*") if p.name[-4:] not in ("-wal", "-shm")
    )


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"after {timeout:g} s: {what}")


def make_home_with_readings(home: Path, tmp: Path, rows: int) -> None:
    """A data directory holding `rows` imported readings (no serve has run, so no backup)."""
    path = write_history(tmp / f"history-{rows}.csv", rows, datetime(2025, 1, 1, 9, tzinfo=UTC))
    assert f"Added {rows} readings" in ok(cli(home, "import", path)).stdout


# -- the server's daily backup ----------------------------------------------------------------


@pytest.mark.slow  # a real serve
def test_serve_backs_up_at_start_up_once_a_day(tmp_path):
    """The first `serve` of a day makes a private backup that `backups` and `status` show;
    a second start the same day makes none."""
    home = tmp_path / "home"
    make_home_with_readings(home, tmp_path, rows=40)
    assert backup_files(home) == []
    day = date.today()

    server = ServerProcess(home)
    try:
        server.start()
        ready = time.monotonic()
        made = wait_for(lambda: backup_files(home), 15, "serve made no backup at start-up")
        took = time.monotonic() - ready
    finally:
        server.stop()
    assert len(made) == 1
    backup = made[0]
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert stat.S_IMODE((home / "backups").stat().st_mode) == 0o700
    assert integrity(backup) == [("ok",)]
    assert len(readings_in(backup)) == 40

    listing = ok(cli(home, "backups")).stdout
    line = next(line for line in listing.splitlines() if str(backup) in line)
    assert line.split()[-2] == "40", listing  # the readings column
    status = ok(cli(home, "status")).stdout
    last_backup = next(line for line in status.splitlines() if line.startswith("Last backup"))
    assert str(backup) in last_backup, status

    again = ServerProcess(home)
    try:
        again.start()
        # The first start's backup came `took` after it was ready: give the second's check
        # several times that to run.
        time.sleep(min(max(1.5, 5 * took), 8.0))
    finally:
        again.stop()
    if date.today() != day:
        pytest.skip("the local day changed during the test: a new backup would be right")
    assert backup_files(home) == [backup], "a second start on the same day made another backup"


# -- `backup` while captures stream in --------------------------------------------------------


@pytest.mark.slow  # a real serve
def test_backup_during_a_stream_of_captures_is_a_consistent_snapshot(tmp_path):
    """`backup` while serve stores captures: a sound, self-contained file (no WAL) holding
    every capture acknowledged before it started, each reading with its capture; its path is
    the last line printed."""
    home = tmp_path / "home"
    server = ServerProcess(home).start()
    acked: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    errors: list[str] = []

    def stream(worker: int) -> None:
        n = 0
        while not stop.is_set() and n < 2000:
            body = capture_body(id=str(uuid.uuid4()), captured_at=recent(worker * 10_000 + n))
            n += 1
            try:
                status, _, answer = post_json(server.port, body, auth(home))
            except OSError as exc:
                errors.append(repr(exc))
                return
            if status != 201:
                errors.append(f"{status} {answer[:200]!r}")
                return
            with lock:
                acked.append(body["id"])

    threads = [threading.Thread(target=stream, args=(w,), daemon=True) for w in range(3)]
    try:
        for thread in threads:
            thread.start()
        wait_for(lambda: len(acked) >= 15 or errors, 30, "the stream of captures did not start")
        with lock:
            before = set(acked)
        result = cli(home, "backup")
        with lock:
            during = len(acked) - len(before)
        wait_for(lambda: len(acked) >= len(before) + during + 3 or errors, 30, "stream stalled")
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
        server.stop()
    assert not errors, errors[:3]
    assert during > 0, "no capture was stored while the backup ran: nothing was tested"

    path = backup_path(result)
    assert path.parent == home / "backups"
    assert not Path(f"{path}-wal").exists() and not Path(f"{path}-shm").exists()
    header = path.read_bytes()[:100]
    assert header[18:20] == b"\x01\x01", "the backup is in WAL mode: it needs a -wal to be read"
    assert integrity(path) == [("ok",)]

    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal"
        captures = {r[0]: r[1] for r in conn.execute("SELECT id, status FROM captures")}
        reading_ids = {r[0] for r in conn.execute("SELECT capture_id FROM readings")}
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()
    assert before <= set(captures), "captures acknowledged before the backup are missing"
    assert set(captures) <= set(acked), "the backup holds captures that were never stored"
    assert reading_ids == set(captures), "a capture and its reading were split by the backup"
    assert set(captures.values()) == {"ok"}


def test_backup_out_writes_the_file_and_never_overwrites_one(tmp_path):
    """`backup --out FILE` writes FILE (and prints it last); an existing FILE is refused."""
    home = tmp_path / "home"
    make_home_with_readings(home, tmp_path, rows=12)
    out = tmp_path / "elsewhere" / "copy.db"
    out.parent.mkdir()
    assert backup_path(cli(home, "backup", "--out", out)) == out
    assert integrity(out) == [("ok",)]
    assert len(readings_in(out)) == 12
    assert backup_files(home) == [], "--out also wrote into backups/"

    before = sha256(out)
    message = refused(cli(home, "backup", "--out", out))
    assert "already exists" in message and str(out) in message
    assert sha256(out) == before

    live = home / "ssi.db"
    before = sha256(live)
    assert "Error: " in refused(cli(home, "backup", "--out", live))
    assert sha256(live) == before


# -- rotation ---------------------------------------------------------------------------------


def _local_noon(day: date, hour: int = 12) -> datetime:
    """A moment in the user's local `day`, as a backup's UTC time (as file names carry it)."""
    return datetime(day.year, day.month, day.day, hour).astimezone().astimezone(UTC)


def _backup(made_at: datetime) -> backups.Backup:
    name = f"ssi-{made_at.astimezone(UTC):%Y%m%dT%H%M%S%fZ}.db"
    return backups.Backup(path=Path("/nowhere") / name, made_at=made_at, size=1, readings=None)


def _expected_keep(found: list[backups.Backup]) -> set[Path]:
    """The rule, computed independently: the newest backup of each of the 7 most recent local
    days that have one, of the 4 most recent ISO weeks, and of the 12 most recent months."""
    keep = set()
    for count, period in (
        (7, lambda t: t.date()),
        (4, lambda t: tuple(t.isocalendar())[:2]),
        (12, lambda t: (t.year, t.month)),
    ):
        newest_per_period: dict = {}
        for b in found:
            key = period(b.made_at.astimezone())
            if key not in newest_per_period or b.made_at > newest_per_period[key].made_at:
                newest_per_period[key] = b
        for key in sorted(newest_per_period, reverse=True)[:count]:
            keep.add(newest_per_period[key].path)
    return keep


def test_to_keep_over_two_years_of_daily_backups():
    """Two years of backups, several a day lately: 7 daily, 4 weekly and 12 monthly stay,
    each the newest of its period; the newest backup of all is always kept."""
    last = date(2026, 6, 17)  # a Wednesday
    found = [_backup(_local_noon(last - timedelta(days=n))) for n in range(730)]
    found += [_backup(_local_noon(last - timedelta(days=n), hour=9)) for n in range(5)]
    keep = backups.to_keep(found)

    assert keep == _expected_keep(found)
    kept_days = sorted(b.made_at.astimezone().date() for b in found if b.path in keep)
    # The last 7 days, each once (the noon backup, not the 9 o'clock one).
    assert kept_days[-7:] == [last - timedelta(days=n) for n in range(6, -1, -1)]
    assert all(b.made_at.astimezone().hour == 12 for b in found if b.path in keep)
    # Sundays closing the 3 ISO weeks before this one.
    for weeks in (1, 2, 3):
        assert last - timedelta(days=last.isoweekday() + 7 * (weeks - 1)) in kept_days
    # The last day of each of the 11 months before this one; nothing older than that.
    month_ends = [d for d in kept_days if (d + timedelta(days=1)).day == 1]
    assert len(month_ends) == 11 and month_ends[0] == date(2025, 7, 31)
    assert kept_days[0] == date(2025, 7, 31)
    assert len(keep) <= 7 + 4 + 12
    newest = max(found, key=lambda b: b.made_at)
    assert newest.path in keep


def test_to_keep_counts_days_that_have_a_backup():
    """With a backup every tenth day, the 7 daily ones reach back 60 days, not 7."""
    last = date(2026, 6, 17)
    found = [_backup(_local_noon(last - timedelta(days=10 * n))) for n in range(40)]
    keep = backups.to_keep(found)
    assert keep == _expected_keep(found)
    assert {found[n].path for n in range(7)} <= keep


@hypothesis_settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2027, 1, 1)),
        min_size=1,
        max_size=60,
        unique=True,
    )
)
def test_to_keep_never_drops_the_newest(moments):
    """Whatever the backups, rotation keeps the newest and follows the rule exactly."""
    found = [_backup(m.replace(tzinfo=UTC)) for m in moments]
    keep = backups.to_keep(found)
    assert max(found, key=lambda b: b.made_at).path in keep
    assert keep <= {b.path for b in found}
    assert keep == _expected_keep(found)


@pytest.mark.slow  # a real serve
def test_rotate_deletes_only_what_the_rule_drops(tmp_path):
    """rotate() on real files: the rule's backups stay, the others go, other files stay."""
    home = tmp_path / "home"
    home.mkdir()
    folder = backups.backup_dir(home)
    last = date.today()
    for n in range(120):
        made = _local_noon(last - timedelta(days=n))
        (folder / f"ssi-{made:%Y%m%dT%H%M%S%fZ}.db").write_bytes(b"backup")
    strangers = [folder / "notes.txt", folder / ".ssi-x.db.partial", folder / "ssi-bad.db"]
    for path in strangers:
        path.write_text("not a backup")
    found = backups.list_backups(home, with_counts=False)
    expected = _expected_keep(found)

    removed = backups.rotate(home)
    left = {b.path for b in backups.list_backups(home, with_counts=False)}
    assert left == expected
    assert set(removed) == {b.path for b in found} - expected
    assert all(path.exists() for path in strangers)
    assert backups.rotate(home) == []  # a second rotation finds nothing more to delete


# -- restore ----------------------------------------------------------------------------------


def _restorable_home(tmp_path: Path) -> tuple[Path, Path]:
    """A data directory with 30 readings, a backup of it, then 5 more captures since."""
    home = tmp_path / "home"
    make_home_with_readings(home, tmp_path, rows=30)
    backup = backup_path(cli(home, "backup"))
    server = ServerProcess(home).start()
    try:
        for n in range(5):
            status, _, body = post_json(
                server.port, capture_body(captured_at=recent(n)), auth(home)
            )
            assert status == 201, body
    finally:
        server.stop()
    return home, backup


@pytest.mark.slow  # a real serve
def test_restore_is_refused_while_the_data_is_in_use(tmp_path):
    """While serve runs, restore refuses (naming its pid, saying to stop it) and changes
    nothing; likewise while another command holds the data directory."""
    home, backup = _restorable_home(tmp_path)
    server = ServerProcess(home).start()
    try:
        before = api_readings(server)
        message = refused(cli(home, "restore", backup))
        assert f"pid {server.proc.pid}" in message, message
        assert "stop" in message.lower(), f"the refusal does not say to stop serve: {message}"
        assert api_readings(server) == before
        assert len(before) == 35
    finally:
        server.stop()
    assert not set_aside(home)
    assert not list(home.glob(".ssi.db.restoring-*"))

    live = sha256(home / "ssi.db")
    fd = os.open(home / "use.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)  # what any running command holds
        message = refused(cli(home, "restore", backup))
        assert "another ssi-companion command" in message and "wait" in message
    finally:
        os.close(fd)
    assert sha256(home / "ssi.db") == live
    assert not set_aside(home)


@pytest.mark.slow  # a real serve
def test_restore_brings_the_backup_back_and_keeps_the_old_database(tmp_path):
    """Restore with serve stopped: it says what it restored, keeps the database it replaces
    (openable, with its data), and serve then shows exactly the backup's readings."""
    home, backup = _restorable_home(tmp_path)
    live = home / "ssi.db"
    old_readings = readings_in(live)
    wanted = readings_in(backup)
    assert len(old_readings) == 35 and len(wanted) == 30

    result = ok(cli(home, "restore", backup))
    first, last = wanted[0]["date"], wanted[-1]["date"]
    assert f"Restored {backup}: 30 readings, {first} to {last}." in result.stdout
    [aside] = set_aside(home)
    assert f"kept as {aside}" in result.stdout
    assert integrity(aside) == [("ok",)]
    assert readings_in(aside) == old_readings

    server = ServerProcess(home).start()
    try:
        shown = api_readings(server)
    finally:
        server.stop()
    assert [r["capture_id"] for r in shown] == [r["capture_id"] for r in wanted]

    # A second restore keeps the first one's result aside too: nothing is ever deleted.
    ok(cli(home, "restore", backup))
    assert len(set_aside(home)) == 2
    assert aside.exists() and readings_in(aside) == old_readings


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    """A data directory with 400 readings (enough pages to damage some in the middle) and a
    backup of it; tests work on copies."""
    root = tmp_path_factory.mktemp("history")
    make_home_with_readings(root / "home", root, rows=400)
    backup_path(cli(root / "home", "backup"))
    return root / "home"


def _damaged_copy(backup: Path, dest: Path) -> Path:
    data = bytearray(backup.read_bytes())
    pages = len(data) // 4096
    assert pages >= 12, "the backup is too small to damage pages in its middle"
    for page in range(pages // 2, pages // 2 + 3):
        data[page * 4096 : (page + 1) * 4096] = bytes([0x5A]) * 4096
    dest.write_bytes(data)
    assert integrity(dest) != [("ok",)], "the damage is not detectable: the test proves nothing"
    return dest


def _damaged_schema(backup: Path, dest: Path) -> Path:
    data = bytearray(backup.read_bytes())
    data[108:4096] = bytes([0x5A]) * (4096 - 108)  # page 1 after its headers: the schema
    dest.write_bytes(data)
    assert integrity(dest) != [("ok",)], "the damage is not detectable: the test proves nothing"
    return dest


def _text_file(backup: Path, dest: Path) -> Path:
    dest.write_text("just some notes\n" * 100)
    return dest


def _no_tables(dest: Path) -> Path:
    conn = sqlite3.connect(dest)
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.execute("INSERT INTO notes VALUES ('hello')")
    conn.commit()
    conn.close()
    return dest


def _newer_schema(backup: Path, dest: Path) -> Path:
    dest.write_bytes(backup.read_bytes())
    conn = sqlite3.connect(dest)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('ssi-companion', '0099_future', '2030-01-01 00:00:00')"
    )
    conn.commit()
    conn.close()
    return dest


DAMAGED = re.compile(r"is damaged|fails its integrity check")


@pytest.mark.parametrize(
    "make, reason",
    [
        (_text_file, "not an SSI Companion database"),
        (_damaged_copy, DAMAGED),
        (_damaged_schema, DAMAGED),
        (lambda b, d: _no_tables(d), "not an SSI Companion database"),
        (_newer_schema, "this data was written by a newer SSI Companion (schema 99): upgrade"),
    ],
    ids=["not-a-database", "damaged-pages", "damaged-schema", "not-our-tables", "newer-schema"],
)
def test_restore_refuses_a_file_that_is_not_a_sound_backup(history, tmp_path, make, reason):
    """Restore refuses a file that is no database, is damaged, holds other tables, or comes
    from a newer version, saying which; the live database stays byte for byte the same."""
    home = tmp_path / "home"
    shutil.copytree(history, home)
    [backup] = backup_files(home)
    candidate = make(backup, tmp_path / "candidate.db")
    before = sha256(home / "ssi.db")

    message = refused(cli(home, "restore", candidate))
    assert str(candidate) in message, message
    found = re.search(reason, message) if isinstance(reason, re.Pattern) else reason in message
    assert found, message
    assert sha256(home / "ssi.db") == before
    assert not set_aside(home)
    assert not list(home.glob(".ssi.db.restoring-*"))
    assert len(readings_in(home / "ssi.db")) == 400
