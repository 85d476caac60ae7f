"""Building the browser extension."""

from pathlib import Path

import click

from companion.cli.base import cli
from companion.i18n import _


@cli.group()
def extension():
    """Build the browser extension."""


@extension.command(name="build")
@click.option("--browser", type=click.Choice(["chrome", "firefox"]), default="chrome",
              show_default=True, help="Which browser's manifest to render.")  # fmt: skip
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to build into [default: extension/ in the data directory].")  # fmt: skip
def extension_build(browser, out):
    """Render the manifest and copy the extension into a folder that loads as it is."""
    from companion.extension_build import BuildError, build

    try:
        folder, archive = build(browser, out)
    except (BuildError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    # Translators: one sentence on two lines; %(browser)s is chrome or firefox.
    click.echo(_("Built the %(browser)s extension in %(folder)s", browser=browser, folder=folder))
    click.echo(_("and packed it as %(archive)s", archive=archive))
    for line in load_steps(browser, folder):
        click.echo(line)


def load_steps(browser: str, folder) -> list[str]:
    """How to load the built folder, for someone who has never loaded an unpacked extension."""
    # The quoted names are the browser's own buttons and settings, as it words them in its
    # user's language: the translations say them the same way.
    if browser == "firefox":
        return [
            _("To load it in Firefox:"),
            "  " + _("1. open %(address)s", address="about:debugging#/runtime/this-firefox"),
            # Translators: Firefox's own button, as Firefox names it in your language.
            "  " + _('2. click "Load Temporary Add-on..."'),
            "  " + _("3. choose %(file)s", file=folder / "manifest.json"),
        ]
    return [
        _("To load it in Chrome (or Edge, Brave):"),
        "  " + _("1. open %(address)s", address="chrome://extensions"),
        # Translators: Chrome's own switch, as Chrome names it in your language.
        "  " + _("2. turn on Developer mode (top right)"),
        # Translators: Chrome's own button, as Chrome names it in your language.
        "  " + _('3. click "Load unpacked" and choose %(folder)s', folder=folder),
    ]
