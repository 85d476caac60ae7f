"""The database (readable, sound, a schema this version knows) and its last backup."""

import shlex
import sqlite3

from companion.doctor.base import SERVE_ONCE, Check, Context, failed, passed
from companion.doctor.reading import read_database
from companion.doctor.wording import ago, human_size, local

# More than this without a backup, while captures came in since the last one, is a warning.
BACKUP_MAX_AGE_DAYS = 2


def _damage_fix(ctx: Context) -> str:
    from companion.store import backups

    newest = backups.newest(ctx.data_dir)
    stop = "stop the companion, then " if ctx.holder else ""
    if newest is None:
        return (
            f"there is no backup: move {ctx.db_path} aside to start a new history "
            "(the extension keeps what it has not delivered)"
        )
    count = "?" if newest.readings is None else newest.readings
    return (
        f"{stop}restore the newest backup ({local(newest.made_at)}, {count} reading(s)): "
        f"`ssi-companion restore {shlex.quote(str(newest.path))}`"
    )


def check_database(ctx: Context) -> Check:
    from companion import store
    from companion.store import backups
    from companion.store.migrations import known_names, level_of

    path = ctx.db_path
    details = {"path": str(path)}
    if ctx.restoring:
        return failed(
            f"a restore is under way (pid {ctx.holder.get('pid', '?')})",
            "run `ssi-companion doctor` again when it has finished",
            **details,
        )
    if not ctx.data_dir.is_dir() or not path.exists():
        if backups.list_backups(ctx.data_dir, with_counts=False):
            return failed(f"{path} is missing, though backups exist", _damage_fix(ctx), **details)
        return failed(f"{path} does not exist yet", SERVE_ONCE, **details)
    if not path.is_file():
        return failed(f"{path} is not a file", f"move {path} away", **details)
    try:
        facts = read_database(path, ctx.data_dir)
    except sqlite3.DatabaseError as exc:
        if store.is_damage(exc):
            return failed(f"{path} is damaged ({exc})", _damage_fix(ctx), **details)
        return failed(
            f"{path} cannot be read ({exc})",
            f"check that it is yours and readable (chmod 600 {shlex.quote(str(path))})",
            **details,
        )
    size = path.stat().st_size
    wal = path.with_name(path.name + "-wal")
    size += wal.stat().st_size if wal.exists() else 0
    known = known_names()
    expected = max(map(level_of, known))
    level = max(map(level_of, facts["applied"]), default=0)
    details.update(size=size, schema=level, expected_schema=expected, **facts["counts"])
    if facts["problem"] is not None:
        return failed(f"{path} is damaged ({facts['problem']})", _damage_fix(ctx), **details)
    newer = facts["applied"] - known
    if newer:
        return failed(
            f"{path} was written by a newer SSI Companion (schema "
            f"{max(map(level_of, newer))}; this version knows {expected})",
            "upgrade SSI Companion (this version leaves that data untouched)",
            **details,
        )
    ctx.facts = facts
    if facts["empty"]:
        return passed(f"{path}: empty (the companion creates its tables when it starts)", **details)
    schema = f"schema {level}"
    if level < expected:
        schema += f", {expected} once the companion starts"
    readings = facts["counts"]["readings"]
    return passed(
        f"{path} ({human_size(size)}, {schema}, integrity ok, {readings} reading(s))", **details
    )


def check_backup(ctx: Context) -> Check:
    from companion import store
    from companion.store import backups

    found = backups.list_backups(ctx.data_dir, with_counts=False)
    if ctx.facts is None and ctx.db_path.exists() and not found:
        return failed("none, and the database cannot be read (see above)", "see Database above")
    facts = ctx.facts or {}
    last = facts.get("last_capture")
    readings = (facts.get("counts") or {}).get("readings", 0)
    backup_now = "run `ssi-companion backup` (`serve` makes one a day while it runs)"
    if not found:
        if readings or last:
            return failed(f"none yet, for {readings} reading(s)", backup_now)
        return passed("none yet: nothing to back up")
    newest = found[0]
    age_days = (ctx.now - newest.made_at).total_seconds() / 86400
    details = {
        "path": str(newest.path),
        "made_at": store.utc_text(newest.made_at),
        "size": newest.size,
    }
    summary = f"{local(newest.made_at)} ({ago(newest.made_at, ctx.now)}), {newest.path}"
    since = last is not None and last["received_at"] > store.utc_text(newest.made_at)
    if age_days > BACKUP_MAX_AGE_DAYS and since:
        return failed(f"{summary}; captures came in since", backup_now, **details)
    return passed(summary, **details)
