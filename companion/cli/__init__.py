"""The ssi-companion command line: one module per command group, all on one click group."""

from companion.cli import (  # noqa: F401 (each registers its commands on the group)
    autostart_commands,
    data_commands,
    doctor_commands,
    extension_commands,
    reading_commands,
    reminder_commands,
    serve_commands,
)
from companion.cli.base import cli

__all__ = ["cli"]
