"""When the storage is damaged, newer, full or read-only: what the user sees, and what is kept.

Real processes on real files: `serve` is a subprocess, every command is `python -m companion`
with SSI_COMPANION_HOME set, damage is done to the bytes of a real database, the full disk is
a 2 MB tmpfs and the read-only one a read-only bind mount (both need root: without it those
tests are skipped, saying why, and fail when CI is set). Every wait is bounded.
"""

import contextlib
import errno
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from companion.store import access_token as token
from tests.builders import write_history
from tests.conftest import ServerProcess, free_port, skip_outside_ci
from tests.helpers_api import auth, capture_body, post_json, raw_request
from tests.helpers_process import (
    cli,
    integrity,
    ok,
    recent,
    refused,
    sha256,
)

HISTORY_ROWS = 3000  # about 2.6 MB of database: hundreds of pages to damage


# -- helpers ----------------------------------------------------------------------------------


def stored_ids(db_file: Path) -> tuple[set, set]:
    """(capture ids, reading ids) in a database, read with the server stopped."""
    conn = sqlite3.connect(db_file)
    try:
        captures = {r[0] for r in conn.execute("SELECT id FROM captures")}
        readings = {r[0] for r in conn.execute("SELECT capture_id FROM readings")}
        return captures, readings
    finally:
        conn.close()


def api(server: ServerProcess, path: str) -> dict:
    status, _, body = raw_request(server.port, "GET", path, auth(server.home))
    assert status == 200, body
    return json.loads(body)


def serve_once(home: Path, timeout: float = 30) -> subprocess.CompletedProcess:
    """`serve` that is expected to refuse to start: it must exit by itself, in time."""
    return cli(home, "serve", "--port", free_port(), timeout=timeout)


def needs_root(what: str, result: subprocess.CompletedProcess | None, error=None) -> None:
    """Skip (or fail in CI) a test whose mount could not be made, saying why."""
    why = error or (result.stderr.strip() or f"exit {result.returncode}")
    skip_outside_ci(f"{what} failed ({why}): this test needs root (mount)")


def mount(what: str, *args) -> None:
    try:
        result = subprocess.run(["mount", *args], capture_output=True, text=True, timeout=30)
    except OSError as exc:
        needs_root(what, None, exc)
    if result.returncode != 0:
        needs_root(what, result)


def umount(path: Path) -> None:
    if subprocess.run(["umount", str(path)], capture_output=True, timeout=30).returncode:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=30)


@contextlib.contextmanager
def small_disk(path: Path, size: str = "2m"):
    """A tmpfs of `size` mounted at `path` for the block."""
    path.mkdir()
    mount(f"mount -t tmpfs -o size={size}", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", path)
    try:
        yield path
    finally:
        umount(path)


@contextlib.contextmanager
def read_only(path: Path):
    """`path` bind-mounted read-only over itself for the block."""
    mount("mount --bind", "--bind", path, path)
    try:
        mount("mount -o remount,ro,bind", "-o", "remount,ro,bind", path)
        yield path
    finally:
        umount(path)


def fill(disk: Path) -> Path:
    """Write a filler file until the disk answers ENOSPC; returns it (delete it to free)."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        for chunk in (1 << 16, 4096, 1):  # at most 2 MB: a bounded loop
            while True:
                try:
                    os.write(fd, b"\0" * chunk)
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
                    break
    finally:
        os.close(fd)
    assert os.statvfs(disk).f_bavail == 0, "the disk is not full: the test proves nothing"
    return filler


def disk_full_message(message: str, what: str, tmp_path: Path) -> None:
    """`message` says the disk is full (in its own words, not in a path it quotes)."""
    lowered = message.replace(str(tmp_path), "<tmp>").lower()
    assert re.search(r"\bdisk\b", lowered) and re.search(r"\bfull\b", lowered), (
        f"{what} does not say the disk is full:\n{message}"
    )
    assert "damaged" not in lowered, (
        f"{what} calls a sound database damaged because the disk is full (restoring a backup, "
        f"as it advises, would lose data):\n{message}"
    )


# -- a damaged database -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    """A data directory with HISTORY_ROWS imported readings and one backup of them."""
    root = tmp_path_factory.mktemp("history")
    home = root / "home"
    rows = write_history(root / "history.csv", HISTORY_ROWS, datetime(2023, 1, 1, 8, tzinfo=UTC))
    assert f"Added {HISTORY_ROWS:,} readings" in ok(cli(home, "import", rows)).stdout
    ok(cli(home, "backup"))
    assert not (home / "ssi.db-wal").exists()
    return home


def _damage_header(data: bytearray, rng: random.Random) -> None:
    data[:100] = rng.randbytes(100)


def _damage_pages(data: bytearray, rng: random.Random) -> None:
    pages = len(data) // 4096
    assert pages > 100
    for page in range(pages // 2, pages // 2 + 4):
        data[page * 4096 : (page + 1) * 4096] = rng.randbytes(4096)


COMMANDS = [
    ["status"],
    ["readings"],
    ["export"],
    ["import", "NEW_CSV"],
    ["settings"],
    ["reparse"],
    ["backup"],
    ["check", "--dry-run"],
    ["serve", "--port", "PORT"],
]


@pytest.mark.parametrize("damage", [_damage_header, _damage_pages], ids=["header", "pages"])
def test_a_damaged_database_is_reported_left_alone_and_restorable(history, tmp_path, damage):
    """Whatever opens a damaged database (serve and every command) stops with an Error that
    names the file, the newest backup and the exact restore command, writes nothing to it, and
    `restore` of that backup brings the history back."""
    home = tmp_path / "home"
    shutil.copytree(history, home)
    live = home / "ssi.db"
    [backup] = sorted((home / "backups").glob("ssi-*.db"))
    data = bytearray(live.read_bytes())
    damage(data, random.Random(20260601))
    live.write_bytes(data)
    assert integrity(live) != [("ok",)], "the damage is not detectable: the test proves nothing"
    damaged = sha256(live)
    new_csv = write_history(tmp_path / "new.csv", 3, datetime(2026, 1, 5, 9, tzinfo=UTC))

    def run(args: list[str]) -> tuple[list[str], subprocess.CompletedProcess]:
        args = [{"NEW_CSV": str(new_csv), "PORT": str(free_port())}.get(arg, arg) for arg in args]
        return args, cli(home, *args)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(run, COMMANDS))
    for args, result in results:
        what = "ssi-companion " + " ".join(args)
        message = refused(result, what)
        assert f"the database {live} is damaged" in message, f"{what}:\n{message}"
        assert f"The newest backup is {backup}" in message, f"{what}:\n{message}"
        assert f"\n  ssi-companion restore {backup}\n" in message, f"{what}:\n{message}"
    assert sha256(live) == damaged, "something wrote to the damaged database"

    restored = ok(cli(home, "restore", backup))
    assert f"Restored {backup}: {HISTORY_ROWS:,} readings" in restored.stdout
    [aside] = [
        p for p in home.glob("ssi.db.before-restore-*") if p.name[-4:] not in ("-wal", "-shm")
    ]
    assert sha256(aside) == damaged, "the damaged file was not kept as it was"
    server = ServerProcess(home).start()
    try:
        assert len(api(server, "/api/v1/readings?limit=100000")["readings"]) == HISTORY_ROWS
        status, _, body = post_json(server.port, capture_body(captured_at=recent(1)), auth(home))
        assert status == 201, body
    finally:
        server.stop()


# -- a newer schema ---------------------------------------------------------------------------


def test_data_from_a_newer_version_is_refused_untouched(tmp_path):
    """A database a newer version migrated (schema 99) is refused by serve and by commands,
    with the upgrade message, and not written to."""
    home = tmp_path / "home"
    rows = write_history(tmp_path / "rows.csv", 5, datetime(2026, 1, 1, 9, tzinfo=UTC))
    ok(cli(home, "import", rows))
    conn = sqlite3.connect(home / "ssi.db")
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('ssi-companion', '0099_future', '2030-01-01 00:00:00')"
    )
    conn.commit()
    conn.close()
    before = sha256(home / "ssi.db")
    expected = "this data was written by a newer SSI Companion (schema 99): upgrade"

    for args in (["serve", "--port", free_port()], ["status"], ["import", rows]):
        what = "ssi-companion " + " ".join(map(str, args))
        message = refused(cli(home, *args), what)
        assert expected in message, f"{what}:\n{message}"
    assert sha256(home / "ssi.db") == before


# -- a full disk ------------------------------------------------------------------------------


def test_a_capture_on_a_full_disk_is_507_and_nothing_half_written(tmp_path):
    """On a full disk a capture is answered 507 disk_full and not stored at all; once space is
    freed the same capture is taken (201) and the database is sound."""
    with small_disk(tmp_path / "disk") as disk:
        home = disk / "home"
        server = ServerProcess(home).start()
        try:
            deadline = time.monotonic() + 15  # the start-up backup, so nothing else writes
            while not list((home / "backups").glob("ssi-*.db")) and time.monotonic() < deadline:
                time.sleep(0.05)
            first = capture_body(captured_at=recent(10))
            status, _, body = post_json(server.port, first, auth(home))
            assert status == 201, body

            filler = fill(disk)
            second = capture_body(id=str(uuid.uuid4()), captured_at=recent(5))
            full_status, _, full_body = post_json(server.port, second, auth(home))
            filler.unlink()

            stored = {c["id"] for c in api(server, "/api/v1/captures?limit=100000")["captures"]}
            assert stored == {first["id"]}, "the refused capture was stored (or one was lost)"
            status, _, body = post_json(server.port, second, auth(home))
            assert status == 201, f"the capture refused on a full disk is not taken now: {body}"
        finally:
            server.stop()
        assert integrity(home / "ssi.db") == [("ok",)]
        captures, readings = stored_ids(home / "ssi.db")
        assert captures == readings == {first["id"], second["id"]}

    answer = json.loads(full_body) if full_body.startswith(b"{") else {}
    assert (full_status, answer.get("error", {}).get("code")) == (507, "disk_full"), (
        "a capture on a full disk must be answered 507 disk_full (the extension keeps it "
        f"queued), got {full_status} {full_body[:300]!r}"
    )


@pytest.fixture
def full_disk(tmp_path):
    """A data directory (3 readings, a backup, a token) on a tmpfs that is then filled."""
    with small_disk(tmp_path / "disk") as disk:
        home = disk / "home"
        rows = write_history(tmp_path / "rows.csv", 3, datetime(2026, 1, 1, 9, tzinfo=UTC))
        ok(cli(home, "import", rows))
        ok(cli(home, "backup"))
        token.get(home)
        filler = fill(disk)
        yield home, filler
        filler.unlink(missing_ok=True)


def test_import_on_a_full_disk_says_so_and_adds_nothing(full_disk, tmp_path):
    """`import` on a full disk: Error saying the disk is full, exit 1; nothing was added."""
    home, filler = full_disk
    rows = write_history(tmp_path / "more.csv", 50, datetime(2026, 2, 1, 9, tzinfo=UTC))
    message = refused(cli(home, "import", rows), "import on a full disk")
    filler.unlink()
    assert integrity(home / "ssi.db") == [("ok",)]
    captures, readings = stored_ids(home / "ssi.db")
    assert len(captures) == len(readings) == 3
    disk_full_message(message, "import on a full disk", tmp_path)


def test_token_rotate_on_a_full_disk_keeps_the_old_token(full_disk, tmp_path):
    """`token --rotate` on a full disk: Error, exit 1; the old token still works and no
    temporary token file is left behind."""
    home, filler = full_disk
    old = (home / "token").read_text()
    message = refused(cli(home, "token", "--rotate"), "token --rotate on a full disk")
    disk_full_message(message, "token --rotate on a full disk", tmp_path)
    assert (home / "token").read_text() == old
    assert not list(home.glob(".token*"))


def test_backup_on_a_full_disk_leaves_no_partial_file(full_disk, tmp_path):
    """`backup` on a full disk: Error saying so, exit 1, and backups/ holds only whole backups."""
    home, filler = full_disk
    before = sorted(p.name for p in (home / "backups").iterdir())
    message = refused(cli(home, "backup"), "backup on a full disk")
    assert sorted(p.name for p in (home / "backups").iterdir()) == before
    disk_full_message(message, "backup on a full disk", tmp_path)


# -- a read-only data directory ---------------------------------------------------------------


def test_a_read_only_data_directory_is_a_clean_error(tmp_path):
    """On a read-only data directory, status and export work or say why they cannot, and
    serve refuses to start with an Error: never a traceback."""
    home = tmp_path / "home"
    server = ServerProcess(home).start()
    try:
        status, _, body = post_json(server.port, capture_body(captured_at=recent(3)), auth(home))
        assert status == 201, body
    finally:
        server.stop()
    assert server.proc.returncode == 0
    with read_only(home):
        assert not os.access(home, os.W_OK) or os.statvfs(home).f_flag & os.ST_RDONLY
        for args, works in (
            (["status"], lambda out: "Captures        1" in out),
            (["export"], lambda out: out.startswith("captured_at,") and len(out.splitlines()) == 2),
        ):
            result = cli(home, *args)
            if result.returncode == 0:
                assert works(result.stdout), result.stdout
                assert "Traceback" not in result.stderr
            else:
                message = refused(result, " ".join(args))
                assert str(home) in message or "read-only" in message.lower(), message
        message = refused(serve_once(home), "serve on a read-only data directory")
        assert str(home) in message or "read-only" in message.lower(), message


# -- capture times ----------------------------------------------------------------------------


@pytest.mark.parametrize("captured_at", ["0999-06-01T10:00:00+00:00", "9999-06-01T10:00:00+00:00"])
def test_a_capture_time_no_ssi_page_can_have_is_refused(server, captured_at):
    """A capture dated in year 999 or 9999 is refused 400 and not stored; a capture of now is
    taken (so the 400 is about the time)."""
    status, _, body = post_json(
        server.port, capture_body(captured_at=captured_at), auth(server.home)
    )
    assert status == 400, body
    assert b"captured_at" in body
    good = capture_body(captured_at=recent(1))
    status, _, body = post_json(server.port, good, auth(server.home))
    assert status == 201, body
    stored = [c["id"] for c in api(server, "/api/v1/captures")["captures"]]
    assert stored == [good["id"]]
