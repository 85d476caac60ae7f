"""The request's database connection, as in the Flask tutorial: opened on first use, closed
in teardown. A connection is never shared between threads or kept between requests.

Storage failures become answers that say what happened, never a 500: a full disk is 507
(the extension keeps such a capture queued and sends it again), anything else 503.
"""

import logging
import sqlite3

from flask import Response, current_app, g, request

from companion import store
from companion.i18n import N_, _
from companion.web.guard import api_error

log = logging.getLogger("companion.db")


def get_db():
    if "db" not in g:
        g.db = store.connect(current_app.config["DATA_DIR"])
    return g.db


def close_db(exc=None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


def _answer(status: int, code: str, message: str, **variables):
    """`message` (marked N_) in English for the extension, in the page's language for a person."""
    if request.path.startswith("/api/"):
        return api_error(status, message % variables if variables else message, code)
    shown = _(message, **variables)
    return Response(f"SSI Companion: {shown}\n", status=status, mimetype="text/plain")


def storage_error(exc: Exception):
    # The transaction was rolled back whole: nothing half-written stays.
    if store.is_disk_full(exc, current_app.config["DATA_DIR"]):
        log.error("disk full on %s %s", request.method, request.path)
        return _answer(
            507, "disk_full", N_("The disk is full: nothing was stored. Free some space.")
        )
    if isinstance(exc, store.USER_ERRORS):
        log.error("storage refused on %s %s: %s", request.method, request.path, exc)
        # The store's own sentence: shown as it is, or as its catalog has it if it is marked.
        return _answer(503, "storage_unavailable", str(exc))
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
        log.error("database busy on %s %s", request.method, request.path)
        return _answer(503, "busy", N_("The database is busy: try again in a moment."))
    if isinstance(exc, sqlite3.DatabaseError):
        log.error("database error on %s %s: %s", request.method, request.path, exc)
        return _answer(
            503,
            "database_damaged" if store.is_damage(exc) else "storage_error",
            N_(
                "The database cannot be used (%(reason)s): run `ssi-companion status` for "
                "what to do."
            ),
            reason=str(exc),
        )
    raise exc


def _os_error(exc: OSError):
    if store.is_disk_full(exc):
        return storage_error(exc)
    raise exc


def init_app(app) -> None:
    app.teardown_appcontext(close_db)
    app.register_error_handler(sqlite3.Error, storage_error)
    for error in store.USER_ERRORS:
        app.register_error_handler(error, storage_error)
    app.register_error_handler(OSError, _os_error)
