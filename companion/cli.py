"""The ssi-companion command line."""

import json
import sys
from pathlib import Path

import click

from . import __version__, config
from .parse import READING_FIELDS, ParseError, Reading, parse_api, parse_page

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


@click.group()
@click.version_option(__version__, prog_name="ssi-companion")
def cli():
    """SSI Companion: keep your LinkedIn Social Selling Index history on your own machine."""


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
def serve(port):
    """Run the companion on 127.0.0.1 (only) until Ctrl-C."""
    from .app import create_app
    from .server import PortTaken
    from .server import serve as run_server

    try:
        overrides = {"PORT": port} if port else {}
        app = create_app(overrides)
    except config.ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        run_server(app, app.config["SSI_SETTINGS"]["PORT"], echo=click.echo)
    except PortTaken as exc:
        raise click.ClickException(str(exc)) from None
