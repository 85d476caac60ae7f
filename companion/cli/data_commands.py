"""Keeping the data: the token, backups and restore."""

from pathlib import Path

import click

from companion.cli.base import cli, current_data_dir, open_db
from companion.history.wording import count
from companion.i18n import _, ngettext


@cli.command()
@click.option("--rotate", is_flag=True, help="Make a new token; the old one stops working.")
def token(rotate):
    """Print the token the extension needs (paste it into its options)."""
    from companion.store import access_token as tokens
    from companion.store import sessions

    if not rotate:
        click.echo(tokens.get(current_data_dir()))
        return
    click.echo(tokens.rotate(current_data_dir()))
    # A new token is a fresh start: whoever was signed in to the pages must sign in again.
    ended = sessions.end_all(open_db())
    click.echo(_("The old token no longer works: pair the extension again."), err=True)
    signed_out = ngettext(
        "Signed out %(count)s browser session: `ssi-companion open` signs in.",
        "Signed out %(count)s browser sessions: `ssi-companion open` signs in.",
        ended,
        count=count(ended),
    )
    click.echo(signed_out, err=True)


@cli.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the backup here [default: a new file in <data dir>/backups]")  # fmt: skip
def backup(out):
    """Make a consistent copy of the database now (also while serve runs)."""
    from companion import store
    from companion.store import backups, locks

    data_dir = current_data_dir()
    ctx = click.get_current_context()
    ctx.with_resource(locks.using(data_dir))
    store.open_checked(data_dir).close()  # a damaged database is reported, not copied
    path = backups.make_backup(data_dir, out)
    # Translators: the file the backup was written to follows on a line of its own.
    click.echo(_("Backed up %(database)s to", database=store.db_path(data_dir)))
    click.echo(str(path))


@cli.command(name="backups")
def list_backups():
    """List the backups in <data dir>/backups, newest first."""
    from companion.store import backups

    found = backups.list_backups(current_data_dir())
    if not found:
        click.echo(_("No backups yet: serve makes one a day, or run ssi-companion backup."))
        return
    # The headings in the user's language: each column as wide as its heading or values need.
    rows = [
        (
            f"{b.local_time:%Y-%m-%d %H:%M:%S}",
            _size(b.size),
            _("unreadable") if b.readings is None else count(b.readings),
            str(b.path),
        )
        for b in found
    ]
    # Translators: the column headings of `ssi-companion backups`.
    headings = (_("made (local time)"), _("size"), _("readings"), _("file"))
    widths = [
        max(least, *(len(row[i]) for row in [headings, *rows]))
        for i, least in enumerate((19, 9, 8))
    ]
    for made, size, readings, path in [headings, *rows]:
        click.echo(f"{made:<{widths[0]}}  {size:>{widths[1]}}  {readings:>{widths[2]}}  {path}")


def _size(n: int) -> str:
    from companion.doctor.wording import size_in

    for unit in ("B", "KB", "MB"):
        if n < 1024 or unit == "MB":
            return size_in(n, unit)
        n /= 1024
    raise AssertionError("unreachable")


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def restore(file):
    """Replace the database with FILE (a backup); the current one is kept aside."""
    from companion.store import restore as restoring

    result = restoring.restore(current_data_dir(), file)
    if result.set_aside is not None:
        click.echo(_("The database you had is kept as %(path)s", path=result.set_aside))
    if result.first_date is None:
        restored = ngettext(
            "Restored %(file)s: %(count)s reading.",
            "Restored %(file)s: %(count)s readings.",
            result.readings,
            file=file,
            count=count(result.readings),
        )
    else:
        restored = ngettext(
            "Restored %(file)s: %(count)s reading, %(first)s to %(last)s.",
            "Restored %(file)s: %(count)s readings, %(first)s to %(last)s.",
            result.readings,
            file=file,
            count=count(result.readings),
            first=result.first_date,
            last=result.last_date,
        )
    click.echo(restored)
