"""/settings: the language, reminder times and thresholds, quiet hours, pause, goal, retention,
start at login, the token."""

import re
from pathlib import Path

from babel.dates import get_day_names
from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for

from companion import autostart, i18n
from companion.history import wording
from companion.i18n import N_, _, ngettext
from companion.store import access_token as token
from companion.store import preferences
from companion.store.backups import BACKUP_DIR
from companion.store.status import last_backup
from companion.web.csrf import check_form
from companion.web.db import get_db
from companion.web.language import select_language
from companion.web.signin import end_everywhere

bp = Blueprint("settings_page", __name__)
RULE_KEYS = [key for key in preferences.SETTINGS if key.startswith("rule_")]
# min, max and step of each number; the stored text is still checked by preferences, which
# has the last word (the form is novalidate, so its plain messages are the ones shown).
NUMBERS = {
    "stale_days": (1, 365, 1),
    "drop_points": (0.1, 100, 0.1),
    "rank_points": (1, 99, 1),
    "recalibration_points": (0.1, 100, 0.1),
    "goal_score": (1, 100, 0.1),
    "retention_days": (1, 3650, 1),
}
DATES = ("pause_until", "goal_date")
CHECK_TIME = re.compile(r"check_time_(\d{1,3})")
NEW_TIMES = 2  # empty time inputs below the saved ones: a time is added without a script


def _state(values: dict) -> dict:
    """The form as it shows stored values: a list of times, a set of days, two quiet times."""
    quiet = (values["quiet_hours"] or "-").split("-")
    return {
        "language": values["language"],
        "times": list(values["check_times"]),
        "weekdays": set(values["check_weekdays"]),
        "weekly": values["weekly_weekday"],
        "quiet": quiet,
        "fields": {
            key: "" if values[key] is None else preferences.format_value(values[key])
            for key in (*NUMBERS, *DATES)
        },
        "rules": {key: bool(values[key]) for key in RULE_KEYS},
    }


def _typed_times(form) -> list[str]:
    # check_time_N in the order shown; an empty one, or one whose Remove box is ticked, is left
    # out. Only the first of a repeated name counts, so the form's own order decides.
    numbered = {}
    for name in form:
        match = CHECK_TIME.fullmatch(name)
        if match:
            numbered[int(match[1])] = form.get(name, "").strip()
    return [
        value
        for index, value in sorted(numbered.items())
        if value and f"remove_check_time_{index}" not in form
    ]


def _typed(form) -> dict:
    """The form as it was sent, to show back when something in it was refused."""
    quiet = [form.get("quiet_from", "").strip(), form.get("quiet_to", "").strip()]
    return {
        "language": form.get("language", ""),
        "times": _typed_times(form),
        "weekdays": set(form.getlist("check_weekdays")),
        "weekly": form.get("weekly_weekday", ""),
        "quiet": quiet,
        "fields": {key: form.get(key, "") for key in (*NUMBERS, *DATES)},
        "rules": {key: bool(form.get(key)) for key in RULE_KEYS},
    }


def _texts(state: dict) -> dict:
    """The same texts `ssi-companion settings set` takes: one validation for both."""
    start, end = state["quiet"]
    return {
        "language": state["language"],
        "check_times": ",".join(state["times"]),
        # In the week's order, whatever order the boxes came in; unknown days are refused.
        "check_weekdays": ",".join(sorted(state["weekdays"], key=_weekday_order)),
        "weekly_weekday": state["weekly"],
        "quiet_hours": f"{start}-{end}" if start or end else "off",
        **state["fields"],
        **{key: "on" if on else "off" for key, on in state["rules"].items()},
    }


def _weekday_order(day: str) -> int:
    return preferences.WEEKDAYS.index(day) if day in preferences.WEEKDAYS else 7


def _weekday_names() -> list[str]:
    """Monday to Sunday in the page's language, as Babel's locale data writes them."""
    names = get_day_names("wide", context="stand-alone", locale=wording.format_locale())
    return [names[index] for index in range(7)]  # Babel counts from Monday, as WEEKDAYS does


def _shown_settings() -> dict:
    """Each setting's label and help in the page's language (a Setting translates them as
    they are read), with the help that names the default retention."""
    shown = {
        key: {"label": setting.label, "help": setting.help}
        for key, setting in preferences.SETTINGS.items()
    }
    # The page knows the default the help speaks of: "Leave it empty for the companion's
    # default" says which, as one sentence (so one translation, with the plural it needs).
    days = current_app.config["DEFAULT_RETENTION_DAYS"]
    shown["retention_days"]["help"] = ngettext(
        "Leave it empty for the companion's default (%(days)s day).",
        "Leave it empty for the companion's default (%(days)s days).",
        days,
        days=wording.count(days),
    )
    return shown


def _languages() -> list[tuple[str, str]]:
    """The choices of the language select: auto, then each language in its own words."""
    return [
        ("auto", _("Automatic (your browser's language)")),
        *((code, i18n.NATIVE_NAMES[code]) for code in i18n.LANGUAGES),
    ]


def _render(
    state: dict,
    errors: dict | None = None,
    notes=(),
    show_token: bool = False,
    status=200,
    autostart_error: str | None = None,
):
    start_at_login, status_error = _start_at_login()
    by_key = {}
    for note in notes:
        by_key.setdefault(note.key, []).append(note.message)
    return (
        render_template(
            "settings.html",
            settings=_shown_settings(),
            languages=_languages(),
            rule_keys=RULE_KEYS,
            numbers=NUMBERS,
            weekdays=list(zip(preferences.WEEKDAYS, _weekday_names(), strict=True)),
            state=state,
            new_times=NEW_TIMES,
            errors=errors or {},
            notes=by_key,
            token=token.read(current_app.config["DATA_DIR"]) if show_token else None,
            pending=current_app.extensions["pairings"].pending(),
            last_backup=last_backup(current_app.config["DATA_DIR"]),
            backup_dir=str(Path(current_app.config["DATA_DIR"]) / BACKUP_DIR),
            start_at_login=start_at_login,
            autostart_error=autostart_error or status_error,
        ),
        status,
    )


def _stored(**kwargs):
    values = preferences.load(get_db())
    return _render(_state(values), notes=preferences.notes(values), **kwargs)


def _registered_as() -> dict:
    # This companion's own data directory and port, which may come from `serve --port`.
    settings = current_app.config["COMPANION_CONFIG"]
    return {"home": settings["HOME"], "port": settings["PORT"]}


DEMO_AUTOSTART = N_(
    "This is the demo, served from a temporary folder: start at login is for your own "
    "companion, with the command ssi-companion autostart enable."
)


def _demo() -> bool:
    return bool(current_app.config["COMPANION_CONFIG"].get("DEMO"))


def _start_at_login():
    if _demo():
        return None, _(DEMO_AUTOSTART)
    try:
        return autostart.status(**_registered_as()), None
    except autostart.AutostartError as exc:
        return None, str(exc)


@bp.get("/settings")
def show():
    return _stored()


@bp.post("/settings")
def save():
    check_form()
    db = get_db()
    typed = _typed(request.form)
    try:
        preferences.set_values(db, _texts(typed))
    except preferences.SettingErrors as exc:
        # Nothing was stored; show everything as typed, with each message next to its field.
        return _render(typed, exc.errors, status=400)
    current_app.extensions["reminders"].reschedule()  # new check times take effect now
    # Said in the language just chosen, as the page it is shown on will be: language.py keeps
    # the preference it read for this request in g, so it is read again, as saved.
    g.pop("language_preference", None)
    with i18n.use(select_language()):
        if preferences.notes(preferences.load(db)):
            flash(_("Settings saved. One thing may not work as you expect: see the note below."))
        else:
            flash(_("Settings saved."))
    return redirect(url_for("settings_page.show"), code=303)


@bp.post("/settings/token")
def show_token():
    # A POST: the token appears only when asked for, never in a URL or a cached page.
    check_form()
    return _stored(show_token=True)


@bp.post("/settings/sign-out-everywhere")
def sign_out_everywhere():
    check_form()
    return end_everywhere()


@bp.post("/settings/autostart")
def change_autostart():
    check_form()
    if _demo():
        return _stored(status=409)
    wanted = request.form.get("autostart")
    if wanted not in ("on", "off"):
        return _stored(autostart_error=_("Nothing was changed."), status=400)
    try:
        # This companion is running already, and may be the one the platform started: it is
        # neither started a second time nor stopped from its own page.
        if wanted == "on":
            result = autostart.enable(**_registered_as(), start=False)
        else:
            result = autostart.disable(**_registered_as(), stop=False)
    except autostart.AutostartError as exc:
        return _stored(autostart_error=str(exc), status=409)
    if wanted == "on":
        # Translators: the method is the platform's own name, e.g. "systemd user unit".
        flash(_("The companion now starts when you log in (%(method)s).", method=result.method))
    else:
        flash(_("The companion no longer starts when you log in."))
    return redirect(url_for("settings_page.show"), code=303)
