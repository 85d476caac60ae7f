"""`ssi-companion --help` and `status` start without the heavy libraries: they are imported
inside the commands that need them."""

import os
import subprocess
import sys

import pytest

HEAVY = ("bs4", "lxml", "pygal", "flask", "apscheduler")


@pytest.mark.parametrize("args", [["--help"], ["status"]])
def test_help_and_status_import_no_heavy_library(tmp_path, args):
    probe = (
        "import sys\n"
        "from companion.cli import cli\n"
        "try:\n"
        f"    cli({args!r}, prog_name='ssi-companion')\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, "SSI_COMPANION_HOME": str(tmp_path / "home")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout
