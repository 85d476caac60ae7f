"""The companion's log: a rotated file in the data dir, owner-only, never holding secrets.

What is logged is chosen at each call site: ids, statuses and error codes. Request headers,
tokens, page HTML and query strings are never passed to a logger.
"""

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_FILE = "companion.log"


def log_to_data_dir(data_dir, level=logging.INFO) -> Path:
    path = Path(data_dir) / LOG_FILE
    fd = os.open(path, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)
    handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("companion")
    logger.setLevel(level)
    logger.addHandler(handler)
    return path
