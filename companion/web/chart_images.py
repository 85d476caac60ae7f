"""The summary page's charts as SVG images: `/charts/<name>.svg?range=...`."""

from flask import Blueprint, Response, abort

from companion import store
from companion.history import charts
from companion.web.db import get_db
from companion.web.summary_page import _range_key, _today

bp = Blueprint("charts", __name__)
DRAWN = {"ssi": charts.scores_chart, "ranks": charts.ranks_chart}


@bp.get("/charts/<name>.svg")
def image(name):
    draw = DRAWN.get(name)
    if draw is None:
        abort(404)
    svg = draw(store.daily_readings(get_db()), _range_key(), _today())
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
