"""Start at login: `ssi-companion serve` registered with the platform's own mechanism.

One backend per platform: linux.py (systemd.py or xdg.py), launchd.py for macOS and windows.py.
Each writes exactly one file or registry value, marked as ours, so that `disable` removes only
what `enable` wrote and a file someone else put there is refused (AutostartError). No Flask
here: the CLI, the settings page and `doctor` call status, enable and disable.

`home` and `port` are the data directory and port to register (None: the settings in force,
config.load); `platform` is sys.platform unless a test names another.
"""

import sys
from dataclasses import replace

from companion.autostart import command
from companion.autostart.command import executable
from companion.autostart.model import Autostart, AutostartError, Launch, NotOurs
from companion.i18n import _

__all__ = [
    "Autostart",
    "AutostartError",
    "Launch",
    "NotOurs",
    "answering",
    "disable",
    "enable",
    "executable",
    "status",
]


def status(home=None, port=None, *, platform: str | None = None) -> Autostart:
    """Whether the companion starts at login, how and with what (never changes anything)."""
    backend, launch = _backend_and_launch(home, port, platform)
    return backend.status(launch)


def enable(home=None, port=None, *, start: bool = True, platform: str | None = None) -> Autostart:
    """Registers the companion to start at login; the same registration again changes nothing.

    `start`: also start it now where the platform does that (systemd, launchd), unless a
    companion already answers on the port (a second one would only fail and be restarted).
    """
    backend, launch = _backend_and_launch(home, port, platform)
    running = answering(launch.port) if start else None
    result = backend.enable(launch, start and running is None)
    if running is not None and result.changed:
        address = f"http://127.0.0.1:{launch.port}/"
        # Translators: %(note)s is what enable did, in a sentence or two of its own.
        already = _(
            "A companion already runs on %(address)s. %(note)s", address=address, note=result.note
        )
        result = replace(result, note=already)
    return result


def disable(home=None, port=None, *, stop: bool = True, platform: str | None = None) -> Autostart:
    """Removes what enable registered, and nothing else. Not enabled: nothing to do, no error.

    `stop`: also stop the companion the platform started (systemd, launchd); the settings
    page says False, as that companion may be the one serving it.
    """
    backend, launch = _backend_and_launch(home, port, platform)
    return backend.disable(launch, stop)


def answering(port: int, timeout: float = 1.0) -> str | None:
    """The version of the companion answering on 127.0.0.1:`port`, or None."""
    from companion.ping import who_answers

    return who_answers(port, timeout)


def _backend_and_launch(home, port, platform):
    platform = platform or sys.platform
    if platform == "win32":
        from companion.autostart import windows

        return windows, command.launch(home, port, program=command.windowless())
    if platform == "darwin":
        from companion.autostart import launchd as backend
    elif platform.startswith(("linux", "freebsd", "openbsd", "netbsd", "dragonfly")):
        from companion.autostart import linux as backend
    else:
        raise AutostartError(
            _(
                "starting at login is not supported on this platform (%(platform)s)",
                platform=platform,
            ),
            _("start the companion yourself when you want it: `ssi-companion serve`"),
        )
    return backend, command.launch(home, port, program=executable())
