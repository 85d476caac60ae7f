"""The reminder settings, and a reminder check on demand."""

import json

import click

from companion.cli.base import cli, open_db
from companion.i18n import _


@cli.command(name="settings")
@click.argument("action", required=False, type=click.Choice(["get", "set"]))
@click.argument("key", required=False)
@click.argument("value", required=False)
def settings_command(action, key, value):
    """Show the reminder settings, or `get KEY`, or `set KEY VALUE`."""
    from companion.store import preferences

    db = open_db()
    if action is None:
        values = preferences.load(db)
        width = max(map(len, values))
        for name, current in values.items():
            label = preferences.SETTINGS[name].label  # translated when read
            click.echo(f"{name:<{width}}  {preferences.format_value(current):<22}  {label}")
        _say_notes(preferences.notes(values))
        return
    if key is None:
        # Translators: KEY is the argument's name in the usage line and stays as it is.
        raise click.UsageError(_("settings %(action)s needs a KEY", action=action))
    try:
        if action == "get":
            preferences.require_key(key)
            click.echo(preferences.format_value(preferences.load(db)[key]))
            return
        if value is None:
            # Translators: KEY and VALUE are the arguments' names and stay as they are.
            raise click.UsageError(_("settings set needs a KEY and a VALUE"))
        stored = preferences.set_value(db, key, value)
    except preferences.SettingError as exc:
        # The key as the user typed it, then the same sentence the settings page shows.
        raise click.ClickException(str(exc)) from None
    click.echo(f"{key} = {preferences.format_value(stored)}")
    _say_notes(note for note in preferences.notes(preferences.load(db)) if key in note.about)


def _say_notes(notes) -> None:
    # Stored all the same: these settings work, only perhaps not as meant.
    for note in notes:
        click.echo(_("Note: %(key)s: %(note)s", key=note.key, note=note.message))


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
            _(
                "--at must be an ISO 8601 date and time, e.g. 2026-11-30T09:30, not %(value)r",
                value=at,
            )
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # the local timezone, as the scheduler uses
    notifier = None if dry_run else Notifier()
    try:
        decisions = run_check(open_db(), moment, notifier, dry_run=dry_run)
    finally:
        if notifier is not None:
            notifier.close()
    if as_json:
        click.echo(json.dumps({"decisions": [d.to_dict() for d in decisions]}, ensure_ascii=False))
        return
    if not decisions:
        click.echo(_("Nothing to remind you of."))
    for decision in decisions:
        reason = f" ({decision.reason})" if decision.reason else ""
        click.echo(f"[{decision.status}] {decision.kind}: {decision.title}{reason}")
        click.echo(f"    {decision.body}")
