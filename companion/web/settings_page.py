"""/settings: reminder times and thresholds, quiet hours, pause, goal, retention, start at login,
the token."""

from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from companion import autostart
from companion.store import access_token as token
from companion.store import preferences
from companion.store.backups import BACKUP_DIR
from companion.store.status import last_backup
from companion.web.csrf import check_form
from companion.web.db import get_db
from companion.web.signin import end_everywhere

bp = Blueprint("settings_page", __name__)
RULE_KEYS = [key for key in preferences.SETTINGS if key.startswith("rule_")]
FIELD_KEYS = [key for key in preferences.SETTINGS if not key.startswith("rule_")]


def _render(
    values: dict,
    errors: dict | None = None,
    show_token: bool = False,
    status=200,
    autostart_error: str | None = None,
):
    shown = {key: preferences.format_value(value) for key, value in values.items()}
    shown.update(values.get("_typed", {}))
    start_at_login, status_error = _start_at_login()
    return (
        render_template(
            "settings.html",
            settings=preferences.SETTINGS,
            field_keys=FIELD_KEYS,
            rule_keys=RULE_KEYS,
            shown=shown,
            values=values,
            errors=errors or {},
            token=token.read(current_app.config["DATA_DIR"]) if show_token else None,
            pending=current_app.extensions["pairings"].pending(),
            last_backup=last_backup(current_app.config["DATA_DIR"]),
            backup_dir=str(Path(current_app.config["DATA_DIR"]) / BACKUP_DIR),
            start_at_login=start_at_login,
            autostart_error=autostart_error or status_error,
        ),
        status,
    )


def _registered_as() -> dict:
    # This companion's own data directory and port, which may come from `serve --port`.
    settings = current_app.config["COMPANION_CONFIG"]
    return {"home": settings["HOME"], "port": settings["PORT"]}


DEMO_AUTOSTART = (
    "This is the demo, served from a temporary folder: start at login is for your own "
    "companion (`ssi-companion autostart enable`)."
)


def _demo() -> bool:
    return bool(current_app.config["COMPANION_CONFIG"].get("DEMO"))


def _start_at_login():
    if _demo():
        return None, DEMO_AUTOSTART
    try:
        return autostart.status(**_registered_as()), None
    except autostart.AutostartError as exc:
        return None, str(exc)


@bp.get("/settings")
def show():
    return _render(preferences.load(get_db()))


@bp.post("/settings")
def save():
    check_form()
    db = get_db()
    texts = {key: request.form.get(key, "") for key in FIELD_KEYS}
    texts.update({key: "on" if request.form.get(key) else "off" for key in RULE_KEYS})
    try:
        preferences.set_values(db, texts)
    except preferences.SettingErrors as exc:
        # Nothing was stored; show everything as typed, with each message next to its field.
        values = preferences.load(db)
        values.update({key: texts[key] == "on" for key in RULE_KEYS})
        values["_typed"] = {key: texts[key] for key in FIELD_KEYS}
        return _render(values, exc.errors, status=400)
    current_app.extensions["reminders"].reschedule()  # new check times take effect now
    flash("Settings saved.")
    return redirect(url_for("settings_page.show"), code=303)


@bp.post("/settings/token")
def show_token():
    # A POST: the token appears only when asked for, never in a URL or a cached page.
    check_form()
    return _render(preferences.load(get_db()), show_token=True)


@bp.post("/settings/sign-out-everywhere")
def sign_out_everywhere():
    check_form()
    return end_everywhere()


@bp.post("/settings/autostart")
def change_autostart():
    check_form()
    if _demo():
        return _render(preferences.load(get_db()), status=409)
    wanted = request.form.get("autostart")
    if wanted not in ("on", "off"):
        return _render(
            preferences.load(get_db()), autostart_error="Nothing was changed.", status=400
        )
    try:
        # This companion is running already, and may be the one the platform started: it is
        # neither started a second time nor stopped from its own page.
        if wanted == "on":
            result = autostart.enable(**_registered_as(), start=False)
        else:
            result = autostart.disable(**_registered_as(), stop=False)
    except autostart.AutostartError as exc:
        return _render(preferences.load(get_db()), autostart_error=str(exc), status=409)
    if wanted == "on":
        flash(f"The companion now starts when you log in ({result.method}).")
    else:
        flash("The companion no longer starts when you log in.")
    return redirect(url_for("settings_page.show"), code=303)
