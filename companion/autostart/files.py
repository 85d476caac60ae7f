"""The file backends' one rule: write only our own file, recognised by its mark, and never
touch a file someone else put at that path."""

import contextlib
import os
from pathlib import Path

from companion.autostart.model import AutostartError, NotOurs
from companion.i18n import _

MARK = "Written by `ssi-companion autostart enable`; `ssi-companion autostart disable` removes it."


def config_home() -> Path:
    """$XDG_CONFIG_HOME, or ~/.config when it is unset or not absolute (the XDG spec's rule)."""
    value = os.environ.get("XDG_CONFIG_HOME", "")
    return Path(value) if os.path.isabs(value) else Path.home() / ".config"


def read_ours(path: Path) -> bytes | None:
    """Our file's bytes; None when nothing is there. NotOurs when something else is."""
    if path.is_symlink():
        # Never written or followed: a link may lead to a file that is not ours to change.
        raise NotOurs(
            _not_ours(_("%(path)s is a symbolic link, so it is left as it is.", path=path))
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise NotOurs(
            _not_ours(_("%(path)s is a folder, so it is left as it is.", path=path))
        ) from None
    except OSError as exc:
        raise AutostartError(
            _("%(path)s cannot be read (%(reason)s)", path=path, reason=exc.strerror),
            _("make %(path)s readable for your account, or move it away", path=path),
        ) from None
    if MARK.encode() not in data:
        raise NotOurs(
            _not_ours(
                _("%(path)s was not written by ssi-companion, so it is left as it is.", path=path)
            )
        )
    return data


def _not_ours(found: str) -> str:
    """`found` ("... so it is left as it is."), then what the user can do about it."""
    then = _(
        "Move it away yourself if the companion should start at login, then run "
        "`ssi-companion autostart enable`."
    )
    return f"{found} {then}"


def write(path: Path, data: bytes) -> bool:
    """Puts `data` at `path` (atomically); False when exactly these bytes were there already."""
    if read_ours(path) == data:
        return False  # not even rewritten: enabling twice changes nothing, not even the mtime
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise AutostartError(
            _(
                "%(path)s cannot be written (%(reason)s)",
                path=exc.filename or path,
                reason=exc.strerror,
            )
        ) from None
    return True


def remove(path: Path) -> bool:
    """Removes our file; False when there was none. NotOurs (and nothing removed) otherwise."""
    if read_ours(path) is None:
        return False
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise AutostartError(
            _("%(path)s cannot be removed (%(reason)s)", path=path, reason=exc.strerror)
        ) from None
    return True
