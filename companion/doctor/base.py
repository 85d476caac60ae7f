"""What every check shares: the Check it returns, and the Context it reads, found once."""

import os
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from companion import config
from companion.i18n import N_

SERVE_ONCE = N_("run `ssi-companion serve` (or `make run`) once: it creates what is missing")


@dataclass(frozen=True)
class Check:
    name: str  # a stable id, for scripts: "data_dir", "database", ...
    title: str  # what the plain output calls it: "Data directory"
    ok: bool
    summary: str  # what was found
    fix: str | None = None  # what to do, when not ok
    details: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


# The name and title are run_checks' to give (the order of checks is in __init__.py).
def passed(summary: str, **details) -> Check:
    return Check("", "", True, summary, None, details)


def failed(summary: str, fix: str, **details) -> Check:
    return Check("", "", False, summary, fix, details)


def default_data_dir() -> Path:
    """The data directory `serve` would use, found without creating it (config.data_dir
    makes it)."""
    try:
        home = config.load()["HOME"]
    except config.ConfigError:  # a bad port must not hide where the data is
        home = os.environ.get(config.ENV_PREFIX + "HOME") or None
    return config.data_dir_path(home)


class Context:
    """The data directory, and what several checks need, found once."""

    def __init__(self, data_dir: Path, now: datetime):
        self.data_dir = data_dir
        self.now = now
        self.db_path = data_dir / "ssi.db"
        self.facts: dict | None = None  # what the database check read, when it could
        self._holder: dict | None = None
        self._holder_known = False

    @property
    def holder(self) -> dict | None:
        """Who serves (or restores) this data directory: serve.lock's record, or None."""
        if not self._holder_known:
            from companion.store import locks

            self._holder_known = True
            if self.data_dir.is_dir():
                self._holder = locks.who_serves(self.data_dir)
        return self._holder

    @property
    def restoring(self) -> bool:
        return (self.holder or {}).get("command") == "restore"
