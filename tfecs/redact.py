"""Never leak a secret: every value the plan marks sensitive is collected, and rendered
output is scrubbed of them as a last line of defence (rules already never print values)."""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable

import orjson

from .inputs.raw import RawResource, Tree

MASK = "(redacted)"
_MIN_LEN = 4  # shorter values ("80", "tcp") would mangle ordinary text
# Words a sensitive container definition is full of ("essential": "true") that are no
# secret and would mangle every message and address that says them.
_NOT_SECRETS = frozenset({"true", "false", "null", "none", "True", "False", "None", "TRUE", "FALSE", "NULL"})


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
    if not marked:
        # Only the marked parts of the tree can hold a secret: follow the tree, not the
        # value (most resources mark nothing, or only a few attributes).
        if isinstance(tree, dict) and isinstance(value, dict):
            for k, sub in tree.items():
                if sub and k in value:  # False and empty trees mark nothing
                    _collect(value[k], sub, False, out)
        elif isinstance(tree, list) and isinstance(value, list):
            for v, sub in zip(value, tree):
                if sub:
                    _collect(v, sub, False, out)
        return
    if isinstance(value, dict):
        for v in value.values():
            _collect(v, True, True, out)
    elif isinstance(value, list):
        for v in value:
            _collect(v, True, True, out)
    elif isinstance(value, str):
        if value[:1] in "[{":
            # A sensitive JSON string (container_definitions): its parts are secrets too.
            try:
                _collect(orjson.loads(value), True, True, out)
            except orjson.JSONDecodeError:
                pass
        if len(value) >= _MIN_LEN:
            out.add(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and len(str(value)) >= _MIN_LEN:
        out.add(str(value))


# Secrets longer than this are looked for by their first _PREFIX characters and join the
# pattern only when the text holds them: a pattern of thousands of long JSON secrets
# takes longer to compile than the whole scan.
_PREFIX = 24


class Redactor:
    """Replaces every secret in a text by MASK: at each position the longest secret that
    starts there, scanning left to right (as an alternation sorted longest first would).

    The secrets form a trie-shaped pattern, so matching costs about the same per
    character whether there are ten secrets or ten thousand."""

    def __init__(self, secrets: Iterable[str], keep: Iterable[str] = ()):
        """`keep`: identifiers printed as they are (resource addresses, rule ids). A
        sensitive value such as "shared" must not turn `aws_iam_role.bad_shared` into
        `bad_(redacted)`; Terraform forbids sensitive values in count and for_each, so
        an address never holds one."""
        # Each value as written, and as a JSON string would escape it.
        forms = {
            f for s in secrets if len(s) >= _MIN_LEN and s not in _NOT_SECRETS for f in (s, orjson.dumps(s).decode()[1:-1])
        }
        self._short = frozenset(f for f in forms if len(f) <= _PREFIX)
        self._long: dict[str, list[str]] = {}
        for f in forms:
            if len(f) > _PREFIX:
                self._long.setdefault(f[:_PREFIX], []).append(f)
        self._prefixes = re.compile(f"(?=({_trie(self._long)}))") if self._long else None
        self._patterns: dict[frozenset[str], re.Pattern[str] | None] = {}
        at_risk = [k for k in set(keep) if k and self._mask(k) != k]
        self._keep = re.compile(f"({_trie(at_risk)})") if at_risk else None

    def __call__(self, text: str) -> str:
        if self._keep is None:
            return self._mask(text)
        parts = self._keep.split(text)  # kept identifiers at the odd indexes
        return "".join(p if i % 2 else self._mask(p) for i, p in enumerate(parts))

    def _mask(self, text: str) -> str:
        present = self._present_long(text)
        pattern = self._patterns.get(present, _MISSING)
        if pattern is _MISSING:
            words = self._short | present
            pattern = self._patterns[present] = re.compile(_trie(words)) if words else None
        if pattern is None:
            return text
        return pattern.sub(MASK, text)

    def _present_long(self, text: str) -> frozenset[str]:
        """The long secrets that occur in text (those that do not cannot match)."""
        if self._prefixes is None:
            return frozenset()
        found = {
            f
            for m in self._prefixes.finditer(text)
            for f in self._long[m.group(1)]
            if text.startswith(f, m.start())
        }
        return frozenset(found)


_MISSING: Any = object()
_MAX_NESTING = 64


def _trie(words: Iterable[str]) -> str:
    """A regex matching any of `words`, the longest one where several start at the same
    place: `abc`, `abd`, `ab` -> `ab(?:c|d)?` (a greedy optional tries the longer first)."""

    def build(group: list[str], depth: int, level: int) -> str:
        ends = False
        children: dict[str, list[str]] = {}
        for w in group:
            if len(w) == depth:
                ends = True
            else:
                children.setdefault(w[depth], []).append(w)
        alts = []
        if level > _MAX_NESTING:
            # Deep enough (words that are prefixes of prefixes of ...): the rest as a flat
            # alternation, longest first, which matches the same and keeps re's parser
            # within its recursion limit.
            rest = sorted((w[depth:] for ws in children.values() for w in ws), key=len, reverse=True)
            alts = [re.escape(w) for w in rest]
        for branch in children.values() if not alts else ():
            if len(branch) == 1:
                alts.append(re.escape(branch[0][depth:]))
                continue
            # Words of one branch share at least one character; take the whole shared run.
            end = depth + 1
            shortest = min(map(len, branch))
            while end < shortest and all(w[end] == branch[0][end] for w in branch):
                end += 1
            alts.append(re.escape(branch[0][depth:end]) + build(branch, end, level + 1))
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 and not ends else "(?:" + "|".join(alts) + ")"
        return f"{body}?" if ends else body

    return build(sorted(set(words)), 0, 0)


def redact_strings(tree: Any, redact: Callable[[str], str]) -> Any:
    """`redact` applied to every string in a JSON-shaped tree, keys and structure kept: a
    secret such as `true` or `8080` masks text inside values, never a JSON number, literal
    or key (redacting the rendered JSON text would make it invalid)."""
    strings: dict[str, None] = {}
    _gather(tree, strings)
    if not strings:
        return tree
    unique = list(strings)
    # One pass over all values joined: a match cannot span the separator unless a secret
    # contains it, and then the split count tells, and each value is redacted alone.
    sep = "\x00"
    joined = sep.join(unique)
    redacted = redact(joined)
    if redacted == joined:
        return tree
    parts = redacted.split(sep)
    if len(parts) != len(unique) or any(sep in s for s in unique):
        parts = [redact(s) for s in unique]
    changed = {s: r for s, r in zip(unique, parts) if r != s}
    return _replace(tree, changed) if changed else tree


def _gather(value: Any, out: dict[str, None]) -> None:
    if isinstance(value, str):
        out[value] = None
    elif isinstance(value, dict):
        for v in value.values():
            if isinstance(v, str):
                out[v] = None
            elif isinstance(v, (dict, list)):
                _gather(v, out)
    elif isinstance(value, list):
        for v in value:
            _gather(v, out)


def _replace(value: Any, changed: dict[str, str]) -> Any:
    if isinstance(value, str):
        return changed.get(value, value)
    if isinstance(value, dict):
        return {k: _replace(v, changed) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, changed) for v in value]
    return value
