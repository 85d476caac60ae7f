"""The ssi-companion command line."""

import errno
import json
import os
import sqlite3
import sys
from pathlib import Path

import click

from companion import __version__, config
from companion.parse import ParseError, parse_api, parse_page
from companion.reading import READING_FIELDS, Reading

_LABELS = {
    "total": "Total",
    "total_displayed": "Total shown",
    "brand": "Brand",
    "people": "People",
    "insights": "Insights",
    "relationships": "Relationships",
    "industry_rank": "Industry rank",
    "network_rank": "Network rank",
    "industry_avg": "Industry average",
    "network_avg": "Network average",
    "industry": "Industry",
    "source": "Layout",
}


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

    if store.is_disk_full(exc, _data_dir()):
        return "the disk is full: nothing was written. Free some space and try again."
    if isinstance(exc, store.DatabaseDamaged):
        return backups.damage_help(_data_dir(), exc)
    if isinstance(exc, (*store.USER_ERRORS, locks.AlreadyServing, locks.InUse)):
        return str(exc)
    if isinstance(exc, (backups.BackupError, config.ConfigError)):
        return str(exc)
    if isinstance(exc, sqlite3.Error):
        return f"the database in {_data_dir()} cannot be used ({exc})"
    if isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return (
            f"{exc.filename or _data_dir()} cannot be written ({exc.strerror}): the companion "
            "needs a data directory it can write (SSI_COMPANION_HOME)"
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


def _format_value(name: str, value) -> str:
    if value is None:
        return "-"
    if name.endswith("_rank"):
        return f"Top {value}%"
    if name in ("brand", "people", "insights", "relationships"):
        return f"{value:g} / 25"
    if name == "total":
        return f"{value:g} / 100"
    return f"{value:g}" if isinstance(value, float) else str(value)


def format_reading(reading: Reading) -> str:
    width = max(len(label) for label in _LABELS.values())
    return "\n".join(
        f"{_LABELS[name]:<{width}}  {_format_value(name, getattr(reading, name))}"
        for name in READING_FIELDS
    )


def _read_input(file: str) -> tuple[str, str]:
    """The text of FILE (or stdin for '-') and whether it is 'html' or 'json'."""
    if file == "-":
        text = sys.stdin.buffer.read().decode("utf-8", errors="replace")
        return text, "json" if text.lstrip().startswith(("{", "[")) else "html"
    path = Path(file)
    suffix = path.suffix.lower()
    if suffix not in (".html", ".htm", ".json"):
        raise click.ClickException(
            f"{file}: expected an .html/.htm page or a .json salesApiSsi payload"
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise click.ClickException(f"{file}: no such file") from None
    except IsADirectoryError:
        raise click.ClickException(f"{file}: is a directory, not a file") from None
    except OSError as exc:
        raise click.ClickException(f"{file}: cannot be read ({exc.strerror})") from None
    return data.decode("utf-8", errors="replace"), "json" if suffix == ".json" else "html"


@cli.command()
@click.argument("file")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def parse(file, as_json):
    """Read a saved SSI page (.html/.htm) or a salesApiSsi payload (.json); '-' reads stdin."""
    text, kind = _read_input(file)
    try:
        reading = parse_api(text) if kind == "json" else parse_page(text)
    except ParseError as error:
        click.echo(f"Error: {error.code}: {error.message}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(reading.to_dict(), ensure_ascii=False))
    else:
        click.echo(format_reading(reading))


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
    from companion.backup_schedule import BackupSchedule
    from companion.logs import log_to_data_dir
    from companion.reminders.desktop import Notifier
    from companion.reminders.scheduler import ReminderScheduler
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
    notifier = Notifier()
    reminders = ReminderScheduler(app.config["DATA_DIR"], notifier)
    app.extensions["after_capture"] = reminders.after_capture
    app.extensions["reminders"] = reminders
    backups = BackupSchedule(data_dir)

    def start_background():
        reminders.start()
        if not demo_dir:
            backups.start()
        with store.connection(data_dir) as db:
            link = sessions.signin_url(app.config["SSI_SETTINGS"]["PORT"], sessions.mint_code(db))
        click.echo(f"Open your summary: {link}")
        click.echo("  (that link works once, for 2 minutes; `ssi-companion open` makes another)")

    try:
        # The port first: a second `serve` on a taken port must not start a scheduler.
        run_server(
            app, app.config["SSI_SETTINGS"]["PORT"], echo=click.echo, on_ready=start_background
        )
    except PortTaken as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        backups.shutdown()
        reminders.shutdown()
        notifier.close()


def _data_dir() -> str:
    try:
        return str(config.data_dir(config.load()["HOME"]))
    except config.ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _db():
    """This command's connection, checked for damage first; closed when the command ends.

    The command holds the data directory's shared use lock meanwhile, so a restore never
    swaps the file under it.
    """
    from companion import store
    from companion.store import locks

    ctx = click.get_current_context()
    data_dir = _data_dir()
    ctx.with_resource(locks.using(data_dir))
    db = store.open_checked(data_dir)
    ctx.call_on_close(db.close)
    return db


@cli.command()
@click.option("--rotate", is_flag=True, help="Make a new token; the old one stops working.")
def token(rotate):
    """Print the token the extension needs (paste it into its options)."""
    from companion.store import access_token as tokens
    from companion.store import sessions

    if not rotate:
        click.echo(tokens.get(_data_dir()))
        return
    click.echo(tokens.rotate(_data_dir()))
    # A new token is a fresh start: whoever was signed in to the pages must sign in again.
    ended = sessions.end_all(_db())
    click.echo("The old token no longer works: pair the extension again.", err=True)
    click.echo(f"Signed out {ended} browser session(s): `ssi-companion open` signs in.", err=True)


@cli.command()
def status():
    """Show what the companion holds: counts, the last capture and the latest reading."""
    from companion.store.status import status_report

    report = status_report(_db(), _data_dir())
    counts = report["counts"]
    click.echo(f"SSI Companion {report['version']}")
    click.echo(f"Data directory  {report['data_dir']}")
    click.echo(f"Captures        {counts['captures']} ({counts['failed']} could not be read)")
    click.echo(f"Readings        {counts['readings']}")
    last = report["last_capture"]
    if last is None:
        click.echo("Last capture    none yet: open https://www.linkedin.com/sales/ssi")
    else:
        result = (
            "read"
            if last["status"] == "ok"
            else (f"not read ({last['error_code']}: {last['error_message']})")
        )
        click.echo(f"Last capture    {last['captured_at']}, {result}")
    latest = report["latest_reading"]
    if latest is not None:
        click.echo(f"Latest reading  {latest['date']}: SSI {latest['total']:g}")
    backup = report["last_backup"]
    if backup is None:
        click.echo("Last backup     none yet (serve makes one a day; or run ssi-companion backup)")
    else:
        click.echo(f"Last backup     {backup['made_at_local']}, {backup['path']}")


@cli.command()
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="First date (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help='Print {"readings": [...]} as JSON.')
def readings(since, as_json):
    """Print the daily series: the last reading of each day."""
    from companion import store

    rows = store.daily_readings(_db(), since.date().isoformat() if since else None)
    if as_json:
        click.echo(json.dumps({"readings": rows}, ensure_ascii=False))
        return
    if not rows:
        click.echo("No readings yet.")
        return
    click.echo(
        f"{'date':<10}  {'total':>7}  {'brand':>6}  {'people':>6}  {'insights':>8}  "
        f"{'relationships':>13}  {'industry':>8}  {'network':>7}"
    )
    for r in rows:
        ranks = [
            f"Top {r[k]}%" if r[k] is not None else "-" for k in ("industry_rank", "network_rank")
        ]
        click.echo(
            f"{r['date']:<10}  {r['total']:>7.2f}  {r['brand']:>6.2f}  {r['people']:>6.2f}  "
            f"{r['insights']:>8.2f}  {r['relationships']:>13.2f}  {ranks[0]:>8}  {ranks[1]:>7}"
        )


@cli.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def import_(files):
    """Import saved SSI pages, salesApiSsi .json files, or our own CSV/JSON export."""
    from companion.ingest.imports import ImportReport, import_file

    db = _db()
    report = ImportReport()
    with click.progressbar(
        files, label="Importing", file=sys.stderr, show_pos=True,
        hidden=len(files) < 5,
    ) as bar:  # fmt: skip
        for path in bar:
            report.files.append(import_file(db, path))
    click.echo(f"Added {report.added} reading(s), skipped {report.skipped} already stored.")
    for refused in report.refused:
        click.echo(f"Refused {refused.path}: {refused.refused}", err=True)
    if report.refused:
        sys.exit(1)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv",
              show_default=True, help="Output format.")  # fmt: skip
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")  # fmt: skip
def export(fmt, out):
    """Export every reading, oldest first (CSV or JSON; `import` reads both back)."""
    from companion import store
    from companion.ingest.exports import export_csv, export_json

    rows = store.list_readings(_db())
    text = export_csv(rows) if fmt == "csv" else export_json(rows)
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"{out}: cannot be written ({exc.strerror})") from None
    click.echo(f"Wrote {len(rows)} reading(s) to {out}", err=True)


@cli.command()
def reparse():
    """Read failed captures (and kept raw pages) again with the current parser."""
    from companion.ingest.receive import reparse as reparse_all

    report = reparse_all(_db())
    click.echo(f"Recovered {report.recovered} capture(s) that could not be read before.")
    click.echo(f"Updated {report.updated} reading(s); {report.unchanged} unchanged.")
    for code, count in sorted(report.still_failing.items()):
        click.echo(f"Still unreadable: {count} ({code})")


@cli.command(name="open")
@click.option("--print", "print_only", is_flag=True, help="Print the link instead of opening it.")
def open_summary(print_only):
    """Open your summary in the browser, signed in (a link that works once, for 2 minutes)."""
    import webbrowser

    from companion.store import locks, sessions

    data_dir = _data_dir()
    serving = locks.who_serves(data_dir)
    if serving is None or not isinstance(serving.get("port"), int):
        raise click.ClickException(
            "the companion is not running: start it with `ssi-companion serve` (or `make run`)"
        )
    link = sessions.signin_url(serving["port"], sessions.mint_code(_db()))
    if print_only:
        click.echo(link)
        return
    if not webbrowser.open(link):
        click.echo("No browser could be started: open this link (it works once, for 2 minutes):")
        click.echo(link)
        return
    click.echo(f"Opened your summary at http://127.0.0.1:{serving['port']}/ in your browser.")


@cli.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the backup here [default: a new file in <data dir>/backups]")  # fmt: skip
def backup(out):
    """Make a consistent copy of the database now (also while serve runs)."""
    from companion import store
    from companion.store import backups, locks

    data_dir = _data_dir()
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

    found = backups.list_backups(_data_dir())
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
    from companion.store import backups

    result = backups.restore(_data_dir(), file)
    if result.set_aside is not None:
        click.echo(f"The database you had is kept as {result.set_aside}")
    span = f", {result.first_date} to {result.last_date}" if result.first_date is not None else ""
    click.echo(f"Restored {file}: {result.readings} reading(s){span}.")


@cli.group()
def extension():
    """Build the browser extension."""


@extension.command(name="build")
@click.option("--browser", type=click.Choice(["chrome", "firefox"]), default="chrome",
              show_default=True, help="Which browser's manifest to render.")  # fmt: skip
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to build into [default: build/extension in the checkout].")  # fmt: skip
def extension_build(browser, out):
    """Render the manifest and copy the extension into a folder that loads as it is."""
    from companion.extension_build import BuildError, build

    try:
        folder, archive = build(browser, out)
    except (BuildError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Built the {browser} extension in {folder}")
    click.echo(f"and packed it as {archive}")


@cli.command(name="settings")
@click.argument("action", required=False, type=click.Choice(["get", "set"]))
@click.argument("key", required=False)
@click.argument("value", required=False)
def settings_command(action, key, value):
    """Show the reminder settings, or `get KEY`, or `set KEY VALUE`."""
    from companion.store import preferences as user_settings

    db = _db()
    if action is None:
        values = user_settings.load(db)
        width = max(map(len, values))
        for name, current in values.items():
            meaning = user_settings.SETTINGS[name].meaning
            click.echo(f"{name:<{width}}  {user_settings.format_value(current):<22}  {meaning}")
        return
    if key is None:
        raise click.UsageError(f"settings {action} needs a KEY")
    try:
        if action == "get":
            user_settings.require_key(key)
            click.echo(user_settings.format_value(user_settings.load(db)[key]))
            return
        if value is None:
            raise click.UsageError("settings set needs a KEY and a VALUE")
        stored = user_settings.set_value(db, key, value)
    except user_settings.SettingError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{key} = {user_settings.format_value(stored)}")


@cli.command()
@click.option("--at", "at", help="Evaluate at this moment (ISO 8601) instead of now.")
@click.option("--dry-run", is_flag=True, help="Decide only: send and record nothing.")
@click.option("--json", "as_json", is_flag=True, help='Print {"decisions": [...]} as JSON.')
def check(at, dry_run, as_json):
    """Evaluate every reminder rule now (or --at) and deliver what is due."""
    from datetime import datetime

    from companion.reminders.delivery import run_check
    from companion.reminders.desktop import Notifier

    try:
        moment = datetime.fromisoformat(at) if at is not None else datetime.now()
    except ValueError:
        raise click.ClickException(
            f"--at must be an ISO 8601 date and time, e.g. 2026-11-30T09:30, not {at!r}"
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # the local timezone, as the scheduler uses
    notifier = None if dry_run else Notifier()
    try:
        decisions = run_check(_db(), moment, notifier, dry_run=dry_run)
    finally:
        if notifier is not None:
            notifier.close()
    if as_json:
        click.echo(json.dumps({"decisions": [d.to_dict() for d in decisions]}, ensure_ascii=False))
        return
    if not decisions:
        click.echo("Nothing to remind you of.")
    for decision in decisions:
        reason = f" ({decision.reason})" if decision.reason else ""
        click.echo(f"[{decision.status}] {decision.kind}: {decision.title}{reason}")
        click.echo(f"    {decision.body}")
