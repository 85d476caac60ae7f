"""The summary page's charts as SVG images: `/charts/<name>.svg?range=...&width=...`.

`width` (CSS pixels, optional) picks the layout: up to 560 a narrow one, with fewer date
labels and text that stays readable on a phone; otherwise the wide one.
"""

from flask import Blueprint, Response, abort, request

from companion import store
from companion.history import charts
from companion.store import preferences
from companion.web.db import get_db
from companion.web.summary_page import _range_key, _today

bp = Blueprint("charts", __name__)


@bp.get("/charts/<name>.svg")
def image(name):
    if name not in charts.DRAWN:
        abort(404)
    db = get_db()
    svg = charts.draw(
        name,
        store.daily_readings(db),
        _range_key(),
        _today(),
        preferences.load(db),
        request.args.get("width"),
    )
    # An SVG shown through <img> never runs script; this CSP says so for a direct visit too.
    return Response(
        svg,
        mimetype="image/svg+xml",
        headers={
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
