"""Commands about readings: parse a saved page, what is stored, the daily series, import,
export and reparse."""

import json
import sys
from pathlib import Path

import click

from companion.cli.base import cli, current_data_dir, open_db
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
    from companion.parse import ParseError, parse_api, parse_page

    text, kind = _read_input(file)
    try:
        reading = parse_api(text) if kind == "json" else parse_page(text)
    except ParseError as error:
        raise click.ClickException(f"{error.code}: {error.message}") from None
    if as_json:
        click.echo(json.dumps(reading.to_dict(), ensure_ascii=False))
    else:
        click.echo(format_reading(reading))


@cli.command()
def status():
    """Show what the companion holds: counts, the last capture and the latest reading."""
    from companion.store.status import status_report

    report = status_report(open_db(), current_data_dir())
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

    rows = store.daily_readings(open_db(), since.date().isoformat() if since else None)
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

    db = open_db()
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
        raise click.ClickException(f"{len(report.refused)} file(s) refused, nothing of them added")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv",
              show_default=True, help="Output format.")  # fmt: skip
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")  # fmt: skip
def export(fmt, out):
    """Export every reading, oldest first (CSV or JSON; `import` reads both back)."""
    from companion import store
    from companion.ingest.exports import export_csv, export_json

    rows = store.list_readings(open_db())
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

    report = reparse_all(open_db())
    click.echo(f"Recovered {report.recovered} capture(s) that could not be read before.")
    click.echo(f"Updated {report.updated} reading(s); {report.unchanged} unchanged.")
    for code, count in sorted(report.still_failing.items()):
        click.echo(f"Still unreadable: {count} ({code})")
