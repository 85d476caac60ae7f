"""The `language` preference, read before a command has opened the database. No Flask.

A command speaks from its first line, before it takes the data directory's locks or checks the
database: this read takes neither and never writes, so `doctor` and `restore` stay exact.
"""

import contextlib
import json
import sqlite3
from pathlib import Path


def stored_language(path) -> str:
    """The `language` preference in the database at `path`, read before a command opens it.

    "auto" when it cannot be read (no database yet, damaged, busy): the command still has to
    speak, and says what is wrong in the system's language. Read only: never creates nor
    writes the file (doctor promises not to write a byte).
    """
    path = Path(path).resolve()
    # With no -wal beside it no connection is open and everything is in the main file: read
    # it as immutable, which creates no -shm or -wal. Else another process has it open and
    # those files exist: a read-only connection shares them.
    live = path.with_name(path.name + "-wal").exists()
    uri = f"{path.as_uri()}?mode=ro" if live else f"{path.as_uri()}?immutable=1"
    try:
        if not path.is_file():
            return "auto"
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=1)) as conn:
            row = conn.execute("SELECT value FROM settings WHERE key = 'language'").fetchone()
        return json.loads(row[0]) if row else "auto"
    except (sqlite3.Error, ValueError, OSError):
        return "auto"
