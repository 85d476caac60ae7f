"""Running the companion's commands as real processes, and looking at the files they leave."""

import hashlib
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

CLI_TIMEOUT_S = 60


def cli(home: Path, *args, timeout: float = CLI_TIMEOUT_S) -> subprocess.CompletedProcess:
    """`ssi-companion ARGS` in a process of its own, on the data directory `home`."""
    return subprocess.run(
        [sys.executable, "-m", "companion", *map(str, args)],
        env={**os.environ, "SSI_COMPANION_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr
    return result


def refused(result: subprocess.CompletedProcess, what: str = "the command") -> str:
    """The `Error: ...` of a command that must fail cleanly (exit 1, no traceback)."""
    output = result.stdout + result.stderr
    assert result.returncode == 1, f"{what}: exit {result.returncode}\n{output}"
    assert "Traceback" not in output, f"{what}:\n{output}"
    assert result.stderr.startswith("Error: "), f"{what}:\n{result.stderr}"
    return result.stderr


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def recent(minutes_ago: int) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat()


def integrity(db_file: Path) -> list:
    """PRAGMA integrity_check's rows, or SQLite's error when it cannot even run it."""
    conn = sqlite3.connect(f"{db_file.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:
        return [(str(exc),)]
    finally:
        conn.close()
