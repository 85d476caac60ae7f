"""When the extension last connected: noted by the guard for an extension's origin with the
token only, a tiny file written at most once a minute, and shown by doctor."""

import errno
import json
import os
import time
from pathlib import Path

import pytest

from companion.store import access_token as token
from companion.store import extension_contact
from tests.doctor.helpers import doctor, line_of
from tests.helpers_api import EXTENSION_ORIGIN, MOZ_ORIGIN, auth

CONTACT = extension_contact.CONTACT_FILE


@pytest.fixture
def data_dir(app):
    return Path(app.config["DATA_DIR"])


@pytest.fixture
def api(app):
    """The extension's side: no session, only what it sends."""
    return app.test_client()


def status(api, headers):
    return api.get("/api/v1/status", headers=headers)


def contact_file(data_dir):
    return data_dir / CONTACT


@pytest.mark.parametrize("origin, browser", [(EXTENSION_ORIGIN, "chrome"), (MOZ_ORIGIN, "firefox")])
def test_an_extension_with_the_token_is_noted(api, data_dir, origin, browser):
    assert status(api, auth(data_dir, Origin=origin)).status_code == 200
    record = json.loads(contact_file(data_dir).read_text())
    assert set(record) == {"at", "browser"}
    assert record["browser"] == browser
    assert extension_contact.last(data_dir) == record
    assert oct(contact_file(data_dir).stat().st_mode & 0o777) == "0o600"
    assert token.get(data_dir) not in contact_file(data_dir).read_text()


def test_then_doctor_shows_it(api, data_dir, home):
    assert status(api, auth(data_dir, Origin=EXTENSION_ORIGIN)).status_code == 200
    result = doctor()
    assert line_of(result.output, "Extension") == (
        "✓ Extension: chrome, last connected "
        f"{_local(extension_contact.last(data_dir)['at'])}, just now"
    )


def _local(at: str) -> str:
    from datetime import datetime

    return f"{datetime.fromisoformat(at).astimezone():%Y-%m-%d %H:%M}"


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": EXTENSION_ORIGIN},  # no token
        {"Origin": EXTENSION_ORIGIN, "Authorization": "Bearer " + "x" * 43},  # a wrong one
    ],
)
def test_an_extension_without_the_token_is_not_noted(api, data_dir, headers):
    assert status(api, headers).status_code == 401
    assert not contact_file(data_dir).exists()


@pytest.mark.parametrize(
    "origin, code",
    [
        ("https://evil.example", 403),  # a web page, even with the token
        ("http://127.0.0.1:47613", 200),  # our own page: not an extension
        (None, 200),  # the CLI, curl: no Origin at all
    ],
)
def test_a_request_from_anything_but_an_extension_is_not_noted(api, data_dir, origin, code):
    headers = auth(data_dir) if origin is None else auth(data_dir, Origin=origin)
    assert status(api, {**headers, "Host": "127.0.0.1:47613"}).status_code == code
    assert not contact_file(data_dir).exists()


def test_public_routes_are_not_a_contact(api, data_dir):
    assert api.get("/api/v1/ping", headers={"Origin": EXTENSION_ORIGIN}).status_code == 200
    assert not contact_file(data_dir).exists()


def test_a_burst_writes_the_file_once_a_minute(api, data_dir):
    headers = auth(data_dir, Origin=EXTENSION_ORIGIN)
    assert status(api, headers).status_code == 200
    first = contact_file(data_dir).stat()
    for _ in range(5):
        assert status(api, headers).status_code == 200
    assert contact_file(data_dir).stat().st_ino == first.st_ino  # never replaced
    # A minute on, the next request notes the contact again.
    past = time.time() - extension_contact.THROTTLE_S - 1
    os.utime(contact_file(data_dir), (past, past))
    assert status(api, auth(data_dir, Origin=MOZ_ORIGIN)).status_code == 200
    assert contact_file(data_dir).stat().st_ino != first.st_ino
    assert extension_contact.last(data_dir)["browser"] == "firefox"


def test_a_contact_that_cannot_be_written_never_fails_the_request(api, data_dir, monkeypatch):
    def full(data_dir, origin):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(extension_contact, "note", full)
    assert status(api, auth(data_dir, Origin=EXTENSION_ORIGIN)).status_code == 200


def test_a_failed_write_leaves_nothing_behind(tmp_path, monkeypatch):
    def full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OSError):
        extension_contact.note(tmp_path, EXTENSION_ORIGIN)
    assert list(tmp_path.iterdir()) == []


def test_note_ignores_anything_but_an_extension(tmp_path):
    for origin in ("https://www.linkedin.com", "http://127.0.0.1:47613", "", "null"):
        assert extension_contact.note(tmp_path, origin) is False
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not json",
        b"[]",
        b'{"at": "yesterday", "browser": "chrome"}',
        b'{"at": "2026-11-26T10:00:00.000000Z", "browser": "netscape"}',
        b'{"at": 12, "browser": "chrome"}',
        b'{"browser": "chrome"}',
    ],
)
def test_a_file_that_is_not_ours_is_no_contact(tmp_path, content):
    (tmp_path / CONTACT).write_bytes(content)
    assert extension_contact.last(tmp_path) is None


def test_no_file_is_no_contact_and_last_makes_none(tmp_path):
    assert extension_contact.last(tmp_path / "missing") is None
    assert not (tmp_path / "missing").exists()
