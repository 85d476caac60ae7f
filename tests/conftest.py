import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

from companion.web import create_app

REPO = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
# Real SSI values, copied into the repository with their sources (data/real/README.md):
# the tests need nothing beside the clone.
REAL_FIXTURES = DATA / "real"

# The companion speaks the system's language where the user chose none: the tests (and the
# processes they start) run in English unless a test asks for another language.
for _name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_name, None)
os.environ["LANG"] = "C.UTF-8"


@pytest.fixture(autouse=True)
def _english_unless_asked():
    """A CLI command run in-process (CliRunner) activates its language in the test's own
    context: the next test starts in English again."""
    from companion import i18n

    with i18n.use(i18n.DEFAULT):
        yield


# Every test under these folders of tests/ carries the mark, so a new test there has it too;
# other slow tests are marked one by one. A quick run: pytest -m "not browser and not slow".
FOLDER_MARKS = {"browser": pytest.mark.browser, "processes": pytest.mark.slow}


@pytest.hookimpl(tryfirst=True)  # before -m deselects by mark
def pytest_collection_modifyitems(items):
    for item in items:
        try:
            folder = item.path.resolve().relative_to(TESTS).parts[0]
        except ValueError:  # a test outside tests/
            continue
        if folder in FOLDER_MARKS:
            item.add_marker(FOLDER_MARKS[folder])


# In CI every run tries the same examples, so a red build is one anyone can reproduce;
# developers' runs stay random and keep finding new cases.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fresh data directory, also set in the environment for code that reads it there."""
    path = tmp_path / "home"
    monkeypatch.setenv("SSI_COMPANION_HOME", str(path))
    return path


@pytest.fixture
def app(home):
    return create_app({"HOME": str(home), "TESTING": True})


def sign_in(app, client) -> str:
    """What `ssi-companion open` and the sign-in link do, for a test client: a session."""
    from companion import store
    from companion.store import sessions
    from companion.web.signin import COOKIE

    with store.connection(app.config["DATA_DIR"]) as db:
        session_id = sessions.redeem_code(db, sessions.mint_code(db))
    # Tests address the app as localhost and as 127.0.0.1:47613; the cookie is host-only.
    for domain in ("localhost", "127.0.0.1"):
        client.set_cookie(COOKIE, session_id, domain=domain)
    return session_id


@pytest.fixture
def client(app):
    """A browser signed in to the companion's pages (the API needs its token regardless)."""
    signed_in = app.test_client()
    sign_in(app, signed_in)
    return signed_in


@pytest.fixture
def anonymous(app):
    """Anyone else on the machine: no session cookie."""
    return app.test_client()


@pytest.fixture
def runner(home):
    return CliRunner()


def require_system_package(path: str, package: str) -> None:
    """Skip when a Debian package is missing, naming it; in CI (.ci/run) fail instead."""
    if Path(path).exists():
        return
    skip_outside_ci(
        f"{path} is missing: install the Debian package with `apt-get install -y {package}`"
    )


def skip_outside_ci(message: str) -> None:
    """Skip with `message` on a developer's machine; in CI (.ci/run) fail instead."""
    if os.environ.get("SSI_REQUIRE_SYSTEM_PACKAGES") or os.environ.get("CI"):
        pytest.fail(message + " (CI must run this test, not skip it)")
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """A real `ssi-companion serve` in its own process, on a free loopback port."""

    def __init__(self, home: Path, port: int | None = None):
        self.home = home
        self.port = port or free_port()
        self.proc = None

    def start(self, wait: bool = True):
        env = {**os.environ, "SSI_COMPANION_HOME": str(self.home)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "companion", "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.proc.communicate()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise TimeoutError("server did not start")

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        # Also when a test ended the process itself: read what is left and close the pipes.
        # proc.communicate() still gives the whole output afterwards, for tests that want it.
        try:
            self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:  # a child of its own still holds the pipes
            for pipe in (self.proc.stdout, self.proc.stderr):
                pipe.close()


@pytest.fixture
def server(tmp_path):
    proc = ServerProcess(tmp_path / "server-home").start()
    yield proc
    proc.stop()
