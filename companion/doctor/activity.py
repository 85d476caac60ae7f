"""What came in from the browser: the last capture, and when the extension last connected."""

from companion.doctor.base import SERVE_ONCE, Check, Context, failed, passed
from companion.doctor.wording import when
from companion.i18n import N_, _

SSI_PAGE = "https://www.linkedin.com/sales/ssi"
# What to do about a capture that was not read, by its error code (%(page)s: SSI_PAGE).
_CAPTURE_FIXES = {
    "not_ssi_page": N_("open %(page)s (signed in to LinkedIn) and wait until your numbers show"),
    "not_rendered": N_("open %(page)s again and wait until your numbers show"),
}
_PARSER_FIX = N_(
    "LinkedIn may have changed its page: the page is kept, and after an update of SSI "
    "Companion `ssi-companion reparse` reads it again"
)
# A pipx install has no README at hand: the CLI itself says how to load the extension.
# Translators: "Pair with the companion" and "Pairing" are the extension's and the pages' own
# words: use the same translation as there.
LOAD_AND_PAIR = N_(
    "build it with `ssi-companion extension build` (`--browser firefox` for Firefox), which "
    'prints the three steps to load it; then press "Pair with the companion" in the '
    "extension's options and approve the code on the Pairing page (`ssi-companion open`)"
)


def check_last_capture(ctx: Context) -> Check:
    if ctx.facts is None:
        if not ctx.db_path.exists():
            return failed(_("none yet: there is no database"), _(SERVE_ONCE))
        return failed(
            _("unknown: the database cannot be read (see above)"), _("see Database above")
        )
    last = ctx.facts["last_capture"]
    if last is None:
        return failed(
            _("none yet"),
            _("with the extension paired, open %(page)s", page=SSI_PAGE),
            status=None,
            error=None,
        )
    seen = when(last["captured_at"], ctx.now)  # when the user was on the page
    details = {
        "received_at": last["received_at"],
        "captured_at": last["captured_at"],
        "status": last["status"],
        "error_code": last["error_code"],
    }
    if last["status"] == "ok":
        return passed(_("%(when)s: read", when=seen), **details)
    code = last["error_code"]
    fix = _(_CAPTURE_FIXES[code], page=SSI_PAGE) if code in _CAPTURE_FIXES else _(_PARSER_FIX)
    return failed(
        _(
            "%(when)s: not read (%(code)s: %(reason)s)",
            when=seen,
            code=code,
            reason=last["error_message"],
        ),
        fix,
        **details,
    )


def check_extension(ctx: Context) -> Check:
    from companion.store import extension_contact

    contact = extension_contact.last(ctx.data_dir)
    if contact is None:
        return failed(
            _("has never connected with the token"), _(LOAD_AND_PAIR), at=None, browser=None
        )
    last_connected = _(
        "%(browser)s, last connected %(when)s",
        browser=contact["browser"],
        when=when(contact["at"], ctx.now),
    )
    return passed(last_connected, **contact)
