"""The data directory and the token: there, ours, and for nobody else to read."""

import os
import shlex
import stat
from pathlib import Path

from companion import config
from companion.doctor.base import SERVE_ONCE, Check, Context, failed, passed
from companion.history.wording import count
from companion.i18n import _, ngettext

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
        return failed(
            _("%(path)s does not exist", path=path), _(SERVE_ONCE), path=str(path), exists=False
        )
    home = config.ENV_PREFIX + "HOME"
    if not stat.S_ISDIR(st.st_mode):
        return failed(
            _("%(path)s is not a folder", path=path),
            _("move it away, or set %(variable)s to a folder of yours", variable=home),
            path=str(path),
            exists=True,
        )
    if st.st_uid != os.getuid() or not os.access(path, os.R_OK | os.W_OK | os.X_OK):
        return failed(
            _(
                "%(path)s cannot be used by this account (owner uid %(uid)s, %(mode)s)",
                path=path,
                uid=st.st_uid,
                mode=mode(st),
            ),
            _("set %(variable)s to a folder you own", variable=home),
            path=str(path),
            exists=True,
            mode=mode(st),
        )
    below, file_modes = _walk(path)
    wide = ([(path, mode(st))] if st.st_mode & 0o077 else []) + below
    details = {"path": str(path), "exists": True, "mode": mode(st)}
    if wide:
        shown = ", ".join(f"{p.relative_to(path) if p != path else p} ({m})" for p, m in wide[:3])
        if len(wide) > 3:
            more = len(wide) - 3
            # Translators: %(files)s lists three files with their modes, "ssi.db (0644), ...".
            found = ngettext(
                "%(path)s: others may read %(files)s and %(count)s more",
                "%(path)s: others may read %(files)s and %(count)s more",
                more,
                path=path,
                files=shown,
                count=count(more),
            )
        else:
            found = _("%(path)s: others may read %(files)s", path=path, files=shown)
        return failed(
            found,
            _(
                "%(command)s (`ssi-companion serve` also does it when it starts)",
                command="chmod -R go-rwx " + quoted,
            ),
            **details,
            too_wide=[{"path": str(p), "mode": m} for p, m in wide],
        )
    if file_modes <= {"0600"}:
        found = _("%(path)s (%(mode)s, files 0600)", path=path, mode=mode(st))
    else:
        found = _("%(path)s (%(mode)s, files owner-only)", path=path, mode=mode(st))
    return passed(found, **details)


def check_token(ctx: Context) -> Check:
    # The token itself is never read into a Check: only whether it is there and sound.
    from companion.store import access_token

    path = ctx.data_dir / access_token.TOKEN_FILE
    details = {"path": str(path)}
    rotate = _("run `ssi-companion token --rotate`, then pair the extension again")
    try:
        st = path.lstat()
    except FileNotFoundError:
        if ctx.holder:
            missing = _("%(path)s is missing: every API request is refused", path=path)
            return failed(missing, rotate, **details)
        return failed(_("%(path)s does not exist yet", path=path), _(SERVE_ONCE), **details)
    try:
        access_token.load(path)
    except FileNotFoundError:
        return failed(_("%(path)s is a broken link", path=path), rotate, **details)
    except access_token.Unusable as exc:
        return failed(f"{path} {exc}", exc.remedy, **details)
    details["mode"] = mode(st)
    if st.st_mode & 0o077:
        return failed(
            _("%(path)s may be read by others (%(mode)s)", path=path, mode=mode(st)),
            # Translators: %(rotate)s is "run `ssi-companion token --rotate`, then pair ...".
            _(
                "%(command)s; then, as others may have read it, %(rotate)s",
                command="chmod 600 " + shlex.quote(str(path)),
                rotate=rotate,
            ),
            **details,
        )
    return passed(f"{path} ({mode(st)})", **details)
