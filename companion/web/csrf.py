"""What every state-changing form on the companion's pages must carry (security.md).

The CSRF token is bound to the session: an HMAC of a fixed label keyed by the session id,
which only this browser's cookie holds. Another account that reads a page's HTML learns a
value that is worthless without that cookie.
"""

import hashlib
import hmac

from flask import abort, request

from companion.i18n import _
from companion.web.guard import from_own_page
from companion.web.signin import current_session


def csrf_token() -> str:
    session_id = current_session()
    if session_id is None:
        return ""  # a signed-out page has no forms
    return hmac.new(session_id.encode(), b"ssi-companion forms", hashlib.sha256).hexdigest()


def _presented() -> str | None:
    # Exactly one value, plain ASCII: anything else is not ours (and never a 500).
    values = request.form.getlist("csrf_token")
    if len(values) != 1 or not values[0].isascii() or not values[0]:
        return None
    return values[0]


def check_form() -> None:
    """A POST form must come from the companion's own page, in this session, with its token."""
    presented = _presented()
    expected = csrf_token()
    if (
        not from_own_page()
        or presented is None
        or not expected
        or not hmac.compare_digest(presented.encode(), expected.encode())
    ):
        # Werkzeug's error page shows this sentence to the person who sent the form.
        abort(403, _("This form must be sent from the companion's own page."))


def init_app(app) -> None:
    app.jinja_env.globals["csrf_token"] = csrf_token
