"""What every state-changing form on the companion's pages must carry (security.md)."""

import hashlib
import hmac

from flask import abort, current_app, request

from .security import from_own_page


def csrf_token() -> str:
    secret = current_app.config["CSRF_SECRET"]
    return hmac.new(secret, b"ssi-companion forms", hashlib.sha256).hexdigest()


def check_form() -> None:
    """A POST form must come from the companion's own page, with its CSRF token."""
    presented = request.form.get("csrf_token", "")
    if not from_own_page() or not hmac.compare_digest(presented, csrf_token()):
        abort(403, "This form must be sent from the companion's own page.")


def init_app(app) -> None:
    app.jinja_env.globals["csrf_token"] = csrf_token
