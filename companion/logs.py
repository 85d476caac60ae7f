"""The companion's log: a rotated file in the data dir, owner-only, never holding secrets.

What is logged is chosen at each call site: ids, statuses and error codes. Request headers,
tokens, page HTML and query strings are never passed to a logger.

The log is never written through a symbolic link: one named companion.log (put there by
whoever can write to the data dir) would otherwise make the companion append to, and chmod,
any file of the user's, such as ~/.bashrc. Rotation only renames and removes names, which
acts on a link itself, never on its target; each new log file is opened with O_NOFOLLOW.
"""

import errno
import logging
import os
import stat
from logging.handlers import RotatingFileHandler
from pathlib import Path

from companion.config import ConfigError

LOG_FILE = "companion.log"
# O_NONBLOCK: a FIFO put in the log's place would otherwise block the opening for ever; on a
# regular file it changes nothing.
_OPEN_FLAGS = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class LogFileError(ConfigError):
    """The log file cannot be used safely; the message names it and says what to do."""


def _open_private(path: str) -> int:
    """A descriptor on the regular file at `path`, made owner-only; never through a link."""
    fd = os.open(path, _OPEN_FLAGS, 0o600)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        os.fchmod(fd, 0o600)  # the descriptor's file: a chmod by name would follow a link
    except BaseException:
        os.close(fd)
        raise
    return fd


class _QuietRotatingHandler(RotatingFileHandler):
    """A log line that cannot be written (a full disk) is dropped: the log must never be
    why a capture fails or a traceback appears in the terminal."""

    def _open(self):
        # Also after each rotation: a link put in the log's place meanwhile is refused (and
        # the line dropped), never followed.
        return open(
            _open_private(self.baseFilename), self.mode, encoding=self.encoding, errors=self.errors
        )

    def handleError(self, record):  # noqa: N802 (logging's name)
        self.dropped = getattr(self, "dropped", 0) + 1


def _refusal(path: Path, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        what = "is a symbolic link, and the companion never writes its log through one"
    elif exc.errno in (errno.EINVAL, errno.EISDIR, errno.ENXIO):  # ENXIO: a FIFO
        what = "is not a regular file"
    else:
        what = f"cannot be opened ({exc.strerror})"
    return f"the log file {path} {what}: remove it, and the companion makes a new one"


def log_to_data_dir(data_dir, level=logging.INFO) -> Path:
    path = Path(data_dir) / LOG_FILE
    try:
        handler = _QuietRotatingHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    except OSError as exc:
        raise LogFileError(_refusal(path, exc)) from None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("companion")
    logger.setLevel(level)
    logger.addHandler(handler)
    return path
