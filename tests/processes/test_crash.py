"""A companion killed in the middle of a burst of captures loses no capture it acknowledged."""

import http.client
import json
import os
import signal
import sqlite3
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

from companion.store import access_token as token
from tests.conftest import DATA, ServerProcess

PAGE = (DATA / "current_en.html").read_text()
SSI_URL = "https://www.linkedin.com/sales/ssi"
BURST = 200
KILL_AFTER = 60


def _request(port, method, path, secret, body=None, timeout=10.0):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Authorization": f"Bearer {secret}"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _capture(capture_id: str, minute: int) -> dict:
    return {
        "id": capture_id,
        "captured_at": f"2026-05-01T{minute // 60:02d}:{minute % 60:02d}:00+02:00",
        "url": SSI_URL,
        "html": PAGE,
    }


def test_killed_mid_burst_keeps_every_acknowledged_capture(tmp_path):
    home = tmp_path / "home"
    first = ServerProcess(home).start()
    restarted = None
    try:
        secret = token.get(home)
        ids = [str(uuid.uuid4()) for _ in range(BURST)]
        acknowledged, failed = [], []
        lock = threading.Lock()
        answered = 0

        def post(index: int) -> None:
            nonlocal answered
            try:
                status, _ = _request(
                    first.port, "POST", "/api/v1/captures", secret, _capture(ids[index], index)
                )
            except (OSError, http.client.HTTPException):
                with lock:
                    failed.append(ids[index])  # expected once the server is gone
                return
            with lock:
                if 200 <= status < 300:
                    acknowledged.append(ids[index])
                else:
                    failed.append(ids[index])
                answered += 1
                if answered == KILL_AFTER:
                    os.kill(first.proc.pid, signal.SIGKILL)

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(post, range(BURST)))
        first.proc.wait(10)
        assert first.proc.returncode == -signal.SIGKILL
        assert len(acknowledged) >= KILL_AFTER - 8  # the first answers were all successes
        assert failed, "the kill came after the burst: nothing was interrupted"

        restarted = ServerProcess(home, port=first.port).start()
        status, body = _request(restarted.port, "GET", "/api/v1/captures?limit=100000", secret)
        assert status == 200
        stored = {c["id"]: c for c in json.loads(body)["captures"]}
        missing = [i for i in acknowledged if i not in stored]
        assert not missing, f"{len(missing)} acknowledged capture(s) lost: {missing[:3]}"
        assert all(stored[i]["status"] == "ok" for i in acknowledged)
        status, body = _request(restarted.port, "GET", "/api/v1/readings?limit=100000", secret)
        assert status == 200
        with_reading = {r["capture_id"] for r in json.loads(body)["readings"]}
        assert set(acknowledged) <= with_reading
        # Whatever else made it in before the kill is whole too: no capture without its reading.
        assert with_reading == set(stored)

        # The restarted companion takes new captures.
        new_id = str(uuid.uuid4())
        status, body = _request(
            restarted.port, "POST", "/api/v1/captures", secret, _capture(new_id, BURST + 1)
        )
        assert status == 201, body
        answer = json.loads(body)
        assert answer["capture"]["id"] == new_id
        assert answer["reading"]["total"] == 19.706
        # A retry of a capture acknowledged before the kill is still recognised as one.
        retry = ids.index(acknowledged[0])
        status, _ = _request(
            restarted.port, "POST", "/api/v1/captures", secret, _capture(ids[retry], retry)
        )
        assert status == 200

        conn = sqlite3.connect(home / "ssi.db")
        try:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        finally:
            conn.close()
    finally:
        first.stop()
        if restarted is not None:
            restarted.stop()
