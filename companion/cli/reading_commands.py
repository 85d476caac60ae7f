"""Commands about readings: parse a saved page, what is stored, the daily series, import,
export and reparse."""

import json
import sys
from pathlib import Path

import click

from companion.cli.base import cli, current_data_dir, echo_table, open_db
from companion.history import wording
from companion.i18n import N_, _, ngettext
from companion.reading import READING_FIELDS, Reading

_LABELS = {
    "total": N_("Total"),
    "total_displayed": N_("Total shown"),
    "brand": N_("Brand"),
    "people": N_("People"),
    "insights": N_("Insights"),
    "relationships": N_("Relationships"),
    "industry_rank": N_("Industry rank"),
    "network_rank": N_("Network rank"),
    "industry_avg": N_("Industry average"),
    "network_avg": N_("Network average"),
    "industry": N_("Industry"),
    # Translators: which of LinkedIn's page layouts the numbers were read from.
    "source": N_("Layout"),
}
SSI_PAGE = "https://www.linkedin.com/sales/ssi"
# LinkedIn's scores carry up to three decimals; a payload's total more, of which four show.
_DIGITS = 4


def _format_value(name: str, value) -> str:
    if value is None:
        return "-"
    if name.endswith("_rank"):
        return wording.rank(value)
    if name in ("brand", "people", "insights", "relationships"):
        return f"{wording.number(value, _DIGITS)} / 25"
    if name == "total":
        return f"{wording.number(value, _DIGITS)} / 100"
    return wording.number(value, _DIGITS) if isinstance(value, float) else str(value)


def format_reading(reading: Reading) -> str:
    labels = {name: _(label) for name, label in _LABELS.items()}
    width = max(map(len, labels.values()))
    return "\n".join(
        f"{labels[name]:<{width}}  {_format_value(name, getattr(reading, name))}"
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
            _("%(file)s: expected an .html/.htm page or a .json salesApiSsi payload", file=file)
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise click.ClickException(_("%(file)s: no such file", file=file)) from None
    except IsADirectoryError:
        raise click.ClickException(_("%(file)s: is a directory, not a file", file=file)) from None
    except OSError as exc:
        raise click.ClickException(
            _("%(file)s: cannot be read (%(reason)s)", file=file, reason=exc.strerror)
        ) from None
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
    rows = [
        (_("Data directory"), str(report["data_dir"])),
        (
            _("Captures"),
            # Translators: the first number is all captures, the second the failed ones.
            ngettext(
                "%(captures)s (%(count)s could not be read)",
                "%(captures)s (%(count)s could not be read)",
                counts["failed"],
                captures=wording.count(counts["captures"]),
                count=wording.count(counts["failed"]),
            ),
        ),
        (_("Readings"), wording.count(counts["readings"])),
    ]
    last = report["last_capture"]
    if last is None:
        rows.append((_("Last capture"), _("none yet: open %(page)s", page=SSI_PAGE)))
    else:
        if last["status"] == "ok":
            result = _("%(moment)s, read", moment=wording.moment(last["captured_at"]))
        else:
            result = _(
                "%(moment)s, not read (%(code)s: %(reason)s)",
                moment=wording.moment(last["captured_at"]),
                code=last["error_code"],
                reason=last["error_message"],
            )
        rows.append((_("Last capture"), result))
    latest = report["latest_reading"]
    if latest is not None:
        score = wording.number(latest["total"], _DIGITS)
        rows.append((_("Latest reading"), f"{wording.day(latest['date'])}: SSI {score}"))
    backup = report["last_backup"]
    if backup is None:
        shown = _("none yet (serve makes one a day; or run ssi-companion backup)")
    else:
        shown = f"{backup['made_at_local']}, {backup['path']}"
    rows.append((_("Last backup"), shown))
    echo_table(rows)


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
        click.echo(_("No readings yet."))
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
        files, label=_("Importing"), file=sys.stderr, show_pos=True,
        hidden=len(files) < 5,
    ) as bar:  # fmt: skip
        for path in bar:
            report.files.append(import_file(db, path))
    click.echo(
        # Translators: %(skipped)s is a count too: readings that were in the database already.
        ngettext(
            "Added %(count)s reading, skipped %(skipped)s already stored.",
            "Added %(count)s readings, skipped %(skipped)s already stored.",
            report.added,
            count=wording.count(report.added),
            skipped=wording.count(report.skipped),
        )
    )
    for refused in report.refused:
        refusal = _("Refused %(file)s: %(reason)s", file=refused.path, reason=refused.refused)
        click.echo(refusal, err=True)
    if report.refused:
        raise click.ClickException(
            ngettext(
                "%(count)s file refused, nothing of it added",
                "%(count)s files refused, nothing of them added",
                len(report.refused),
                count=wording.count(len(report.refused)),
            )
        )


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
        raise click.ClickException(
            _("%(file)s: cannot be written (%(reason)s)", file=out, reason=exc.strerror)
        ) from None
    wrote = ngettext(
        "Wrote %(count)s reading to %(file)s",
        "Wrote %(count)s readings to %(file)s",
        len(rows),
        count=wording.count(len(rows)),
        file=out,
    )
    click.echo(wrote, err=True)


@cli.command()
def reparse():
    """Read failed captures (and kept raw pages) again with the current parser."""
    from companion.ingest.receive import reparse as reparse_all

    report = reparse_all(open_db())
    recovered = ngettext(
        "Recovered %(count)s capture that could not be read before.",
        "Recovered %(count)s captures that could not be read before.",
        report.recovered,
        count=wording.count(report.recovered),
    )
    click.echo(recovered)
    # Translators: %(unchanged)s is a count of readings too, read again to the same values.
    updated = ngettext(
        "Updated %(count)s reading; %(unchanged)s unchanged.",
        "Updated %(count)s readings; %(unchanged)s unchanged.",
        report.updated,
        count=wording.count(report.updated),
        unchanged=wording.count(report.unchanged),
    )
    click.echo(updated)
    for code, count in sorted(report.still_failing.items()):
        # Translators: %(code)s is an error code (not_ssi_page, unrecognized...), kept as is.
        click.echo(
            _("Still unreadable: %(count)s (%(code)s)", count=wording.count(count), code=code)
        )
