"""The wheel and the sdist hold everything: built here, installed into a fresh venv away from
the repository, and used as a user would (serve, extension build, open --print, doctor,
autostart with a temporary HOME).

The venv installs the dependencies from the package index (pip's cache makes reruns quick);
the companion itself comes only from the wheel, which the test checks.
"""

import http.client
import json
import os
import subprocess
import sys
import tarfile
import time
import venv
import zipfile
from pathlib import Path

import pytest

from companion import __version__
from companion.extension_build import build as build_from_checkout
from companion.ping import who_answers
from tests.conftest import REPO, free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(REPO)],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    # No warning boxes from the build backend (setuptools printed several for this project).
    assert "warning" not in (built.stdout + built.stderr).lower()
    [wheel] = out.glob("*.whl")
    [sdist] = out.glob("*.tar.gz")
    return wheel, sdist


@pytest.fixture(scope="module")
def installed(dist, tmp_path_factory):
    """A fresh venv, in a folder that has nothing of the repository, with the wheel in it."""
    wheel, _ = dist
    place = tmp_path_factory.mktemp("user")
    env_dir = place / "venv"
    venv.create(env_dir, with_pip=True)
    subprocess.run(
        [env_dir / "bin" / "python", "-m", "pip", "install", "--quiet",
         "--disable-pip-version-check", str(wheel)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    return place, env_dir


def user_env(place: Path) -> dict:
    # A user of their own: HOME, config and data all in the temporary place, nothing of ours
    # on the path. And no session bus or user manager of the developer's: on a desktop,
    # `autostart enable` would otherwise enable a unit in their own systemd user session.
    session = ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SSI_", "PYTHON", "VIRTUAL")) and k not in session
    }
    env.update(HOME=str(place / "home"), XDG_CONFIG_HOME=str(place / "home" / ".config"),
               XDG_DATA_HOME=str(place / "home" / ".local" / "share"))  # fmt: skip
    (place / "home").mkdir(exist_ok=True)
    return env


def run(installed, *args, check=True):
    place, env_dir = installed
    result = subprocess.run(
        [env_dir / "bin" / "ssi-companion", *args],
        cwd=place, env=user_env(place), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_the_wheel_holds_the_extension_and_the_template_and_nothing_of_the_tooling(dist):
    wheel, _ = dist
    names = zipfile.ZipFile(wheel).namelist()
    assert "companion/bundled/manifest_template.json" in names
    assert "companion/bundled/extension/service-worker.js" in names
    assert "companion/bundled/extension/icons/icon-128.png" in names
    assert "companion/web/templates/summary.html" in names
    assert not [n for n in names if "node_modules" in n or "/test/" in n or "package" in n]
    assert not [n for n in names if n.startswith(("tests/", "extension/", "manifest_"))]
    assert any(n.endswith("licenses/LICENSE") for n in names)


def test_the_sdist_holds_what_the_wheel_is_built_from(dist):
    _, sdist = dist
    names = {n.split("/", 1)[1] for n in tarfile.open(sdist).getnames() if "/" in n}
    for needed in ("manifest_template.json", "extension/content.js", "LICENSE", "CHANGELOG.md",
                   "pyproject.toml", "README.md", "companion/reading.py"):  # fmt: skip
        assert needed in names
    assert not [n for n in names if "node_modules" in n]


def test_the_installed_companion_comes_from_the_wheel_with_the_version_of_its_metadata(installed):
    place, env_dir = installed
    where = subprocess.run(
        [env_dir / "bin" / "python", "-c", "import companion; print(companion.__file__)"],
        cwd=place, env=user_env(place), capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert where.startswith(str(env_dir)) and not where.startswith(str(REPO))
    assert run(installed, "--version").stdout.strip() == f"ssi-companion, version {__version__}"


@pytest.mark.parametrize("browser", ["chrome", "firefox"])
def test_extension_build_works_from_the_installed_package_into_the_data_directory(
    installed, browser, tmp_path
):
    place, env_dir = installed
    result = run(installed, "extension", "build", "--browser", browser)
    data = place / "home" / ".local" / "share" / "ssi-companion"
    folder = data / "extension" / browser
    assert f"Built the {browser} extension in {folder}" in result.stdout
    assert str(env_dir) not in result.stdout  # never inside site-packages
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["version"] == __version__
    # The same files as a build from the checkout, byte for byte.
    expected, _ = build_from_checkout(browser, tmp_path)
    shipped = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    wanted = {p.relative_to(expected): p.read_bytes() for p in expected.rglob("*") if p.is_file()}
    assert shipped == wanted


def test_serve_open_and_doctor_from_the_installed_package(installed):
    place, env_dir = installed
    port = free_port()
    env = user_env(place)
    proc = subprocess.Popen(
        [env_dir / "bin" / "ssi-companion", "serve", "--port", str(port)],
        cwd=place, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            if who_answers(port, timeout=1) is not None:
                assert who_answers(port) == __version__
                break
            else:
                assert proc.poll() is None, proc.communicate()[0]
                assert time.monotonic() < deadline, "the installed companion did not answer"
                time.sleep(0.2)
        link = run(installed, "open", "--print").stdout.strip()
        assert link.startswith(f"http://127.0.0.1:{port}/signin?code=")
        # The link signs this browser in: a session cookie, then the summary.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", link.removeprefix(f"http://127.0.0.1:{port}"))
        answer = conn.getresponse()
        assert answer.status == 303 and "ssi_companion_session=" in (
            answer.getheader("Set-Cookie") or ""
        )
        conn.close()
        doctor = run(installed, "doctor", "--json", check=False)
        checks = {c["name"]: c for c in json.loads(doctor.stdout)["checks"]}
        assert checks["server"]["ok"], checks["server"]
        assert str(port) in checks["server"]["summary"]
        assert checks["database"]["ok"], checks["database"]
        assert checks["version"]["ok"] and __version__ in checks["version"]["summary"]
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=15)
    assert "Your data lives in" in out and "Open your summary:" in out


def test_autostart_from_the_installed_package_registers_its_own_executable(installed):
    place, env_dir = installed
    executable = str(env_dir / "bin" / "ssi-companion")
    enabled = run(installed, "autostart", "enable")
    assert "enabled" in enabled.stdout.lower()
    status = run(installed, "autostart", "status")
    assert executable in status.stdout
    config = place / "home" / ".config"
    written = [p for p in config.rglob("ssi-companion*") if p.is_file()]
    assert written and executable in written[0].read_text()
    run(installed, "autostart", "disable")
    assert not [p for p in config.rglob("ssi-companion*") if p.is_file()]
    assert "disabled" in run(installed, "autostart", "status").stdout.lower()


def test_the_wheel_holds_every_compiled_catalog_and_the_extensions_locales(dist):
    wheel, _ = dist
    names = set(zipfile.ZipFile(wheel).namelist())
    for language in ("it", "pt", "de", "fr", "es"):
        assert f"companion/i18n/catalogs/{language}/LC_MESSAGES/messages.mo" in names
    for language in ("en", "it", "pt", "de", "fr", "es"):
        assert f"companion/bundled/extension/_locales/{language}/messages.json" in names


def test_the_installed_companion_speaks_the_system_language_and_the_chosen_one(installed):
    from companion import i18n

    place, _ = installed
    env = {**user_env(place), "LANG": "it_IT.UTF-8"}
    refused = subprocess.run(
        [installed[1] / "bin" / "ssi-companion", "settings", "set", "language", "xx"],
        cwd=place, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    with i18n.use("it"):
        italian = i18n._("%(value)s is not a language the companion speaks: use %(choices)s.",
                         value="xx", choices="auto, en, it, pt, de, fr, es")  # fmt: skip
    assert italian != "xx is not a language the companion speaks: use auto, en, it, pt, de, fr, es."
    assert refused.returncode == 1 and refused.stderr == f"Error: language: {italian}\n"
    run(installed, "settings", "set", "language", "de")
    listing = run(installed, "settings").stdout
    run(installed, "settings", "set", "language", "auto")  # the module's other tests read English
    with i18n.use("de"):
        assert preferences_label("language") in listing
        assert preferences_label("language") != "Language"


def preferences_label(key: str) -> str:
    from companion.store.preferences import SETTINGS

    return SETTINGS[key].label
