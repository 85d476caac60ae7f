"""A full-page screenshot of the summary page with demo data, for the README.

    python -m tests.browser.screenshot [OUT]     (default: docs/screenshot.png)

Starts `ssi-companion serve --demo` on a free loopback port, signs in as a user does (the link
`ssi-companion open --print` prints), photographs the page at 1100 px wide with Debian's
Chromium, stops the server and prints the PNG's path.
"""

import contextlib
import os
import re
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


SIGNIN_LINK = re.compile(r"http://127\.0\.0\.1:\d+/signin\?code=[A-Za-z0-9_-]{43}")
DEMO_LINE = re.compile(r"^Demo: \d+ made-up readings in (.+) \(removed on exit\)\.$", re.M)


def signin_link(data_dir: Path) -> str:
    """A one-time sign-in link, the way a user gets one: `ssi-companion open --print`."""
    printed = subprocess.run(
        [sys.executable, "-m", "companion", "open", "--print"],
        env={**os.environ, "SSI_COMPANION_HOME": str(data_dir)},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
    )
    if printed.returncode != 0:
        raise RuntimeError(f"ssi-companion open --print failed: {printed.stderr.strip()}")
    link = printed.stdout.strip().splitlines()[-1]
    if not SIGNIN_LINK.fullmatch(link):
        raise RuntimeError(f"ssi-companion open --print printed {link!r}, not a sign-in link")
    return link


def demo_data_dir(log_path: Path, timeout: float = 20) -> Path:
    """The temporary data directory that `serve --demo` names on its first line."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = DEMO_LINE.search(log_path.read_text() if log_path.exists() else "")
        if found:
            return Path(found.group(1))
        time.sleep(0.05)
    raise TimeoutError(f"serve --demo named no data directory in {log_path}")


@contextlib.contextmanager
def demo_server(port: int, home: Path, log=subprocess.DEVNULL, timeout: float = 20):
    """`serve --demo` on 127.0.0.1:`port` until the block ends; yields the base URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "companion", "serve", "--demo", "--port", str(port)],
        # Unbuffered: the demo's data directory is read from `log` while the server runs.
        env={**os.environ, "SSI_COMPANION_HOME": str(home), "PYTHONUNBUFFERED": "1"},
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
    with tempfile.TemporaryDirectory(prefix="ssi-screenshot-") as folder:
        log_path = Path(folder) / "serve.log"
        with (
            log_path.open("w") as log,
            demo_server(port, Path(folder) / "home", log=log) as base,
            sync_playwright() as p,
        ):
            link = signin_link(demo_data_dir(log_path))
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1100, "height": 800})
                page.goto(link)  # signed in, and sent on to the summary page
                page.wait_for_url(base + "/")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(out), full_page=True)
            finally:
                browser.close()
    print(out)


if __name__ == "__main__":
    main(sys.argv[1:])
