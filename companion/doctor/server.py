"""The server: does a companion serve this data directory, answer on its port, and run this
version? And when none does, is the port it would use free?"""

from companion import config
from companion.doctor.base import Check, Context, failed, passed
from companion.ping import NoAnswer, NotOurs, ping

START_IT = (
    "start it: `ssi-companion serve` (or `make run`), or turn on autostart "
    "(`ssi-companion autostart enable`)"
)
PING_TIMEOUT_S = 2.0


def _valid_port(port) -> bool:
    return isinstance(port, int) and not isinstance(port, bool) and 0 < port < 65536


def check_server(ctx: Context) -> Check:
    import companion

    holder = ctx.holder
    if holder is None:
        return _not_serving(ctx)
    pid, port = holder.get("pid", "?"), holder.get("port")
    details = {"pid": pid, "port": port}
    if ctx.restoring:
        return failed(
            f"a restore is under way (pid {pid})",
            "wait for it to finish, then start the companion",
            **details,
        )
    if not _valid_port(port):
        return failed(
            f"pid {pid} holds the data directory but names no port",
            f"stop it (kill {pid}), then start it again: `ssi-companion serve`",
            **details,
        )
    try:
        answer = ping(port, PING_TIMEOUT_S)
    except NoAnswer as exc:
        return failed(
            f"pid {pid} holds the data directory but does not answer on port {port} ({exc})",
            f"if it has just started, wait a moment; else stop it (kill {pid}) and start it "
            "again: `ssi-companion serve`",
            **details,
        )
    running = answer.get("version")
    details["version"] = running
    where = f"http://127.0.0.1:{port}/ (pid {pid})"
    if running != companion.__version__:
        return failed(
            f"{where} runs version {running}; this is {companion.__version__}",
            "restart it (Ctrl-C where it runs, then `ssi-companion serve`)",
            **details,
        )
    return passed(f"serving on {where}", **details)


def _not_serving(ctx: Context) -> Check:
    """Nobody serves this data directory; say whether the port it would use is free."""
    try:
        port = config.load()["PORT"]
    except config.ConfigError as exc:
        return failed(f"not running, and {exc}", f"fix {config.ENV_PREFIX}PORT, then {START_IT}")
    details = {"pid": None, "port": None}
    if not _valid_port(port):
        return failed(
            f"not running, and port {port} cannot be used",
            f"set {config.ENV_PREFIX}PORT to a port from 1 to 65535",
            **details,
        )
    try:
        ping(port, timeout=1.0)
    except NotOurs:
        return failed(
            f"not running, and port {port} is taken by another program",
            f"set {config.ENV_PREFIX}PORT to a free port, then {START_IT}",
            **details,
        )
    except NoAnswer:
        return failed("not running", START_IT, **details)
    return failed(
        f"not running for {ctx.data_dir}; the companion on port {port} serves another data "
        "directory",
        f"stop that one, or give this one another {config.ENV_PREFIX}PORT; then {START_IT}",
        **details,
    )
