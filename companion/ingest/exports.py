"""Export: every reading, oldest first, as CSV or JSON (the formats `import` reads back).

A CSV text cell that a spreadsheet would run as a formula gets a leading `'` (OWASP's CSV
injection rule); `unescape_formula` takes it away again on import.
"""

import csv
import io
import json

from companion.reading import READING_FIELDS

# When the reading was captured, then every field of the reading but the layout it came from.
EXPORT_COLUMNS = ("captured_at", *(name for name in READING_FIELDS if name != "source"))
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The columns that hold text; every other one holds a number, which is never escaped.
TEXT_COLUMNS = frozenset({"captured_at", "industry"})


def _cell(value) -> str:
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


def _needs_quote_mark(text: str) -> bool:
    # Past any ' already there, so that a text that itself starts with ' before a formula
    # character ("'=x") gets one more and comes back from an import as it was.
    return text.lstrip("'").startswith(_FORMULA_STARTS)


def escape_formula(text: str) -> str:
    """A text cell as a spreadsheet must see it: never as a formula."""
    return "'" + text if _needs_quote_mark(text) else text


def unescape_formula(text: str) -> str:
    """What escape_formula was given; a text that it left alone comes back as it is."""
    return text[1:] if text.startswith("'") and _needs_quote_mark(text[1:]) else text


def _export_cell(name: str, value) -> str:
    text = _cell(value)
    return escape_formula(text) if name in TEXT_COLUMNS else text


def _line_quoting_cr(cells: list[str]) -> str:
    # With "\n" as its line end, the writer leaves a "\r" in a cell bare, which every reader
    # takes for the end of a line; with "\r\n" it quotes the cell. The line still ends in "\n".
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out.getvalue()[:-2] + "\n"


def export_csv(readings: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for reading in readings:
        cells = [_export_cell(name, reading[name]) for name in EXPORT_COLUMNS]
        if any("\r" in cell for cell in cells):
            out.write(_line_quoting_cr(cells))
        else:
            writer.writerow(cells)
    return out.getvalue()


def export_json(readings: list[dict]) -> str:
    rows = [{name: reading[name] for name in EXPORT_COLUMNS} for reading in readings]
    return json.dumps({"readings": rows}, ensure_ascii=False, indent=1) + "\n"
