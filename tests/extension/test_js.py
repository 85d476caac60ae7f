"""The extension's own unit tests (`node --test`, no npm packages needed) as part of the suite.

They load the worker's modules from extension/, and vocabulary.js (which only the build
writes, from companion.reading) from an extension built here.
"""

import json
import os
import shlex
import shutil
import subprocess

from companion.extension_build import build
from tests.conftest import REPO, require_system_package


def npm_test_command(node: str) -> list[str]:
    """`npm test` as package.json spells it (node and its flags), without needing npm."""
    scripts = json.loads((REPO / "extension" / "package.json").read_text())["scripts"]
    command = shlex.split(scripts["test"])
    assert command[0] == "node", scripts["test"]
    return [node, *command[1:]]


def test_service_worker_logic_under_node(tmp_path):
    require_system_package(shutil.which("node") or "/usr/bin/node", "nodejs")
    node = shutil.which("node")
    folder, _ = build("chrome", tmp_path)
    result = subprocess.run(
        npm_test_command(node),
        cwd=REPO / "extension",
        env={**os.environ, "SSI_EXTENSION_DIR": str(folder)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout
