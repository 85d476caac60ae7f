"""What came in from the browser: the last capture, and when the extension last connected."""

from companion.doctor.base import SERVE_ONCE, Check, Context, failed, passed
from companion.doctor.wording import when

SSI_PAGE = "https://www.linkedin.com/sales/ssi"
_CAPTURE_FIXES = {
    "not_ssi_page": f"open {SSI_PAGE} (signed in to LinkedIn) and wait until your numbers show",
    "not_rendered": f"open {SSI_PAGE} again and wait until your numbers show",
}
_PARSER_FIX = (
    "LinkedIn may have changed its page: the page is kept, and after an update of SSI "
    "Companion `ssi-companion reparse` reads it again"
)
# A pipx install has no README at hand: the CLI itself says how to load the extension.
LOAD_AND_PAIR = (
    "build it with `ssi-companion extension build` (`--browser firefox` for Firefox), which "
    'prints the three steps to load it; then press "Pair with the companion" in the '
    "extension's options and approve the code on the Pairing page (`ssi-companion open`)"
)


def check_last_capture(ctx: Context) -> Check:
    if ctx.facts is None:
        if not ctx.db_path.exists():
            return failed("none yet: there is no database", SERVE_ONCE)
        return failed("unknown: the database cannot be read (see above)", "see Database above")
    last = ctx.facts["last_capture"]
    if last is None:
        return failed(
            "none yet", f"with the extension paired, open {SSI_PAGE}", status=None, error=None
        )
    seen = when(last["captured_at"], ctx.now)  # when the user was on the page
    details = {
        "received_at": last["received_at"],
        "captured_at": last["captured_at"],
        "status": last["status"],
        "error_code": last["error_code"],
    }
    if last["status"] == "ok":
        return passed(f"{seen}: read", **details)
    code = last["error_code"]
    return failed(
        f"{seen}: not read ({code}: {last['error_message']})",
        _CAPTURE_FIXES.get(code, _PARSER_FIX),
        **details,
    )


def check_extension(ctx: Context) -> Check:
    from companion.store import extension_contact

    contact = extension_contact.last(ctx.data_dir)
    if contact is None:
        return failed("has never connected with the token", LOAD_AND_PAIR, at=None, browser=None)
    return passed(f"{contact['browser']}, last connected {when(contact['at'], ctx.now)}", **contact)
