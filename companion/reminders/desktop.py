"""Desktop notifications through desktop-notifier, owned by one event-loop thread.

desktop-notifier is asyncio-based, and one notifier shared by several threads deadlocks
(docs/reference/testing.md). So one long-lived loop thread owns the only DesktopNotifier and
jobs hand their sends to it. Without a session bus or a notification server, `available()`
says so and the reminder goes to the inbox instead: a send to nowhere does not raise.
"""

import asyncio
import logging
import os
import threading
import webbrowser

log = logging.getLogger("companion.notify")
NOTIFICATIONS_NAME = "org.freedesktop.Notifications"
SEND_TIMEOUT_S = 10


class Notifier:
    def __init__(self, app_name: str = "SSI Companion"):
        self._app_name = app_name
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="notifier", daemon=True)
        self._notifier = None
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    def _call(self, coroutine, timeout: float = SEND_TIMEOUT_S):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    async def _has_server(self) -> bool:
        from dbus_fast import BusType, Message
        from dbus_fast.aio import MessageBus

        bus = await MessageBus(bus_type=BusType.SESSION).connect()
        try:
            for member, args in (
                ("NameHasOwner", [NOTIFICATIONS_NAME]),
                ("ListActivatableNames", []),
            ):
                reply = await bus.call(
                    Message(
                        destination="org.freedesktop.DBus",
                        path="/org/freedesktop/DBus",
                        interface="org.freedesktop.DBus",
                        member=member,
                        signature="s" if args else "",
                        body=args,
                    )
                )
                found = reply.body[0] if reply.body else None
                if found is True or (isinstance(found, list) and NOTIFICATIONS_NAME in found):
                    return True
            return False
        finally:
            bus.disconnect()

    def available(self) -> bool:
        """A session bus with a notification server, running or startable by D-Bus."""
        if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
            return False
        try:
            return self._call(self._has_server(), timeout=5)
        except Exception as exc:  # no bus, refused, timed out: all mean "no desktop here"
            log.info("no desktop notifications: %s", type(exc).__name__)
            return False

    async def _send(self, title: str, body: str, link: str) -> bool:
        from desktop_notifier import DesktopNotifier

        if self._notifier is None:
            self._notifier = DesktopNotifier(app_name=self._app_name)
        # desktop-notifier logs a failed send and returns as if it worked; only a
        # notification the server accepted is "dispatched".
        dispatched = []
        await self._notifier.send(
            title=title,
            message=body,
            on_clicked=(lambda: webbrowser.open(link)) if link else None,
            on_dispatched=lambda: dispatched.append(True),
        )
        return bool(dispatched)

    def send(self, title: str, body: str, link: str = "") -> bool:
        """Show a notification; False if the desktop did not take it."""
        try:
            return self._call(self._send(title, body, link))
        except Exception as exc:
            log.warning("notification not shown: %s", type(exc).__name__)
            return False

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self._loop.close()  # its selector and socket pair too (ResourceWarning otherwise)
