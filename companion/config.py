"""Settings: defaults, then SSI_COMPANION_* environment variables, then what the caller passes."""

import contextlib
import os
from pathlib import Path

import platformdirs

from companion.i18n import _

ENV_PREFIX = "SSI_COMPANION_"
HOME_VARIABLE = ENV_PREFIX + "HOME"
# An unassigned port, far from the usual development servers (5000, 8000, 8080...).
DEFAULT_PORT = 47613

DEFAULTS = {
    "HOME": None,  # the data directory; None means the platform's user data dir
    "PORT": DEFAULT_PORT,
    # Days the raw page of a successful capture is kept, so a parser fix can read it again.
    "RETENTION_DAYS": 30,
    # The largest capture accepted; a whole rendered SSI page is well under 1 MB.
    "MAX_BODY_BYTES": 5 * 1024 * 1024,
}


class ConfigError(ValueError):
    """A setting has a value the companion cannot use; the message says which and why."""


def _from_env() -> dict:
    found = {}
    for key, default in DEFAULTS.items():
        raw = os.environ.get(ENV_PREFIX + key)
        if raw is None or raw == "":
            continue
        if isinstance(default, int):
            try:
                found[key] = int(raw)
            except ValueError:
                raise ConfigError(
                    _(
                        "%(variable)s must be a whole number, not %(value)r",
                        variable=ENV_PREFIX + key,
                        value=raw,
                    )
                ) from None
        else:
            found[key] = raw
    return found


def load(overrides: dict | None = None) -> dict:
    """The settings in force: defaults < environment < overrides."""
    settings = dict(DEFAULTS)
    settings.update(_from_env())
    settings.update(overrides or {})
    return settings


def configured_home() -> str | None:
    """SSI_COMPANION_HOME alone, for commands that need only the data directory: a bad port
    setting must not stop an extension build."""
    return os.environ.get(ENV_PREFIX + "HOME") or None


def data_dir_path(home: str | os.PathLike | None = None) -> Path:
    """Where the data directory is, without creating it (for `doctor`, which changes nothing)."""
    return Path(home) if home else Path(platformdirs.user_data_dir("ssi-companion", False))


def data_dir(home: str | os.PathLike | None = None) -> Path:
    """The data directory, created owner-only (0700): it holds the token and your history."""
    path = data_dir_path(home)
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise ConfigError(
            _(
                "the data directory %(path)s cannot be created (%(reason)s); set %(variable)s "
                "to a folder you own",
                path=path,
                reason=exc.strerror,
                variable=HOME_VARIABLE,
            )
        ) from None
    if not path.is_dir():
        raise ConfigError(
            _(
                "the data directory %(path)s is not a folder; set %(variable)s",
                path=path,
                variable=HOME_VARIABLE,
            )
        )
    if not os.access(path, os.R_OK | os.X_OK):
        # Another account's data dir (0700): say so, never a traceback (security.md, "L").
        raise ConfigError(
            _(
                "the data directory %(path)s cannot be opened (permission denied): it belongs "
                "to another account; set %(variable)s to a folder you own",
                path=path,
                variable=HOME_VARIABLE,
            )
        )
    make_private(path)
    return path


def make_private(path: Path) -> None:
    """Whatever an older version, a copy or a restore left wider is made owner-only again.

    By path (chmod), never by opening a file: see store.open_file for why that matters.
    """
    with contextlib.suppress(OSError):  # a read-only folder is reported where it is written
        os.chmod(path, 0o700)  # mkdir's mode is filtered by the umask; an old dir may be wider
    for entry in path.iterdir():
        try:
            if entry.is_symlink():
                continue
            if entry.is_dir():
                os.chmod(entry, 0o700)
                make_private(entry)
            elif entry.is_file():
                os.chmod(entry, 0o600)
        except OSError:
            continue  # a file we cannot change (another owner's) is not ours to fix
