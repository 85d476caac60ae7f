"""`make run` for a newcomer: what it prints, in the order they need it.

The real `make run` in this checkout, with its own data directory, port and config home, so it
touches nothing of the user running the tests.
"""

import os
import re
import signal
import subprocess
import time

from tests.conftest import REPO, free_port


def test_make_run_prints_data_dir_link_extension_steps_and_autostart_in_that_order(tmp_path):
    home = tmp_path / "data"
    port = free_port()
    env = {
        **os.environ,
        "SSI_COMPANION_HOME": str(home),
        "SSI_COMPANION_PORT": str(port),
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "run"], cwd=REPO, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    lines = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if "autostart" in line.lower():
                break
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        rest, _ = proc.communicate(timeout=30)
    out = "\n".join(lines)
    assert "autostart" in out.lower(), out + rest
    folder = home / "extension" / "chrome"
    wanted = [
        f"Your data lives in {home}",
        f"Open your summary: http://127.0.0.1:{port}/signin?code=",
        f"The extension is in {folder}",
        "1. open chrome://extensions",
        "2. turn on Developer mode",
        f'3. click "Load unpacked" and choose {folder}',
        "ssi-companion autostart enable",
    ]
    positions = [out.find(text) for text in wanted]
    assert -1 not in positions, (wanted, out)
    assert positions == sorted(positions), out
    assert (folder / "manifest.json").is_file()
    # Nothing from a build backend, no make recipe echoed.
    assert not re.search(r"warning|\*{10}|ssi-companion serve$", out, re.IGNORECASE | re.M), out
