"""Who may use a data directory at once: one `serve`, any number of commands, or one restore.

These are flock(2) locks on small files of their own, never on the database: SQLite's locks
on ssi.db are POSIX locks, which any close of the file in this process would release. The
kernel drops a flock when its holder exits, so a crash or a kill never leaves a stale lock.

- `serve.lock`: held exclusively by `serve` (and by `restore`) for its whole life; it names
  the holder's pid and port, for the message a second `serve` prints.
- `use.lock`: held shared by `serve` and by every command that opens the database, and
  exclusively by `restore`, which swaps the database file and must be alone to do so.
"""

import contextlib
import fcntl
import json
import os
import time
from pathlib import Path

from companion.i18n import _

SERVE_LOCK = "serve.lock"
USE_LOCK = "use.lock"
# How long to wait for the record of a holder that has only just taken `serve.lock`.
HOLDER_WAIT_S = 1.0


class AlreadyServing(Exception):
    def __init__(self, data_dir, holder: dict):
        self.holder = holder
        pid = holder.get("pid", "?")
        if holder.get("command") == "restore":
            message = _(
                "a restore is under way in %(folder)s (pid %(pid)s)", folder=data_dir, pid=pid
            )
        else:
            message = _(
                "a companion already serves %(folder)s (pid %(pid)s, port %(port)s)",
                folder=data_dir,
                pid=pid,
                port=holder.get("port", "?"),
            )
        super().__init__(message)


class InUse(Exception):
    def __init__(self, data_dir):
        super().__init__(
            _(
                "another ssi-companion command is using %(folder)s: wait for it to finish",
                folder=data_dir,
            )
        )


def _open(path: Path) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)


def _read_holder(fd: int) -> dict:
    try:
        text = os.pread(fd, 4096, 0).decode("utf-8", "replace")
        holder = json.loads(text)
    except (OSError, ValueError):
        return {}
    return holder if isinstance(holder, dict) else {}


def _holder(fd: int) -> dict:
    """The record of the process holding the lock on `fd`, {} if it never writes one.

    The holder writes its record just after it takes the lock: a process that starts at the
    same instant can find the lock taken and the file still empty, so it waits a moment for
    the record rather than naming no one.
    """
    deadline = time.monotonic() + HOLDER_WAIT_S
    while not (holder := _read_holder(fd)) and time.monotonic() < deadline:
        time.sleep(0.01)
    return holder


@contextlib.contextmanager
def serving(data_dir, port: int | None, command: str = "serve"):
    """Hold `serve.lock` for the block; AlreadyServing when another process holds it."""
    fd = _open(Path(data_dir) / SERVE_LOCK)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyServing(data_dir, _holder(fd)) from None
        record = json.dumps({"pid": os.getpid(), "port": port, "command": command}).encode()
        os.ftruncate(fd, 0)
        os.pwrite(fd, record, 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def who_serves(data_dir) -> dict | None:
    """{"pid", "port", "command"} of the process serving `data_dir`, or None."""
    path = Path(data_dir) / SERVE_LOCK
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _holder(fd) or {"pid": "?", "port": "?"}
        return None
    finally:
        os.close(fd)


@contextlib.contextmanager
def using(data_dir, exclusive: bool = False):
    """Hold `use.lock` for the block: shared for ordinary use, exclusive for a restore."""
    fd = _open(Path(data_dir) / USE_LOCK)
    try:
        if exclusive:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise InUse(data_dir) from None
        else:
            # Waits only while a restore swaps the file, which takes a moment.
            fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)
