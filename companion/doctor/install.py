"""The install: whether it starts at login (and would start this install), and its version."""

from pathlib import Path

from companion.doctor.base import Check, Context, failed, passed
from companion.i18n import N_, _

TURN_ON = N_("turn it on: `ssi-companion autostart enable`")
# An AutostartError without a remedy of its own: enable would fail the same way, so the way
# out is putting right what the message names.
PUT_IT_RIGHT = N_("put that right first, then run `ssi-companion doctor` again")


def check_autostart(ctx: Context) -> Check:
    from companion import autostart

    try:
        found = autostart.status()
    except autostart.AutostartError as exc:
        return failed(_("cannot be checked: %(reason)s", reason=exc), exc.remedy or _(PUT_IT_RIGHT))
    details = {
        "enabled": found.enabled,
        "method": found.method,
        "location": str(found.location),
        "command": list(found.command),
    }
    if not found.enabled:
        # The note names what stands in the way, when something does (a file that is not
        # ours, an entry the desktop switched off), and what to do about it.
        fix = found.note or _(TURN_ON)
        return failed(_("off: the companion runs only when you start it"), fix, **details)
    program = Path(found.command[0]) if found.command else None
    if program is not None and program.is_absolute() and not program.exists():
        return failed(
            _("on, but it would start %(program)s, which is not there any more", program=program),
            _("turn it on again, from the install you use: `ssi-companion autostart enable`"),
            **details,
        )
    where = {"method": found.method, "location": found.location}
    if not found.up_to_date:
        return failed(
            _(
                "on (%(method)s: %(location)s), but with another command than this install "
                "would register (another port, data directory or install)",
                **where,
            ),
            _("bring it up to date: `ssi-companion autostart enable`"),
            **details,
        )
    return passed(_("on (%(method)s: %(location)s)", **where), **details)


def check_version(ctx: Context) -> Check:
    import sys

    import companion

    version = companion.__version__
    python = f"Python {sys.version.split()[0]}"
    if version == "0.0.0":
        return failed(
            _("unknown: SSI Companion is not installed (%(python)s)", python=python),
            _(
                "install the package: `make run` sets up .venv, or `pip install .` in the "
                "repository"
            ),
            version=version,
        )
    return passed(f"SSI Companion {version} ({python})", version=version)
