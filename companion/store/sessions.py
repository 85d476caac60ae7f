"""Who is signed in to the companion's pages: one-time sign-in codes and sessions, in SQLite.

Jupyter's token login is the model. Only the data directory's owner can mint a sign-in code
(`ssi-companion open`, or the extension with its token); the code works once, within two
minutes, and becomes a session whose id lives in a cookie. Codes and session ids are stored
as SHA-256 digests only: a copy of the database lets nobody sign in. No Flask here.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlite_utils import Database

from companion import store

CODE_TTL = timedelta(minutes=2)
SESSION_TTL = timedelta(days=30)
# last_used is written at most this often: a page view is not a write each time.
TOUCH_EVERY = timedelta(hours=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def mint_code(db: Database, now: datetime | None = None) -> str:
    """A new one-time sign-in code; only its digest is kept."""
    now = now or store.now_utc()
    code = secrets.token_urlsafe(32)
    with store.write(db):
        db.execute("DELETE FROM signin_codes WHERE expires_at < ?", [store.utc_text(now)])
        db.execute(
            "INSERT INTO signin_codes (code_sha256, expires_at) VALUES (?, ?)",
            [_digest(code), store.utc_text(now + CODE_TTL)],
        )
    return code


def redeem_code(db: Database, code: str, now: datetime | None = None) -> str | None:
    """A new session id for a valid code, which is used up; None for anything else."""
    now = now or store.now_utc()
    with store.write(db):
        cursor = db.execute(
            "DELETE FROM signin_codes WHERE code_sha256 = ? AND expires_at >= ?",
            [_digest(code), store.utc_text(now)],
        )
        if cursor.rowcount != 1:
            return None
        session_id = secrets.token_urlsafe(32)
        db.execute(
            "INSERT INTO sessions (id_sha256, created_at, last_used_at) VALUES (?, ?, ?)",
            [_digest(session_id), store.utc_text(now), store.utc_text(now)],
        )
    return session_id


def is_valid(db: Database, session_id: str, now: datetime | None = None) -> bool:
    """The session exists and was used within SESSION_TTL; its use is recorded."""
    now = now or store.now_utc()
    digest = _digest(session_id)
    rows = db.execute("SELECT last_used_at FROM sessions WHERE id_sha256 = ?", [digest]).fetchall()
    if not rows:
        return False
    last_used = rows[0][0]
    if last_used < store.utc_text(now - SESSION_TTL):
        with store.write(db):
            db.execute("DELETE FROM sessions WHERE id_sha256 = ?", [digest])
        return False
    if last_used < store.utc_text(now - TOUCH_EVERY):
        with store.write(db):
            db.execute(
                "UPDATE sessions SET last_used_at = ? WHERE id_sha256 = ?",
                [store.utc_text(now), digest],
            )
    return True


def end_all(db: Database) -> int:
    """Sign out everywhere: every session and every unused code ends now."""
    with store.write(db):
        ended = db.execute("DELETE FROM sessions").rowcount
        db.execute("DELETE FROM signin_codes")
    return ended


def signin_url(port: int, code: str) -> str:
    # Always 127.0.0.1: the session cookie is host-only, and that is the host the pages use.
    return f"http://127.0.0.1:{port}/signin?code={code}"
