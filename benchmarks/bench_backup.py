"""A backup of a long history beside a plain copy of the same file, and what a backup running
beside the server does to capture latency (against none, in the same run)."""

import shutil
import subprocess
import sys
import tempfile
import threading
from datetime import date
from pathlib import Path

from companion import store
from companion.store import access_token as token
from companion.store import backups

from .bench_capture import _free_port, _poster, _start_server
from .bench_page import _fill
from .pages import main_region
from .timing import measure, ms, p50, percentile


def _history(home: Path, days: int, per_day: int) -> None:
    with store.connection(home) as db:
        _fill(db, days, per_day, date.today())
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _backup_speed(label: str, days: int, per_day: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        _history(home, days, per_day)
        size = store.db_path(home).stat().st_size
        out = Path(tmp) / "out"
        out.mkdir()
        counter = iter(range(10**6))

        def plain_copy():
            # The bare baseline: the same bytes copied by the OS, which is only safe when
            # nothing writes (and never done to the live file by the companion).
            shutil.copyfile(store.db_path(home), out / f"copy-{next(counter)}.db")

        def ours():
            backups.make_backup(home, out / f"backup-{next(counter)}.db")

        copies = p50(measure(plain_copy, repeat, warmup=1))
        made = p50(measure(ours, repeat, warmup=1))
    print(f"Backup, {label} ({size / 1e6:.1f} MB database)")
    print(f"  plain file copy           p50 {ms(copies)}")
    print(f"  make_backup (VACUUM INTO) p50 {ms(made)}  {made / copies:.1f}x the copy")


def _latency_during_backups(repeat: int) -> None:
    """Captures while `ssi-companion backup` runs again and again in another process."""
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        _history(home, 3650, 28)
        # Today's backup made beforehand, so that serve's own at start-up is not due: else it
        # would run during the "no backup running" samples.
        backups.make_backup(home)
        port = _free_port()
        proc = _start_server(home, port)
        try:
            secret = token.get(home)
            html = main_region()
            quiet = measure(_poster(port, secret, html, repeat + 3), repeat)
            stop = threading.Event()
            made = 0

            def backup_loop():
                nonlocal made
                while not stop.is_set():
                    out = Path(tmp) / f"b-{made}.db"
                    subprocess.run(
                        [sys.executable, "-m", "companion", "backup", "--out", str(out)],
                        env={"SSI_COMPANION_HOME": str(home), "PATH": "/usr/bin:/bin"},
                        check=True,
                        capture_output=True,
                    )
                    out.unlink()
                    made += 1

            worker = threading.Thread(target=backup_loop)
            worker.start()
            try:
                busy = measure(_poster(port, secret, html, repeat + 3), repeat)
            finally:
                stop.set()
                worker.join()
        finally:
            proc.terminate()
            proc.wait(10)
    print("POST /api/v1/captures (main region) against 100,000 captures")
    print(f"  no backup running         p50 {ms(p50(quiet))}  p99 {ms(percentile(quiet, 99))}")
    print(
        f"  backups running ({made} made) p50 {ms(p50(busy))}  p99 {ms(percentile(busy, 99))}"
        f"  ({p50(busy) / p50(quiet):.2f}x at p50, "
        f"{percentile(busy, 99) / percentile(quiet, 99):.2f}x at p99)"
    )


def run(repeat: int = 5) -> None:
    _backup_speed("10 years of daily readings (3,650)", 3650, 1, repeat)
    _backup_speed("100,000 captures", 3650, 28, repeat)
    _latency_during_backups(200)
