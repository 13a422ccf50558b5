"""Values of the HCL evaluator: plain Python values (None, bool, int/float, str, list,
dict) where any part may be `Unknown` (known only after apply).

An unknown string may still carry what is known about it: `jsonencode()` of a partly
unknown value keeps the value (`decoded`), and a template with unknown interpolations
keeps its pieces (`segments`), so a JSON attribute such as `container_definitions` can
be handed on decoded, with only the unknown leaves marked.
"""

from __future__ import annotations

import json
import math
import re
import secrets
from typing import Any, Callable

from ...model.patterns import HOLE_DOMAINS, Hole, Pattern

_NOTHING = object()


class Unknown:
    __slots__ = ("decoded", "segments", "origin")

    def __init__(self, decoded: Any = _NOTHING, segments: list | None = None, origin: str | None = None):
        self.decoded = decoded  # jsonencode(x) of a partly unknown x: x
        self.segments = segments  # a template's str pieces and Unknowns
        # The resource attribute a wholly unknown value is (`aws_ecr_repository.app.repository_url`).
        self.origin = origin

    @property
    def has_json(self) -> bool:
        return self.decoded is not _NOTHING

    def __repr__(self) -> str:
        return "Unknown()" if not self.has_json and self.segments is None else "Unknown(partial)"


UNKNOWN = Unknown()


class EvalError(Exception):
    """An expression Terraform would reject (or one this evaluator cannot follow); the
    value becomes unknown and the reason is logged for debugging."""


class Rejected(EvalError):
    """An expression Terraform itself rejects (a reference to something undeclared, a
    reference cycle, a failing lookup, a recursive template): unlike other EvalErrors it
    is not turned into an unknown value, but fails the scan with file:line (exit 2).
    `try()` and `can()` still catch it, as they do in Terraform for dynamic errors."""


class Lazy:
    """A value whose attributes are evaluated on demand: a resource or a module instance."""

    def get_attr(self, name: str, ctx: Any) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def plain(self, ctx: Any) -> Any:
        return UNKNOWN


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


def has_unknown(value: Any, _seen: set | None = None) -> bool:
    """Whether any part of `value` is unknown. Values share their parts (a list holding
    one list a thousand times): each shared part is looked at once."""
    if isinstance(value, (Unknown, Lazy)):
        return True
    if isinstance(value, (dict, list)):
        if _seen is None:
            _seen = set()
        elif id(value) in _seen:
            return False  # looked at already, and found known
        _seen.add(id(value))
        items = value.values() if isinstance(value, dict) else value
        return any(has_unknown(v, _seen) for v in items)
    return False


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def norm_number(value: float | int) -> int | float:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    return value


def number_text(value: int | float) -> str:
    value = norm_number(value)
    if isinstance(value, int):
        return str(value)
    if math.isinf(value) or math.isnan(value):
        raise EvalError("a number that is not finite")
    text = repr(value)
    if "e" in text:
        text = f"{value:.17f}".rstrip("0").rstrip(".")
    return text


def to_string(value: Any, what: str = "value") -> str:
    """Terraform's automatic conversion to string (templates, string arguments)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return number_text(value)
    if value is None:
        raise EvalError(f"null {what} where a string is required")
    raise EvalError(f"cannot use a {type_name(value)} {what} where a string is required")


def to_number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise EvalError("a bool where a number is required")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return norm_number(int(value) if value.strip().lstrip("-").isdigit() else float(value))
        except ValueError:
            raise EvalError("a string that is not a number") from None  # never the value: it may be sensitive
    raise EvalError(f"a {type_name(value)} where a number is required")


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "1"):  # cty converts "1" and "0" too (Terraform 1.11.4)
        return True
    if value in ("false", "0"):
        return False
    raise EvalError(f"a {type_name(value)} where a bool is required")


def partial_equal(a: Any, b: Any) -> Any:
    """`a == b` as cty decides it when parts may be unknown: True, False or UNKNOWN. A
    known collection with unknown elements is still known not to be null, and known
    to differ from one of another shape or length; a wholly unknown value may be null,
    so it compares unknown. A resource or module object (Lazy) is never null."""
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return UNKNOWN
    if a is b and isinstance(a, (list, dict)) and not has_unknown(a):
        return True  # one shared value: no need to walk it
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, Lazy) or isinstance(b, Lazy):
        return UNKNOWN
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return False
        pairs = list(zip(a, b))
    elif isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return False
        pairs = [(a[k], b[k]) for k in a]
    elif isinstance(a, (list, dict)) or isinstance(b, (list, dict)):
        return False
    else:
        return tf_equal(a, b)
    unknown = False
    for x, y in pairs:
        eq = partial_equal(x, y)
        if eq is False:
            return False
        if isinstance(eq, Unknown):
            unknown = True
    return UNKNOWN if unknown else True


def tf_equal(a: Any, b: Any) -> bool:
    """Terraform equality: no implicit conversion (`"1" != 1`, `true != 1`)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if type(a) is not type(b) and not (isinstance(a, (list, dict)) and type(a) is type(b)):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(tf_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(tf_equal(a[k], b[k]) for k in a)
    return a == b


# ---------------------------------------------------------------------------- JSON


def _json_default(value: Any) -> Any:
    raise TypeError(f"cannot encode {type_name(value)}")


def json_encode(value: Any) -> str:
    """`jsonencode()` of a known value, formatted as Terraform does: compact, object keys
    sorted, `<`, `>` and `&` escaped."""
    text = json.dumps(_json_ready(value), separators=(",", ":"), sort_keys=True, ensure_ascii=False, default=_json_default)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _json_ready(value: Any) -> Any:
    if isinstance(value, float):
        return norm_number(value)
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    return value


def json_decode(text: str) -> Any:
    try:
        return json.loads(text, parse_float=lambda s: norm_number(float(s)))
    except (ValueError, RecursionError) as exc:
        raise EvalError(f"jsondecode: invalid JSON ({exc})") from None


def decode_partial(value: Any) -> Any:
    """What is known of the JSON an unknown string holds: the decoded value with Unknown
    leaves, or UNKNOWN. A known string decodes normally."""
    if isinstance(value, str):
        return json_decode(value)
    if not isinstance(value, Unknown):
        raise EvalError(f"jsondecode of a {type_name(value)}")
    if value.has_json:
        return value.decoded
    if value.segments is not None:
        return _decode_segments(value.segments)
    return UNKNOWN


_MARKER = re.compile(r"@@tfecs-unknown-[0-9a-f]{12}-([0-9]+)@@")


def _decode_segments(segments: list) -> Any:
    """A JSON text with unknown holes -> the decoded value with those holes Unknown.

    Each hole becomes a placeholder string (quoted when it sits outside a JSON string);
    a JSON string that contains placeholders is a partly known string (its known pieces
    and the holes, as a template gives them). A hole that holds a
    jsonencode()d partial value (`${jsonencode(x)}`) is replaced by that value.
    """
    nonce = secrets.token_hex(6)
    holes: dict[str, Any] = {}
    pieces: list[str] = []
    in_string = False
    escaped = False
    for seg in segments:
        if isinstance(seg, str):
            pieces.append(seg)
            for ch in seg:
                if escaped:
                    escaped = False
                elif ch == "\\" and in_string:
                    escaped = True
                elif ch == '"':
                    in_string = not in_string
            continue
        marker = f"@@tfecs-unknown-{nonce}-{len(holes)}@@"
        if in_string:
            # Inside a JSON string the hole is part of that string: it keeps its origin,
            # and the string its known pieces (a pattern), e.g. `"image": "${image}:1.0"`.
            holes[marker] = Unknown(origin=seg.origin if isinstance(seg, Unknown) and not seg.has_json and seg.segments is None else None)
        else:
            holes[marker] = seg.decoded if isinstance(seg, Unknown) and seg.has_json else UNKNOWN
        pieces.append(marker if in_string else f'"{marker}"')
    try:
        decoded = json.loads("".join(pieces), parse_float=lambda s: norm_number(float(s)))
    except (ValueError, RecursionError):
        return UNKNOWN
    tag = f"@@tfecs-unknown-{nonce}-"

    def fill(v: Any) -> Any:
        if isinstance(v, str):
            if v in holes:
                return holes[v]
            if tag not in v:
                return v
            parts: list[Any] = []
            for i, piece in enumerate(_MARKER.split(v)):
                if i % 2:
                    hole = holes.get(f"{tag}{piece}@@")
                    if not isinstance(hole, Unknown) or hole.has_json:
                        return UNKNOWN
                    parts.append(hole)
                elif piece:
                    if tag in piece:
                        return UNKNOWN
                    parts.append(piece)
            return Unknown(segments=parts)
        if isinstance(v, list):
            return [fill(x) for x in v]
        if isinstance(v, dict):
            if any(tag in k for k in v):
                return UNKNOWN
            return {k: fill(x) for k, x in v.items()}
        return v

    return fill(decoded)


# ---------------------------------------------------------------------------- plan shape


def split(value: Any, json_attr: Callable[[str], bool] | None = None, name: str | None = None, elementwise: bool = False) -> tuple[Any, Any]:
    """A value with Unknown parts -> (plan `after` value, `after_unknown` tree).

    `json_attr(name)` says which attributes hold JSON text: an unknown one that is
    partly known is given decoded, with a tree of the same shape.

    A list of plain values with an unknown element: Terraform shows a list element by
    element, but a set (most string collections of managed resources: security groups,
    subnets, policy ARNs) as wholly unknown. Without the provider schema the two cannot
    be told apart, so a managed resource's list is wholly unknown (right for a set,
    conservative for a list); `elementwise` keeps the elements, as plans show data
    sources read from configuration and as JSON documents are.
    """
    if isinstance(value, Unknown):
        if json_attr is not None and name is not None and json_attr(name):
            inner = decode_partial(value) if (value.has_json or value.segments is not None) else UNKNOWN
            if name == "container_definitions" and isinstance(inner, list):
                # A wholly unknown container (one built at apply) is an empty object
                # whose every field is unknown: its rules are unknown, and its known
                # siblings still get their verdicts (Terraform knows them).
                holes = [i for i, v in enumerate(inner) if isinstance(v, (Unknown, Lazy))]
                if holes:
                    after, tree = split([{} if i in holes else v for i, v in enumerate(inner)], elementwise=True)
                    tree = list(tree) if isinstance(tree, list) else [False] * len(inner)
                    for i in holes:
                        tree[i] = True
                    return after, tree
            # Elsewhere a list with a wholly unknown element is wholly unknown: an element
            # the model cannot see must not be skipped as if absent.
            if not isinstance(inner, Unknown) and not (isinstance(inner, list) and any(isinstance(v, (Unknown, Lazy)) for v in inner)):
                return split(inner, elementwise=True)
        return None, True
    if isinstance(value, Lazy):
        return None, True
    if isinstance(value, dict):
        after: dict = {}
        tree: dict = {}
        for k, v in value.items():
            a, u = split(v, json_attr, k, elementwise)
            if u is not True:  # as in plans, a wholly unknown attribute is left out of `after`
                after[k] = a
            if u is not False:
                tree[k] = u
        return after, (tree or False)
    if isinstance(value, list):
        if not elementwise and any(isinstance(v, (Unknown, Lazy)) for v in value) and not any(isinstance(v, dict) for v in value):
            return None, True
        pairs = [split(v, json_attr, name, elementwise) for v in value]
        trees = [u for _, u in pairs]
        return [a for a, _ in pairs], (trees if any(t is not False for t in trees) else False)
    return value, False


def pattern_of(value: Any) -> Pattern | None:
    """A template with unknown holes as a Pattern (known pieces, holes with their origin)."""
    if not isinstance(value, Unknown) or value.has_json:
        return None
    if value.segments is None:
        # A whole attribute of a resource whose origin says what it can hold (an ECR
        # repository URL: a registry host, no tag, no digest).
        hole = Hole(value.origin)
        return Pattern((hole,)) if value.origin and hole.kind in HOLE_DOMAINS else None
    return Pattern.of([s if isinstance(s, str) else Hole(s.origin if isinstance(s, Unknown) else None) for s in value.segments])


def collect_patterns(value: Any, json_attr: Callable[[str], bool] | None = None, path: tuple = (), name: str | None = None, out: dict | None = None) -> dict:
    """Path -> Pattern of every partly known string in `value`, walked as split() hands it
    on (a partly known JSON attribute decoded). Paths split() leaves wholly unknown are
    kept too: readers keep only those their unknown tree marks unknown."""
    out = {} if out is None else out
    if isinstance(value, Unknown):
        if json_attr is not None and name is not None and json_attr(name) and (value.has_json or value.segments is not None):
            inner = decode_partial(value)
            if not isinstance(inner, Unknown):
                collect_patterns(inner, None, path, None, out)
            return out
        pat = pattern_of(value)
        if pat is not None:
            out[path] = pat
    elif isinstance(value, dict):
        for k, v in value.items():
            collect_patterns(v, json_attr, (*path, k), k, out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            collect_patterns(v, json_attr, (*path, i), name, out)
    return out


def unknown_patterns(patterns: dict, tree: Any) -> dict:
    """The patterns whose path the unknown tree marks wholly unknown."""
    out = {}
    for path, pat in patterns.items():
        t = tree
        for key in path:
            if t is True:
                break
            if isinstance(t, dict) and isinstance(key, str):
                t = t.get(key, False)
            elif isinstance(t, list) and isinstance(key, int) and 0 <= key < len(t):
                t = t[key]
            else:
                t = False
                break
        if t is True:
            out[path] = pat
    return out


def join(after: Any, tree: Any) -> Any:
    """The inverse of split: a plan value and its unknown tree -> a value with Unknowns."""
    if tree is True:
        return UNKNOWN
    if isinstance(after, dict):
        t = tree if isinstance(tree, dict) else {}
        out = {k: join(v, t.get(k, False)) for k, v in after.items()}
        for k, u in t.items():
            if k not in out and u is True:
                out[k] = UNKNOWN
        return out
    if isinstance(after, list):
        t = tree if isinstance(tree, list) else []
        return [join(v, t[i] if i < len(t) else False) for i, v in enumerate(after)]
    return after
