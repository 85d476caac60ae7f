"""macOS: a LaunchAgent, ~/Library/LaunchAgents/io.github.ssi-companion.plist, loaded into the
user's GUI session with `launchctl bootstrap` (and `launchctl bootout` on disable)."""

import os
import plistlib
import shlex
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
from companion.i18n import _

METHOD = "LaunchAgent"  # Apple's own name for it, the same in every language
LABEL = "io.github.ssi-companion"
LAUNCHCTL_TIMEOUT_S = 30


def plist_path() -> Path:
    return Path.home() / "Library" / "LaunchAgents" / f"{LABEL}.plist"


def launchctl(*args: str) -> subprocess.CompletedProcess:
    """`launchctl ARGS`: the one place this module runs launchd (tests record it here)."""
    return subprocess.run(
        ["launchctl", *args],
        capture_output=True,
        text=True,
        timeout=LAUNCHCTL_TIMEOUT_S,
        check=False,
    )


def _launchctl(*args: str) -> str | None:
    """Runs launchctl; what went wrong, or None when it succeeded."""
    try:
        result = launchctl(*args)
    except (OSError, subprocess.SubprocessError) as exc:
        return str(exc)
    if result.returncode == 0:
        return None
    return (result.stderr or result.stdout).strip() or f"exit {result.returncode}"


def _domain() -> str:
    return f"gui/{os.getuid()}"


# -- the plist -------------------------------------------------------------------------------


def render(launch: Launch) -> bytes:
    agent = {
        "Label": LABEL,
        "ProgramArguments": list(launch.command),
        "RunAtLoad": True,
        # Started again when it ends with an error or a crash; a clean stop (exit 0) stays stopped.
        "KeepAlive": {"SuccessfulExit": False},
    }
    if launch.environment:
        agent["EnvironmentVariables"] = dict(launch.environment)
    data = plistlib.dumps(agent, sort_keys=True)
    # The mark goes in an XML comment after the DOCTYPE: plists have no key for it.
    head, doctype, rest = data.partition(b"<!DOCTYPE")
    doctype_line, newline, body = rest.partition(b"\n")
    return head + doctype + doctype_line + newline + f"<!-- {files.MARK} -->\n".encode() + body


def parse(data: bytes) -> tuple[list[str], dict[str, str]]:
    try:
        agent = plistlib.loads(data)
    except Exception:  # plistlib raises several kinds for a damaged file
        return [], {}
    command = agent.get("ProgramArguments") if isinstance(agent, dict) else None
    environment = agent.get("EnvironmentVariables") if isinstance(agent, dict) else None
    return (
        [str(arg) for arg in command] if isinstance(command, list) else [],
        {str(k): str(v) for k, v in environment.items()} if isinstance(environment, dict) else {},
    )


# -- status, enable, disable -----------------------------------------------------------------


def registered() -> bytes | None:
    return files.read_ours(plist_path())


def status(launch: Launch, changed: bool = False, note: str = "") -> Autostart:
    path = plist_path()
    would = unregistered(METHOD, str(path), launch, shlex.join(launch.command), changed, note)
    try:
        data = registered()
    except NotOurs as exc:
        return replace(would, note=str(exc))
    if data is None:
        return would
    command, environment = parse(data)
    return registered_as(
        would, launch, command=command, environment=environment, command_line=shlex.join(command)
    )


def enable(launch: Launch, start: bool) -> Autostart:
    path = plist_path()
    existed = registered() is not None
    if not files.write(path, render(launch)):
        return status(launch)
    if not start:
        # No bootout: the old agent, loaded, may be the companion running now (the settings
        # page's own), and nothing would start it again until the next login.
        if existed:
            note = _(
                "Not started now: the changed agent takes effect at your next login "
                "(a companion running now keeps running)."
            )
        else:
            note = _("Not started now: the agent starts at your next login.")
        return status(launch, changed=True, note=note)
    if existed:
        # The old agent may be loaded; bootstrap refuses a label that is. Not loaded: fine.
        _launchctl("bootout", f"{_domain()}/{LABEL}")
    said = _launchctl("bootstrap", _domain(), str(path))
    if said is not None:
        command = shlex.join(["launchctl", "bootstrap", _domain(), str(path)])
        raise AutostartError(
            _(
                "`%(command)s` failed: %(said)s. The agent starts at your next login; "
                "`ssi-companion autostart disable` removes it.",
                command=command,
                said=said,
            )
        )
    return status(launch, changed=True, note=_("Started now, and at every login."))


def disable(launch: Launch, stop: bool) -> Autostart:
    if registered() is None:
        return status(launch)
    if stop:
        # Not loaded (never bootstrapped, or stopped by hand) is no error: the file goes anyway.
        _launchctl("bootout", f"{_domain()}/{LABEL}")
    files.remove(plist_path())
    if stop:
        note = _("Stopped, and no longer started at login.")
    else:
        note = _("No longer started at login.")
    return status(launch, changed=True, note=note)
