"""The server: does a companion serve this data directory, answer on its port, and run this
version? And when none does, is the port it would use free?"""

from companion import config
from companion.doctor.base import Check, Context, failed, passed
from companion.i18n import N_, _
from companion.ping import NoAnswer, NotOurs, ping

START_IT = N_(
    "start it: `ssi-companion serve` (or `make run`), or turn on autostart "
    "(`ssi-companion autostart enable`)"
)
PORT_VARIABLE = config.ENV_PREFIX + "PORT"
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
            _("a restore is under way (pid %(pid)s)", pid=pid),
            _("wait for it to finish, then start the companion"),
            **details,
        )
    if not _valid_port(port):
        return failed(
            _("pid %(pid)s holds the data directory but names no port", pid=pid),
            _("stop it (kill %(pid)s), then start it again: `ssi-companion serve`", pid=pid),
            **details,
        )
    try:
        answer = ping(port, PING_TIMEOUT_S)
    except NoAnswer as exc:
        return failed(
            _(
                "pid %(pid)s holds the data directory but does not answer on port %(port)s "
                "(%(reason)s)",
                pid=pid,
                port=port,
                reason=exc,
            ),
            _(
                "if it has just started, wait a moment; else stop it (kill %(pid)s) and start "
                "it again: `ssi-companion serve`",
                pid=pid,
            ),
            **details,
        )
    running = answer.get("version")
    details["version"] = running
    where = {"address": f"http://127.0.0.1:{port}/", "pid": pid}
    if running != companion.__version__:
        return failed(
            _(
                "%(address)s (pid %(pid)s) runs version %(running)s; this is %(version)s",
                running=running,
                version=companion.__version__,
                **where,
            ),
            _("restart it (Ctrl-C where it runs, then `ssi-companion serve`)"),
            **details,
        )
    return passed(_("serving on %(address)s (pid %(pid)s)", **where), **details)


def _not_serving(ctx: Context) -> Check:
    """Nobody serves this data directory; say whether the port it would use is free."""
    try:
        port = config.load()["PORT"]
    except config.ConfigError as exc:
        return failed(
            # Translators: %(reason)s says what is wrong with the port setting.
            _("not running, and %(reason)s", reason=exc),
            # Translators: %(start_it)s is "start it: `ssi-companion serve` (or ...)".
            _("fix %(variable)s, then %(start_it)s", variable=PORT_VARIABLE, start_it=_(START_IT)),
        )
    details = {"pid": None, "port": None}
    if not _valid_port(port):
        return failed(
            _("not running, and port %(port)s cannot be used", port=port),
            _("set %(variable)s to a port from 1 to 65535", variable=PORT_VARIABLE),
            **details,
        )
    try:
        ping(port, timeout=1.0)
    except NotOurs:
        return failed(
            _("not running, and port %(port)s is taken by another program", port=port),
            _(
                "set %(variable)s to a free port, then %(start_it)s",
                variable=PORT_VARIABLE,
                start_it=_(START_IT),
            ),
            **details,
        )
    except NoAnswer:
        return failed(_("not running"), _(START_IT), **details)
    return failed(
        _(
            "not running for %(folder)s; the companion on port %(port)s serves another data "
            "directory",
            folder=ctx.data_dir,
            port=port,
        ),
        _(
            "stop that one, or give this one another %(variable)s; then %(start_it)s",
            variable=PORT_VARIABLE,
            start_it=_(START_IT),
        ),
        **details,
    )
