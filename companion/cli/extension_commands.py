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
