"""The token that proves a request comes from the paired extension (or the user's own CLI).

Two ways to it, for two moments:
- `get` at start-up and in the CLI: makes the token on first run. A token file that is there
  but cannot be used (a folder, unreadable, damaged) is a TokenError saying how to make a new
  one, never silently replaced: the paired extension would stop working without a word.
- `read` and `matches` while serving: they never make or replace the file. A token gone or
  damaged under a running server refuses every request (401) until `ssi-companion token
  --rotate`, and the log says why, once.
"""

import errno
import hmac
import logging
import os
import re
import secrets
import stat
import threading
from pathlib import Path

from companion.config import ConfigError
from companion.i18n import N_, _

TOKEN_FILE = "token"
# What secrets.token_urlsafe makes; anything else in the file is damage, not a token.
_WELL_FORMED = re.compile(r"[A-Za-z0-9_-]{32,128}")
# A token and its newline are under 200 bytes; a larger file is read no further.
_MAX_BYTES = 4096
_ROTATE = N_("run `ssi-companion token --rotate` to make a new one, then pair the extension again")
_MOVE_AWAY = N_(
    "move it away, then run `ssi-companion token --rotate` and pair the extension again"
)

# What the running server says about its token: never the token, only what is wrong with it.
log = logging.getLogger("companion.token")


class TokenError(ConfigError):
    """The token file cannot be used; the message names it and says what to run."""


class Unusable(Exception):
    """The token file is there but holds no token; the message says why."""

    def __init__(self, reason: str, remedy: str = _ROTATE):
        super().__init__(reason)
        self.remedy = _(remedy)


def unusable_sentence(path: Path, exc: Unusable) -> str:
    # Translators: the reason is one of "cannot be read (...)", "holds no token (it is
    # damaged)", "is a folder, not a file", "is not a regular file"; the remedy says what to run.
    return _("the token file %(path)s %(reason)s: %(remedy)s", path=path, reason=exc,
             remedy=exc.remedy)  # fmt: skip


def _path(data_dir) -> Path:
    return Path(data_dir) / TOKEN_FILE


def load(path: Path) -> str:
    """The token in the file. FileNotFoundError when there is none, Unusable when damaged."""
    try:
        # O_NONBLOCK: a FIFO in the token's place must not hang every request.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise Unusable(_("cannot be read (%(why)s)", why=exc.strerror)) from None
    try:
        data = _read_regular(fd)
    finally:
        os.close(fd)
    token = data.decode("ascii", errors="replace").strip()
    if not _WELL_FORMED.fullmatch(token):
        raise Unusable(_("holds no token (it is damaged)"))
    return token


def _read_regular(fd: int) -> bytes:
    mode = os.fstat(fd).st_mode
    if stat.S_ISDIR(mode):
        raise Unusable(_("is a folder, not a file"), _MOVE_AWAY)
    if not stat.S_ISREG(mode):
        raise Unusable(_("is not a regular file"))  # a FIFO, a socket: rotate replaces it
    try:
        return os.read(fd, _MAX_BYTES)
    except OSError as exc:
        raise Unusable(_("cannot be read (%(why)s)", why=exc.strerror)) from None


def _write_temporary(path: Path, token: str) -> Path:
    """The token in a new owner-only file beside `path`, flushed to disk."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(token + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        # A full disk must not leave half a token beside the real one.
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _create(path: Path) -> None:
    """Put a first token in place, unless another process (a second start) did just now."""
    tmp = _write_temporary(path, secrets.token_urlsafe(32))
    try:
        # A link appears whole or not at all, and never over an existing file: of two
        # processes starting at once, both end up with the same token.
        os.link(tmp, path)
    except FileExistsError:
        pass
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        os.replace(tmp, path)  # a file system without hard links: the last one wins
    finally:
        tmp.unlink(missing_ok=True)


def get(data_dir) -> str:
    """The token, made on first run. Raises TokenError when the file cannot be used.

    For start-up and the CLI; a running server uses `read`, which never writes.
    """
    path = _path(data_dir)
    try:
        return load(path)
    except FileNotFoundError:
        pass
    except Unusable as exc:
        raise TokenError(unusable_sentence(path, exc)) from None
    _create(path)
    try:
        return load(path)
    except (FileNotFoundError, Unusable) as exc:  # removed or damaged in between
        raise TokenError(
            _("the token file %(path)s could not be made (%(why)s): %(remedy)s",
              path=path, why=exc, remedy=_(_ROTATE))
        ) from None  # fmt: skip


def rotate(data_dir) -> str:
    """A new token; the old one stops working at once, in a running companion too.

    Replaces a damaged token file too; one that is a folder is a TokenError.
    """
    path = _path(data_dir)
    if path.is_dir() and not path.is_symlink():
        # os.replace cannot put a file over it, and what is inside is not ours to delete.
        raise TokenError(
            _("the token file %(path)s is a folder, not a file: %(remedy)s",
              path=path, remedy=_(_MOVE_AWAY))
        )  # fmt: skip
    token = secrets.token_urlsafe(32)
    tmp = _write_temporary(path, token)
    try:
        # Renamed over the old one: a reader never sees half a token.
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return token


# -- while serving ----------------------------------------------------------------------------

# The last problem logged for each token file, so that a missing token is logged once and
# not at every refused request; cleared when a token is read again.
_logged: dict[Path, str] = {}
_logged_lock = threading.Lock()


def _note(path: Path, problem: str | None, remedy: str = _ROTATE) -> None:
    with _logged_lock:
        if problem is None:
            _logged.pop(path, None)
            return
        if _logged.get(path) == problem:
            return
        _logged[path] = problem
    log.warning(
        "the token file %s %s: every request with a token is refused (401); %s",
        path,
        problem,
        remedy,
    )


def read(data_dir) -> str | None:
    """The token, or None when the file is missing or damaged. Never makes or replaces it."""
    path = _path(data_dir)
    try:
        token = load(path)
    except FileNotFoundError:
        _note(path, "is missing")
        return None
    except Unusable as exc:
        _note(path, str(exc), exc.remedy)
        return None
    _note(path, None)
    return token


def matches(data_dir, presented: str | None) -> bool:
    if not presented:
        return False
    token = read(data_dir)
    if token is None:
        return False
    # Constant time: how long the comparison takes says nothing about the token.
    return hmac.compare_digest(presented.encode(), token.encode())
