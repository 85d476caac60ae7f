"""Desktop notifications: the inbox fallback without a desktop, and a real one shown by dunst.

The real test runs a reminder check inside a private session bus (`dbus-run-session`) with a
virtual screen (Xvfb) and the dunst notification daemon, then reads dunst's own history: a
`send()` that returns without error proves nothing (docs/reference/testing.md).
"""

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

import pytest

from companion import store
from companion.ingest import imports
from companion.reminders.delivery import run_check
from companion.reminders.desktop import Notifier
from tests.builders import csv_text, reading
from tests.conftest import REPO, require_system_package

CSV = csv_text(reading("2026-11-01T09:00:00+01:00"))  # stale by CHECK_AT
CHECK_AT = "2026-11-30T09:30:00+01:00"
STALE_KEY = "stale:2026-11-01"
STALE_TITLE = "Time to check your SSI"


def stale_db(folder: Path):
    home = folder / "home"
    home.mkdir(mode=0o700)
    db = store.connect(home)
    path = folder / "history.csv"
    path.write_text(CSV, encoding="utf-8")
    result = imports.import_file(db, path)
    assert (result.refused, result.added) == (None, 1)
    return db


def stale_decision(decisions):
    found = [d for d in decisions if d.kind == "stale"]
    assert len(found) == 1, [d.to_dict() for d in decisions]
    return found[0]


# -- no desktop: the inbox ----------------------------------------------------------------------


def test_without_a_session_bus_the_reminder_goes_to_the_inbox(tmp_path, monkeypatch):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    db = stale_db(tmp_path)
    started = time.monotonic()
    notifier = Notifier()
    try:
        assert notifier.available() is False
        decision = stale_decision(
            run_check(db, datetime.fromisoformat(CHECK_AT), notifier=notifier)
        )
    finally:
        notifier.close()

    assert time.monotonic() - started < 5
    assert decision.status == "inbox"
    assert "inbox" in decision.reason
    rows = store.list_notifications(db)
    assert [(r["key"], r["status"], r["title"]) for r in rows if r["kind"] == "stale"] == [
        (STALE_KEY, "inbox", STALE_TITLE)
    ]


def test_an_unreachable_session_bus_is_no_desktop_and_does_not_block(tmp_path, monkeypatch):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-such-bus")
    started = time.monotonic()
    notifier = Notifier()
    try:
        assert notifier.available() is False
    finally:
        notifier.close()
    assert time.monotonic() - started < 6


# -- a real desktop: dunst under Xvfb in a private session bus ----------------------------------

SCRIPT = textwrap.dedent(
    """
    import json, subprocess, sys, time
    from datetime import datetime
    from pathlib import Path

    from companion import store
    from companion.ingest import exports, imports
    from companion.reminders.delivery import run_check
    from companion.reminders.desktop import Notifier

    folder = Path(sys.argv[1])
    home = folder / "home"
    home.mkdir(mode=0o700)
    db = store.connect(home)
    csv_path = folder / "history.csv"
    csv_path.write_text(sys.argv[2], encoding="utf-8")
    assert imports.import_file(db, csv_path).added == 1

    notifier = Notifier()
    try:
        available = notifier.available()
        decisions = run_check(db, datetime.fromisoformat(sys.argv[3]), notifier=notifier)
    finally:
        notifier.close()
    print(json.dumps({"decisions": [d.to_dict() for d in decisions]}), flush=True)
    if sys.argv[4] != "desktop":
        print(json.dumps({"available": available, "rows": store.list_notifications(db)}))
        sys.exit(0)
    time.sleep(1)

    def dunstctl(*args):
        done = subprocess.run(["dunstctl", *args], capture_output=True, text=True, timeout=10)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done.stdout

    displayed = dunstctl("count", "displayed").strip()
    dunstctl("close-all")
    time.sleep(0.3)
    print(json.dumps({
        "available": available,
        "displayed": displayed,
        "rows": store.list_notifications(db),
        "history": json.loads(dunstctl("history")),
    }), flush=True)
    """
)

SHELL = textwrap.dedent(
    """
    set -u
    Xvfb :{n} -screen 0 1024x768x24 -nolisten tcp & XPID=$!
    i=0; until [ -S /tmp/.X11-unix/X{n} ]; do
      i=$((i+1)); [ $i -ge 100 ] && echo "Xvfb did not start" >&2 && exit 90; sleep 0.1
    done
    export DISPLAY=:{n}
    dbus-update-activation-environment DISPLAY
    dunst & DPID=$!
    i=0; until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.Notifications \
        2>/dev/null | grep -q 'boolean true'; do
      i=$((i+1)); [ $i -ge 100 ] && echo "dunst did not start" >&2 && exit 91; sleep 0.1
    done
    dunstctl count displayed >/dev/null || exit 92
    "$PYTHON" "$SCRIPT" "$FOLDER" "$CSV" "$CHECK_AT" desktop; rc=$?
    kill $DPID $XPID 2>/dev/null
    exit $rc
    """
)


def free_display() -> int:
    for _ in range(200):
        n = 90 + random.randrange(400)
        if not Path(f"/tmp/.X{n}-lock").exists() and not Path(f"/tmp/.X11-unix/X{n}").exists():
            return n
    raise RuntimeError("no free X display number")


def run_in_session(tmp_path: Path, shell: str) -> tuple[dict, dict, str]:
    """Run SCRIPT through `shell` in a private session bus; its two JSON lines and the output."""
    script = tmp_path / "notify_in_desktop.py"
    script.write_text(SCRIPT, encoding="utf-8")
    hidden = ("DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY")
    env = {k: v for k, v in os.environ.items() if k not in hidden}
    env.update(
        PYTHON=sys.executable,
        SCRIPT=str(script),
        FOLDER=str(tmp_path),
        CSV=CSV,
        CHECK_AT=CHECK_AT,
        PYTHONPATH=str(REPO),
        HOME=str(tmp_path),  # dunst reads no user config, whoever runs the tests
        XDG_CONFIG_HOME=str(tmp_path / "config"),
    )
    proc = subprocess.Popen(
        ["dbus-run-session", "--", "sh", "-c", shell],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # so a timeout can end Xvfb, dunst and the bus too
    )
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"the desktop session timed out after 60 s\nstdout:\n{out}\nstderr:\n{err}")
    output = f"exit {proc.returncode}\nstdout:\n{out}\nstderr:\n{err}"
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or len(lines) != 2:
        pytest.fail("the desktop session failed\n" + output)
    return json.loads(lines[0]), json.loads(lines[1]), output


def run_in_desktop(tmp_path: Path) -> tuple[dict, dict, str]:
    return run_in_session(tmp_path, SHELL.format(n=free_display()))


def shown(history: dict) -> list[tuple[str, str]]:
    """(summary, body) of every notification in `dunstctl history`."""
    entries = [entry for group in history["data"] for entry in group]
    return [(e["summary"]["data"], e["body"]["data"]) for e in entries]


def test_a_real_notification_is_shown_by_dunst(tmp_path):
    require_system_package("/usr/bin/Xvfb", "xvfb")
    require_system_package("/usr/bin/dunst", "dunst")
    require_system_package("/usr/bin/dbus-run-session", "dbus")
    require_system_package("/usr/bin/dunstctl", "dunst")
    require_system_package("/usr/bin/dbus-send", "dbus-bin")

    first, after, output = run_in_desktop(tmp_path)

    assert after["available"] is True, output
    stale = [d for d in first["decisions"] if d["kind"] == "stale"]
    assert [(d["key"], d["status"]) for d in stale] == [(STALE_KEY, "sent")], output
    assert [r["status"] for r in after["rows"] if r["key"] == STALE_KEY] == ["sent"], output
    # Every decision marked sent was really shown, with its title and its body.
    sent = [(d["title"], d["body"]) for d in first["decisions"] if d["status"] == "sent"]
    assert int(after["displayed"]) == len(sent), output
    notifications = shown(after["history"])
    assert (STALE_TITLE, stale[0]["body"]) in notifications, output
    assert "1 Nov 2026, 29 days ago" in stale[0]["body"]
    assert sorted(notifications) == sorted(sent), output


def test_a_notification_server_that_cannot_start_leaves_the_reminder_in_the_inbox(tmp_path):
    """A session bus where dunst is startable by D-Bus but has no screen to start on.

    available() sees an activatable org.freedesktop.Notifications; the activation then fails
    and desktop-notifier only logs it. Nothing was shown, so the reminder must stay `inbox`.
    """
    require_system_package("/usr/bin/dunst", "dunst")
    require_system_package("/usr/bin/dbus-run-session", "dbus")
    # Debian's dunst makes itself startable by D-Bus with this file.
    require_system_package("/usr/share/dbus-1/services/org.knopwob.dunst.service", "dunst")

    first, after, output = run_in_session(
        tmp_path, '"$PYTHON" "$SCRIPT" "$FOLDER" "$CSV" "$CHECK_AT" no-screen'
    )

    assert after["available"] is True, output  # activatable: the notifier tries the desktop
    stale = [d for d in first["decisions"] if d["kind"] == "stale"]
    assert [(d["key"], d["status"]) for d in stale] == [(STALE_KEY, "inbox")], output
    assert [r["status"] for r in after["rows"] if r["key"] == STALE_KEY] == ["inbox"], output
