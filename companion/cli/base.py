"""The `ssi-companion` group and what every command shares: the data directory, a checked
database connection, and one way for errors (`Error: ...`, exit 1, never a traceback).

Named exceptions come from the core; this module turns them into `click.ClickException`.
Heavy libraries (BeautifulSoup, lxml, pygal, Flask, APScheduler) are imported inside the
commands that need them, so `--help` and `status` start quickly.
"""

import errno
import os
import sqlite3

import click

from companion import __version__, config, i18n
from companion.i18n import _


class _Commands(click.Group):
    """Storage trouble ends a command with `Error: ...` and exit 1, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            message = _storage_message(exc)
            if message is None:
                raise
            raise click.ClickException(message) from None


def _storage_message(exc: Exception) -> str | None:
    try:
        return _describe(exc)
    except Exception:  # describing must never fail on top of the error it describes
        return f"{type(exc).__name__}: {exc}"


def _describe(exc: Exception) -> str | None:
    from companion import store
    from companion.store import backups, locks

    if store.is_disk_full(exc, current_data_dir()):
        return _("the disk is full: nothing was written. Free some space and try again.")
    if isinstance(exc, store.DatabaseDamaged):
        return backups.damage_help(current_data_dir(), exc)
    if isinstance(exc, store.NewerSchema):  # migrations.py stays free of our code: said here
        return _(
            "this data was written by a newer SSI Companion (schema %(schema)s): upgrade",
            schema=exc.schema,
        )
    if isinstance(exc, (*store.USER_ERRORS, locks.AlreadyServing, locks.InUse)):
        return str(exc)
    if isinstance(exc, (backups.BackupError, config.ConfigError)):
        return str(exc)
    if isinstance(exc, sqlite3.Error):
        return _(
            "the database in %(folder)s cannot be used (%(error)s)",
            folder=current_data_dir(),
            error=exc,
        )
    if isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return _(
            "%(path)s cannot be written (%(reason)s): the companion needs a data directory "
            "it can write (SSI_COMPANION_HOME)",
            path=exc.filename or current_data_dir(),
            reason=exc.strerror,
        )
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.filename}: {exc.strerror}"
    return None


@click.group(cls=_Commands)
@click.version_option(__version__, prog_name="ssi-companion")
def cli():
    """SSI Companion: keep your LinkedIn Social Selling Index history on your own machine."""
    # Whatever the companion creates (database, token, logs) is readable by the user only.
    os.umask(0o077)
    _speak_the_users_language()


def _speak_the_users_language() -> None:
    """Sentences in the `language` preference; `auto` (or no database yet): the system's."""
    from companion.store.connection import db_path
    from companion.store.stored_language import stored_language

    # Only looks: `doctor` must find the data directory as it is, not created or chmod-ed.
    # SSI_COMPANION_HOME alone: a bad port setting is reported in the user's language too.
    preference = stored_language(db_path(config.data_dir_path(config.configured_home())))
    i18n.activate(i18n.choose(preference))


def current_data_dir() -> str:
    try:
        return str(config.data_dir(config.load()["HOME"]))
    except config.ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def open_db():
    """This command's connection, checked for damage first; closed when the command ends.

    The command holds the data directory's shared use lock meanwhile, so a restore never
    swaps the file under it.
    """
    from companion import store
    from companion.store import locks

    ctx = click.get_current_context()
    data_dir = current_data_dir()
    ctx.with_resource(locks.using(data_dir))
    db = store.open_checked(data_dir)
    ctx.call_on_close(db.close)
    return db


def echo_table(rows: list[tuple[str, str]]) -> None:
    """Label and value lines, the values in one column however long the labels are in the
    language they are written in."""
    width = max(len(label) for label, _value in rows)
    for label, value in rows:
        click.echo(f"{label:<{width}}  {value}")
