"""Text from the input (addresses, names, values, file names) is hostile: in a
human-readable rendering a control character must not drive the terminal (ANSI escapes,
bell), start a column-0 line that a CI system obeys (`::add-mask::`, `::error::`), or
reorder what a reviewer reads (bidi overrides). JSON and SARIF escape by themselves."""

from __future__ import annotations

import re

# C0 (except none: tab and newline are escaped too, a value must stay on its line),
# DEL, C1, zero-width and bidi controls, line/paragraph separators, BOM.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def _escape(m: re.Match) -> str:
    ch = m.group()
    code = ord(ch)
    if ch == "\n":
        return "\\n"
    if ch == "\r":
        return "\\r"
    if ch == "\t":
        return "\\t"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_control(text: str) -> str:
    """`text` with every control, zero-width and bidi character written as a visible
    escape (`\\x1b`, `\\n`, `\\u202e`): one line, inert in any terminal or CI log."""
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(_escape, text)
