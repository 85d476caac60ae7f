"""When a paired extension last reached the companion, for `ssi-companion doctor`.

One tiny JSON file in the data directory, `{"at": "<UTC text>", "browser": "chrome"}`, and
nothing else: no page, no token, no extension id. It is written only for a request that came
from an extension's origin and carried the right token (web/guard.py), so a web page or
another program cannot fake a contact.

A burst of captures must cost nothing: the file is rewritten at most once a minute (its age
is one stat, no read). Within that minute a request from the other browser is not noted; the
time stays right to the minute, which is all doctor needs.
"""

import json
import os
import secrets
import time
from pathlib import Path

from companion.store.values import now_utc, parse_moment, utc_text

CONTACT_FILE = "extension-contact.json"
THROTTLE_S = 60
BROWSERS = {"chrome-extension://": "chrome", "moz-extension://": "firefox"}
# The file holds some 60 bytes; anything much larger is not ours and is read no further.
_MAX_BYTES = 1024


def browser_of(origin: str | None) -> str | None:
    """ "chrome" or "firefox" for an extension's origin, else None."""
    for prefix, browser in BROWSERS.items():
        if origin and origin.startswith(prefix):
            return browser
    return None


def _path(data_dir) -> Path:
    return Path(data_dir) / CONTACT_FILE


def _fresh(path: Path) -> bool:
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return False
    return 0 <= age < THROTTLE_S  # a file from the future (the clock went back) is rewritten


def note(data_dir, origin: str) -> bool:
    """Record a contact from the extension at `origin`; False when nothing was written (not
    an extension, or noted less than a minute ago). OSError when the file cannot be written:
    the caller decides that it does not matter."""
    browser = browser_of(origin)
    path = _path(data_dir)
    if browser is None or _fresh(path):
        return False
    record = json.dumps({"at": utc_text(now_utc()), "browser": browser}).encode()
    # A whole file or none: written beside it, owner-only from the start, then renamed over.
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        try:
            os.write(fd, record)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a full disk leaves nothing behind
        raise
    return True


def last(data_dir) -> dict | None:
    """{"at", "browser"} of the last contact, or None: never contacted, or the file is not
    one of ours. Reads only; never makes the file."""
    try:
        # O_NONBLOCK: a FIFO in its place must not hang doctor.
        fd = os.open(_path(data_dir), os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        data = os.read(fd, _MAX_BYTES)
    except OSError:
        return None
    finally:
        os.close(fd)
    try:
        record = json.loads(data)
        at, browser = record["at"], record["browser"]
        parse_moment(at)
    except (ValueError, TypeError, KeyError):
        return None
    if browser not in BROWSERS.values():
        return None
    return {"at": at, "browser": browser}
