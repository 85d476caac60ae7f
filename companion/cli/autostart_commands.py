"""Starting the companion at login: `ssi-companion autostart enable|disable|status`."""

import click

from companion.cli.base import cli


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
    if result.changed:
        click.echo(f"Start at login: enabled ({result.method}, {result.location}).")
    else:
        click.echo(f"Start at login: already enabled ({result.method}, {result.location}).")
    click.echo(f"It runs: {_runs(result)}")
    if result.note:
        click.echo(result.note)


@autostart.command()
def disable():
    """Stop starting the companion at login (removes only what `enable` wrote)."""
    result = _call("disable")
    if not result.changed:
        click.echo("Start at login was not enabled: nothing to remove.")
        return
    click.echo(f"Start at login: disabled; removed {result.location}.")
    if result.note:
        click.echo(result.note)


def _running_now(version: str | None, port: int) -> str:
    """Whether the companion of this data directory answers on `port`: a companion there may
    serve another data directory (its serve.lock names the port it took, see store/locks.py)."""
    from companion import config
    from companion.store import locks

    address = f"http://127.0.0.1:{port}/"
    if version is None:
        return f"no: nothing answers on {address}"
    data_dir = config.data_dir_path(config.load()["HOME"])  # found, never created
    try:
        holder = locks.who_serves(data_dir)
    except OSError:  # a data directory we cannot look into: the answer is all we know
        holder = {"port": port}
    if holder is not None and holder.get("port") in (port, "?"):  # "?": it named no port
        return f"yes: SSI Companion {version} answers on {address}"
    line = f"no: a companion for another data directory answers on port {port}"
    if holder is None:
        return line
    pid = holder.get("pid", "?")
    if holder.get("command") == "restore":
        return f"{line}; a restore of {data_dir} is under way (pid {pid})"
    return f"{line}; {data_dir} is served on port {holder.get('port')} (pid {pid})"


@autostart.command()
def status():
    """Whether the companion starts at login, what runs, and whether it answers now."""
    from companion import autostart as api

    result = _call("status")
    if result.enabled:
        click.echo(f"Start at login  enabled ({result.method})")
        click.echo(f"Location        {result.location}")
        click.echo(f"Command         {result.command_line}")
    else:
        click.echo(f"Start at login  disabled (enable would add this {result.method})")
        click.echo(f"Would write     {result.location}")
        click.echo(f"Would run       {result.command_line}")
    for name, value in result.environment.items():
        click.echo(f"Environment     {name}={value}")
    click.echo(f"Running now     {_running_now(api.answering(result.port), result.port)}")
    if result.enabled and not result.up_to_date:
        click.echo(
            "This is not what `enable` would register now (another data directory, port or "
            "install): `ssi-companion autostart enable` updates it."
        )
    if result.note:
        click.echo(result.note)
