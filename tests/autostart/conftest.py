import pytest

from tests.autostart.isolation import isolate


@pytest.fixture(autouse=True)
def user(tmp_path, monkeypatch):
    """Every test here has a HOME and XDG_CONFIG_HOME of its own (isolation.isolate)."""
    return isolate(tmp_path, monkeypatch)
