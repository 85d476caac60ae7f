"""Signed-in pages: every page, chart, export and form needs a session (security.md, "L").

127.0.0.1 is open to every account and process on the machine, so the pages are locked like
the API: `/signin?code=...` trades a one-time code (sessions.py) for a session cookie and
redirects to a URL without the code. Without a session a page answers only how to open it.
The API keeps its own lock (the token); static files hold nothing of the user's.
"""

import re

from flask import Blueprint, g, make_response, redirect, render_template, request, url_for

from companion.store import sessions
from companion.web.db import get_db

bp = Blueprint("signin", __name__)

COOKIE = "ssi_companion_session"
# What secrets.token_urlsafe(32) makes: anything else is not worth a database look-up.
_WELL_FORMED = re.compile(r"[A-Za-z0-9_-]{43}")
OPEN_ENDPOINTS = {"signin.signin", "static", "summary.favicon"}


def well_formed(secret: str | None) -> bool:
    return bool(secret) and _WELL_FORMED.fullmatch(secret) is not None


def current_session() -> str | None:
    """The session id of this request, once `_require_session` has accepted it."""
    return g.get("session_id")


def signed_out(status: int = 401, reason: str = "signed_out"):
    # Nothing of the user's here: no readings, no version, no pending pairing.
    return render_template("signed_out.html", reason=reason), status


def _require_session():
    if request.blueprint == "api" or request.endpoint in OPEN_ENDPOINTS:
        return None
    if request.endpoint is None:
        return None  # a 404 shows nothing
    session_id = request.cookies.get(COOKIE)
    if well_formed(session_id) and sessions.is_valid(get_db(), session_id):
        g.session_id = session_id
        return None
    return signed_out()


@bp.get("/signin")
def signin():
    code = request.args.get("code", "")
    session_id = sessions.redeem_code(get_db(), code) if well_formed(code) else None
    if session_id is None:
        return signed_out(403, "link_used")
    # To a URL without the code: it stays out of the history's last entry and of Referer.
    response = redirect(url_for("summary.index"), code=303)
    response.set_cookie(
        COOKIE,
        session_id,
        max_age=int(sessions.SESSION_TTL.total_seconds()),
        path="/",
        httponly=True,
        samesite="Strict",
        # No Domain attribute: the cookie is host-only.
    )
    return response


def end_everywhere():
    """Every session ends, this one too; the answer clears this browser's cookie."""
    sessions.end_all(get_db())
    response = make_response(*signed_out(200, "signed_out_everywhere"))
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="Strict")
    return response


def init_app(app) -> None:
    app.before_request(_require_session)
    app.register_blueprint(bp)
