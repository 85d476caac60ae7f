"""One-click pairing: the extension asks, the user approves on the companion's own page.

Pending requests live in memory only: they expire after two minutes, and a restart simply
asks the user to press "Pair" again. No Flask here; views and tests share it.
"""

import secrets
import threading
import time
from dataclasses import dataclass, field

EXPIRY_S = 120
RATE_WINDOW_S = 60
RATE_LIMIT = 5


class RateLimited(Exception):
    """More than RATE_LIMIT new requests in RATE_WINDOW_S."""


@dataclass
class Request:
    id: str
    code: str
    origin: str
    created: float
    status: str = "pending"  # pending | approved | denied
    delivered: bool = False

    def expires_in(self, now: float) -> int:
        return max(0, int(self.created + EXPIRY_S - now))

    def current_status(self, now: float) -> str:
        if self.status == "pending" and now >= self.created + EXPIRY_S:
            return "expired"
        return self.status


def _code() -> str:
    digits = f"{secrets.randbelow(1_000_000):06d}"
    return f"{digits[:3]}-{digits[3:]}"


@dataclass
class Pairings:
    """Requests by id; thread-safe, since waitress serves from several threads."""

    clock: object = time.monotonic
    _requests: dict = field(default_factory=dict)
    _started: list = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _forget_old(self, now: float) -> None:
        self._started = [t for t in self._started if now - t < RATE_WINDOW_S]
        self._requests = {k: r for k, r in self._requests.items() if now - r.created < EXPIRY_S * 5}

    def start(self, origin: str) -> Request:
        now = self.clock()
        with self._lock:
            self._forget_old(now)
            if len(self._started) >= RATE_LIMIT:
                raise RateLimited
            self._started.append(now)
            # One pending request per origin: asking again replaces the earlier one.
            for other in self._requests.values():
                if other.origin == origin and other.status == "pending":
                    other.status = "denied"
            request = Request(secrets.token_urlsafe(16), _code(), origin, now)
            self._requests[request.id] = request
            return request

    def poll(self, request_id: str, origin: str, token_source) -> dict | None:
        """What the asking origin learns; the token only once. None for anyone else."""
        now = self.clock()
        with self._lock:
            request = self._requests.get(request_id)
            if request is None or request.origin != origin:
                return None
            status = request.current_status(now)
            answer = {"status": status}
            if status == "approved" and not request.delivered:
                request.delivered = True
                answer["token"] = token_source()
            return answer

    def pending(self) -> list[Request]:
        now = self.clock()
        with self._lock:
            return [r for r in self._requests.values() if r.current_status(now) == "pending"]

    def decide(self, request_id: str, approve: bool) -> Request | None:
        now = self.clock()
        with self._lock:
            request = self._requests.get(request_id)
            if request is None or request.current_status(now) != "pending":
                return None
            request.status = "approved" if approve else "denied"
            return request
