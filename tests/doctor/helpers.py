"""Data directories in the states a user meets, and doctor's answers read back."""

import json
import uuid
from pathlib import Path

from click.testing import CliRunner

from companion import config, store
from companion.cli import cli
from companion.ingest.receive import receive
from companion.store import access_token as token
from companion.store import backups, extension_contact
from tests.helpers_api import CURRENT_EN, EXTENSION_ORIGIN, LOGIN, SSI_URL
from tests.helpers_process import recent

CHECK_NAMES = [
    "data_dir",
    "database",
    "backup",
    "server",
    "token",
    "last_capture",
    "extension",
    "notifications",
    "autostart",
    "version",
]


def capture(home: Path, page: str = CURRENT_EN, minutes_ago: int = 5) -> None:
    with store.connection(home) as db:
        receive(db, capture_id=str(uuid.uuid4()), captured_at=recent(minutes_ago), url=SSI_URL,
                kind="html", payload=page)  # fmt: skip


def healthy(home: Path) -> Path:
    """What a companion in use leaves: a reading, a backup after it, the token, a contact."""
    data_dir = config.data_dir(home)
    token.get(data_dir)
    capture(data_dir)
    backups.make_backup(data_dir)
    extension_contact.note(data_dir, EXTENSION_ORIGIN)
    return data_dir


def failed_capture(home: Path) -> None:
    capture(home, LOGIN, minutes_ago=1)


def doctor(*args):
    """`ssi-companion doctor ARGS` in-process, on $SSI_COMPANION_HOME."""
    return CliRunner().invoke(cli, ["doctor", *args])


def doctor_json() -> tuple[int, dict]:
    result = doctor("--json")
    return result.exit_code, json.loads(result.output)


def by_name(checks) -> dict:
    """{name: check} from run_checks' list or from --json's "checks"."""
    return {(c["name"] if isinstance(c, dict) else c.name): c for c in checks}


def line_of(output: str, title: str) -> str:
    found = [line for line in output.splitlines() if line[2:].startswith(title + ":")]
    assert len(found) == 1, output
    return found[0]


def fix_of(output: str, title: str) -> str:
    lines = output.splitlines()
    at = lines.index(line_of(output, title))
    assert lines[at + 1].startswith("  → "), output
    return lines[at + 1].removeprefix("  → ")


def listing(folder: Path) -> dict:
    """Every entry below `folder` with its mode, size and modification time."""
    return {
        str(p.relative_to(folder)): (p.lstat().st_mode, p.lstat().st_size, p.lstat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
    }
