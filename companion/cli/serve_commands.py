"""Running the companion, and opening its pages signed in."""

import click

from companion import config
from companion.cli.base import cli, current_data_dir, open_db


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
        click.echo(f"Demo: {count} made-up readings in {demo_dir} (removed on exit).")
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
        click.echo(f"Open your summary: {link}")
        click.echo("  (that link works once, for 2 minutes; `ssi-companion open` makes another)")

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
            "the companion is not running: start it with `ssi-companion serve` (or `make run`)"
        )
    link = sessions.signin_url(serving["port"], sessions.mint_code(open_db()))
    if print_only:
        click.echo(link)
        return
    if not webbrowser.open(link):
        click.echo("No browser could be started: open this link (it works once, for 2 minutes):")
        click.echo(link)
        return
    click.echo(f"Opened your summary at http://127.0.0.1:{serving['port']}/ in your browser.")
