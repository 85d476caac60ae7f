"""Which command a login starts: the installed `ssi-companion serve`, by absolute path, with the
data directory and port only when they are not the defaults."""

import os
import shutil
import sys
from pathlib import Path

import platformdirs

from companion import config
from companion.autostart.model import AutostartError, Launch
from companion.i18n import N_, _

SCRIPT = "ssi-companion"
HOME_VARIABLE = config.ENV_PREFIX + "HOME"
_PLAIN_NAMES = N_(
    "use a data directory (%(variable)s) and an install folder with plain names "
    "(UTF-8, no control characters)"
)


def executable() -> list[str]:
    """How to run the installed `ssi-companion`, as an absolute path (a login has no PATH of ours).

    venv, pipx and `uv tool install` put the script beside the Python that runs this code, so
    that one is the same install; then whatever PATH finds; then this Python with `-m`.
    """
    python = _python()
    script = Path(python).parent / (SCRIPT + (".exe" if sys.platform == "win32" else ""))
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    found = shutil.which(SCRIPT)
    if found:
        return [os.path.abspath(found)]
    return [python, "-m", "companion"]


def windowless() -> list[str]:
    """Windows: pythonw.exe, which opens no console window (the console script would)."""
    python = _python()
    pythonw = Path(python).with_name("pythonw.exe")
    return [str(pythonw) if pythonw.is_file() else python, "-m", "companion"]


def _python() -> str:
    if not sys.executable:  # an embedded interpreter: nothing a login could start
        raise AutostartError(
            _("the Python running ssi-companion has no path: start at login needs one"),
            _("run ssi-companion from an installed Python (pipx, uv tool, a venv)"),
        )
    # abspath, not resolve: a venv's bin/python is a symlink, and the venv is what matters.
    return os.path.abspath(sys.executable)


def launch(home=None, port=None, *, program: list[str]) -> Launch:
    """What enable registers for `home` and `port` (None: the settings in force, config.load)."""
    try:
        settings = config.load()
    except config.ConfigError as exc:
        raise AutostartError(
            str(exc), _("correct that setting (or unset it for the default), then try again")
        ) from None
    home = settings["HOME"] if home is None else home
    port = settings["PORT"] if port is None else port
    if not isinstance(port, int) or not 1 <= port <= 65535:
        raise AutostartError(
            _("the port must be a whole number from 1 to 65535, not %(port)r", port=port),
            _("set %(variable)s to a port from 1 to 65535", variable=config.ENV_PREFIX + "PORT"),
        )
    command = [*program, "serve"]
    if port != config.DEFAULT_PORT:
        command += ["--port", str(port)]
    # `serve` has no option for the data directory; it reads SSI_COMPANION_HOME, so that is
    # what the registration sets (each platform's own way), and only when it is not the default.
    data = _chosen_home(home)
    environment = {HOME_VARIABLE: data} if data else {}
    for text in [*command, *environment.values()]:
        if any(ord(char) < 32 or ord(char) == 127 for char in text):
            # A newline would end the unit's or entry's line and start a line of its own.
            raise AutostartError(
                _("%(text)r holds a control character: it cannot be registered", text=text),
                _(_PLAIN_NAMES, variable=HOME_VARIABLE),
            )
        if not _utf8(text):
            # A file name that is not UTF-8 (Python keeps its bytes as surrogates).
            raise AutostartError(
                _("%(text)r is not UTF-8 text: it cannot be registered", text=text),
                _(_PLAIN_NAMES, variable=HOME_VARIABLE),
            )
    return Launch(command, environment, port)


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _chosen_home(home) -> str | None:
    """The data directory as an absolute path, or None when it is the default one.

    Absolute: a login starts the companion in another working directory. Not expanded (~):
    config.data_dir does not expand it either, and the same folder must be meant.
    """
    if not home:
        return None
    chosen = os.path.abspath(os.fspath(home))
    default = os.path.abspath(platformdirs.user_data_dir("ssi-companion", False))
    return None if chosen == default else chosen
