import os
import stat

import pytest

from companion import __version__
from companion.config import DEFAULT_PORT
from companion.web import create_app


def test_ping_identifies_the_companion_and_nothing_else(client):
    response = client.get("/api/v1/ping")
    assert response.status_code == 200
    assert response.get_json() == {"app": "ssi-companion", "version": __version__, "api": 1}


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.1:47613", "localhost", "localhost:8080"])
def test_loopback_hosts_are_served(client, host):
    assert client.get("/api/v1/ping", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize(
    "host", ["evil.example", "localhost.evil.example", "127.0.0.1.nip.io", "192.168.1.5:47613"]
)
@pytest.mark.parametrize("path", ["/api/v1/ping", "/", "/no-such-page"])
def test_foreign_host_is_refused_on_every_route(client, host, path):
    # DNS rebinding: a web page whose name now points at 127.0.0.1 still sends its own Host.
    assert client.get(path, headers={"Host": host}).status_code == 400


def test_empty_state_says_there_are_no_readings_and_how_to_get_one(client):
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No readings yet" in page
    assert "https://www.linkedin.com/sales/ssi" in page
    assert "ssi-companion token" in page


def test_html_pages_carry_security_headers(client):
    headers = client.get("/").headers
    assert headers["Content-Security-Policy"] == (
        "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    )
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"


def test_data_dir_is_created_owner_only(tmp_path):
    home = tmp_path / "deep" / "home"
    app = create_app({"HOME": str(home)})
    assert app.config["DATA_DIR"] == str(home)
    assert stat.S_IMODE(os.stat(home).st_mode) == 0o700


def test_existing_wide_data_dir_is_narrowed(tmp_path):
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    os.chmod(home, 0o755)
    create_app({"HOME": str(home)})
    assert stat.S_IMODE(os.stat(home).st_mode) == 0o700


def test_settings_layer_defaults_then_environment_then_arguments(tmp_path, monkeypatch):
    monkeypatch.delenv("SSI_COMPANION_PORT", raising=False)
    assert create_app({"HOME": str(tmp_path)}).config["COMPANION_CONFIG"]["PORT"] == DEFAULT_PORT
    monkeypatch.setenv("SSI_COMPANION_PORT", "50001")
    assert create_app({"HOME": str(tmp_path)}).config["COMPANION_CONFIG"]["PORT"] == 50001
    app = create_app({"HOME": str(tmp_path), "PORT": 50002})
    assert app.config["COMPANION_CONFIG"]["PORT"] == 50002


def test_data_dir_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SSI_COMPANION_HOME", str(tmp_path / "from-env"))
    assert create_app().config["DATA_DIR"] == str(tmp_path / "from-env")


def test_debug_is_never_on(app):
    assert app.debug is False


def test_create_app_starts_no_threads(tmp_path):
    import threading

    before = threading.active_count()
    create_app({"HOME": str(tmp_path)})
    assert threading.active_count() == before
