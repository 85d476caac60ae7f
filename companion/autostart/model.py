"""What every backend shares: what enable would register (Launch), what is registered
(Autostart), and the one exception for what the user must hear (AutostartError)."""

import shlex
from dataclasses import dataclass, field

from companion.config import DEFAULT_PORT


class AutostartError(Exception):
    """Start at login cannot be changed or read; the message says why and what to do.

    `remedy`, when the message does not say what to do: `doctor` shows it, where the usual
    "`ssi-companion autostart enable`" would only fail the same way.
    """

    def __init__(self, message: str, remedy: str | None = None):
        super().__init__(message)
        self.remedy = remedy


class NotOurs(AutostartError):
    """Something that ssi-companion did not write sits where it would write: never touched."""


@dataclass(frozen=True)
class Launch:
    """What `enable` would register now: the companion's command line and its environment."""

    command: list[str]
    environment: dict[str, str]
    port: int = DEFAULT_PORT


@dataclass(frozen=True)
class Autostart:
    """Whether the companion starts at login, how, and with what.

    When `enabled`, `command` and `environment` are what the registration holds; otherwise
    they are what `enable` would write.
    """

    enabled: bool
    method: str  # "systemd user unit", "XDG autostart entry", "LaunchAgent", "Run registry value"
    location: str  # the file, or the registry key and value name
    command: list[str]
    environment: dict[str, str] = field(default_factory=dict)
    # The command line exactly as the platform stores it (ExecStart=, Exec=, the Run value).
    command_line: str = ""
    port: int = DEFAULT_PORT
    # False when the registration runs another command than `enable` would write now (another
    # port, data directory or install): `enable` again brings it up to date.
    up_to_date: bool = True
    changed: bool = False  # this call wrote or removed something
    note: str = ""  # what happens next, or what is in the way, in a sentence or two


def port_of(command: list[str]) -> int:
    """The port a `serve` command line listens on (`--port N`, else the default)."""
    for flag, value in zip(command, command[1:], strict=False):
        if flag == "--port" and value.isascii() and value.isdigit():
            return int(value)
    return DEFAULT_PORT


def shell_line(command: list[str], environment: dict[str, str]) -> str:
    """The command as one would type it in a POSIX shell, the environment first."""
    assignments = [f"{name}={shlex.quote(value)}" for name, value in environment.items()]
    return " ".join([*assignments, shlex.join(command)])
