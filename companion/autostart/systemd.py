"""Linux with a systemd user manager: the unit ~/.config/systemd/user/ssi-companion.service,
enabled (and started) with `systemctl --user`."""

import os
import subprocess
from dataclasses import replace
from pathlib import Path

from companion.autostart import files
from companion.autostart.model import (
    Autostart,
    AutostartError,
    Launch,
    NotOurs,
    registered_as,
    unregistered,
)
from companion.i18n import N_, _

METHOD = N_("systemd user unit")
UNIT = "ssi-companion.service"
# `systemctl --user is-system-running` prints one of these while a user manager runs;
# "offline" (or no systemctl at all) means there is none to enable a unit with.
MANAGER_RUNNING = {"running", "degraded", "starting", "initializing", "maintenance"}
# Characters that need no quoting in ExecStart= (systemd.service(5), "Command lines").
SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@+=:,./-")
WHITESPACE = " \t\n\r"
# systemd refuses a program path with these ("Executable name contains special characters").
UNSAFE_PROGRAM = frozenset("\"'\\")
SYSTEMCTL_TIMEOUT_S = 30
# Asking whether a manager runs happens on every settings page and `doctor`: a hung systemctl
# (a user bus that never answers) must cost a moment, not half a minute. Enabling and
# disabling keep the long timeout: a daemon-reload may take a while.
DETECT_TIMEOUT_S = 3


def unit_path() -> Path:
    return files.config_home() / "systemd" / "user" / UNIT


def wants_link() -> Path:
    """What `systemctl --user enable` makes for WantedBy=default.target: the unit's link."""
    return unit_path().parent / "default.target.wants" / UNIT


def systemctl(*args: str, timeout: float = SYSTEMCTL_TIMEOUT_S) -> subprocess.CompletedProcess:
    """`systemctl --user ARGS`: the one place this module runs systemd (tests record it here)."""
    return subprocess.run(
        ["systemctl", "--user", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def manager_running() -> bool:
    """Whether a user manager runs: what linux.py chooses the method by. No answer within
    DETECT_TIMEOUT_S counts as none."""
    try:
        answer = systemctl("is-system-running", timeout=DETECT_TIMEOUT_S)
    except (OSError, subprocess.SubprocessError):
        return False
    return answer.stdout.strip() in MANAGER_RUNNING


# -- the unit's text -------------------------------------------------------------------------


def render(launch: Launch) -> bytes:
    lines = [
        f"# {files.MARK}",
        "[Unit]",
        f"Description=SSI Companion: your LinkedIn SSI history on http://127.0.0.1:{launch.port}/",
        # Restarts after a crash, but gives up when it cannot start at all (say the port is
        # taken by another program) rather than trying every few seconds for ever.
        "StartLimitIntervalSec=60",
        "StartLimitBurst=5",
        "",
        "[Service]",
        "Type=exec",
        "ExecStart=" + exec_line(launch.command),
        *("Environment=" + _quote_environment(f"{k}={v}") for k, v in launch.environment.items()),
        # SIGTERM (systemctl stop, logging out) ends serve cleanly with exit 0: not a failure.
        "Restart=on-failure",
        "RestartSec=5",
        "",
        "[Install]",
        "WantedBy=default.target",
        "",
    ]
    return "\n".join(lines).encode()


def exec_line(command: list[str]) -> str:
    program, *args = command
    return " ".join([_quote_exec(program, variables=False), *(_quote_exec(arg) for arg in args)])


def _quote_exec(arg: str, variables: bool = True) -> str:
    if arg and all(char in SAFE for char in arg):
        return arg
    # C-style escapes inside double quotes; % starts a specifier, and $ a variable in the
    # arguments (not in the program's path, which systemd takes as it is).
    escaped = arg.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%")
    if variables:
        escaped = escaped.replace("$", "$$")
    return f'"{escaped}"'


def _quote_environment(assignment: str) -> str:
    # Environment= expands specifiers too, but not variables: $ stays as it is.
    escaped = assignment.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%")
    return f'"{escaped}"'


def parse(data: bytes) -> tuple[list[str], dict[str, str], str]:
    """The unit's command, environment and ExecStart= line, read back as systemd reads them."""
    command, environment, line = [], {}, ""
    # Lines end at \n only, and whitespace is systemd's four characters, never Unicode's.
    for raw in data.decode(errors="replace").split("\n"):
        key, _, value = raw.strip(WHITESPACE).partition("=")
        if key == "ExecStart":
            line = value
            program, *args = split(value.replace("%%", "%")) or [""]
            command = [program, *(arg.replace("$$", "$") for arg in args)]
        elif key == "Environment":
            for word in split(value):
                name, _, setting = word.replace("%%", "%").partition("=")
                environment[name] = setting
    return command, environment, line


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "s": " "}


def split(value: str) -> list[str]:
    """Words as systemd splits them: whitespace apart, "..." and '...' quoting, C escapes."""
    words, word, quote, in_word = [], [], None, False
    chars = iter(value)
    for char in chars:
        if char == "\\":
            escaped = next(chars, "")
            word.append(_ESCAPES.get(escaped, escaped))
            in_word = True
        elif quote:
            if char == quote:
                quote = None
            else:
                word.append(char)
        elif char in "\"'":
            quote, in_word = char, True
        elif char in WHITESPACE:
            if in_word:
                words.append("".join(word))
                word, in_word = [], False
        else:
            word.append(char)
            in_word = True
    if in_word:
        words.append("".join(word))
    return words


# -- status, enable, disable -----------------------------------------------------------------


def registered() -> bytes | None:
    """Our unit's bytes, None when there is none; NotOurs when another file is there."""
    return files.read_ours(unit_path())


def _linked() -> bool:
    link = wants_link()
    return link.is_symlink() and os.path.realpath(link) == os.path.realpath(unit_path())


def status(launch: Launch, changed: bool = False, note: str = "") -> Autostart:
    path = unit_path()
    would = unregistered(_(METHOD), str(path), launch, exec_line(launch.command), changed, note)
    try:
        data = registered()
    except NotOurs as exc:
        return replace(would, note=str(exc))
    if data is None:
        return would
    command, environment, line = parse(data)
    enabled = _linked()
    if not enabled and not note:
        note = _(
            "The unit is in %(path)s but not enabled: `ssi-companion autostart enable` enables it.",
            path=path,
        )
    return registered_as(
        would,
        launch,
        command=command,
        environment=environment,
        command_line=line,
        enabled=enabled,
        note=note,
    )


def enable(launch: Launch, start: bool) -> Autostart:
    if any(char in UNSAFE_PROGRAM for char in launch.command[0]):
        raise AutostartError(
            _(
                "systemd starts no program whose path holds a quote or a backslash: "
                "%(program)s. Install ssi-companion in a folder without them.",
                program=launch.command[0],
            )
        )
    data = render(launch)
    changed = files.write(unit_path(), data)
    if not changed and _linked():
        return status(launch)
    after = _(
        "The unit is in %(path)s; `ssi-companion autostart disable` removes it.", path=unit_path()
    )
    if changed:
        _run(after, "daemon-reload")
    _run(after, "enable", *(["--now"] if start else []), UNIT)
    if start:
        note = _(
            "Started now, and at every login. `systemctl --user status ssi-companion` shows it; "
            "`journalctl --user -u ssi-companion` shows what it printed."
        )
    else:
        note = _("Not started now: the service starts at your next login.")
    return status(launch, changed=True, note=note)


def disable(launch: Launch, stop: bool) -> Autostart:
    if registered() is None:
        return status(launch)
    manager = manager_running()
    if manager:
        _run(_("Nothing was removed."), "disable", *(["--now"] if stop else []), UNIT)
    elif _linked():
        # No manager to ask: the link `systemctl enable` made is removed the same way it would.
        _unlink(wants_link())
    files.remove(unit_path())
    if manager:
        _run(_("The unit was removed."), "daemon-reload")
    if stop and manager:
        note = _("Stopped, and no longer started at login.")
    else:
        note = _("No longer started at login (a companion running now keeps running).")
    return status(launch, changed=True, note=note)


def _run(after_failure: str, *args: str) -> None:
    command = f"systemctl --user {' '.join(args)}"
    try:
        result = systemctl(*args)
    except (OSError, subprocess.SubprocessError) as exc:
        raise AutostartError(
            _("`%(command)s` could not run (%(reason)s)", command=command, reason=exc)
        ) from None
    if result.returncode != 0:
        said = (result.stderr or result.stdout).strip() or f"exit {result.returncode}"
        # Translators: %(said)s is what systemctl printed; %(then)s a sentence of its own.
        raise AutostartError(
            _(
                "`%(command)s` failed: %(said)s. %(then)s",
                command=command,
                said=said,
                then=after_failure,
            )
        )


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise AutostartError(
            _("%(path)s cannot be removed (%(reason)s)", path=path, reason=exc.strerror)
        ) from None
