"""The web layer, the only package that imports Flask. `create_app` is its factory: it wires
every collaborator through its module's `init_app`, as the Flask tutorial does, and starts
no threads (`serve` starts the reminder scheduler and the backups)."""

import secrets

from flask import Flask

from companion import backup_schedule, config, store
from companion.reminders import scheduler as reminder_scheduler
from companion.store import access_token as token
from companion.web import api, chart_images, db, language, settings_page, signin
from companion.web import csrf as forms
from companion.web import guard as security
from companion.web import pairing_page as pages
from companion.web import summary_page as views
from companion.web.pairing import Pairings


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__)
    # The process configuration (defaults < SSI_COMPANION_* < overrides); the user's own
    # preferences (reminders, retention...) live in the database (store/preferences.py).
    process_config = config.load(overrides)
    app.config.update(
        COMPANION_CONFIG=process_config,
        DATA_DIR=str(config.data_dir(process_config["HOME"])),
        # Never debug: the Werkzeug debugger is remote code execution on a local port.
        DEBUG=False,
        TESTING=bool(process_config.get("TESTING", False)),
    )
    app.config.update(
        # The default of the `retention_days` preference, which a user may change.
        DEFAULT_RETENTION_DAYS=int(process_config["RETENTION_DAYS"]),
        MAX_CONTENT_LENGTH=int(process_config["MAX_BODY_BYTES"]),
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
    language.init_app(app)
    reminder_scheduler.init_app(app)  # started by `serve` only
    backup_schedule.init_app(app)  # likewise
    signin.init_app(app)
    forms.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(chart_images.bp)
    app.register_blueprint(settings_page.bp)
    app.register_blueprint(pages.bp)
    return app
