"""The summary page, its charts and exports. Views read, validate, act and respond."""

from datetime import date, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from companion import store
from companion.history import charts
from companion.history.summary import history_page, summarize
from companion.history.trend import recalibration_days
from companion.ingest.exports import export_csv, export_json
from companion.ingest.receive import read
from companion.store import preferences
from companion.web.csrf import check_form
from companion.web.db import get_db

bp = Blueprint("summary", __name__)
FAILED_SHOWN = 20


def _today() -> date:
    return datetime.now().astimezone().date()


def _range_key() -> str:
    key = request.args.get("range", charts.DEFAULT_RANGE)
    return key if key in charts.RANGES else charts.DEFAULT_RANGE


def _page_number() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 7 else 1


@bp.get("/")
def index():
    db = get_db()
    daily = store.daily_readings(db)
    in_range = charts.in_range(daily, _range_key(), _today())
    reminders = current_app.extensions["reminders"]
    return render_template(
        "summary.html",
        summary=summarize(daily, preferences.load(db), _today()),
        daily_count=len(daily),
        history=history_page(daily, _page_number()),
        range_key=_range_key(),
        ranges=charts.RANGES,
        chart_rows=charts.thin(in_range),
        range_recalibrations=recalibration_days(in_range),
        failed=store.recent_failed(db, FAILED_SHOWN),
        counts=store.counts(db),
        inbox=store.list_notifications(db, limit=10),
        next_check=reminders.next_check(),
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
        flash("That capture cannot be read again: it is not a failed capture with its page.")
        return redirect(url_for("summary.index", _anchor="failed"), code=303)
    reading, error = read(capture["kind"], store.payload_text(capture), capture["url"])
    if reading is not None:
        store.mark_recovered(db, capture, reading)
        flash(f"Read again: the capture of {capture['captured_at'][:10]} is now a reading.")
    else:
        store.mark_failed(db, capture_id, error)
        flash(f"Still unreadable: {error.message}")
    return redirect(url_for("summary.index", _anchor="failed"), code=303)
