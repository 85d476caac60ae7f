"""The JSON API under /api/v1."""

from flask import Blueprint

from . import __version__

API_VERSION = 1

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/ping")
def ping():
    # Only what identifies the companion: the extension checks it before it sends anything.
    return {"app": "ssi-companion", "version": __version__, "api": API_VERSION}
