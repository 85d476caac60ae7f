"""Starting the companion at login: `ssi-companion autostart enable|disable|status`."""

import click

from companion.cli.base import cli, echo_table
from companion.i18n import _


@cli.group()
def autostart():
    """Start the companion when you log in (enable, disable, status)."""


def _call(name: str):
    from companion import autostart as api

    try:
        return getattr(api, name)()
    except api.AutostartError as exc:
        raise click.ClickException(str(exc)) from None


def _runs(result) -> str:
    from companion.autostart.model import shell_line

    return shell_line(result.command, result.environment)


@autostart.command()
def enable():
    """Start `ssi-companion serve` at every login, with this data directory and port."""
    result = _call("enable")
    where = {"method": result.method, "location": result.location}
    if result.changed:
        click.echo(_("Start at login: enabled (%(method)s, %(location)s).", **where))
    else:
        click.echo(_("Start at login: already enabled (%(method)s, %(location)s).", **where))
    click.echo(_("It runs: %(command)s", command=_runs(result)))
    if result.note:
        click.echo(result.note)


@autostart.command()
def disable():
    """Stop starting the companion at login (removes only what `enable` wrote)."""
    result = _call("disable")
    if not result.changed:
        click.echo(_("Start at login was not enabled: nothing to remove."))
        return
    click.echo(_("Start at login: disabled; removed %(location)s.", location=result.location))
    if result.note:
        click.echo(result.note)


def _running_now(version: str | None, port: int) -> str:
    """Whether the companion of this data directory answers on `port`: a companion there may
    serve another data directory (its serve.lock names the port it took, see store/locks.py)."""
    from companion import config
    from companion.store import locks

    address = f"http://127.0.0.1:{port}/"
    if version is None:
        return _("no: nothing answers on %(address)s", address=address)
    data_dir = config.data_dir_path(config.load()["HOME"])  # found, never created
    try:
        holder = locks.who_serves(data_dir)
    except OSError:  # a data directory we cannot look into: the answer is all we know
        holder = {"port": port}
    if holder is not None and holder.get("port") in (port, "?"):  # "?": it named no port
        return _(
            "yes: SSI Companion %(version)s answers on %(address)s",
            version=version,
            address=address,
        )
    if holder is None:
        return _("no: a companion for another data directory answers on port %(port)s", port=port)
    pid = holder.get("pid", "?")
    if holder.get("command") == "restore":
        return _(
            "no: a companion for another data directory answers on port %(port)s; a restore "
            "of %(folder)s is under way (pid %(pid)s)",
            port=port,
            folder=data_dir,
            pid=pid,
        )
    return _(
        "no: a companion for another data directory answers on port %(port)s; %(folder)s is "
        "served on port %(other_port)s (pid %(pid)s)",
        port=port,
        folder=data_dir,
        other_port=holder.get("port"),
        pid=pid,
    )


@autostart.command()
def status():
    """Whether the companion starts at login, what runs, and whether it answers now."""
    from companion import autostart as api

    result = _call("status")
    if result.enabled:
        rows = [
            (_("Start at login"), _("enabled (%(method)s)", method=result.method)),
            (_("Location"), result.location),
            (_("Command"), result.command_line),
        ]
    else:
        rows = [
            (
                _("Start at login"),
                # Translators: `enable` is the command's name and stays as it is.
                _("disabled (enable would add this %(method)s)", method=result.method),
            ),
            (_("Would write"), result.location),
            (_("Would run"), result.command_line),
        ]
    rows += [(_("Environment"), f"{name}={value}") for name, value in result.environment.items()]
    rows.append((_("Running now"), _running_now(api.answering(result.port), result.port)))
    echo_table(rows)
    if result.enabled and not result.up_to_date:
        click.echo(
            _(
                "This is not what `enable` would register now (another data directory, port "
                "or install): `ssi-companion autostart enable` updates it."
            )
        )
    if result.note:
        click.echo(result.note)
