"""Wildcard matching in linear time, for patterns that come from the input (IAM action
globs, ECR scanning filters): a regex with one `.*` per `*` backtracks polynomially (a
pattern of many stars against a long name ran for minutes).

The pattern is cut at its stars into fixed-length pieces (`?` stands for one
character); the first piece must match at the start, the last at the end, and each
other one is taken at its leftmost place after the previous: for star-separated pieces
the leftmost place never loses a match, so there is no backtracking. Each piece is found
by str.find (no `?`; CPython's two-way search is linear) or by a regex of literals and
`.` without any quantifier (at most text x piece steps: `?` pieces only come from IAM
globs, matched against the short action names rules ask about)."""

from __future__ import annotations

import re
from functools import lru_cache

@lru_cache(maxsize=4096)
def _pieces(pattern: str, question: bool) -> tuple[tuple[str, "re.Pattern[str] | None"], ...]:
    out = []
    for part in pattern.split("*"):
        if question and "?" in part:
            out.append((part, re.compile("".join("." if c == "?" else re.escape(c) for c in part), re.S)))
        else:
            out.append((part, None))
    return tuple(out)


def _at(piece: tuple[str, "re.Pattern[str] | None"], text: str, pos: int) -> bool:
    literal, rx = piece
    if rx is None:
        return text.startswith(literal, pos)
    return rx.match(text, pos) is not None


def _find(piece: tuple[str, "re.Pattern[str] | None"], text: str, pos: int) -> int:
    literal, rx = piece
    if rx is None:
        return text.find(literal, pos)
    m = rx.search(text, pos)
    return m.start() if m else -1


def glob_match(pattern: str, text: str, *, question: bool = True, ignore_case: bool = False) -> bool:
    """`pattern` matches all of `text`: `*` any run of characters (none too), `?` (when
    `question`) exactly one. `ignore_case`: compared case-folded (IAM)."""
    if ignore_case:
        pattern, text = pattern.casefold(), text.casefold()
    pieces = _pieces(pattern, question)
    if len(pieces) == 1:
        return len(text) == len(pieces[0][0]) and _at(pieces[0], text, 0)
    first, *middle, last = pieces
    if len(first[0]) + len(last[0]) > len(text) or not _at(first, text, 0):
        return False
    pos, tail = len(first[0]), len(text) - len(last[0])
    for piece in middle:
        if not piece[0]:
            continue
        found = _find(piece, text, pos)
        if found < 0 or found + len(piece[0]) > tail:
            return False
        pos = found + len(piece[0])
    return _at(last, text, tail)
