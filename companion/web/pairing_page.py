"""The pairing page: the signed-in user approves the extension that asks for the token."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from companion.i18n import _
from companion.web.csrf import check_form

bp = Blueprint("pages", __name__)
# Where a decision returns to, by the name the form sends: (endpoint, anchor). A name, never a
# URL, so no form can send the user off the companion; an unknown name means the pairing page.
RETURN_TO = {
    "pairing": ("pages.pairing", None),
    "settings": ("settings_page.show", "pairing-title"),
}


@bp.get("/pairing")
def pairing():
    pairings = current_app.extensions["pairings"]
    return render_template("pairing.html", pending=pairings.pending(), now=pairings.clock())


@bp.post("/pairing/<request_id>/<decision>")
def pairing_decide(request_id, decision):
    check_form()
    if decision not in ("approve", "deny"):
        abort(404)
    decided = current_app.extensions["pairings"].decide(request_id, decision == "approve")
    if decided is None:
        flash(
            _(
                "That pairing request has expired, was replaced by a newer one from the same "
                "extension, or was already answered."
            )
        )
    elif decision == "approve":
        flash(_("Approved %(code)s: the extension receives its token now.", code=decided.code))
    else:
        flash(_("Denied %(code)s.", code=decided.code))
    endpoint, anchor = RETURN_TO.get(request.form.get("next", ""), RETURN_TO["pairing"])
    return redirect(url_for(endpoint, _anchor=anchor), code=303)
