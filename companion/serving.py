"""Serving the companion on 127.0.0.1 with waitress."""

import errno
import signal

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import create_server

from companion import __version__, memory
from companion.i18n import _
from companion.ping import who_answers

# The companion listens on the loopback interface only: nothing on the network reaches it.
HOST = "127.0.0.1"


# waitress reads a chunked body whole and then presents it with a computed Content-Length;
# this header, added by the server itself, keeps the fact visible to the length check (411).
CHUNKED_MARK = "X_SSI_COMPANION_CHUNKED"
CHUNKED_ENVIRON = "HTTP_" + CHUNKED_MARK


# How waitress shares itself between connections. Any local process can connect to
# 127.0.0.1, and one that opens many connections and sends nothing, or a header byte a second,
# must not keep the extension (or ping) out. Such connections cost waitress no thread, only a
# socket each in its select loop; a new one waits in the kernel's backlog (1,024) while
# `connection_limit` are open, until one of them closes.
CONNECTION_OPTIONS = {
    # Room for 200 at once (waitress's 100 let 100 idle sockets lock everyone out): one
    # browser needs a handful. Each costs a descriptor, about three when a large body
    # spills to a temporary file: 600, which keeps every descriptor below the 1,024 that
    # waitress's select() can watch (its poll() would, but costs 3% on a 400 KB capture).
    "connection_limit": 200,
    # An idle connection is closed after 10 s (waitress: 120 s). A browser opens a new one
    # when it needs one; a request being answered is never cut. One that trickles a byte now
    # and then is not idle: for those, only the limit above keeps room for everyone else.
    "channel_timeout": 10,
    # How often idle connections are looked for (waitress: every 30 s, which would keep one
    # open up to 40 s).
    "cleanup_interval": 2,
}


class PortTaken(OSError):
    pass


class _ChunkedMarkingParser(HTTPRequestParser):
    def parse_header(self, header_plus):
        super().parse_header(header_plus)
        if self.chunked:
            self.headers[CHUNKED_MARK] = "1"


class _Channel(HTTPChannel):
    parser_class = _ChunkedMarkingParser


def address(port: int) -> str:
    return f"http://{HOST}:{port}/"


def port_taken_message(port: int) -> str:
    version = who_answers(port)
    if version is not None:
        return _(
            "SSI Companion %(version)s is already running on %(address)s (open that address, "
            "or stop it first).",
            version=version,
            address=address(port),
        )
    # Translators: --port N and SSI_COMPANION_PORT are the option and the setting: as they are.
    return _(
        "Port %(port)s is taken by another program. Start the companion on another port with "
        "--port N or SSI_COMPANION_PORT, and set the same port in the extension's options.",
        port=port,
    )


def _stop_on_sigterm():
    def handler(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def _giving_back_freed_memory(app):
    """The app, returning what each request freed to the system once it is answered: a
    capture's parse tree, a page's rendering (memory.py)."""

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            yield from body
        finally:
            if hasattr(body, "close"):  # as WSGI asks of the server, which now calls ours
                body.close()
            memory.give_back_freed()

    return wsgi


def serve(app, port: int, echo=print, on_ready=None) -> None:
    """Run until Ctrl-C or SIGTERM. Raises PortTaken when the port is in use.

    `on_ready` runs once the port is ours (the reminder scheduler starts there).
    """
    memory.limit_arenas()  # before waitress starts its threads, each of which would get one
    try:
        server = create_server(
            _giving_back_freed_memory(app),
            host=HOST,
            port=port,
            threads=4,
            ident="ssi-companion",
            # Bodies a little over the limit are read and answered 413 by the app, which the
            # extension shows; waitress cuts off only what is far beyond it (and any chunked
            # body that grows so), before buffering it whole.
            max_request_body_size=4 * app.config["MAX_CONTENT_LENGTH"],
            **CONNECTION_OPTIONS,
        )
    except OSError as exc:
        if exc.errno in (errno.EADDRINUSE, errno.EACCES):
            raise PortTaken(port_taken_message(port)) from None
        raise
    server.channel_class = _Channel
    _stop_on_sigterm()
    # From here on Ctrl-C is a clean stop, also while the scheduler is still starting.
    try:
        if on_ready is not None:
            on_ready()
        echo(
            _(
                "SSI Companion %(version)s is running on %(address)s (Ctrl-C stops it)",
                version=__version__,
                address=address(port),
            )
        )
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        echo(_("SSI Companion stopped."))
