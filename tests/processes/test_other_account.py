"""Another account on the same machine learns and changes nothing (security.md, "L").

127.0.0.1 is open to every account. Here a real `serve` runs as root with a real history (a
CSV export imported, a capture posted by the "extension", a start-up backup), and
tests/probes/other_account.py attacks it as `nobody` (uid 65534, via setpriv) with only the
system Python's standard library. The probe reports every answer; these tests assert that
none of it holds the user's numbers, dates, token, pairing codes or a usable cookie, and,
as root, that nothing was stored or changed.
"""

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from companion import __version__, store
from companion.ingest import demo, exports
from companion.store import access_token as token
from companion.store import sessions
from companion.web.signin import COOKIE
from tests.conftest import REPO, ServerProcess, skip_outside_ci
from tests.helpers_api import CURRENT_EN, SSI_URL, raw_request

NOBODY = 65534
SETPRIV = "/usr/bin/setpriv"
SYSTEM_PYTHON = "/usr/bin/python3"
PROBE = REPO / "tests" / "probes" / "other_account.py"
PROBE_TIMEOUT_S = 60
# The user's extensions: one with a request left pending, one that pairs in test 4.
PENDING_EXT = "chrome-extension://" + "bcdefghijklmnopa" * 2
REAL_EXT = "chrome-extension://" + "abcdefghijklmnop" * 2
PAGES = [
    "/",
    "/?range=all",
    "/settings",
    "/pairing",
    "/charts/ssi.svg",
    "/charts/ranks.svg",
    "/export.csv",
    "/export.json",
]
FORMS = [
    "/settings/token",
    "/settings",
    "/settings/sign-out-everywhere",
    "/captures/00000000-0000-4000-8000-000000000000/read-again",
]


def _require(ok: bool, message: str) -> None:
    """Skip naming what is missing; in CI (.ci/run sets both variables) fail instead."""
    if not ok:
        skip_outside_ci(message)


@contextlib.contextmanager
def _as_the_user():
    """What every ssi-companion command does first: whatever it creates is owner-only."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


@dataclass
class Machine:
    base: Path  # world-traversable: only the data dir's own modes protect it
    home: Path
    server: ServerProcess
    probe: Path
    private: list = field(default_factory=list)  # strings no other account may ever see
    pending_code: str = ""

    @property
    def port(self) -> int:
        return self.server.port

    def probe_run(self, command: str, **args) -> dict:
        """The probe as nobody: no groups, no capabilities, a clean environment."""
        ran = subprocess.run(
            [SETPRIV, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
             SYSTEM_PYTHON, "-I", str(self.probe)],
            input=json.dumps({"command": command, "port": self.port, **args}),
            capture_output=True, text=True, timeout=PROBE_TIMEOUT_S, cwd=self.base,
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        )  # fmt: skip
        assert ran.returncode == 0, ran.stderr
        result = json.loads(ran.stdout)
        assert (result["uid"], result["gid"], result["groups"]) == (NOBODY, NOBODY, [])
        return result

    def db_counts(self) -> dict:
        with _as_the_user(), store.connection(self.home) as db:
            counted = store.counts(db)
            for table in ("sessions", "signin_codes", "settings"):
                counted[table] = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            counted["settings_rows"] = sorted(
                tuple(r) for r in db.execute("SELECT * FROM settings").fetchall()
            )
        return counted

    def sign_in(self) -> str:
        """The real user, over HTTP: a code only the data dir's owner can mint, then /signin."""
        with _as_the_user(), store.connection(self.home) as db:
            code = sessions.mint_code(db)
        status, headers, _ = raw_request(self.port, "GET", f"/signin?code={code}")
        assert status == 303
        return SimpleCookie(headers["Set-Cookie"])[COOKIE].value

    def page(self, session_id: str, method: str, path: str, fields: dict | None = None):
        headers = {"Cookie": f"{COOKIE}={session_id}"}
        body = None
        if fields is not None:
            body = "&".join(f"{k}={v}" for k, v in fields.items()).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
        return raw_request(self.port, method, path, headers, body)

    def extension(self, method: str, path: str, body: dict, origin: str, authorized=False):
        headers = {"Origin": origin, "Content-Type": "application/json"}
        if authorized:
            headers["Authorization"] = f"Bearer {token.get(self.home)}"
        status, _, answer = raw_request(self.port, method, path, headers, json.dumps(body).encode())
        return status, json.loads(answer or b"null")


def _start_pairing(machine: Machine, origin: str) -> tuple[dict, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = hashlib.sha256(verifier.encode()).hexdigest()
    status, answer = machine.extension("POST", "/api/v1/pairing", {"challenge": challenge}, origin)
    assert status == 201, answer
    return answer["pairing"], verifier


@pytest.fixture(scope="module")
def machine(tmp_path_factory):
    _require(os.geteuid() == 0, "running a probe as another account needs root (setpriv)")
    _require(
        Path(SETPRIV).exists(),
        f"{SETPRIV} is missing: install the Debian package with `apt-get install -y util-linux`",
    )
    _require(
        Path(SYSTEM_PYTHON).exists(),
        f"{SYSTEM_PYTHON} is missing: install the Debian package with `apt-get install -y python3`",
    )
    # Not under pytest's basetemp, which is 0700: nobody must reach the data dir itself.
    base = Path(tempfile.mkdtemp(prefix="ssi-other-account-"))
    os.chmod(base, 0o755)
    probe = base / "probe" / PROBE.name
    probe.parent.mkdir()
    # Set by chmod, not by mkdir's mode: an in-process CLI test may have left a 077 umask.
    os.chmod(probe.parent, 0o755)
    shutil.copyfile(PROBE, probe)
    os.chmod(probe, 0o644)
    home = base / "home"
    server = None
    try:
        # A real history: 30 days exported as CSV elsewhere and imported with the CLI ...
        scratch = tmp_path_factory.mktemp("export")
        with _as_the_user(), store.connection(scratch) as db:
            demo.fill(db, date.today() - timedelta(days=1), days=30)
            exported = store.list_readings(db)
        csv_file = scratch / "history.csv"
        csv_file.write_text(exports.export_csv(exported), encoding="utf-8")
        env = {**os.environ, "SSI_COMPANION_HOME": str(home)}
        imported = subprocess.run(
            [sys.executable, "-m", "companion", "import", str(csv_file)],
            env=env, capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        assert imported.returncode == 0, imported.stderr
        server = ServerProcess(home).start()
        machine = Machine(base, home, server, probe)
        # ... a capture the extension posts with its token ...
        captured_at = (datetime.now(UTC) - timedelta(minutes=5)).isoformat(timespec="seconds")
        capture = {"id": str(uuid.uuid4()), "captured_at": captured_at, "url": SSI_URL}
        status, answer = machine.extension(
            "POST", "/api/v1/captures", {**capture, "html": CURRENT_EN}, REAL_EXT, True
        )
        assert status == 201, answer
        # ... and the backup serve makes at start-up.
        deadline = time.monotonic() + 15
        while not list((home / "backups").glob("*.db")) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert list((home / "backups").glob("*.db")), "serve made no start-up backup"
        # An extension's request waits on the pairing page: its code is the user's too.
        pending, _ = _start_pairing(machine, PENDING_EXT)
        machine.pending_code = pending["code"]

        with _as_the_user(), store.connection(home) as db:
            readings = store.list_readings(db)
        assert len(readings) == len(exported) + 1
        for r in readings:
            machine.private += [f"{r['total']:.2f}", r["date"], r["capture_id"]]
            machine.private += [f"{r[p]:.2f}" for p in ("brand", "people", "insights")]
        machine.private += [demo.INDUSTRY, answer["reading"]["capture_id"], token.get(home)]
        machine.private += [pending["code"], pending["id"]]
        yield machine
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(base, ignore_errors=True)


def _leaks(machine: Machine, answers: list[dict], *also: str) -> list[str]:
    found = []
    for answer in answers:
        text = answer["body"] + json.dumps(answer["headers"])
        for secret in [*machine.private, __version__, *also]:
            if secret and secret in text:
                found.append(f"{answer['method']} {answer['path']} {answer['sent']}: {secret!r}")
    return found


def _cookies(answers: list[dict]) -> list[str]:
    return [f"{a['path']}: {v}" for a in answers for k, v in a["headers"] if k == "set-cookie"]


def _is_signed_out_page(answer: dict) -> bool:
    body = answer["body"]
    return "ssi-companion open" in body and "Open summary" in body and "csrf_token" not in body


# -- 1. pages, charts, exports ----------------------------------------------------------------


def test_every_page_chart_and_export_is_a_signed_out_page_for_another_account(machine):
    result = machine.probe_run("pages", paths=PAGES)
    answers = result["answers"]
    assert len(answers) == len(PAGES) * 6
    wrong = [f"{a['path']} {a['sent']}: {a['status']}" for a in answers if a["status"] != 401]
    assert wrong == []
    assert [a["path"] for a in answers if not _is_signed_out_page(a)] == []
    assert _leaks(machine, answers) == []
    assert _cookies(answers) == []
    assert [r["status"] for r in result["replayed"]] == []


# -- 2. the old attack: a CSRF value scraped from /settings, and the token with it -------------


def test_no_csrf_value_to_scrape_and_no_form_works_for_another_account(machine):
    session_id = machine.sign_in()  # the real user, signed in before and after the attack
    before = machine.db_counts()
    result = machine.probe_run("csrf", forms=FORMS)
    assert result["scraped"] == []
    answers = result["answers"]
    wrong = [f"{a['path']} {a['sent']}: {a['status']}" for a in answers if a["status"] != 401]
    assert wrong == []  # 401 before any form is checked: there is no session
    assert _leaks(machine, answers) == []
    assert "token-value" not in "".join(a["body"] for a in answers)
    assert _cookies(answers) == [] and result["replayed"] == []
    after = machine.db_counts()
    assert after == before  # no setting saved, no one signed out everywhere
    status, _, body = machine.page(session_id, "GET", "/settings")
    assert status == 200 and b"csrf_token" in body  # the user's own session still works


# -- 3. forged sign-in codes and session cookies ------------------------------------------------


def test_made_up_sign_in_codes_and_session_cookies_open_nothing(machine):
    before = machine.db_counts()
    result = machine.probe_run("signin", tries=10)
    assert [a["status"] for a in result["links"]] == [403] * 10
    assert all("already been used or has expired" in a["body"] for a in result["links"])
    assert [a["status"] for a in result["pages"]] == [401] * 30
    assert all(_is_signed_out_page(a) for a in result["pages"])
    assert _cookies(result["links"] + result["pages"]) == []
    assert _leaks(machine, result["links"] + result["pages"]) == []
    after = machine.db_counts()
    assert (after["sessions"], after["signin_codes"]) == (
        before["sessions"],
        before["signin_codes"],
    )


# -- 4. pairing: approving needs a session, collecting needs the verifier ----------------------


def test_another_account_can_neither_approve_a_pairing_nor_collect_the_token(machine):
    real, verifier = _start_pairing(machine, REAL_EXT)
    challenge = hashlib.sha256(verifier.encode()).hexdigest()

    attack = machine.probe_run("pair", other_ids=[real["id"]])
    assert attack["started"]["status"] == 201  # anyone may ask: the user decides
    own = attack["own"]
    wrong = [
        f"{a['path']} {a['sent']}: {a['status']}" for a in attack["approvals"] if a["status"] != 401
    ]
    assert wrong == []
    assert all(_is_signed_out_page(a) for a in attack["approvals"])
    assert _leaks(machine, attack["approvals"], real["code"]) == []
    assert attack["polled"]["status"] == 200
    assert json.loads(attack["polled"]["body"]) == {"status": "pending"}  # not approved

    session_id = machine.sign_in()
    status, _, pairing_page = machine.page(session_id, "GET", "/pairing")
    assert status == 200
    page = pairing_page.decode()
    assert real["code"] in page and own["code"] in page  # both still wait for the user
    csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)
    status, _, _ = machine.page(
        session_id, "POST", f"/pairing/{real['id']}/approve", {"csrf_token": csrf}
    )
    assert status == 303

    # The probe knows the id, the code, the origin and even the challenge (seen in transit).
    stolen = machine.probe_run(
        "steal", id=real["id"], origin=REAL_EXT, code=real["code"], challenge=challenge
    )
    the_token = token.get(machine.home)
    got = [a for a in stolen["answers"] if the_token in a["body"] or '"token"' in a["body"]]
    assert got == []
    assert _leaks(machine, stolen["answers"]) == []
    polls = [a for a in stolen["answers"] if a["path"] != "/api/v1/pairing"]
    assert {a["status"] for a in polls} <= {400, 404, 415}  # 415: a poll without a JSON body

    # The real extension, with its verifier, gets the token: the probe used nothing up.
    status, answer = machine.extension(
        "POST", f"/api/v1/pairing/{real['id']}", {"verifier": verifier}, REAL_EXT
    )
    assert (status, answer) == (200, {"status": "approved", "token": the_token})
    status, answer = machine.extension(
        "POST", f"/api/v1/pairing/{real['id']}", {"verifier": verifier}, REAL_EXT
    )
    assert (status, answer) == (200, {"status": "approved"})  # once only
    status, _, pairing_page = machine.page(session_id, "GET", "/pairing")
    assert own["code"] in pairing_page.decode()  # the probe's request: still only pending


# -- 5. the data dir ----------------------------------------------------------------------------


def test_the_data_dir_is_owner_only_and_another_account_can_open_nothing_in_it(machine):
    home = machine.home
    entries = sorted(home.rglob("*"))
    names = {p.relative_to(home).as_posix() for p in entries}
    assert {"ssi.db", "token", "companion.log", "backups"} <= names
    assert any(n.startswith("backups/") and n.endswith(".db") for n in names)
    modes = {}
    for path in [home, *entries]:
        try:
            info = path.lstat()
        except FileNotFoundError:
            continue  # a -wal or -shm that SQLite removed meanwhile
        assert info.st_uid == 0, path
        if stat.S_ISDIR(info.st_mode):
            modes[str(path)] = (stat.S_IMODE(info.st_mode), 0o700)
        elif stat.S_ISREG(info.st_mode):
            modes[str(path)] = (stat.S_IMODE(info.st_mode), 0o600)
    assert {p: oct(m) for p, (m, want) in modes.items() if m != want} == {}

    files = [str(p) for p in entries if p.is_file()]
    dirs = [str(home), *(str(p) for p in entries if p.is_dir())]
    pid = machine.server.proc.pid
    result = machine.probe_run(
        "files",
        read=[*files, f"/proc/{pid}/environ", f"/proc/{pid}/fd/1"],
        list=[*dirs, f"/proc/{pid}/fd"],
        stat=files,
        write=[str(home / "planted"), str(home / "backups" / "planted.db"), *files],
        readlink=[f"/proc/{pid}/fd/1", f"/proc/{pid}/cwd"],
    )
    tried = result["tried"]
    assert {k: v for k, v in tried.items() if v != "PermissionError"} == {}
    assert not (home / "planted").exists()
    # The files it could not read hold no secret either: no token, session or code in the log.
    log = (home / "companion.log").read_text(encoding="utf-8")
    assert token.get(home) not in log and machine.pending_code not in log


# -- 6. `ssi-companion open --print` as another account -----------------------------------------


@pytest.mark.parametrize("where", ["the running companion's", "behind a folder nobody enters"])
def test_open_print_as_another_account_is_an_error_without_a_link(machine, where):
    home = machine.home
    if where != "the running companion's":
        hidden = machine.base / "hidden"
        hidden.mkdir(mode=0o700, exist_ok=True)
        home = hidden / "home"
    venv_python = Path(sys.executable)
    # The venv's python if nobody may run it (a pyenv one under /root is not), else the system
    # Python on the same code: a package nobody installed for itself would be this code too.
    same_code = {"PYTHONPATH": f"{sysconfig.get_paths()['purelib']}:{REPO}"}
    before = machine.db_counts()
    result = machine.probe_run(
        "open",
        home=str(home),
        interpreters=[[str(venv_python), {}], [SYSTEM_PYTHON, same_code]],
    )
    if "unavailable" in result:
        skip_outside_ci(f"nobody can run the companion's code: {result['unavailable']}")
    output = result["stdout"] + result["stderr"]
    assert "Traceback" not in output, output
    assert result["returncode"] == 1, output
    assert result["stderr"].startswith("Error: "), output
    assert "/signin" not in output and "http://" not in output
    assert machine.db_counts()["signin_codes"] == before["signin_codes"]


# -- 7. the API without the token ---------------------------------------------------------------


def test_the_api_without_the_token_answers_401_and_stores_nothing(machine):
    before = machine.db_counts()
    captured_at = (datetime.now(UTC) - timedelta(minutes=1)).isoformat(timespec="seconds")
    capture = {"id": str(uuid.uuid4()), "captured_at": captured_at, "url": SSI_URL}
    result = machine.probe_run(
        "api",
        origin=REAL_EXT,
        gets=["/api/v1/readings", "/api/v1/readings/latest", "/api/v1/captures", "/api/v1/status"],
        posts=[["/api/v1/captures", {**capture, "html": CURRENT_EN}], ["/api/v1/signin-link", {}]],
    )
    answers = result["answers"]
    assert len(answers) == 5 * 6
    wrong = [f"{a['method']} {a['path']} {a['sent']}: {a['status']}" for a in answers]
    assert [w for w in wrong if not w.endswith(": 401")] == []
    assert _leaks(machine, answers) == []
    assert "/signin?code=" not in "".join(a["body"] for a in answers)
    assert machine.db_counts() == before
