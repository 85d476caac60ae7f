"""What the companion holds, for /api/v1/status, `ssi-companion status` and the popup."""

from . import __version__, store


def status_report(db, data_dir) -> dict:
    return {
        "app": "ssi-companion",
        "version": __version__,
        "data_dir": str(data_dir),
        "counts": store.counts(db),
        "last_capture": store.last_capture(db),
        "latest_reading": store.latest_reading(db),
    }
