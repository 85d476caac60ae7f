"""A full-page screenshot of the summary page with demo data, for the README.

    python -m tests.browser.screenshot [OUT]     (default: docs/screenshot.png)

Starts `ssi-companion serve --demo` on a free loopback port, photographs the page at 1100 px
wide with Debian's Chromium, stops the server and prints the PNG's path.
"""

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextlib.contextmanager
def demo_server(port: int, home: Path, log=subprocess.DEVNULL, timeout: float = 20):
    """`serve --demo` on 127.0.0.1:`port` until the block ends; yields the base URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "companion", "serve", "--demo", "--port", str(port)],
        env={**os.environ, "SSI_COMPANION_HOME": str(home)},
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the companion exited with {proc.returncode}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the companion did not listen on {port}") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main(argv: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    out = Path(argv[0]) if argv else REPO / "docs" / "screenshot.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory(prefix="ssi-screenshot-") as home:
        with demo_server(port, Path(home)) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1100, "height": 800})
                page.goto(base + "/", wait_until="networkidle")
                page.screenshot(path=str(out), full_page=True)
            finally:
                browser.close()
    print(out)


if __name__ == "__main__":
    main(sys.argv[1:])
