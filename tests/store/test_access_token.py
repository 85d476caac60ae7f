"""The token file: made once, 0600, replaced only by `token --rotate`, never by a running server.

A token that a server made up on its own would lock the paired extension out without a word;
so would one that silently replaced a damaged file. Start-up and the CLI say what is wrong
and what to run; a running server refuses (401) and says why in its log, once.
"""

import logging
import os
import threading

import pytest

from companion.cli import cli
from companion.store import access_token as token
from tests.conftest import ServerProcess, free_port
from tests.helpers_api import capture_body, post_json
from tests.helpers_process import cli as run_cli
from tests.helpers_process import ok, recent, refused


def _post(port: int, secret: str) -> int:
    body = capture_body(captured_at=recent(1))
    return post_json(port, body, {"Authorization": f"Bearer {secret}"})[0]


# -- start-up and the CLI -----------------------------------------------------------------------


def test_first_run_makes_an_owner_only_token_and_keeps_it(tmp_path):
    first = token.get(tmp_path)
    assert len(first) >= 32 and token.get(tmp_path) == first == token.read(tmp_path)
    assert (tmp_path / token.TOKEN_FILE).stat().st_mode & 0o777 == 0o600
    assert sorted(os.listdir(tmp_path)) == [token.TOKEN_FILE], "no temporary file left behind"


def test_two_first_runs_at_once_agree_on_one_token(tmp_path):
    for attempt in range(20):
        data_dir = tmp_path / str(attempt)
        data_dir.mkdir()
        start, seen = threading.Barrier(4), []

        def first_run(data_dir=data_dir, start=start, seen=seen):
            start.wait()
            seen.append(token.get(data_dir))

        threads = [threading.Thread(target=first_run) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(set(seen)) == 1 and seen[0] == token.read(data_dir)


def test_a_token_that_is_a_folder_is_a_clear_error_for_get_and_rotate(tmp_path):
    (tmp_path / token.TOKEN_FILE).mkdir()
    for make in (token.get, token.rotate):
        with pytest.raises(token.TokenError, match="is a folder, not a file: move it away"):
            make(tmp_path)
    assert (tmp_path / token.TOKEN_FILE).is_dir()
    assert token.read(tmp_path) is None


def test_a_fifo_in_the_tokens_place_blocks_nothing_and_rotate_replaces_it(tmp_path):
    os.mkfifo(tmp_path / token.TOKEN_FILE)
    with pytest.raises(token.TokenError, match="not a regular file"):
        token.get(tmp_path)
    assert token.read(tmp_path) is None
    assert token.rotate(tmp_path) == token.get(tmp_path)


def test_the_cli_says_what_to_run_for_a_damaged_token_and_rotate_fixes_it(runner, home):
    home.mkdir()
    (home / token.TOKEN_FILE).write_text("not a token\n")
    result = runner.invoke(cli, ["token"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.startswith("Error: the token file ")
    assert "ssi-companion token --rotate" in result.output
    assert (home / token.TOKEN_FILE).read_text() == "not a token\n"
    rotated = runner.invoke(cli, ["token", "--rotate"])
    assert rotated.exit_code == 0, rotated.output
    assert rotated.stdout.strip() == token.get(home)


def test_serve_with_a_token_folder_exits_1_at_start_up(tmp_path):
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    (home / token.TOKEN_FILE).mkdir()
    message = refused(run_cli(home, "serve", "--port", free_port(), timeout=30), "serve")
    assert f"the token file {home / token.TOKEN_FILE} is a folder" in message


# -- while serving: read, never write -------------------------------------------------------------


def test_read_and_matches_never_make_a_token(tmp_path):
    assert token.read(tmp_path) is None
    assert not token.matches(tmp_path, "x" * 43)
    assert not (tmp_path / token.TOKEN_FILE).exists()


def test_a_missing_token_is_logged_once_without_any_token(tmp_path, caplog):
    secret = token.get(tmp_path)
    (tmp_path / token.TOKEN_FILE).unlink()
    with caplog.at_level(logging.INFO, logger="companion.token"):
        for _ in range(3):
            assert not token.matches(tmp_path, secret)
    [record] = caplog.records
    assert "is missing" in record.getMessage() and "401" in record.getMessage()
    assert secret not in caplog.text
    # Once the token is back, the next problem is logged again.
    token.rotate(tmp_path)
    assert token.read(tmp_path) is not None
    (tmp_path / token.TOKEN_FILE).write_text("hunter2 is no token")
    with caplog.at_level(logging.INFO, logger="companion.token"):
        assert not token.matches(tmp_path, "hunter2 is no token")
    assert "holds no token" in caplog.records[-1].getMessage()
    assert "hunter2" not in caplog.text, "what the file holds is never logged"


def test_a_token_deleted_under_a_running_server_refuses_until_rotate(tmp_path):
    home = tmp_path / "home"
    server = ServerProcess(home).start()
    try:
        secret = token.get(home)
        assert _post(server.port, secret) == 201
        (home / token.TOKEN_FILE).unlink()
        for _ in range(3):
            assert _post(server.port, secret) == 401
        assert not (home / token.TOKEN_FILE).exists(), "the server made a token up"
        log = (home / "companion.log").read_text(encoding="utf-8")
        assert log.count("companion.token") == 1, log
        assert f"the token file {home / token.TOKEN_FILE} is missing" in log
        assert "ssi-companion token --rotate" in log and secret not in log

        new_secret = ok(run_cli(home, "token", "--rotate")).stdout.strip()
        assert new_secret != secret
        assert _post(server.port, new_secret) == 201
        assert _post(server.port, secret) == 401
        assert new_secret not in (home / "companion.log").read_text(encoding="utf-8")
    finally:
        server.stop()
