"""The Flask application factory. It wires things up and starts no threads."""

import secrets

from flask import Flask

from companion import config, store
from companion.store import access_token as token
from companion.web import api, db, settings_page, signin
from companion.web import csrf as forms
from companion.web import guard as security
from companion.web import pairing_page as pages
from companion.web import summary_page as views
from companion.web.pairing import Pairings


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__)
    settings = config.load(overrides)
    app.config.update(
        SSI_SETTINGS=settings,
        DATA_DIR=str(config.data_dir(settings["HOME"])),
        # Never debug: the Werkzeug debugger is remote code execution on a local port.
        DEBUG=False,
        TESTING=bool(settings.get("TESTING", False)),
    )
    app.config.update(
        RETENTION_DAYS=int(settings["RETENTION_DAYS"]),
        MAX_CONTENT_LENGTH=int(settings["MAX_BODY_BYTES"]),
    )
    # First run: the token is made and the schema is brought up to date before any request;
    # a damaged or newer database is refused here (store.USER_ERRORS), before serving.
    store.open_checked(app.config["DATA_DIR"]).close()
    token.get(app.config["DATA_DIR"])
    app.secret_key = secrets.token_bytes(32)  # the session only carries flashed messages
    app.config.update(SESSION_COOKIE_SAMESITE="Strict", SESSION_COOKIE_HTTPONLY=True)
    app.extensions["pairings"] = Pairings()
    security.init_app(app)
    db.init_app(app)
    signin.init_app(app)
    forms.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(settings_page.bp)
    app.register_blueprint(pages.bp)
    return app
