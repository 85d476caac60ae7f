"""Building the browser extension."""

from pathlib import Path

import click

from companion.cli.base import cli


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
    click.echo(f"Built the {browser} extension in {folder}")
    click.echo(f"and packed it as {archive}")
    for line in load_steps(browser, folder):
        click.echo(line)


def load_steps(browser: str, folder) -> list[str]:
    """How to load the built folder, for someone who has never loaded an unpacked extension."""
    if browser == "firefox":
        return [
            "To load it in Firefox:",
            "  1. open about:debugging#/runtime/this-firefox",
            '  2. click "Load Temporary Add-on..."',
            f"  3. choose {folder / 'manifest.json'}",
        ]
    return [
        "To load it in Chrome (or Edge, Brave):",
        "  1. open chrome://extensions",
        "  2. turn on Developer mode (top right)",
        f'  3. click "Load unpacked" and choose {folder}',
    ]
