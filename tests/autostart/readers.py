"""The platforms' own readers of what enable writes: systemd-analyze for the unit, GLib (what
GNOME starts autostart entries with) for the desktop entry."""

import json
import os
import subprocess
from pathlib import Path

SYSTEM_PYTHON = "/usr/bin/python3"
# Debian's python3-gi, for Debian's own Python (the venv cannot import it).
GI = "/usr/lib/python3/dist-packages/gi/__init__.py"


def systemd_verify(unit: Path, tmp_path: Path) -> tuple[int, str]:
    """`systemd-analyze --user verify`: its exit code and everything it printed."""
    # --user wants a runtime directory, which a login would have made.
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    done = subprocess.run(
        ["systemd-analyze", "--user", "verify", str(unit)],
        capture_output=True,
        text=True,
        env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)},
        timeout=60,
    )
    # Unknown keys and bad quoting are only warnings for systemd: so is anything printed.
    return done.returncode, done.stdout + done.stderr


def glib_argv(entry: Path) -> list[str]:
    """The argv that GLib starts for a desktop entry (field codes: %% is the only one ours has)."""
    script = (
        "import gi, json, sys\n"
        "gi.require_version('Gio', '2.0')\n"
        "from gi.repository import Gio, GLib\n"
        "app = Gio.DesktopAppInfo.new_from_filename(sys.argv[1])\n"
        "ok, argv = GLib.shell_parse_argv(app.get_commandline().replace('%%', '%'))\n"
        "print(json.dumps(argv))\n"
    )
    done = subprocess.run(
        [SYSTEM_PYTHON, "-c", script, str(entry)], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
