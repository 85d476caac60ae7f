"""The database (readable, sound, a schema this version knows) and its last backup."""

import shlex
import sqlite3

from companion.doctor.base import SERVE_ONCE, Check, Context, failed, passed
from companion.doctor.reading import read_database
from companion.doctor.wording import ago, human_size, local
from companion.history.wording import count
from companion.i18n import _, ngettext

# More than this without a backup, while captures came in since the last one, is a warning.
BACKUP_MAX_AGE_DAYS = 2


def _damage_fix(ctx: Context) -> str:
    from companion.store import backups

    newest = backups.newest(ctx.data_dir)
    if newest is None:
        return _(
            "there is no backup: move %(path)s aside to start a new history "
            "(the extension keeps what it has not delivered)",
            path=ctx.db_path,
        )
    where = {
        "made": local(newest.made_at),
        "command": f"ssi-companion restore {shlex.quote(str(newest.path))}",
    }
    if newest.readings is None:
        restore = _("restore the newest backup (%(made)s, ? readings): `%(command)s`", **where)
    else:
        restore = ngettext(
            "restore the newest backup (%(made)s, %(count)s reading): `%(command)s`",
            "restore the newest backup (%(made)s, %(count)s readings): `%(command)s`",
            newest.readings,
            count=count(newest.readings),
            **where,
        )
    if ctx.holder:
        # Translators: %(restore)s is "restore the newest backup (...): `ssi-companion ...`".
        return _("stop the companion, then %(restore)s", restore=restore)
    return restore


def check_database(ctx: Context) -> Check:
    from companion import store
    from companion.store import backups
    from companion.store.migrations import known_names, level_of

    path = ctx.db_path
    details = {"path": str(path)}
    if ctx.restoring:
        return failed(
            _("a restore is under way (pid %(pid)s)", pid=ctx.holder.get("pid", "?")),
            _("run `ssi-companion doctor` again when it has finished"),
            **details,
        )
    if not ctx.data_dir.is_dir() or not path.exists():
        if backups.list_backups(ctx.data_dir, with_counts=False):
            missing = _("%(path)s is missing, though backups exist", path=path)
            return failed(missing, _damage_fix(ctx), **details)
        return failed(_("%(path)s does not exist yet", path=path), _(SERVE_ONCE), **details)
    if not path.is_file():
        return failed(
            _("%(path)s is not a file", path=path), _("move %(path)s away", path=path), **details
        )
    try:
        facts = read_database(path, ctx.data_dir)
    except sqlite3.DatabaseError as exc:
        if store.is_damage(exc):
            damaged = _("%(path)s is damaged (%(problem)s)", path=path, problem=exc)
            return failed(damaged, _damage_fix(ctx), **details)
        chmod = "chmod 600 " + shlex.quote(str(path))
        return failed(
            _("%(path)s cannot be read (%(reason)s)", path=path, reason=exc),
            _("check that it is yours and readable (%(command)s)", command=chmod),
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
        damaged = _("%(path)s is damaged (%(problem)s)", path=path, problem=facts["problem"])
        return failed(damaged, _damage_fix(ctx), **details)
    newer = facts["applied"] - known
    if newer:
        return failed(
            _(
                "%(path)s was written by a newer SSI Companion (schema %(schema)s; this "
                "version knows %(expected)s)",
                path=path,
                schema=max(map(level_of, newer)),
                expected=expected,
            ),
            _("upgrade SSI Companion (this version leaves that data untouched)"),
            **details,
        )
    ctx.facts = facts
    if facts["empty"]:
        empty = _("%(path)s: empty (the companion creates its tables when it starts)", path=path)
        return passed(empty, **details)
    if level < expected:
        schema = _(
            "schema %(level)s, %(expected)s once the companion starts",
            level=level,
            expected=expected,
        )
    else:
        schema = _("schema %(level)s", level=level)
    readings = facts["counts"]["readings"]
    # Translators: %(schema)s is "schema 6" (or "schema 5, 6 once the companion starts").
    found = ngettext(
        "%(path)s (%(size)s, %(schema)s, integrity ok, %(count)s reading)",
        "%(path)s (%(size)s, %(schema)s, integrity ok, %(count)s readings)",
        readings,
        path=path,
        size=human_size(size),
        schema=schema,
        count=count(readings),
    )
    return passed(found, **details)


def check_backup(ctx: Context) -> Check:
    from companion import store
    from companion.store import backups

    found = backups.list_backups(ctx.data_dir, with_counts=False)
    if ctx.facts is None and ctx.db_path.exists() and not found:
        return failed(
            _("none, and the database cannot be read (see above)"), _("see Database above")
        )
    facts = ctx.facts or {}
    last = facts.get("last_capture")
    readings = (facts.get("counts") or {}).get("readings", 0)
    backup_now = _("run `ssi-companion backup` (`serve` makes one a day while it runs)")
    if not found:
        if readings or last:
            none_yet = ngettext(
                "none yet, for %(count)s reading",
                "none yet, for %(count)s readings",
                readings,
                count=count(readings),
            )
            return failed(none_yet, backup_now)
        return passed(_("none yet: nothing to back up"))
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
        # Translators: %(backup)s is "2026-11-26 10:00 (3 days ago), /path/to/the/backup".
        late = _("%(backup)s; captures came in since", backup=summary)
        return failed(late, backup_now, **details)
    return passed(summary, **details)
