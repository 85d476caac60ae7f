"""The token that proves a request comes from the paired extension (or the user's own CLI)."""

import hmac
import os
import re
import secrets
from pathlib import Path

TOKEN_FILE = "token"
# What secrets.token_urlsafe makes; anything else in the file is damage, not a token.
_WELL_FORMED = re.compile(r"[A-Za-z0-9_-]{32,128}")


def _path(data_dir) -> Path:
    return Path(data_dir) / TOKEN_FILE


def _write_private(path: Path, token: str) -> None:
    # Written beside and renamed over the old one: a reader never sees half a token.
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(token + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        # A full disk must not leave half a token beside the real one.
        tmp.unlink(missing_ok=True)
        raise


def get(data_dir) -> str:
    """The token, made on first use."""
    path = _path(data_dir)
    try:
        token = path.read_bytes().decode("ascii").strip()
    except FileNotFoundError:
        token = ""
    except UnicodeDecodeError:
        token = ""  # a damaged token file: a new token (the extension pairs again)
    if not _WELL_FORMED.fullmatch(token):
        token = secrets.token_urlsafe(32)
        _write_private(path, token)
    return token


def rotate(data_dir) -> str:
    """A new token; the old one stops working at once, in a running companion too."""
    token = secrets.token_urlsafe(32)
    _write_private(_path(data_dir), token)
    return token


def matches(data_dir, presented: str | None) -> bool:
    if not presented:
        return False
    # Constant time: how long the comparison takes says nothing about the token.
    return hmac.compare_digest(presented.encode(), get(data_dir).encode())
