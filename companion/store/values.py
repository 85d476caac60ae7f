"""How moments and payloads are written down: UTC texts that sort as strings, and the
hashes and compression of a capture's payload."""

import hashlib
import zlib
from datetime import UTC, datetime


def parse_moment(value: str) -> datetime:
    """An ISO 8601 moment with its UTC offset; ValueError says what is wrong otherwise."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{value!r} has no UTC offset (add Z or +hh:mm)")
    return moment


def utc_text(moment: datetime) -> str:
    # The year zero-padded (strftime's %Y is not, for years before 1000): these texts are
    # compared and sorted as strings, so every one must have the same shape.
    m = moment.astimezone(UTC)
    return (
        f"{m.year:04d}-{m.month:02d}-{m.day:02d}T"
        f"{m.hour:02d}:{m.minute:02d}:{m.second:02d}.{m.microsecond:06d}Z"
    )


def now_utc() -> datetime:
    return datetime.now(UTC)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def encode(payload: str) -> bytes:
    # surrogatepass: a page is kept exactly as sent, even with text no codec accepts.
    return payload.encode("utf-8", "surrogatepass")


def content_sha256(kind: str, captured_at: str, url: str | None, payload: str | bytes) -> str:
    """What makes a retry of a capture the same capture. Hashed in parts: no copy of the page."""
    digest = hashlib.sha256()
    for part in (kind, captured_at, url or ""):
        digest.update(encode(part) + b"\0")
    digest.update(payload if isinstance(payload, bytes) else encode(payload))
    return digest.hexdigest()


def _compress(payload: str | bytes) -> bytes:
    # Level 1: most of the gain for a fraction of the time, on the capture's hot path.
    return zlib.compress(payload if isinstance(payload, bytes) else encode(payload), 1)


def payload_text(capture: dict) -> str | None:
    blob = capture.get("payload")
    return zlib.decompress(blob).decode("utf-8", "surrogatepass") if blob is not None else None
