"""Round trip of POST /api/v1/captures against a running server, beside the parse alone."""

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from companion.parse import parse_page
from companion.store import access_token as token

from .pages import big_page, check_reading, main_region
from .timing import measure, ms, p50, percentile

GOAL_OVERHEAD = 0.30
WARMUP = 3


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_server(home: Path, port: int) -> subprocess.Popen:
    # Its error output goes to a file, not a pipe: nobody reads a pipe while it runs, and a
    # full one would stall the server mid-benchmark.
    errors = home / "serve-stderr.txt"
    with errors.open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "companion", "serve", "--port", str(port)],
            env={**os.environ, "SSI_COMPANION_HOME": str(home)},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    proc.wait()
    raise RuntimeError(f"the companion did not start:\n{errors.read_text()[-2000:]}")


def _poster(port: int, secret: str, html: str, count: int):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    # Bodies are encoded before the clock starts: the client's JSON work is not the server's.
    bodies = iter(
        [
            json.dumps(
                {
                    "id": str(uuid.uuid4()),
                    "captured_at": "2026-11-26T10:00:00+01:00",
                    "url": "https://www.linkedin.com/sales/ssi",
                    "html": html,
                }
            ).encode()
            for _ in range(count)
        ]
    )

    def post():
        conn.request("POST", "/api/v1/captures", body=next(bodies), headers=headers)
        response = conn.getresponse()
        answer = response.read()
        if response.status != 201:  # a refused capture would time the wrong work
            raise RuntimeError(f"POST /api/v1/captures answered {response.status}: {answer[:500]}")

    return post


def _interleaved(parse, post, repeat: int):
    """Alternate the two, so that both see the same machine (load, clock speed) at once."""
    for _ in range(WARMUP):
        parse()
        post()
    parses, posts = [], []
    for _ in range(repeat):
        parses += measure(parse, 1, warmup=0)
        posts += measure(post, 1, warmup=0)
    return parses, posts


def run(repeat: int = 200) -> dict:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        home, port = Path(tmp), _free_port()
        proc = _start_server(home, port)
        try:
            secret = token.get(home)
            for label, html in (("400 KB page", big_page()), ("main region", main_region())):
                check_reading(parse_page(html))
                parses, samples = _interleaved(
                    lambda html=html: parse_page(html),
                    _poster(port, secret, html, repeat + WARMUP),
                    repeat,
                )
                parse = p50(parses)
                trip50, trip99 = p50(samples), percentile(samples, 99)
                overhead = trip50 / parse - 1
                verdict = "ok" if overhead <= GOAL_OVERHEAD else "MISSED"
                print(f"POST /api/v1/captures, {label} ({len(html) / 1000:.1f} KB)")
                print(f"  parse_page alone        p50 {ms(parse)}")
                print(f"  round trip              p50 {ms(trip50)}  p99 {ms(trip99)}")
                print(
                    f"  server + storage add {overhead * 100:.0f}% at p50 "
                    f"(goal <= {GOAL_OVERHEAD * 100:.0f}%) {verdict}"
                )
                results[label] = {"parse": parse, "p50": trip50, "p99": trip99}
        finally:
            proc.terminate()
            proc.wait(10)
    return results
