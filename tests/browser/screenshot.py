"""The README's pictures of the pages, from demo data and from a companion with one reading.

    python -m tests.browser.screenshot [OUT_DIR]     (default: docs/)

Writes, with Debian's Chromium, signed in as a user is (the link `ssi-companion open --print`
prints), each page loaded with its chart images:

    summary-light.png        `serve --demo` (a year of made-up readings), 1100 px, full page
    summary-dark.png         the same, prefers-color-scheme: dark
    summary-narrow.png       the same, light, 360 px wide (a phone)
    summary-one-reading.png  a fresh companion after `ssi-companion import` of a one-row CSV
    settings.png             /settings of the demo companion, light
    summary-it-narrow.png    the summary at 360 px for a browser asking for Italian
    settings-de.png          /settings for a browser asking for German, dark

Every server runs on a free loopback port and stops before the tool ends; their data
directories are temporary. The paths written are printed, one a line.
"""

import contextlib
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDE, NARROW = 1100, 360
# The tool reads what the companion prints ("Demo: ...", "Added 1 reading"): in English,
# whatever the system's language. The pages' language comes from each browser context.
ENGLISH = {"LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8"}


SIGNIN_LINK = re.compile(r"http://127\.0\.0\.1:\d+/signin\?code=[A-Za-z0-9_-]{43}")
DEMO_LINE = re.compile(r"^Demo: \d+ made-up readings in (.+) \(removed on exit\)\.$", re.M)
# A first visit as `ssi-companion export` writes it (and `import` reads it): one reading.
ONE_READING_HEADER = (
    "captured_at,total,total_displayed,brand,people,insights,relationships,"
    "industry_rank,network_rank,industry_avg,network_avg,industry"
)
ONE_READING_VALUES = "62.4,62,15.1,14.3,16.2,16.8,23,31,28.4,30.1,Software Development"


def _companion(args: list[str], home: Path, **run) -> subprocess.CompletedProcess:
    """`ssi-companion ARGS` with `home` as its data directory, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "companion", *args],
        env={**os.environ, **ENGLISH, "SSI_COMPANION_HOME": str(home)},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        **run,
    )


def signin_link(data_dir: Path) -> str:
    """A one-time sign-in link, the way a user gets one: `ssi-companion open --print`."""
    printed = _companion(["open", "--print"], data_dir)
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
def serving(port: int, home: Path, *extra: str, log=subprocess.DEVNULL, timeout: float = 20):
    """`serve --port PORT EXTRA` on 127.0.0.1 until the block ends; yields the base URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "companion", "serve", *extra, "--port", str(port)],
        # Unbuffered: the demo's data directory is read from `log` while the server runs.
        env={**os.environ, **ENGLISH, "SSI_COMPANION_HOME": str(home), "PYTHONUNBUFFERED": "1"},
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


def demo_server(port: int, home: Path, log=subprocess.DEVNULL, timeout: float = 20):
    """`serve --demo` on 127.0.0.1:`port` until the block ends; yields the base URL."""
    return serving(port, home, "--demo", log=log, timeout=timeout)


def import_one_reading(home: Path, folder: Path) -> None:
    """A companion that has seen one visit: `ssi-companion import` of a one-row CSV."""
    # Two hours ago, so that the page shows a fresh reading rather than a reminder to visit.
    moment = (datetime.now().astimezone() - timedelta(hours=2)).isoformat(timespec="seconds")
    csv_path = folder / "one-reading.csv"
    csv_path.write_text(f"{ONE_READING_HEADER}\n{moment},{ONE_READING_VALUES}\n", encoding="utf-8")
    imported = _companion(["import", str(csv_path)], home)
    if imported.returncode != 0 or "Added 1 reading" not in imported.stdout:
        raise RuntimeError(f"ssi-companion import failed: {imported.stdout}{imported.stderr}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def photograph(browser, link: str, base: str, path: str, out: Path, **context) -> Path:
    """Sign in with `link` in a fresh context, open `path` and save the full page as `out`."""
    ctx = browser.new_context(**{"viewport": {"width": WIDE, "height": 800}, **context})
    try:
        page = ctx.new_page()
        page.goto(link)  # signed in, and sent on to the summary page
        page.wait_for_url(base + "/")
        if path != "/":
            page.goto(base + path)
        page.wait_for_load_state("networkidle")
        # The charts are <img> elements: photographed once each has decoded, or failed.
        page.wait_for_function("() => [...document.images].every((img) => img.complete)")
        page.screenshot(path=str(out), full_page=True)
    finally:
        ctx.close()
    return out


def demo_pictures(browser, out_dir: Path, folder: Path) -> list[Path]:
    log_path = folder / "demo-serve.log"
    with log_path.open("w") as log, demo_server(free_port(), folder / "demo", log=log) as base:
        data_dir = demo_data_dir(log_path)
        phone = {"width": NARROW, "height": 800}
        shots = [
            ("/", "summary-light.png", {"color_scheme": "light"}),
            ("/", "summary-dark.png", {"color_scheme": "dark"}),
            ("/", "summary-narrow.png", {"color_scheme": "light", "viewport": phone}),
            ("/settings", "settings.png", {"color_scheme": "light"}),
            # Playwright's locale is the Accept-Language the pages follow.
            ("/", "summary-it-narrow.png", {"color_scheme": "light", "viewport": phone,
                                            "locale": "it-IT"}),
            ("/settings", "settings-de.png", {"color_scheme": "dark", "locale": "de-DE"}),
        ]  # fmt: skip
        return [
            photograph(browser, signin_link(data_dir), base, path, out_dir / name, **context)
            for path, name, context in shots
        ]


def one_reading_picture(browser, out_dir: Path, folder: Path) -> Path:
    home = folder / "one-reading"
    home.mkdir(mode=0o700)
    import_one_reading(home, folder)
    with serving(free_port(), home) as base:
        out = out_dir / "summary-one-reading.png"
        return photograph(browser, signin_link(home), base, "/", out, color_scheme="light")


def main(argv: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    out_dir = Path(argv[0]) if argv else REPO / "docs"
    out_dir.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="ssi-screenshot-") as tmp,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            written = demo_pictures(browser, out_dir, Path(tmp))
            written.append(one_reading_picture(browser, out_dir, Path(tmp)))
        finally:
            browser.close()
    for path in written:
        print(path)


if __name__ == "__main__":
    main(sys.argv[1:])
