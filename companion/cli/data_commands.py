"""Keeping the data: the token, backups and restore."""

from pathlib import Path

import click

from companion.cli.base import cli, current_data_dir, open_db


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
    click.echo("The old token no longer works: pair the extension again.", err=True)
    click.echo(f"Signed out {ended} browser session(s): `ssi-companion open` signs in.", err=True)


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
    click.echo(f"Backed up {store.db_path(data_dir)} to")
    click.echo(str(path))


@cli.command(name="backups")
def list_backups():
    """List the backups in <data dir>/backups, newest first."""
    from companion.store import backups

    found = backups.list_backups(current_data_dir())
    if not found:
        click.echo("No backups yet: serve makes one a day, or run ssi-companion backup.")
        return
    click.echo(f"{'made (local time)':<19}  {'size':>9}  {'readings':>8}  file")
    for b in found:
        readings = "unreadable" if b.readings is None else str(b.readings)
        click.echo(f"{b.local_time:%Y-%m-%d %H:%M:%S}  {_size(b.size):>9}  {readings:>8}  {b.path}")


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB"):
        if n < 1024 or unit == "MB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def restore(file):
    """Replace the database with FILE (a backup); the current one is kept aside."""
    from companion.store import restore as restoring

    result = restoring.restore(current_data_dir(), file)
    if result.set_aside is not None:
        click.echo(f"The database you had is kept as {result.set_aside}")
    span = f", {result.first_date} to {result.last_date}" if result.first_date is not None else ""
    click.echo(f"Restored {file}: {result.readings} reading(s){span}.")
