"""Where the user learns when the last backup was made: the settings page, `status`, the API."""

from datetime import UTC, datetime

from bs4 import BeautifulSoup

from companion.cli import cli
from companion.store import backups
from tests.helpers_api import auth

BASE = "http://127.0.0.1:47613"


def _backups_section(client) -> str:
    response = client.get("/settings", base_url=BASE)
    assert response.status_code == 200
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return " ".join(soup.find(id="backups-title").parent.get_text(" ").split())


def test_the_settings_page_says_when_the_last_backup_was_made(app, client):
    data_dir = app.config["DATA_DIR"]
    assert "No backup yet" in _backups_section(client)
    made = datetime(2026, 11, 30, 8, 15, tzinfo=UTC)
    path = backups.make_backup(data_dir, now=made)
    shown = _backups_section(client)
    assert f"Last backup: {made.astimezone():%Y-%m-%d %H:%M}" in shown
    assert str(path.parent) in shown
    assert "7 daily, 4 weekly and 12 monthly" in shown


def test_status_and_the_api_name_the_last_backup(app, client, runner):
    data_dir = app.config["DATA_DIR"]
    result = runner.invoke(cli, ["status"])
    assert result.exit_code == 0, result.output
    assert "Last backup     none yet" in result.output
    older = backups.make_backup(data_dir, now=datetime(2026, 11, 1, 9, 0, tzinfo=UTC))
    newer = backups.make_backup(data_dir, now=datetime(2026, 11, 29, 9, 0, tzinfo=UTC))
    result = runner.invoke(cli, ["status"])
    assert result.exit_code == 0, result.output
    assert str(newer) in result.output and str(older) not in result.output
    status = client.get("/api/v1/status", headers=auth(data_dir)).get_json()
    assert status["last_backup"]["path"] == str(newer)
    assert status["last_backup"]["made_at"] == "2026-11-29T09:00:00.000000Z"
    assert status["last_backup"]["size"] == newer.stat().st_size > 0
