"""Linux without a systemd user manager: an XDG autostart entry,
~/.config/autostart/ssi-companion.desktop, which the desktop session starts at login
(GNOME, KDE, Xfce... and systemd's xdg-autostart generator all read that folder)."""

from dataclasses import replace
from pathlib import Path

from companion.autostart import files
from companion.autostart.model import (
    Autostart,
    Launch,
    NotOurs,
    registered_as,
    shell_line,
    unregistered,
)
from companion.i18n import N_, _

METHOD = N_("XDG autostart entry")
ENTRY = "ssi-companion.desktop"
# An entry has no Environment= of its own; env(1) sets the data directory for the companion.
ENV = "/usr/bin/env"
# Characters that oblige an Exec= argument to be quoted (Desktop Entry Specification, "Exec").
RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#()`")


def entry_path() -> Path:
    return files.config_home() / "autostart" / ENTRY


# -- the entry's text ------------------------------------------------------------------------


def render(launch: Launch) -> bytes:
    lines = [
        f"# {files.MARK}",
        "[Desktop Entry]",
        "Type=Application",
        "Name=SSI Companion",
        f"Comment=Keeps your LinkedIn SSI history on http://127.0.0.1:{launch.port}/",
        "Exec=" + exec_line(launch),
        "Terminal=false",
        "NoDisplay=true",
        "X-GNOME-Autostart-enabled=true",
        "",
    ]
    return "\n".join(lines).encode()


def argv(launch: Launch) -> list[str]:
    """What the session runs: env(1) with the data directory first, when there is one."""
    if not launch.environment:
        return list(launch.command)
    assignments = [f"{name}={value}" for name, value in launch.environment.items()]
    return [ENV, *assignments, *launch.command]


def exec_line(launch: Launch) -> str:
    return " ".join(_quote(arg) for arg in argv(launch))


def _quote(arg: str) -> str:
    if arg == "" or any(char in RESERVED for char in arg):
        inner = "".join("\\" + char if char in '"`$\\' else char for char in arg)
        arg = f'"{inner}"'
    # Then % is doubled (a field code otherwise), then the string escape of every value: the
    # spec's order, so a backslash in a quoted argument is four backslashes in the file.
    return arg.replace("%", "%%").replace("\\", "\\\\")


_VALUE_ESCAPES = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}


def parse(data: bytes) -> tuple[list[str], dict[str, str], str, bool]:
    """The entry's command, environment, Exec= value, and whether the session would start it."""
    values, group = {}, None
    # Lines end at \n only; GLib trims spaces and tabs, never Unicode's other whitespace.
    for raw in data.decode(errors="replace").split("\n"):
        line = raw.strip(" \t")
        if line.startswith("["):
            group = line
        elif group == "[Desktop Entry]" and "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values.setdefault(key.strip(" \t"), value.strip(" \t"))
    line = values.get("Exec", "")
    words = split(_unescape_value(line).replace("%%", "%"))
    environment = {}
    if words[:1] == [ENV]:
        words = words[1:]
        while words and "=" in words[0] and not words[0].startswith("/"):
            name, _, value = words.pop(0).partition("=")
            environment[name] = value
    # A session skips an entry marked so (GNOME's "startup applications" switch writes this).
    starts = values.get("Hidden") != "true" and values.get("X-GNOME-Autostart-enabled") != "false"
    return words, environment, line, starts


def _unescape_value(value: str) -> str:
    out, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            escaped = next(chars, "")
            out.append(_VALUE_ESCAPES.get(escaped, "\\" + escaped))
        else:
            out.append(char)
    return "".join(out)


def split(value: str) -> list[str]:
    """Exec= arguments: apart by spaces, "..." quoting with \\ before " ` $ \\ inside."""
    words, word, quoted, in_word = [], [], False, False
    chars = iter(value)
    for char in chars:
        if quoted:
            if char == '"':
                quoted = False
            elif char == "\\":
                escaped = next(chars, "")
                word.append(escaped if escaped in '"`$\\' else "\\" + escaped)
            else:
                word.append(char)
        elif char == '"':
            quoted = in_word = True
        elif char in " \t":
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
    """Our entry's bytes, None when there is none; NotOurs when another file is there."""
    return files.read_ours(entry_path())


def status(launch: Launch, changed: bool = False, note: str = "") -> Autostart:
    path = entry_path()
    would = unregistered(_(METHOD), str(path), launch, exec_line(launch), changed, note)
    try:
        data = registered()
    except NotOurs as exc:
        return replace(would, note=str(exc))
    if data is None:
        return would
    command, environment, line, starts = parse(data)
    if not starts and not note:
        note = _(
            "Your desktop's start-up settings switched this entry off: "
            "`ssi-companion autostart enable` switches it on again."
        )
    return registered_as(
        would,
        launch,
        command=command,
        environment=environment,
        command_line=line,
        enabled=starts,
        note=note,
    )


def enable(launch: Launch, start: bool) -> Autostart:
    if not files.write(entry_path(), render(launch)):
        return status(launch)
    note = _(
        "It starts at your next login, in a desktop session that follows the XDG autostart "
        "spec (GNOME, KDE, Xfce...)."
    )
    if start:  # only the session starts an entry: the user is told how to start it now
        now = _(
            "To start it now: %(command)s",
            command=shell_line(launch.command, launch.environment),
        )
        note = f"{note} {now}"
    return status(launch, changed=True, note=note)


def disable(launch: Launch, stop: bool) -> Autostart:
    # `stop`: a companion the session started is a process like any other; it keeps running.
    if not files.remove(entry_path()):
        return status(launch)
    return status(
        launch,
        changed=True,
        note=_("No longer started at login (a companion running now keeps running)."),
    )
