"""Linux (and the BSDs): a systemd user unit when a user manager runs, else an XDG autostart
entry. Only one of the two is ever ours at a time: both would start two companions at login."""

from dataclasses import replace

from companion.autostart import systemd, xdg
from companion.autostart.model import Autostart, Launch, NotOurs

BACKENDS = (systemd, xdg)


def _chosen():
    """The method enable uses now."""
    return systemd if systemd.manager_running() else xdg


def _ours(backend) -> bool:
    try:
        return backend.registered() is not None
    except NotOurs:
        return False


def status(launch: Launch) -> Autostart:
    for backend in BACKENDS:
        if _ours(backend):
            return backend.status(launch)
    return _chosen().status(launch)


def enable(launch: Launch, start: bool) -> Autostart:
    chosen = _chosen()
    result = chosen.enable(launch, start)
    for other in BACKENDS:
        if other is not chosen and _ours(other):
            # Enabled the other way before (a user manager that came or went since): that one
            # goes, or both would start a companion at login.
            other.disable(launch, stop=False)
            result = replace(result, changed=True)
    return result


def disable(launch: Launch, stop: bool) -> Autostart:
    # A file that is not ours at either path: refused before anything is removed.
    present = [backend for backend in BACKENDS if backend.registered() is not None]
    result = None
    for backend in present:
        result = backend.disable(launch, stop)
    return result if result is not None else _chosen().status(launch)
