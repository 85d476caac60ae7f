"""SQLite only: connections, frozen migrations, captures, readings, notifications,
preferences, sessions, backups, and the locks that let several processes share one data
directory. No Flask here: the API, the CLI and the tests share it.

This module is the store's interface for captures and readings; preferences, sessions,
backups, locks and the access token are modules of their own (`from companion.store import
backups`).
"""

from companion.store.captures import *  # noqa: F403
from companion.store.captures import _insert_many  # noqa: F401 (the benchmarks fill with it)
from companion.store.connection import *  # noqa: F403
from companion.store.notifications import *  # noqa: F403
from companion.store.readings import *  # noqa: F403
from companion.store.values import *  # noqa: F403
