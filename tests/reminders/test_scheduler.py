"""Reminder checks deliver each reminder exactly once, however often and from wherever they run.

Exactly-once rests on the notifications table (checks.py claims every key), so these tests
run checks again and again: sequentially, in two threads at once, from the CLI and in-process,
across scheduler restarts and across restarts of the real `ssi-companion serve`.
"""

import json
import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED

from companion import store
from companion.ingest import imports
from companion.reminders.delivery import run_check
from companion.reminders.scheduler import ReminderScheduler
from companion.store import preferences
from tests.builders import csv_text, reading
from tests.conftest import ServerProcess

OLD_ROW = reading("2026-11-01T09:00:00+01:00")  # stale by CHECK_AT
CHECK_AT = datetime.fromisoformat("2026-11-30T09:30:00+01:00")
STALE_KEY = "stale:2026-11-01"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def import_rows(db, folder, rows: list[dict], name: str = "history.csv") -> None:
    path = folder / name
    path.write_text(csv_text(*rows), encoding="utf-8")
    result = imports.import_file(db, path)
    assert result.refused is None, result.refused
    assert result.added == len(rows)


def local_now() -> datetime:
    return datetime.now().astimezone()


def rows_of(db, kind: str | None = None) -> list[dict]:
    rows = store.list_notifications(db, limit=1000)
    return [r for r in rows if kind is None or r["kind"] == kind]


def poll(predicate, timeout: float = 10.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def by_kind(decisions, kind: str):
    found = [d for d in decisions if d.kind == kind]
    assert len(found) == 1, [d.to_dict() for d in decisions]
    return found[0]


def not_weekly_today(db) -> None:
    """The weekly digest on another day than today, so it never blurs the counts."""
    tomorrow = WEEKDAYS[(local_now().weekday() + 1) % 7]
    preferences.set_value(db, "weekly_weekday", tomorrow)


class JobEvents:
    """Which scheduler jobs ran (or failed, or were missed), to wait for one deterministically."""

    def __init__(self, reminders: ReminderScheduler):
        self._cond = threading.Condition()
        self.events: list[tuple[str, int]] = []
        reminders.scheduler.add_listener(
            self._record, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED
        )

    def _record(self, event) -> None:
        with self._cond:
            self.events.append((event.job_id, event.code))
            self._cond.notify_all()

    def count(self, job_id: str, code: int = EVENT_JOB_EXECUTED) -> int:
        with self._cond:
            return sum(1 for j, c in self.events if j == job_id and c == code)

    def wait(self, job_id: str, times: int = 1, timeout: float = 10.0) -> None:
        with self._cond:
            ok = self._cond.wait_for(
                lambda: sum(1 for j, _ in self.events if j == job_id) >= times, timeout
            )
        assert ok, f"job {job_id!r} did not run {times}x in {timeout}s: {self.events}"
        assert self.count(job_id) >= times, f"job {job_id!r} failed or was missed: {self.events}"


@pytest.fixture
def data_dir(home):
    home.mkdir(mode=0o700)
    return home


@pytest.fixture
def stale_db(data_dir, tmp_path):
    """A history whose only capture is 2026-11-01: at CHECK_AT the stale reminder is due."""
    db = store.connect(data_dir)
    import_rows(db, tmp_path, [OLD_ROW])
    return db


@pytest.fixture
def old_history(data_dir, tmp_path):
    """A capture 20 days before the real today (start() checks at the real clock)."""
    db = store.connect(data_dir)
    not_weekly_today(db)
    last = local_now().replace(microsecond=0) - timedelta(days=20)
    import_rows(db, tmp_path, [reading(last)])
    return db, f"stale:{last.date().isoformat()}"


@pytest.fixture
def schedulers():
    started = []

    def make(data_dir) -> ReminderScheduler:
        reminders = ReminderScheduler(data_dir, notifier=None)
        started.append(reminders)
        return reminders

    yield make
    for reminders in started:
        reminders.shutdown()


# -- run_check twice at the same moment ---------------------------------------------------------


def test_two_sequential_checks_deliver_the_stale_reminder_once(stale_db):
    first = by_kind(run_check(stale_db, CHECK_AT, notifier=None), "stale")
    second = by_kind(run_check(stale_db, CHECK_AT, notifier=None), "stale")

    assert first.key == STALE_KEY
    assert first.status == "inbox"
    assert second.status == "suppressed"
    rows = rows_of(stale_db, "stale")
    assert [(r["key"], r["status"]) for r in rows] == [(STALE_KEY, "inbox")]
    assert rows[0]["title"] == "Time to check your SSI"


@pytest.mark.parametrize("round_no", range(5))
def test_two_checks_in_two_threads_at_once_deliver_once(stale_db, data_dir, round_no):
    barrier = threading.Barrier(2)
    results, errors = {}, []

    def check(name: str) -> None:
        try:
            db = store.connect(data_dir)  # each thread its own connection
            barrier.wait(timeout=10)
            results[name] = by_kind(run_check(db, CHECK_AT, notifier=None), "stale")
            db.conn.close()
        except BaseException as exc:  # reported below, with the thread's name
            errors.append((name, repr(exc)))

    threads = [threading.Thread(target=check, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert not any(t.is_alive() for t in threads)

    statuses = sorted(d.status for d in results.values())
    assert statuses == ["inbox", "suppressed"], [d.to_dict() for d in results.values()]
    assert [r["key"] for r in rows_of(stale_db, "stale")] == [STALE_KEY]


def test_cli_check_then_in_process_check_deliver_once(stale_db, data_dir):
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    env["SSI_COMPANION_HOME"] = str(data_dir)
    done = subprocess.run(
        [sys.executable, "-m", "companion", "check", "--at", CHECK_AT.isoformat(), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, (done.stdout, done.stderr)
    cli = [d for d in json.loads(done.stdout)["decisions"] if d["kind"] == "stale"]
    assert [(d["key"], d["status"]) for d in cli] == [(STALE_KEY, "inbox")]

    again = by_kind(run_check(stale_db, CHECK_AT, notifier=None), "stale")

    assert again.status == "suppressed"
    assert [r["key"] for r in rows_of(stale_db, "stale")] == [STALE_KEY]


# -- the scheduler ------------------------------------------------------------------------------


def test_startup_check_delivers_once_across_a_restart(old_history, data_dir, schedulers):
    db, key = old_history
    first = schedulers(data_dir)
    first_events = JobEvents(first)
    first.start()
    first_events.wait("startup-check")

    rows = poll(lambda: rows_of(db, "stale"), timeout=5)
    assert [(r["key"], r["status"]) for r in rows] == [(key, "inbox")]
    first.shutdown()
    before = rows_of(db)

    second = schedulers(data_dir)
    second_events = JobEvents(second)
    second.start()
    second_events.wait("startup-check")  # the second start-up check has run, not just begun

    assert [r["key"] for r in rows_of(db, "stale")] == [key]
    assert rows_of(db) == before


def test_catch_up_check_at_start_and_a_clean_shutdown(old_history, data_dir, schedulers):
    db, key = old_history
    threads_before = set(threading.enumerate())
    reminders = schedulers(data_dir)
    events = JobEvents(reminders)
    reminders.start()

    jobs = {job.id: job for job in reminders.scheduler.get_jobs()}
    assert "check-at-0930" in jobs, sorted(jobs)
    job = jobs["check-at-0930"]
    fields = {f.name: str(f) for f in job.trigger.fields}
    assert (fields["hour"], fields["minute"], fields["day_of_week"]) == (
        "9",
        "30",
        "mon,tue,wed,thu,fri",
    )
    assert job.coalesce is True
    assert job.misfire_grace_time is not None and job.misfire_grace_time >= 3600
    assert reminders.next_check() == job.next_run_time
    # A machine asleep at 09:30 gets that reminder when the companion starts.
    events.wait("startup-check")
    assert [r["key"] for r in poll(lambda: rows_of(db, "stale"), timeout=5)] == [key]

    with pytest.raises(RuntimeError):
        reminders.start()

    reminders.shutdown()
    assert reminders.scheduler.running is False
    left = [t for t in threading.enumerate() if t not in threads_before and t.is_alive()]
    assert left == []
    assert [r["key"] for r in rows_of(db, "stale")] == [key]


def test_a_missed_0930_run_within_the_grace_time_runs_once(old_history, data_dir, schedulers):
    db, key = old_history
    reminders = schedulers(data_dir)
    events = JobEvents(reminders)
    reminders.start()
    events.wait("startup-check")

    # The machine slept through two 09:30 runs: the job's due time lies 2 h (and a day) back.
    slept = datetime.now().astimezone() - timedelta(hours=2)
    reminders.scheduler.get_job("check-at-0930").modify(next_run_time=slept)
    reminders.scheduler.wakeup()
    events.wait("check-at-0930")
    time.sleep(0.5)  # a second (coalesced-away) run would show up here

    assert events.count("check-at-0930") == 1
    assert events.count("check-at-0930", EVENT_JOB_MISSED) == 0
    assert [r["key"] for r in rows_of(db, "stale")] == [key]


def test_after_capture_runs_only_the_capture_rules(data_dir, tmp_path, schedulers):
    db = store.connect(data_dir)
    not_weekly_today(db)
    now = local_now().replace(microsecond=0)
    earlier, latest = now - timedelta(days=20), now - timedelta(days=13)
    import_rows(db, tmp_path, [reading(earlier)], "earlier.csv")

    reminders = schedulers(data_dir)
    events = JobEvents(reminders)
    reminders.start()
    events.wait("startup-check")
    assert [r["kind"] for r in rows_of(db)] == ["stale"]  # no drop yet: one reading

    # Now stale (13 days) and weekly (today) would fire too, if after_capture ran them.
    preferences.set_value(db, "weekly_weekday", WEEKDAYS[now.weekday()])
    import_rows(db, tmp_path, [reading(latest, brand=7.5)], "latest.csv")  # 3 points down
    reminders.after_capture(delay_s=0.2)  # in serve, 5 s after the last capture of a burst
    events.wait("after-capture")

    drops = poll(lambda: rows_of(db, "drop"), timeout=5)
    assert [(r["key"], r["status"]) for r in drops] == [
        (f"drop:{latest.date().isoformat()}", "inbox")
    ]
    assert "fell 3.0 points" in drops[0]["title"]
    keys = sorted(r["key"] for r in rows_of(db))
    assert keys == sorted([f"drop:{latest.date().isoformat()}", f"stale:{earlier.date()}"])


# -- the real `ssi-companion serve` -------------------------------------------------------------


def test_real_server_delivers_the_startup_reminder_once_across_restarts(
    home, tmp_path, monkeypatch
):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)  # no desktop: the inbox
    home.mkdir(mode=0o700)
    db = store.connect(home)
    not_weekly_today(db)
    last = local_now().replace(microsecond=0) - timedelta(days=10)
    import_rows(db, tmp_path, [reading(last)])
    key = f"stale:{last.date().isoformat()}"

    server = ServerProcess(home).start()
    try:
        rows = poll(lambda: rows_of(db, "stale"), timeout=10)
        time.sleep(1)  # any second delivery from the same start would show up here
        assert [(r["key"], r["status"]) for r in rows_of(db, "stale")] == [(key, "inbox")]
    finally:
        server.stop()
    assert rows, server.proc.communicate()

    # Weekly due today from now on: its arrival proves the second start-up check ran.
    preferences.set_value(db, "weekly_weekday", WEEKDAYS[local_now().weekday()])
    server = ServerProcess(home).start()
    try:
        weekly = poll(lambda: rows_of(db, "weekly"), timeout=10)
        assert weekly, "the restarted server ran no start-up check"
        assert [r["key"] for r in rows_of(db, "stale")] == [key]
    finally:
        server.stop()


def test_a_burst_of_captures_makes_one_after_capture_check(data_dir, schedulers):
    reminders = schedulers(data_dir)
    reminders.start()
    for _ in range(20):
        reminders.after_capture(delay_s=30)
    jobs = [job for job in reminders.scheduler.get_jobs() if job.id == "after-capture"]
    assert len(jobs) == 1
    assert jobs[0].next_run_time.timestamp() > local_now().timestamp() + 25
