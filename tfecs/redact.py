"""Never leak a secret: every value the plan marks sensitive is collected, and rendered
output is scrubbed of them as a last line of defence (rules already never print values)."""

from __future__ import annotations

import re
from typing import Any, Iterable

import orjson

from .inputs.raw import RawResource, Tree

MASK = "(redacted)"
_MIN_LEN = 4  # shorter values ("true", "80") would mangle ordinary text


def sensitive_values(raws: Iterable[RawResource]) -> set[str]:
    found: set[str] = set()
    for raw in raws:
        if raw.after_sensitive not in (False, None, {}):
            _collect(raw.after, raw.after_sensitive, False, found)
        if raw.before_sensitive not in (False, None, {}):
            _collect(raw.before, raw.before_sensitive, False, found)
    return found


def _collect(value: Any, tree: Tree, marked: bool, out: set[str]) -> None:
    marked = marked or tree is True
    if isinstance(value, dict):
        for k, v in value.items():
            _collect(v, tree.get(k, False) if isinstance(tree, dict) else False, marked, out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            sub = tree[i] if isinstance(tree, list) and i < len(tree) else False
            _collect(v, sub, marked, out)
    elif marked and isinstance(value, str):
        if value[:1] in "[{":
            # A sensitive JSON string (container_definitions): its parts are secrets too.
            try:
                _collect(orjson.loads(value), True, True, out)
            except orjson.JSONDecodeError:
                pass
        if len(value) >= _MIN_LEN:
            out.add(value)
    elif marked and isinstance(value, (int, float)) and not isinstance(value, bool) and len(str(value)) >= _MIN_LEN:
        out.add(str(value))


class Redactor:
    def __init__(self, secrets: Iterable[str]):
        # Each value as written, and as a JSON string would escape it.
        forms = {f for s in secrets if len(s) >= _MIN_LEN for f in (s, orjson.dumps(s).decode()[1:-1])}
        values = sorted(forms, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, values))) if values else None

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(MASK, text)
