"""The Flask application factory. It wires things up and starts no threads."""

from flask import Flask

from . import api, config, pages, security


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
    security.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    return app
