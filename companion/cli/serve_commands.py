"""Running the companion, and opening its pages signed in."""

import click

from companion import config
from companion.cli.base import cli, current_data_dir, open_db
from companion.i18n import _, ngettext


@cli.command()
@click.option("--port", type=click.IntRange(1, 65535), help="Port on 127.0.0.1 [default: 47613].")
@click.option("--demo", is_flag=True, help="Show a year of made-up readings (temporary data dir).")
def serve(port, demo):
    """Run the companion on 127.0.0.1 (only) until Ctrl-C."""
    import shutil
    import tempfile

    from companion.store import locks

    overrides = {"PORT": port} if port else {}
    demo_dir = None
    if demo:
        # Never the user's data: a throw-away folder, removed when the companion stops.
        demo_dir = tempfile.mkdtemp(prefix="ssi-companion-demo-")
        overrides["HOME"] = demo_dir
        # The pages offer nothing that outlives the demo (start at login would register it).
        overrides["DEMO"] = True
    try:
        settings = config.load(overrides)
        data_dir = config.data_dir(settings["HOME"])
        # One server per data directory, decided before anything touches the database.
        with locks.serving(data_dir, settings["PORT"]), locks.using(data_dir):
            _serve(overrides, data_dir, demo_dir)
    except config.ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        if demo_dir:
            shutil.rmtree(demo_dir, ignore_errors=True)


def _serve(overrides: dict, data_dir, demo_dir) -> None:
    from companion import store
    from companion.logs import log_to_data_dir
    from companion.serving import PortTaken
    from companion.serving import serve as run_server
    from companion.store import sessions
    from companion.web import create_app

    app = create_app(overrides)
    if demo_dir:
        from datetime import date

        from companion.ingest import demo as demo_data

        with store.connection(demo_dir) as db:
            count = demo_data.fill(db, date.today())
        from companion.history.wording import count as counted

        demo_line = ngettext(
            "Demo: %(count)s made-up reading in %(folder)s (removed on exit).",
            "Demo: %(count)s made-up readings in %(folder)s (removed on exit).",
            count,
            count=counted(count),
            folder=demo_dir,
        )
        click.echo(demo_line)
    log_to_data_dir(data_dir)
    # create_app made them; serve is what runs them.
    reminders = app.extensions["reminders"]
    backups = app.extensions["backups"]

    def start_background():
        reminders.start()
        if not demo_dir:
            backups.start()
        with store.connection(data_dir) as db:
            link = sessions.signin_url(
                app.config["COMPANION_CONFIG"]["PORT"], sessions.mint_code(db)
            )
        for line in _welcome(
            data_dir, link, demo=bool(demo_dir), settings=app.config["COMPANION_CONFIG"]
        ):
            click.echo(line)

    # Requests open and close their own connections. This one stays open while the server runs,
    # so that closing a request's connection is never closing the last one, which would make
    # SQLite checkpoint and delete the WAL (an fsync or two) after every single capture.
    keeper = store.connect(data_dir)
    try:
        # The port first: a second `serve` on a taken port must not start a scheduler.
        run_server(
            app, app.config["COMPANION_CONFIG"]["PORT"], echo=click.echo, on_ready=start_background
        )
    except PortTaken as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        backups.shutdown()
        reminders.shutdown()
        keeper.close()


def _welcome(data_dir, link: str, demo: bool, settings: dict | None = None) -> list[str]:
    """What a newcomer needs, in the order they need it: where their data lives, the way in,
    the extension to load, and how to keep the companion running after a reboot.

    `settings`: the companion's (config.load), whose HOME and PORT autostart would register."""
    from companion.cli.extension_commands import load_steps
    from companion.extension_build import BROWSERS, default_out

    if demo:
        where = _("Your data lives in %(folder)s (made up, removed on exit)", folder=data_dir)
    else:
        where = _("Your data lives in %(folder)s", folder=data_dir)
    lines = [
        where,
        _("Open your summary: %(link)s", link=link),
        "  " + _("(that link works once, for 2 minutes; `ssi-companion open` makes another)"),
    ]
    if demo:
        return lines
    built = [b for b in BROWSERS if (default_out(data_dir) / b / "manifest.json").is_file()]
    if built:
        folder = default_out(data_dir) / built[0]
        lines.append(_("The extension is in %(folder)s", folder=folder))
        lines += load_steps(built[0], folder)
    else:
        lines.append(
            _("The extension: `ssi-companion extension build` makes it and says how to load it")
        )
    lines.append(_autostart_line(settings or {}))
    return lines


def _autostart_line(settings: dict) -> str:
    from companion import autostart

    try:
        state = autostart.status(home=settings.get("HOME"), port=settings.get("PORT"))
    except autostart.AutostartError as exc:
        return _("Start at login: unknown (%(reason)s)", reason=exc)
    if state.enabled and state.up_to_date:
        return _(
            "Starts at login: yes (%(method)s, %(location)s)",
            method=state.method,
            location=state.location,
        )
    if state.enabled:
        return _(
            "Starts at login: another data directory, port or install than this one; "
            "`ssi-companion autostart enable` registers this one"
        )
    return _(
        "Start at login, so reminders keep coming after a reboot: `ssi-companion autostart enable`"
    )


@cli.command(name="open")
@click.option("--print", "print_only", is_flag=True, help="Print the link instead of opening it.")
def open_summary(print_only):
    """Open your summary in the browser, signed in (a link that works once, for 2 minutes)."""
    import webbrowser

    from companion.store import locks, sessions

    data_dir = current_data_dir()
    serving = locks.who_serves(data_dir)
    if serving is None or not isinstance(serving.get("port"), int):
        raise click.ClickException(
            _("the companion is not running: start it with `ssi-companion serve` (or `make run`)")
        )
    link = sessions.signin_url(serving["port"], sessions.mint_code(open_db()))
    if print_only:
        click.echo(link)
        return
    if not webbrowser.open(link):
        click.echo(_("No browser could be started: open this link (it works once, for 2 minutes):"))
        click.echo(link)
        return
    address = f"http://127.0.0.1:{serving['port']}/"
    click.echo(_("Opened your summary at %(address)s in your browser.", address=address))
