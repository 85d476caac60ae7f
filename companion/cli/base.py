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

from companion import __version__, config


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
        return "the disk is full: nothing was written. Free some space and try again."
    if isinstance(exc, store.DatabaseDamaged):
        return backups.damage_help(current_data_dir(), exc)
    if isinstance(exc, (*store.USER_ERRORS, locks.AlreadyServing, locks.InUse)):
        return str(exc)
    if isinstance(exc, (backups.BackupError, config.ConfigError)):
        return str(exc)
    if isinstance(exc, sqlite3.Error):
        return f"the database in {current_data_dir()} cannot be used ({exc})"
    if isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return (
            f"{exc.filename or current_data_dir()} cannot be written ({exc.strerror}): the "
            "companion needs a data directory it can write (SSI_COMPANION_HOME)"
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
