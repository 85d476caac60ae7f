"""Pairing that only the asking extension can finish, and the companion's proof of the token.

The extension makes a secret (the verifier), sends only its SHA-256 with its request (the
challenge) and presents the secret to collect the token: whoever else sees the request (its
id, code and origin, on the pairing page or in transit) cannot take the token. This is
PKCE's idea (RFC 7636), with a hex SHA-256. The user approves on the companion's signed-in
page, comparing the code with the one the extension's options page shows.

Pending requests live in memory only: they expire after two minutes, and a restart simply
asks the user to press "Pair" again. No Flask here; views and tests share it.
"""

import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass, field

EXPIRY_S = 120
RATE_WINDOW_S = 60
RATE_LIMIT = 5  # new requests per asking origin in RATE_WINDOW_S
# All origins together: past this, the oldest pending request expires to make room, so a
# flood can delay a user's pairing (press "Pair" again) but never take its token.
MAX_PENDING = 20
# Finished requests still answer their asker for a while; past either bound they are forgotten.
REMEMBER_S = EXPIRY_S * 5
MAX_REMEMBERED = 200

CHALLENGE = re.compile(r"[0-9a-f]{64}")  # hex SHA-256 of the verifier
VERIFIER = re.compile(r"[A-Za-z0-9._~-]{43,128}")  # RFC 7636's code_verifier: 256 bits or more
NONCE = re.compile(r"[0-9a-f]{32,128}")  # 128 to 512 bits, hex


class RateLimited(Exception):
    """More than RATE_LIMIT new requests from one origin in RATE_WINDOW_S."""


def challenge_of(verifier: str) -> str:
    return hashlib.sha256(verifier.encode("ascii")).hexdigest()


def proof(token: str, nonce: str) -> str:
    """HMAC-SHA256(token, nonce), hex: shows that we know the token without revealing it."""
    return hmac.new(token.encode("ascii"), nonce.encode("ascii"), hashlib.sha256).hexdigest()


@dataclass
class Request:
    id: str
    code: str
    origin: str
    challenge: str
    created: float
    # pending | approved | denied | expired (timed out, or pushed out by MAX_PENDING)
    # | replaced (the same origin asked again)
    status: str = "pending"
    delivered: bool = False

    def expires_in(self, now: float) -> int:
        return max(0, int(self.created + EXPIRY_S - now))

    def current_status(self, now: float) -> str:
        if self.status == "pending" and now >= self.created + EXPIRY_S:
            return "expired"
        return self.status

    def opened_by(self, verifier: str) -> bool:
        return hmac.compare_digest(challenge_of(verifier), self.challenge)


def _code() -> str:
    digits = f"{secrets.randbelow(1_000_000):06d}"
    return f"{digits[:3]}-{digits[3:]}"


@dataclass
class Pairings:
    """Requests by id; thread-safe, since waitress serves from several threads."""

    clock: object = time.monotonic
    _requests: dict = field(default_factory=dict)
    _started: dict = field(default_factory=dict)  # origin -> times of its recent requests
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _forget_old(self, now: float) -> None:
        started = {}
        for origin, times in self._started.items():
            recent = [t for t in times if now - t < RATE_WINDOW_S]
            if recent:
                started[origin] = recent
        self._started = started
        kept = {k: r for k, r in self._requests.items() if now - r.created < REMEMBER_S}
        finished = [r for r in kept.values() if r.current_status(now) != "pending"]
        for request in sorted(finished, key=lambda r: r.created)[:-MAX_REMEMBERED]:
            del kept[request.id]
        self._requests = kept

    def _pending(self, now: float) -> list[Request]:
        waiting = [r for r in self._requests.values() if r.current_status(now) == "pending"]
        return sorted(waiting, key=lambda r: r.created)

    def start(self, origin: str, challenge: str) -> Request:
        now = self.clock()
        with self._lock:
            self._forget_old(now)
            recent = self._started.setdefault(origin, [])
            if len(recent) >= RATE_LIMIT:
                raise RateLimited
            recent.append(now)
            # One pending request per origin: asking again replaces one's own earlier request.
            for other in self._pending(now):
                if other.origin == origin:
                    other.status = "replaced"
            waiting = self._pending(now)
            for oldest in waiting[: max(0, len(waiting) - MAX_PENDING + 1)]:
                oldest.status = "expired"
            codes = {r.code for r in self._pending(now)}
            code = _code()
            while code in codes:  # the user tells requests apart by their code
                code = _code()
            request = Request(secrets.token_urlsafe(16), code, origin, challenge, now)
            self._requests[request.id] = request
            return request

    def poll(self, request_id: str, origin: str, verifier: str, token_source) -> dict | None:
        """What the asker learns; the token only once. None for anyone without the verifier."""
        now = self.clock()
        with self._lock:
            request = self._requests.get(request_id)
            if request is None or request.origin != origin or not request.opened_by(verifier):
                return None
            status = request.current_status(now)
            answer = {"status": status}
            if status == "approved" and not request.delivered:
                answer["token"] = token_source()  # first: if it fails, it can be asked again
                request.delivered = True
            return answer

    def pending(self) -> list[Request]:
        now = self.clock()
        with self._lock:
            return self._pending(now)

    def decide(self, request_id: str, approve: bool) -> Request | None:
        now = self.clock()
        with self._lock:
            request = self._requests.get(request_id)
            if request is None or request.current_status(now) != "pending":
                return None
            request.status = "approved" if approve else "denied"
            return request
