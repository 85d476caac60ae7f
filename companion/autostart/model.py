"""What every backend shares: what enable would register (Launch), what is registered
(Autostart), and the one exception for what the user must hear (AutostartError)."""

import shlex
from dataclasses import dataclass, field, replace

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


def unregistered(
    method: str, location: str, launch: Launch, command_line: str, changed: bool, note: str
) -> Autostart:
    """Nothing of ours is registered: what `enable` would write, for status to show."""
    return Autostart(
        enabled=False,
        method=method,
        location=location,
        command=launch.command,
        environment=launch.environment,
        command_line=command_line,
        port=launch.port,
        changed=changed,
        note=note,
    )


def registered_as(
    would: Autostart,
    launch: Launch,
    *,
    command: list[str],
    environment: dict[str, str],
    command_line: str,
    enabled: bool = True,
    up_to_date: bool | None = None,
    note: str | None = None,
) -> Autostart:
    """What the registration holds, beside `would` (unregistered's): up to date when it runs
    the command and environment `enable` would write now."""
    if up_to_date is None:
        up_to_date = (command, environment) == (launch.command, launch.environment)
    return replace(
        would,
        enabled=enabled,
        command=command,
        environment=environment,
        command_line=command_line,
        port=port_of(command),
        up_to_date=up_to_date,
        note=would.note if note is None else note,
    )


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
