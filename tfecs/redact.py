"""Never leak a secret: every value the plan marks sensitive is collected, and rendered
output is scrubbed of them as a last line of defence (rules already never print values)."""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Iterable

import _sre
import orjson
from ahocorasick_rs import AhoCorasick

try:  # the characters re.IGNORECASE equates beyond their lowercase
    from re._casefix import _EXTRA_CASES  # Python 3.11+
except ImportError:  # pragma: no cover - Python 3.10
    from sre_compile import _ignorecase_fixes as _EXTRA_CASES  # type: ignore[no-redef]

from .inputs.raw import RawResource, Tree
from .model.secretscan import mask_secrets
from .textsafe import escape_control

MASK = "(redacted)"
# What JSON itself leaves raw but a terminal or a CI log obeys: DEL, C1 controls,
# zero-width and bidi characters, line separators, the BOM (the JSON report escapes them).
JSON_RAW_CONTROLS = re.compile("[\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
_MIN_LEN = 4  # shorter values ("80", "tcp") would mangle ordinary text
# Words a sensitive container definition is full of ("essential": "true") that are no
# secret and would mangle every message and address that says them.
_NOT_SECRETS = frozenset({"true", "false", "null", "none", "True", "False", "None", "TRUE", "FALSE", "NULL"})


# Maps whose keys are data, not schema: a sensitive value's keys there are secrets too
# (Docker labels, log driver options, tags, environment maps).
_FREE_FORM_MAPS = frozenset({"dockerLabels", "options", "secretOptions", "tags", "tags_all", "labels", "docker_labels", "variables"})


def sensitive_values(raws: Iterable[RawResource]) -> set[str]:
    """Every sensitive value and part of one (sensitive_spans, both kinds together)."""
    whole, parts = sensitive_spans(raws)
    return whole | parts


def sensitive_spans(raws: Iterable[RawResource]) -> tuple[set[str], set[str]]:
    """(whole values, parts): the values the plan marks sensitive, and the strings inside
    a sensitive JSON document (a container definition's `user`, an environment value)
    or keys of its free-form maps. A whole value is masked wherever it occurs; a part
    only where it stands alone, so that `root` from `"user": "root"` does not mask
    `rootless` or `aws_iam_role.root_x`."""
    whole: set[str] = set()
    parts: set[str] = set()
    for raw in raws:
        if raw.after_sensitive not in (False, None, {}):
            _collect(raw.after, raw.after_sensitive, False, whole, parts)
        if raw.before_sensitive not in (False, None, {}):
            _collect(raw.before, raw.before_sensitive, False, whole, parts)
    return whole, parts - whole


def sensitive_tree_values(value: Any) -> set[str]:
    """Every value inside a value that is sensitive as a whole (a sensitive variable)."""
    out: set[str] = set()
    parts: set[str] = set()
    _collect(value, True, True, out, parts)
    return out | parts


def _collect(value: Any, tree: Tree, marked: bool, out: set[str], parts: set[str], key: str | None = None) -> None:
    marked = marked or tree is True
    if not marked:
        # Only the marked parts of the tree can hold a secret: follow the tree, not the
        # value (most resources mark nothing, or only a few attributes).
        if isinstance(tree, dict) and isinstance(value, dict):
            for k, sub in tree.items():
                if sub and k in value:  # False and empty trees mark nothing
                    _collect(value[k], sub, False, out, parts, k)
        elif isinstance(tree, list) and isinstance(value, list):
            for v, sub in zip(value, tree):
                if sub:
                    _collect(v, sub, False, out, parts, key)
        return
    if isinstance(value, dict):
        for k, v in value.items():
            if key in _FREE_FORM_MAPS and isinstance(k, str) and len(k) >= _MIN_LEN:
                parts.add(k)
            _collect(v, True, True, out, parts, k)
    elif isinstance(value, list):
        for v in value:
            _collect(v, True, True, out, parts, key)
    elif isinstance(value, str):
        if value[:1] in "[{":
            # A sensitive JSON string (container_definitions): its parts are secrets too.
            try:
                decoded = orjson.loads(value)
            except orjson.JSONDecodeError:
                pass
            else:
                inner: set[str] = set()
                _collect(decoded, True, True, inner, parts, key)
                parts.update(inner)
        if len(value) >= _MIN_LEN:
            out.add(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and len(str(value)) >= _MIN_LEN:
        out.add(str(value))


def common_word(part: str) -> bool:
    """A part of a sensitive document that is an ordinary word (`root`, `plain`,
    `awslogs`): masked only where a finding of the resource that holds it quotes it as
    a value, not wherever the word occurs (`writable root filesystem`, `plain-text`).
    Anything else (digits, punctuation, a long word) is masked everywhere."""
    return part.isascii() and part.isalpha() and len(part) < 12


def mask_scoped_parts(findings: Iterable[Any], parts_by_address: dict[str, set[str]], keep: Iterable[str]) -> None:
    """Mask, in each finding's own message, container and fix, the common-word parts of
    its resource's sensitive values where they are quoted as values (the value's spans,
    not every later occurrence of the word in prose, other findings, titles or docs)."""
    groups: dict[str, list[Any]] = {}
    for f in findings:
        if parts_by_address.get(f.address):
            groups.setdefault(f.address, []).append(f)
    if not groups:
        return
    keep = [k for k in set(keep) if k]
    # Only the identifiers these findings print need protecting (a plan's thousands of
    # addresses and titles would each be checked for every resource): found in one pass.
    identifiers = AhoCorasick(keep) if keep else None
    for address, group in groups.items():
        parts = parts_by_address[address]
        text = "\x00".join(t for f in group for t in (f.message, f.remediation) if t)
        printed = {keep[i] for i, _, _ in identifiers.find_matches_as_indexes(text, overlapping=True)} if identifiers else set()
        redact = Redactor((), {address, *printed}, quoted=parts)
        lowered = {p.lower() for p in parts}
        for f in group:
            f.message = redact(f.message)
            if f.container and f.container.lower() in lowered:
                f.container = MASK  # the field is the bare value
            if f.remediation:
                f.remediation = redact(f.remediation)


def renderings(secret: str) -> set[str]:
    """The ways a value may be printed: as written, JSON-escaped, Python-escaped (repr,
    with either quote escaped or not), with control characters escaped (textsafe), and
    a capability's name without `CAP_` (the rules print capabilities normalised). Case
    is handled by matching case-insensitively."""
    json_inner = orjson.dumps(secret).decode()[1:-1]
    json_ascii = json.dumps(secret)[1:-1]  # every non-ASCII character as \\uXXXX
    # The JSON report's own escaping: orjson's, and DEL, C1, bidi, zero-width as \\uXXXX.
    json_report = JSON_RAW_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", json_inner)
    # Python's repr: with a `"` appended it quotes with `'` and escapes a `'` inside.
    py_sq = repr(secret + '"')[1:-2]
    py_raw = py_sq.replace("\\'", "'")  # quoted with `"` (or an escaper that leaves quotes)
    forms = {
        secret,
        json_inner,
        json_ascii,
        json_report,
        py_sq,
        py_raw,
        py_raw.replace('"', '\\"'),  # Go's %q and other C-style escapers
        escape_control(secret),
        escape_control(json_inner),
    }
    if secret[:4].upper() == "CAP_" and len(secret) >= _MIN_LEN + 4:
        forms.add(secret[4:])
    return {f for f in forms if len(f) >= _MIN_LEN}


# Secrets are looked for by their first _PREFIX characters (an automaton of thousands of
# long JSON secrets would be large), then checked whole.
_PREFIX = 24


class Redactor:
    """Replaces every secret in a text by MASK, in every rendering of it (renderings()),
    whatever its case: at each position the longest secret that starts there, scanning
    left to right (as an alternation sorted longest first would). Whole sensitive values
    are masked wherever they occur; `parts` (strings inside a sensitive document) only
    where they stand alone, not inside a longer word.

    Which secrets occur in a text is found in one pass (an Aho-Corasick automaton over
    the text folded as `re.IGNORECASE` folds it); only those then form the regex that
    masks, so matching costs about the same per character whether there are ten
    secrets or ten thousand, and nothing is compiled for the thousands that are absent."""

    def __init__(self, secrets: Iterable[str], keep: Iterable[str] = (), parts: Iterable[str] = (), quoted: Iterable[str] = ()):
        """`keep`: identifiers printed as they are (resource addresses, rule ids). A
        sensitive value such as "shared" must not turn `aws_iam_role.bad_shared` into
        `bad_(redacted)`; Terraform forbids sensitive values in count and for_each, so
        an address never holds one. `quoted`: words masked only where quoted as a value
        (`'root'`, `"plain"`, `` `x` ``), never in the prose around them."""
        self._matchers = [
            m
            for m in (
                _Matcher(_forms(secrets), ("", "")),
                _Matcher(_forms(parts), _WORD_BOUNDS),
                _Matcher(_forms(quoted), _QUOTE_BOUNDS),
            )
            if m.active
        ]
        items = [k for k in set(keep) if k]
        at_risk = [k for k, masked in zip(items, self._mask_each(items)) if masked != k]
        self._keep = re.compile(f"({_trie(at_risk)})") if at_risk else None

    def __call__(self, text: str) -> str:
        # Secrets by their format, marked sensitive or not (a token in an image reference).
        return mask_secrets(self.mask_values(text), MASK)

    def mask_values(self, text: str) -> str:
        """The secrets this redactor was given, masked; not those found by their format."""
        if not self._matchers:
            return text
        if self._keep is None:
            return self._mask(text)
        parts = self._keep.split(text)  # kept identifiers at the odd indexes
        parts[0::2] = self._mask_each(parts[0::2])
        return "".join(parts)

    def _mask(self, text: str) -> str:
        for m in self._matchers:
            text = m.mask(text)
        return text

    def _mask_each(self, texts: list[str]) -> list[str]:
        """`_mask` of each text, in one pass over them joined by _SEP (a string edge to
        every pattern: no word character, no quote), as a report has tens of thousands
        of pieces. A text or secret that holds _SEP, or a mask that ate one, shows in the
        count, and then each text is masked alone."""
        if len(texts) < 2 or not self._matchers:
            return [self._mask(t) for t in texts]
        joined = _SEP.join(texts)
        masked = self._mask(joined)
        if masked == joined:
            return list(texts)
        out = masked.split(_SEP)
        if len(out) != len(texts) or joined.count(_SEP) != len(texts) - 1:
            return [self._mask(t) for t in texts]
        return out


# Not NUL: redact_strings joins a report's values with NUL before it calls the redactor.
_SEP = "\x01"


def _forms(secrets: Iterable[str]) -> set[str]:
    """Every rendering of every secret worth masking, folded as re.I folds (fold())."""
    return {fold(f) for s in secrets if len(s) >= _MIN_LEN and s not in _NOT_SECRETS for f in renderings(s)} - {
        fold(w) for w in _NOT_SECRETS
    }


# A part matches only where no letter, digit or `_` touches it; a quoted word only
# between quotes.
_WORD_BOUNDS = (r"(?<![^\W])", r"(?![^\W])")
_QUOTE_BOUNDS = (r"(?<=['\"`])", r"(?=['\"`])")


class _Matcher:
    """Masks `forms` (folded) between `bounds` in a text. Step one finds which forms occur
    (exactly: folded text against folded forms); step two is a regex of those alone,
    case-insensitive, longest first at each place, with its bounds (re backtracks to a
    shorter form where a longer one's bound fails, as the masking needs)."""

    def __init__(self, forms: set[str], bounds: tuple[str, str]):
        self.active = bool(forms)
        self._before, self._after = bounds
        by_key: dict[str, list[str]] = {}
        for f in forms:
            by_key.setdefault(f[:_PREFIX], []).append(f)
        self._keys = list(by_key)
        self._forms = [sorted(by_key[k], key=len) for k in self._keys]
        self._automaton = AhoCorasick(self._keys) if self._keys else None
        self._patterns: dict[frozenset[str], re.Pattern[str] | None] = {}

    def mask(self, text: str) -> str:
        present = self.present(text)
        pattern = self._patterns.get(present, _MISSING)
        if pattern is _MISSING:
            pattern = self._patterns[present] = (
                re.compile(f"{self._before}(?:{_trie(present)}){self._after}", re.I) if present else None
            )
        if pattern is None:
            return text
        return pattern.sub(MASK, text)

    def present(self, text: str) -> frozenset[str]:
        """The forms that occur in text, wherever (bounds are the regex's business)."""
        if self._automaton is None or not text:
            return frozenset()
        folded = fold(text)
        first: dict[int, int] = {}  # key -> where it first occurs
        # In pieces: overlapping matches are at most a few per character (keys that end
        # at one place are suffixes of each other), so a piece bounds the list.
        step = _CHUNK
        for at in range(0, len(folded), step):
            for key, start, _ in self._automaton.find_matches_as_indexes(folded[at : at + step + _PREFIX - 1], overlapping=True):
                if key not in first:
                    first[key] = at + start
            if len(first) == len(self._keys):
                break
        found = set()
        for key, start in first.items():
            for f in self._forms[key]:
                if len(f) <= _PREFIX or folded.startswith(f, start) or folded.find(f, start + 1) != -1:
                    found.add(f)
        return frozenset(found)


_CHUNK = 8192


def _fold_char(c: str) -> str:
    """The character re.IGNORECASE treats `c` as: its simple lowercase (one character,
    unlike str.lower: `İ` is `i`, not `i̇`), and of the few that re also equates
    (`s`/`ſ`, `i`/`ı`, `µ`/`μ`, ...), the smallest. Two characters match each other under
    re.I exactly when they fold alike."""
    lower = _sre.unicode_tolower(ord(c))
    return chr(min((lower, *_EXTRA_CASES.get(lower, ()))))


_FOLD_ASCII = {i: ord(_fold_char(chr(i))) for i in range(128)}


def fold(text: str) -> str:
    """`text` folded character by character as re.IGNORECASE folds: same length, so a
    place in the folded text is the same place in the text."""
    if text.isascii():
        return text.lower()  # the same as folding, for ASCII
    table = dict(_FOLD_ASCII)
    table.update({ord(c): ord(_fold_char(c)) for c in set(text) if not c.isascii()})
    return text.translate(table)


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
    """Every string in the tree into `out` (a report has hundreds of thousands: exact
    type checks first, isinstance only for what is none of the usual types)."""
    stack = [value]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is dict:
            items = node.values()
        elif kind is list:
            items = node
        elif isinstance(node, str):
            out[node] = None
            continue
        elif isinstance(node, (dict, list)):
            items = node.values() if isinstance(node, dict) else node
        else:
            continue
        for v in items:
            kind = type(v)
            if kind is str:
                out[v] = None
            elif kind is dict or kind is list:
                stack.append(v)
            elif v is None or kind is bool or kind is int or kind is float:
                continue
            else:
                stack.append(v)


def _replace(value: Any, changed: dict[str, str]) -> Any:
    """`value` with the changed strings replaced; containers with nothing to replace are
    returned as they are (not copied), and no container is changed in place (a report's
    lists may be a rule's own metadata)."""
    if isinstance(value, dict):
        new = None
        for k, v in value.items():
            r = changed.get(v, v) if isinstance(v, str) else _replace(v, changed) if isinstance(v, (dict, list)) else v
            if r is not v:
                if new is None:
                    new = dict(value)
                new[k] = r
        return value if new is None else new
    if isinstance(value, list):
        new_list = None
        for i, v in enumerate(value):
            r = changed.get(v, v) if isinstance(v, str) else _replace(v, changed) if isinstance(v, (dict, list)) else v
            if r is not v:
                if new_list is None:
                    new_list = list(value)
                new_list[i] = r
        return value if new_list is None else new_list
    if isinstance(value, str):
        return changed.get(value, value)
    return value
