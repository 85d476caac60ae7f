"""What the companion holds, for /api/v1/status, `ssi-companion status` and the popup."""

from companion import __version__, store
from companion.store import backups


def last_backup(data_dir) -> dict | None:
    found = backups.list_backups(data_dir, with_counts=False)
    if not found:
        return None
    newest = found[0]
    return {
        "path": str(newest.path),
        "made_at": store.utc_text(newest.made_at),
        "made_at_local": f"{newest.local_time:%Y-%m-%d %H:%M}",
        "size": newest.size,
    }


def status_report(db, data_dir) -> dict:
    return {
        "app": "ssi-companion",
        "version": __version__,
        "data_dir": str(data_dir),
        "counts": store.counts(db),
        "last_capture": store.last_capture(db),
        "latest_reading": store.latest_reading(db),
        "last_backup": last_backup(data_dir),
    }
