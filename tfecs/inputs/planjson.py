"""Parse a `terraform show -json` document member by member, to keep the peak memory of
large plans down: the parse is where memory peaks (the bytes, orjson's document tree and
the objects at once). `planned_values` (a copy of what `resource_changes` holds) and
`resource_drift` are checked but never built, `prior_state` is cut down to its data
sources at once, and `resource_changes` is parsed in 1 MB pieces.

Exact or nothing: every piece is verified as orjson would parse the whole document, and
anything unexpected returns None so the caller parses the whole text as before.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

_WS = rb"[ \t\n\r]*"
_OPEN = re.compile(_WS + rb"\{")
_MEMBER = re.compile(_WS + rb'("(?:[^"\\\x00-\x1f]|\\.)*")' + _WS + rb":" + _WS)
_NEXT = re.compile(_WS + rb"([,}])")
# Where the next top-level member probably starts: the names of the members Terraform
# writes after the large ones (not format_version, which prior_state holds too, nor
# `configuration` alone, a resource attribute). Only a guess: a value that parses
# exactly up to it is proven to end there; else orjson finds the end.
_NEXT_MEMBER = re.compile(
    rb',"(?:planned_values|resource_drift|resource_changes|deferred_changes|output_changes|prior_state'
    rb'|configuration":\{"(?:provider_config|root_module)|relevant_attributes|checks|timestamp|applyable|complete|errored)"'
)
_NOT_CONTINUATION = bytes(b for b in range(256) if not 0x80 <= b < 0xC0)
# Members read_plan does not read: resource_drift, and planned_values when resource_changes
# is there (it holds the same resources, with before, unknown and sensitive trees).
_SKIPPED = ("planned_values", "resource_drift")
_TRAILING = "unexpected content after document"  # orjson's error for bytes after a value
_PIECE = 1 << 20


def plan_members(data: bytes) -> dict | None:
    """The plan's top-level object, parsed member by member, without building the
    members read_plan does not read: the parse is where memory peaks (the bytes, orjson's
    document tree and the objects at once), and planned_values is a quarter of a plan.

    Exact: each member is parsed wrapped in an array, one level deep as in the whole
    document, so nesting limits and every accepted or rejected value are the same; the
    members skipped are still checked. Anything unexpected (not an object, not plain
    UTF-8, an error anywhere) returns None and the whole text is parsed as before."""
    if not (data[:16].lstrip()[:1] == b"{" and not (len(data) >= 4 and data[1] == 0 and data[3] == 0)):
        return None
    opened = _OPEN.match(data)
    close = len(data) - 1  # the closing brace, after which only whitespace may come
    while close > 0 and data[close] in b" \t\n\r" and len(data) - close < 4096:
        close -= 1
    if opened is None or data[close] != 0x7D:  # "}"
        return None
    view = memoryview(data)
    ascii_only = data.isascii()
    doc: dict = {}
    skipped: dict[str, tuple[int, int]] = {}
    changes: tuple[int, int] | None = None  # resource_changes, parsed last, in pieces
    pos = opened.end()
    while True:
        member = _MEMBER.match(data, pos)
        if member is None:
            return None
        try:
            key = orjson.loads(member.group(1))
        except orjson.JSONDecodeError:
            return None
        start = member.end()
        guess = _NEXT_MEMBER.search(data, start, close)
        end = guess.start() if guess else close
        if key == "resource_changes" and end - start > _PIECE and data[start] == 0x5B:  # "["
            # A large list: its end is taken on trust until its pieces parse (else the
            # whole text is parsed), so that prior_state is parsed and pruned first.
            if changes is not None:
                return None
            changes = (start, end)
            value = None
        else:
            parsed = _member(data, view, start, end, key in _SKIPPED, ascii_only)
            if parsed is None:
                return None
            value, end = parsed
            if key == "resource_changes":
                changes = None  # a repeated member: the last one wins, whatever its size
        if key == "prior_state":
            value = data_sources_only(value)
        # A repeated key keeps its first place and takes the last value, as in a dict
        # and as orjson (the whole-text path) does: the last member wins, whatever the
        # sizes, the encoding or the whitespace (docs/security.md).
        if key in _SKIPPED:
            doc.pop(key, None)
            skipped[key] = (start, end)
        else:
            skipped.pop(key, None)
            doc[key] = value
        after = _NEXT.match(data, end)
        if after is None:
            return None
        if after.group(1) == b"}":
            if after.start(1) != close:
                return None
            break
        pos = after.end()
    if changes is not None:
        listed = _list_in_pieces(data, view, *changes)
        if listed is None:
            return None
        doc["resource_changes"] = listed
    if "planned_values" in skipped and doc.get("resource_changes") is None:  # read_plan reads it then
        start, end = skipped["planned_values"]
        parsed = _member(data, view, start, end, False, ascii_only)
        if parsed is None:
            return None
        doc["planned_values"] = parsed[0]
    return doc


def _list_in_pieces(data: bytes, view: memoryview, start: int, end: int) -> list | None:
    """The JSON list of objects in data[start:end], parsed a piece of about _PIECE bytes
    at a time, so that orjson's tree of a piece, not of the whole list, sits beside the
    objects. Pieces end after a `}` followed by `,{"address":`, which Terraform writes
    between resource changes (it cannot occur inside a string); a piece cut inside an
    element does not parse (an object is left open) and is taken longer. Pieces are
    parsed wrapped two levels deep, as inside the document. None: parse it whole."""
    close = end
    while close > start and data[close - 1] in b" \t\n\r":
        close -= 1
    if data[close - 1] != 0x5D:  # "]"
        return None
    out: list = []
    pos, close, size = start + 1, close - 1, _PIECE
    while True:
        cut = data.find(b'},{"address":', pos + size, close)
        stop = close if cut < 0 else cut + 1
        try:
            piece = orjson.loads(b"".join((b"[[", view[pos:stop], b"]]")))[0]
        except orjson.JSONDecodeError:
            if cut < 0:
                return None
            size = 2 * (stop - pos)  # cut inside an element (a nested list): a longer piece
            continue
        out.extend(piece)
        if cut < 0:
            return out
        pos, size = stop + 1, _PIECE


def data_sources_only(prior: Any) -> Any:
    """prior_state as read_plan reads it: only its data sources (read during plan) are
    taken, so every other resource becomes a stub with its mode, in place (indexes, and
    every check read_plan makes, stay the same). A third of a plan, freed early."""
    values = prior.get("values") if isinstance(prior, dict) else None
    stack = [values.get("root_module")] if isinstance(values, dict) else []
    while stack:
        module = stack.pop()
        if not isinstance(module, dict):
            continue
        resources = module.get("resources")
        if isinstance(resources, list):
            for i, res in enumerate(resources):
                if isinstance(res, dict) and res.get("mode", "managed") != "data":
                    resources[i] = {"mode": res.get("mode", "managed")}
        children = module.get("child_modules")
        if isinstance(children, list):
            stack.extend(children)
    return prior


def _member(data: bytes, view: memoryview, start: int, guess: int, check_only: bool, ascii_only: bool) -> tuple[Any, int] | None:
    """The JSON value at `start` and where it ends; a large one probably ends at `guess`.

    The value is parsed wrapped in an array (`check_only`: with a byte after it, so that
    orjson checks the whole tree and stops before making objects). Parsed whole up to
    the guess, it is proven to end there; else orjson says where it ends."""
    small = _value_end(data, view, start, ascii_only, start + 4096)
    for end in (small,) if small is not None else (guess, None):
        if end is None:  # the guess was wrong: find the end, then parse up to it
            end = _value_end(data, view, start, ascii_only, len(data))
            if end is None:
                return None
        wrapped = b"".join((b"[", view[start:end], b"] x" if check_only else b"]"))
        try:
            value = orjson.loads(wrapped)
        except orjson.JSONDecodeError as exc:
            if check_only and str(exc).startswith(_TRAILING) and exc.pos == _chars(wrapped, ascii_only) - 1:
                return None, end
            continue
        if not check_only:
            return value[0], end
    return None


def _chars(text: bytes, ascii_only: bool) -> int:
    """Characters in UTF-8 text: bytes that do not continue a multi-byte character."""
    return len(text) if ascii_only else len(text.translate(None, bytes(range(0x80, 0xC0))))


def _value_end(data: bytes, view: memoryview, start: int, ascii_only: bool, stop: int) -> int | None:
    """Where the JSON value at `start` ends, if before `stop`: orjson parses it (its
    tree, no objects) and stops at the first byte after it, saying where, in characters.
    (orjson reads all it is given first, so a small value is given a small window.)"""
    try:
        orjson.loads(view[start:stop])
    except orjson.JSONDecodeError as exc:
        if not str(exc).startswith(_TRAILING):
            return None
        chars = exc.pos
    else:
        return None  # ran to the stop: longer, or not closed
    if ascii_only:
        return start + chars
    size = chars  # characters to bytes: each continuation byte adds one
    while True:
        extra = len(data[start : start + size].translate(None, _NOT_CONTINUATION))
        if chars + extra == size:
            return start + size
        size = chars + extra
