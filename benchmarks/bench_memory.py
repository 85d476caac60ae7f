"""The companion's resident memory after a day's work: a real `ssi-companion serve` takes
1,000 captures through the API (with its token, as the extension sends them), then shows the
summary page and its charts. Beside a bare `python -c "import flask, sqlite_utils, pygal"`,
measured in the same run: what the libraries cost before the companion adds anything."""

import subprocess
import sys
import tempfile
from pathlib import Path

from companion import store
from companion.store import access_token as token

from .bench_capture import _free_port, _poster, _start_server
from .bench_page import CHARTS, _getter, _signed_in
from .pages import main_region

GOAL_MB = 60
CAPTURES = 1000
_BARE = (
    "import flask, sqlite_utils, pygal\n"
    "print(next(l for l in open('/proc/self/status') if l.startswith('VmRSS')).split()[1])"
)


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def _bare_kb() -> int:
    done = subprocess.run([sys.executable, "-c", _BARE], capture_output=True, text=True, check=True)
    return int(done.stdout.strip())


def run() -> dict:
    if not Path("/proc/self/status").exists():
        print("Memory: skipped (no /proc on this system)")
        return {}
    bare = _bare_kb()
    with tempfile.TemporaryDirectory() as tmp:
        home, port = Path(tmp), _free_port()
        proc = _start_server(home, port)
        try:
            post = _poster(port, token.get(home), main_region(), CAPTURES)
            for _ in range(CAPTURES):
                post()
            with store.connection(str(home)) as db:
                get = _getter(port, _signed_in(port, db))
            get("/?range=all")
            for name in CHARTS:
                get(f"/charts/{name}.svg?range=all")
            companion = rss_kb(proc.pid)
        finally:
            proc.terminate()
            proc.wait(10)
    verdict = "ok" if companion / 1024 <= GOAL_MB else "MISSED"
    print(f"Resident memory (VmRSS) after {CAPTURES:,} captures, the page and its charts")
    print(f"  bare python -c 'import flask, sqlite_utils, pygal'  {bare / 1024:.1f} MB")
    print(
        f"  ssi-companion serve                                 {companion / 1024:.1f} MB "
        f"(goal <= {GOAL_MB} MB) {verdict}; {companion / bare:.2f}x the bare imports"
    )
    return {"bare_kb": bare, "companion_kb": companion}
