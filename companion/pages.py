"""The pages the user opens in the browser."""

from flask import Blueprint, current_app, render_template

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    return render_template("index.html", port=current_app.config["SSI_SETTINGS"]["PORT"])
