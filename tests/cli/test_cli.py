import http.client
import json
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from companion.cli import cli
from tests.conftest import REAL_FIXTURES, ServerProcess, free_port

REAL_PAYLOAD = REAL_FIXTURES / "linkedin-beacon_salesApiSsi_live_2026-06.json"
PAGE = """<html><body><main><div class="user-ssi-score"><div class="user-ssi-score__donut-chart-caption">
<span class="ssi-score__value">20</span> out of 100</div></div>
<progress id="establish-brand__sub-score-bar" value="13.118" max="25"></progress>
<progress id="find-people__sub-score-bar" value="3.68" max="25"></progress>
<progress id="engage-with-insights__sub-score-bar" value="0.3" max="25"></progress>
<progress id="build-relationships__sub-score-bar" value="2.608" max="25"></progress>
<dl class="ssi-ranks"><div class="ssi-rank"><dd class="ssi-rank__category-score">Top <span>75</span>%</dd></div>
<div class="ssi-rank"><dd class="ssi-rank__category-score">Top <span>81</span>%</dd></div></dl>
</main></body></html>"""


def test_every_command_has_help(runner):
    for name, command in cli.commands.items():
        assert command.help, f"{name} has no help text"
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output


def test_every_command_is_in_the_readme():
    from tests.conftest import REPO

    readme = (REPO / "README.md").read_text()
    for name in cli.commands:
        assert f"ssi-companion {name}" in readme, f"README does not mention {name}"


def test_parse_page_prints_a_readable_table(runner, tmp_path):
    page = tmp_path / "ssi.html"
    page.write_text(PAGE)
    result = runner.invoke(cli, ["parse", str(page)])
    assert result.exit_code == 0, result.output
    assert "Brand" in result.output and "13.118 / 25" in result.output
    assert "Top 75%" in result.output and "Top 81%" in result.output


def test_parse_json_prints_exactly_the_reading_fields(runner):
    result = runner.invoke(cli, ["parse", str(REAL_PAYLOAD), "--json"])
    assert result.exit_code == 0, result.output
    reading = json.loads(result.output)
    assert list(reading) == [
        "total", "total_displayed", "brand", "people", "insights", "relationships",
        "industry_rank", "network_rank", "industry_avg", "network_avg", "industry", "source",
    ]  # fmt: skip
    assert reading["total"] == pytest.approx(19.705751)
    assert reading["industry_rank"] == 75 and reading["network_rank"] == 81


def test_parse_reads_stdin(runner):
    result = runner.invoke(cli, ["parse", "-", "--json"], input=PAGE)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["total_displayed"] == 20


@pytest.mark.parametrize(
    "content, suffix, expected",
    [
        ("<html><body><form><input type='password'></form></body></html>", ".html",
         "Error: not_ssi_page: "),
        ('{"memberScore": {"subScores": []}}', ".json", "Error: unrecognized: "),
        (PAGE.replace('value="13.118"', 'value="31"'), ".htm", "Error: invalid_values: "),
        ("{not json", ".json", "Error: not_ssi_page: "),
    ],
)  # fmt: skip
def test_parse_error_is_one_line_and_exit_1(runner, tmp_path, content, suffix, expected):
    path = tmp_path / f"page{suffix}"
    path.write_text(content)
    result = runner.invoke(cli, ["parse", str(path)])
    assert result.exit_code == 1
    assert result.stderr.startswith(expected)
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "name, message", [("missing.html", "no such file"), ("notes.txt", "expected an .html")]
)
def test_parse_bad_file_says_what_is_wrong(runner, tmp_path, name, message):
    result = runner.invoke(cli, ["parse", str(tmp_path / name)])
    assert result.exit_code == 1
    assert message in result.output and result.output.startswith("Error: ")


def test_parse_directory_is_refused_cleanly(runner, tmp_path):
    folder = tmp_path / "saved.html"
    folder.mkdir()
    result = runner.invoke(cli, ["parse", str(folder)])
    assert result.exit_code == 1 and "is a directory" in result.output


def test_python_dash_m_runs_the_cli(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "companion", "parse", str(REAL_PAYLOAD), "--json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["network_rank"] == 81


def _get(port, path, host=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", path, headers={"Host": host or f"127.0.0.1:{port}"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def test_serve_answers_ping_on_loopback(server):
    status, body = _get(server.port, "/api/v1/ping")
    assert status == 200
    assert json.loads(body)["app"] == "ssi-companion"


def test_serve_refuses_a_foreign_host(server):
    status, _ = _get(server.port, "/api/v1/ping", host="attacker.example")
    assert status == 400


def _listening_addresses(port: int) -> set[str]:
    """Where the kernel says something listens on `port` (IPv4 and IPv6, from /proc)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def test_serve_binds_loopback_only(server):
    # The kernel's own table: one listening socket, on 127.0.0.1 (0100007F), nowhere else.
    assert _listening_addresses(server.port) == {"0100007F"}
    # And whatever other IPv4 address this machine has does not reach the companion.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))  # no packet is sent: this only picks a route
            address = probe.getsockname()[0]
        except OSError:
            address = "127.0.0.1"
    if not address.startswith("127."):
        with pytest.raises(OSError):
            socket.create_connection((address, server.port), timeout=1).close()


def test_serve_when_a_companion_already_runs(server, tmp_path):
    second = subprocess.run(
        [sys.executable, "-m", "companion", "serve", "--port", str(server.port)],
        capture_output=True, text=True, timeout=30,
        env={"SSI_COMPANION_HOME": str(tmp_path / "other"), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert second.returncode == 1
    assert "already running" in second.stderr
    assert "Traceback" not in second.stderr


def test_serve_when_another_program_holds_the_port(tmp_path):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "companion", "serve", "--port", str(port)],
            capture_output=True, text=True, timeout=30,
            env={"SSI_COMPANION_HOME": str(tmp_path / "h"), "PATH": "/usr/bin:/bin"},
        )  # fmt: skip
    assert result.returncode == 1
    assert "taken by another program" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_stops_cleanly_on_ctrl_c(tmp_path):
    proc = ServerProcess(tmp_path / "h").start()
    proc.proc.send_signal(signal.SIGINT)
    out, err = proc.proc.communicate(timeout=10)
    assert proc.proc.returncode == 0, err
    assert "stopped" in out and "Traceback" not in err


def test_serve_port_from_environment(tmp_path):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "companion", "serve"],
        env={"SSI_COMPANION_HOME": str(tmp_path / "h"), "SSI_COMPANION_PORT": str(port),
             "PATH": "/usr/bin:/bin"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    server = ServerProcess(tmp_path / "h", port)
    server.proc = proc
    try:
        server.wait_ready()
        assert _get(port, "/api/v1/ping")[0] == 200
    finally:
        server.stop()


def test_serve_bad_port_environment_is_a_clear_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "companion", "serve"],
        env={"SSI_COMPANION_HOME": str(tmp_path / "h"), "SSI_COMPANION_PORT": "http",
             "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.returncode == 1
    assert "SSI_COMPANION_PORT must be a whole number" in result.stderr
    assert "Traceback" not in result.stderr
