"""`ssi-companion doctor`: one line per check, with what to do about each that fails."""

import sys

import click

from companion.cli.base import cli
from companion.i18n import _

MARKS = ("✓", "✗", "→")
# A terminal that cannot show them (a Latin-1 locale) still gets every line.
PLAIN_MARKS = ("ok", "!!", "->")


def _marks() -> tuple[str, str, str]:
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        "".join(MARKS).encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return PLAIN_MARKS
    return MARKS


@cli.command()
@click.option("--json", "as_json", is_flag=True,
              help='Print {"ok": ..., "checks": [...]} as JSON (for scripts).')  # fmt: skip
def doctor(as_json):
    """Check the install: data, database, server, token, extension, reminders, autostart.

    Only looks, never changes anything; works with the companion running or stopped.
    Exits 1 when anything needs doing.
    """
    import json

    from companion.doctor import run_checks

    checks = run_checks()
    ok = all(check.ok for check in checks)
    if as_json:
        found = {"ok": ok, "checks": [check.to_dict() for check in checks]}
        click.echo(json.dumps(found, ensure_ascii=False))
    else:
        passed, failed, arrow = _marks()
        for check in checks:
            # Translators: a check's title and what it found ("Database: ..., integrity ok").
            found = _("%(title)s: %(summary)s", title=check.title, summary=check.summary)
            click.echo(f"{passed if check.ok else failed} {found}")
            if not check.ok and check.fix:
                click.echo(f"  {arrow} {check.fix}")
    if not ok:
        click.get_current_context().exit(1)
