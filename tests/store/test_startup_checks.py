"""What the start-up checks make of a data directory that is not what it should be.

Each case is refused with `Error:` (exit 1) and the file is left exactly as it was; the real
damage cases (overwritten header and pages) run with real processes in processes/test_damage.py.
"""

import hashlib
import sqlite3

import pytest

from companion import store
from companion.cli import cli
from companion.store import access_token as token
from companion.store import backups


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fresh(home):
    home.mkdir()
    with store.connection(home):
        pass
    return store.db_path(home)


def test_an_empty_database_file_beside_backups_is_damage_not_a_new_start(runner, home):
    live = _fresh(home)
    backup = backups.make_backup(home)
    live.write_bytes(b"")  # the history is gone, though its backups are there
    result = runner.invoke(cli, ["status"])
    assert result.exit_code == 1
    assert "is empty, though backups of your history exist" in result.output
    assert f"ssi-companion restore {backup}" in result.output
    assert live.stat().st_size == 0


def test_an_empty_database_file_without_backups_is_a_new_start(runner, home):
    home.mkdir()
    store.db_path(home).write_bytes(b"")
    result = runner.invoke(cli, ["status"])
    assert result.exit_code == 0, result.output
    assert "Readings        0" in result.output


def test_a_missing_table_is_damage(runner, home):
    live = _fresh(home)
    conn = sqlite3.connect(live)
    conn.execute("DROP TRIGGER readings_daily_insert")
    conn.execute("DROP TRIGGER readings_daily_update")
    conn.execute("DROP TABLE daily")
    conn.commit()
    conn.close()
    before = _digest(live)
    result = runner.invoke(cli, ["export", "--format", "json"])
    assert result.exit_code == 1
    assert f"the database {live} is damaged (its table daily is missing)" in result.output
    assert "There is no backup" in result.output
    assert _digest(live) == before


def test_someone_elses_database_is_not_taken_over(runner, home):
    home.mkdir()
    live = store.db_path(home)
    conn = sqlite3.connect(live)
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    before = _digest(live)
    result = runner.invoke(cli, ["readings"])
    assert result.exit_code == 1
    assert "it holds no SSI Companion data" in result.output
    assert _digest(live) == before


def test_a_database_that_is_a_folder_is_a_clear_error(runner, home):
    home.mkdir()
    store.db_path(home).mkdir()
    result = runner.invoke(cli, ["status"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert "Traceback" not in result.output


@pytest.mark.parametrize("content", [b"\xff\xfe\x00garbage", b"short", b"   \n"])
def test_a_damaged_token_file_is_an_error_until_rotated(home, content):
    """Never replaced behind the user's back (the paired extension would stop working without
    a word): start-up and the CLI say so and what to run; `token --rotate` replaces it."""
    home.mkdir()
    path = home / token.TOKEN_FILE
    path.write_bytes(content)
    with pytest.raises(token.TokenError, match=r"ssi-companion token --rotate") as refused:
        token.get(home)
    assert str(path) in str(refused.value)
    assert path.read_bytes() == content
    assert token.read(home) is None
    assert not token.matches(home, content.decode("latin-1"))
    fresh = token.rotate(home)
    assert len(fresh) >= 32 and fresh == token.get(home) == token.read(home)
    assert path.read_text().strip() == fresh


def test_a_migration_this_version_does_not_know_is_refused_untouched(runner, home):
    live = _fresh(home)
    conn = sqlite3.connect(live)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('ssi-companion', '0042_future', 'x')"
    )
    conn.commit()
    conn.close()
    before = _digest(live)
    result = runner.invoke(cli, ["settings", "set", "stale_days", "9"])
    assert result.exit_code == 1
    assert "this data was written by a newer SSI Companion (schema 42): upgrade" in result.output
    assert _digest(live) == before


def test_migrations_are_frozen_and_import_no_live_code():
    """A field added to the Reading later must be a new migration, never an edit of an old one."""
    import ast
    import inspect

    from companion.store import migrations

    tree = ast.parse(inspect.getsource(migrations))
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= {"re", "sqlite3", "sqlite_utils", "time"}, imported
    levels = [n.level for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not any(levels), "migrations import nothing of the companion's own"


def test_the_schema_holds_every_field_a_reading_has(home):
    from companion.reading import READING_FIELDS

    _fresh(home)
    with store.connection(home) as db:
        for table in ("readings", "daily"):
            assert set(READING_FIELDS) <= set(db[table].columns_dict), table
