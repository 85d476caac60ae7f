"""The pages the user opens in the browser."""

import hashlib
import hmac

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from . import store
from .security import from_own_page

bp = Blueprint("pages", __name__)


def csrf_token() -> str:
    secret = current_app.config["CSRF_SECRET"]
    return hmac.new(secret, b"ssi-companion forms", hashlib.sha256).hexdigest()


def _check_form() -> None:
    """A state-changing form must come from the companion's own page (security.md)."""
    presented = request.form.get("csrf_token", "")
    if not from_own_page() or not hmac.compare_digest(presented, csrf_token()):
        abort(403, "This form must be sent from the companion's own page.")


@bp.get("/")
def index():
    pending = current_app.extensions["pairings"].pending()
    db = store.for_thread(current_app.config["DATA_DIR"])
    return render_template(
        "index.html",
        port=current_app.config["SSI_SETTINGS"]["PORT"],
        pending=pending,
        inbox=store.list_notifications(db, limit=10),
    )


@bp.get("/pairing")
def pairing():
    pairings = current_app.extensions["pairings"]
    return render_template(
        "pairing.html", pending=pairings.pending(), csrf_token=csrf_token(), now=pairings.clock()
    )


@bp.post("/pairing/<request_id>/<decision>")
def pairing_decide(request_id, decision):
    _check_form()
    if decision not in ("approve", "deny"):
        abort(404)
    decided = current_app.extensions["pairings"].decide(request_id, decision == "approve")
    if decided is None:
        flash("That pairing request has expired or was already answered.")
    elif decision == "approve":
        flash(f"Approved {decided.code}: the extension receives its token now.")
    else:
        flash(f"Denied {decided.code}.")
    return redirect(url_for("pages.pairing"), code=303)
