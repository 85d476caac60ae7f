"""Windows: the value "SSI Companion" under HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run,
which Windows starts at login, with pythonw.exe so that no console window opens."""

import subprocess
from dataclasses import replace

from companion.autostart.model import (
    Autostart,
    AutostartError,
    Launch,
    NotOurs,
    registered_as,
    unregistered,
)
from companion.i18n import N_, _

# Translators: "Run" is the registry key's name (HKCU\...\Run) and stays as it is.
METHOD = N_("Run registry value")
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
VALUE = "SSI Companion"
# The account's own environment variables, which every program started at login inherits.
ENVIRONMENT_KEY = "Environment"
LOCATION = f"HKCU\\{RUN_KEY}\\{VALUE}"


class Registry:
    """HKEY_CURRENT_USER through winreg: values get, set and deleted (Windows only)."""

    def get_value(self, key: str, name: str):
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key) as opened:
                return winreg.QueryValueEx(opened, name)[0]
        except FileNotFoundError:
            return None

    def set_value(self, key: str, name: str, data: str) -> None:
        import winreg

        with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, key, 0, winreg.KEY_SET_VALUE) as opened:
            winreg.SetValueEx(opened, name, 0, winreg.REG_SZ, data)

    def delete_value(self, key: str, name: str) -> None:
        import winreg

        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key, 0, winreg.KEY_SET_VALUE) as opened:
            winreg.DeleteValue(opened, name)


def registry() -> Registry:
    """The registry this module changes (tests put a stand-in here: winreg is Windows only)."""
    return Registry()


def command_line(command: list[str]) -> str:
    return subprocess.list2cmdline(command)


def split(line: str) -> list[str]:
    """Arguments as Windows programs read them (the rules list2cmdline writes for)."""
    words, word, quoted, in_word, backslashes = [], [], False, False, 0
    for char in line:
        if char == "\\":
            backslashes += 1
            in_word = True
            continue
        if char == '"':
            word.append("\\" * (backslashes // 2))
            if backslashes % 2:
                word.append('"')
            else:
                quoted = not quoted
            backslashes, in_word = 0, True
            continue
        word.append("\\" * backslashes)
        backslashes = 0
        if char in " \t" and not quoted:
            if in_word:
                words.append("".join(word))
                word, in_word = [], False
        else:
            word.append(char)
            in_word = True
    word.append("\\" * backslashes)
    if in_word:
        words.append("".join(word))
    return words


def _ours(data) -> bool:
    return isinstance(data, str) and split(data)[1:4] == ["-m", "companion", "serve"]


def _not_ours() -> NotOurs:
    return NotOurs(
        _(
            "%(location)s was not written by ssi-companion, so it is left as it is. Remove it "
            "yourself (regedit) if the companion should start at login, then run "
            "`ssi-companion autostart enable`.",
            location=LOCATION,
        )
    )


def _registered() -> str | None:
    data = registry().get_value(RUN_KEY, VALUE)
    if data is None:
        return None
    if not _ours(data):
        raise _not_ours()
    return data


def _missing_environment(launch: Launch) -> dict[str, str]:
    """What the companion needs from the environment that a login would not give it.

    A Run value is a command line only: at login the companion gets the account's own
    environment variables, not this terminal's.
    """
    return {
        name: value
        for name, value in launch.environment.items()
        if registry().get_value(ENVIRONMENT_KEY, name) != value
    }


def status(launch: Launch, changed: bool = False, note: str = "") -> Autostart:
    line = command_line(launch.command)
    would = unregistered(_(METHOD), LOCATION, launch, line, changed, note)
    try:
        data = _registered()
    except NotOurs as exc:
        return replace(would, note=str(exc))
    if data is None:
        return would
    command = split(data)
    return registered_as(
        would,
        launch,
        command=command,
        environment={},
        command_line=data,
        up_to_date=command == launch.command and not _missing_environment(launch),
    )


def enable(launch: Launch, start: bool) -> Autostart:
    missing = _missing_environment(launch)
    if missing:
        settings = ", ".join(f"{name}={value}" for name, value in missing.items())
        raise AutostartError(
            # Translators: "Edit environment variables for your account" is Windows' own
            # name for the setting, as Windows words it in your language.
            _(
                "a Run value cannot carry %(settings)s: at login the companion gets your "
                "account's environment variables only. Set it for your account (Start, \"Edit "
                'environment variables for your account"), open a new terminal and run '
                "`ssi-companion autostart enable` again.",
                settings=settings,
            )
        )
    line = command_line(launch.command)
    if _registered() == line:
        return status(launch)
    try:
        registry().set_value(RUN_KEY, VALUE, line)
    except OSError as exc:
        raise AutostartError(
            _(
                "%(path)s cannot be written (%(reason)s)",
                path=LOCATION,
                reason=exc.strerror or exc,
            )
        ) from None
    note = _("It starts at your next login, without a window.")
    if start:  # Windows starts Run values at login only: the user is told how to start it now
        note = f"{note} {_('To start it now: %(command)s', command=line)}"
    return status(launch, changed=True, note=note)


def disable(launch: Launch, stop: bool) -> Autostart:
    # `stop`: the companion a login started is a process like any other; it keeps running.
    if _registered() is None:
        return status(launch)
    try:
        registry().delete_value(RUN_KEY, VALUE)
    except OSError as exc:
        raise AutostartError(
            _(
                "%(path)s cannot be removed (%(reason)s)",
                path=LOCATION,
                reason=exc.strerror or exc,
            )
        ) from None
    return status(
        launch,
        changed=True,
        note=_("No longer started at login (a companion running now keeps running)."),
    )
