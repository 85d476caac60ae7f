"""The extension's own unit tests (`node --test`, no npm packages needed) as part of the suite."""

import shutil
import subprocess

import pytest

from .conftest import REPO


def test_service_worker_logic_under_node():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (the extension's lint needs it too)")
    result = subprocess.run(
        [node, "--test", "test/"],
        cwd=REPO / "extension",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout
