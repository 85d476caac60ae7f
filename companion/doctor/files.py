"""The data directory and the token: there, ours, and for nobody else to read."""

import os
import shlex
import stat
from pathlib import Path

from companion import config
from companion.doctor.base import SERVE_ONCE, Check, Context, failed, passed

# The data directory holds a few dozen files; a walk stops here, whatever is in it.
MAX_ENTRIES = 10_000


def mode(st: os.stat_result) -> str:
    return f"{stat.S_IMODE(st.st_mode):04o}"


def _walk(root: Path) -> tuple[list[tuple[Path, str]], set[str]]:
    """The entries below `root` that others may use (mode bits for group or other), and the
    modes of its files. What config.make_private puts right at every start; links are not
    followed, as there."""
    found = []
    file_modes = set()
    pending = [root]
    seen = 0
    while pending and seen < MAX_ENTRIES:
        folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue  # a folder we cannot list is not ours to judge
        for entry in entries:
            seen += 1
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue  # gone meanwhile
            if stat.S_ISLNK(st.st_mode):
                continue
            if stat.S_ISDIR(st.st_mode):
                pending.append(Path(entry.path))
            else:
                file_modes.add(mode(st))
            if st.st_mode & 0o077:
                found.append((Path(entry.path), mode(st)))
    return found, file_modes


def check_data_dir(ctx: Context) -> Check:
    path = ctx.data_dir
    quoted = shlex.quote(str(path))
    try:
        st = path.stat()
    except FileNotFoundError:
        return failed(f"{path} does not exist", SERVE_ONCE, path=str(path), exists=False)
    if not stat.S_ISDIR(st.st_mode):
        return failed(
            f"{path} is not a folder",
            f"move it away, or set {config.ENV_PREFIX}HOME to a folder of yours",
            path=str(path),
            exists=True,
        )
    if st.st_uid != os.getuid() or not os.access(path, os.R_OK | os.W_OK | os.X_OK):
        return failed(
            f"{path} cannot be used by this account (owner uid {st.st_uid}, {mode(st)})",
            f"set {config.ENV_PREFIX}HOME to a folder you own",
            path=str(path),
            exists=True,
            mode=mode(st),
        )
    below, file_modes = _walk(path)
    wide = ([(path, mode(st))] if st.st_mode & 0o077 else []) + below
    details = {"path": str(path), "exists": True, "mode": mode(st)}
    if wide:
        shown = ", ".join(f"{p.relative_to(path) if p != path else p} ({m})" for p, m in wide[:3])
        more = f" and {len(wide) - 3} more" if len(wide) > 3 else ""
        return failed(
            f"{path}: others may read {shown}{more}",
            f"chmod -R go-rwx {quoted} (`ssi-companion serve` also does it when it starts)",
            **details,
            too_wide=[{"path": str(p), "mode": m} for p, m in wide],
        )
    files = "files 0600" if file_modes <= {"0600"} else "files owner-only"
    return passed(f"{path} ({mode(st)}, {files})", **details)


def check_token(ctx: Context) -> Check:
    # The token itself is never read into a Check: only whether it is there and sound.
    from companion.store import access_token

    path = ctx.data_dir / access_token.TOKEN_FILE
    details = {"path": str(path)}
    rotate = "run `ssi-companion token --rotate`, then pair the extension again"
    try:
        st = path.lstat()
    except FileNotFoundError:
        if ctx.holder:
            return failed(f"{path} is missing: every API request is refused", rotate, **details)
        return failed(f"{path} does not exist yet", SERVE_ONCE, **details)
    try:
        access_token.load(path)
    except FileNotFoundError:
        return failed(f"{path} is a broken link", rotate, **details)
    except access_token.Unusable as exc:
        return failed(f"{path} {exc}", exc.remedy, **details)
    details["mode"] = mode(st)
    if st.st_mode & 0o077:
        return failed(
            f"{path} may be read by others ({mode(st)})",
            f"chmod 600 {shlex.quote(str(path))}; then, as others may have read it, {rotate}",
            **details,
        )
    return passed(f"{path} ({mode(st)})", **details)
