"""The summary page, its exports, "Read again" and the reminders inbox. Views read, validate,
act and respond; what the page says is computed in history/ (summary.py, wording.py)."""

from datetime import date, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup

from companion import store
from companion.history import charts, wording
from companion.history.refusals import explain
from companion.history.summary import history_page, recalibrations, summarize
from companion.i18n import _
from companion.ingest.exports import export_csv, export_json
from companion.ingest.receive import read
from companion.reading import SSI_URL
from companion.store import preferences
from companion.web.csrf import check_form
from companion.web.db import get_db

bp = Blueprint("summary", __name__)
FAILED_SHOWN = 20
INBOX_SHOWN = 10
CHART_NAMES = ("ssi", "pillars", "ranks")
# "Read again" answers beside its capture: flashed under this category plus the capture's id.
CAPTURE_FLASH = "capture:"


for _name, _filter in wording.FILTERS.items():
    bp.add_app_template_filter(_filter, _name)


def _today() -> date:
    return datetime.now().astimezone().date()


def _range_key() -> str:
    key = request.args.get("range", charts.DEFAULT_RANGE)
    return key if key in charts.RANGES else charts.DEFAULT_RANGE


def _page_number() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 7 else 1


def _read_again_results() -> dict[str, str]:
    """What "Read again" said, by capture id (base.html shows the other flashed messages)."""
    return {
        category[len(CAPTURE_FLASH) :]: message
        for category, message in get_flashed_messages(with_categories=True)
        if category.startswith(CAPTURE_FLASH)
    }


def _captures_listed(db, results: dict) -> list[dict]:
    """The failed captures, each with its explanation and its "Read again" result; a capture
    just read successfully stays in the list once, so its result shows where it was."""
    failed = store.recent_failed(db, FAILED_SHOWN)
    listed = {c["id"] for c in failed}
    recovered = [
        store.get_capture(db, capture_id) for capture_id in results if capture_id not in listed
    ]
    items = [c for c in recovered if c is not None] + failed
    return [
        {
            **c,
            **explain(c["error_code"]),
            "result": results.get(c["id"]),
            "recovered": c["status"] == "ok",
        }
        for c in items
    ]


def _inbox(db) -> list[dict]:
    notes = store.list_notifications(db, limit=INBOX_SHOWN)
    for note in notes:
        link = note.get("link") or ""
        # Only where a reminder may send the user: the web, or a page of the companion.
        note["href"] = link if link.startswith(("https://", "/")) else None
        if link == SSI_URL:
            note["link_text"] = _("Open your SSI page on LinkedIn")
        else:
            # Translators: the link under a reminder that leads to a page of the companion.
            note["link_text"] = _("Open")
    return notes


@bp.get("/")
def index():
    db = get_db()
    today, range_key = _today(), _range_key()
    settings = preferences.load(db)
    daily = store.daily_readings(db)
    in_range = charts.in_range(daily, range_key, today)
    drawn = len(in_range) >= 2  # a line needs two readings: no empty grids
    return render_template(
        "summary.html",
        summary=summarize(daily, settings, today),
        daily_count=len(daily),
        history=history_page(daily, _page_number()),
        range_key=range_key,
        ranges=charts.RANGES,
        chart_rows=charts.thin(in_range),
        charts_drawn=drawn,
        chart_alts={
            name: charts.text_alternative(name, daily, range_key, today, settings)
            for name in (CHART_NAMES if drawn else ())
        },
        recalibrations=recalibrations(in_range, settings["recalibration_points"]),
        failed=_captures_listed(db, _read_again_results()),
        counts=store.counts(db),
        inbox=_inbox(db),
        next_check=current_app.extensions["reminders"].next_check(),
        pending=current_app.extensions["pairings"].pending(),
        port=current_app.config["COMPANION_CONFIG"]["PORT"],
    )


@bp.get("/favicon.ico")
def favicon():
    return current_app.send_static_file("icon.png")


@bp.get("/export.<fmt>")
def export(fmt):
    if fmt not in ("csv", "json"):
        abort(404)
    rows = store.list_readings(get_db())
    body = export_csv(rows) if fmt == "csv" else export_json(rows)
    mimetype = "text/csv" if fmt == "csv" else "application/json"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="ssi-readings.{fmt}"'},
    )


@bp.post("/captures/<capture_id>/read-again")
def read_again(capture_id):
    check_form()
    db = get_db()
    capture = store.get_capture(db, capture_id, with_payload=True)
    if capture is None or capture["status"] != "failed" or capture.get("payload") is None:
        flash(_("That capture cannot be read again: it is not a failed capture with its page."))
        return redirect(url_for("summary.index", _anchor="failed"), code=303)
    reading, error = read(capture["kind"], store.payload_text(capture), capture["url"])
    if reading is not None:
        store.mark_recovered(db, capture, reading)
        message = _(
            "Read again: the capture of %(day)s is now a reading (SSI %(ssi)s).",
            day=wording.day(capture["captured_at"]),
            ssi=wording.number(reading.total),
        )
    else:
        store.mark_failed(db, capture_id, error)
        # The parser's message stays English (the API's words): marked so for screen readers.
        reason = Markup('<span lang="en">%s</span>') % error.message
        message = Markup(_("Still unreadable: %(reason)s")) % {"reason": reason}
    flash(message, CAPTURE_FLASH + capture_id)
    return redirect(url_for("summary.index", _anchor=f"capture-{capture_id}"), code=303)


@bp.post("/reminders/dismiss")
def dismiss_reminder():
    """Takes a reminder out of the inbox; the desktop notification, if any, is not touched."""
    check_form()
    key = request.form.get("key", "")
    if not store.dismiss_notification(get_db(), key):
        flash(_("That reminder is no longer in the inbox."))
    return redirect(url_for("summary.index", _anchor="reminders"), code=303)
