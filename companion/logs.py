"""The companion's log: a rotated file in the data dir, owner-only, never holding secrets.

What is logged is chosen at each call site: ids, statuses and error codes. Request headers,
tokens, page HTML and query strings are never passed to a logger.
"""

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_FILE = "companion.log"


class _QuietRotatingHandler(RotatingFileHandler):
    """A log line that cannot be written (a full disk) is dropped: the log must never be
    why a capture fails or a traceback appears in the terminal."""

    def handleError(self, record):  # noqa: N802 (logging's name)
        self.dropped = getattr(self, "dropped", 0) + 1


def log_to_data_dir(data_dir, level=logging.INFO) -> Path:
    path = Path(data_dir) / LOG_FILE
    previous = os.umask(0o077)
    try:
        handler = _QuietRotatingHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    finally:
        os.umask(previous)
    os.chmod(path, 0o600)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("companion")
    logger.setLevel(level)
    logger.addHandler(handler)
    return path
