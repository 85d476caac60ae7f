"""Reading ssi.db without writing a byte of the data directory.

The database is opened read-only through SQLite only (never by `open()`, see
store.open_file), and, when no connection has it open, as immutable: a read-only connection
to a WAL database nobody has open would leave a -wal and a -shm behind, which are writes.
Should another process open or change the file meanwhile, it is read again the ordinary
read-only way. Never migrated, and the use lock is never taken.
"""

import contextlib
import os
import sqlite3
from pathlib import Path


def _stamp(path: Path):
    st = path.stat()
    return st.st_ino, st.st_size, st.st_mtime_ns


def _in_use(path: Path) -> bool:
    """A -wal or -shm beside it: a connection has it open (or one was killed)."""
    return any(path.with_name(path.name + s).exists() for s in ("-wal", "-shm"))


def _inspect(path: Path, data_dir: Path, immutable: bool) -> dict:
    """What the database holds, read through a read-only connection."""
    from sqlite_utils import Database

    from companion import store
    from companion.store.connection import schema_problem
    from companion.store.migrations import applied_names

    uri = f"{path.resolve().as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")
    conn = sqlite3.connect(uri, uri=True, timeout=5)
    db = Database(conn)
    try:
        problem = store.check_integrity(db, full=True) or schema_problem(db, data_dir)
        facts = {"problem": problem, "applied": applied_names(db)}
        if problem is None and "captures" in db.table_names():
            facts["counts"] = store.counts(db)
            facts["last_capture"] = store.last_capture(db)
        else:
            facts["counts"] = {"captures": 0, "failed": 0, "readings": 0}
            facts["last_capture"] = None
        facts["empty"] = not db.table_names()
        return facts
    finally:
        conn.close()


@contextlib.contextmanager
def _private_files():
    # Should SQLite make a -shm for the read-only connection, it is owner-only like the rest.
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def read_database(path: Path, data_dir: Path) -> dict:
    """What the database holds: {"problem", "applied", "counts", "last_capture", "empty"}.

    Immutable when nobody has the file open (see the module docstring); sqlite3.DatabaseError
    when it cannot be read.
    """
    if not _in_use(path):
        before = _stamp(path)
        try:
            facts = _inspect(path, data_dir, immutable=True)
        except sqlite3.DatabaseError as exc:
            facts = exc
        if not _in_use(path) and _stamp(path) == before:
            if isinstance(facts, Exception):
                raise facts
            return facts
    with _private_files():  # opened or changed meanwhile: read it again, the ordinary way
        return _inspect(path, data_dir, immutable=False)
