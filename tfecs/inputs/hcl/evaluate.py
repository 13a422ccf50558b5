"""Evaluate expressions the way `terraform plan` does, before anything is applied.

Names resolve through a scope (a module instance, see `modules.py`) and local bindings
(`each`, `count`, for-expression and dynamic-block variables). Every value that needs
apply-time data is `Unknown`; an expression Terraform would reject, or one this evaluator
does not support, raises EvalError, which the attribute's owner turns into an unknown
value and a debug note. While evaluating, the context's collector records the resources
an expression refers to (`references`) and whether it used a sensitive value.
"""

from __future__ import annotations

import logging
import math
import os
from typing import Any, Callable, Protocol

from ...errors import InputError
from . import functions, record
from .budget import MAX_STRING, Budget, BudgetExceeded, value_too_big
from .confine import Confinement, NotRegular, Outside, read_regular
from .nodes import BinOp, Call, Cond, ForExpr, GetAttr, Index, Lit, Name, Node, ObjectNode, Splat, Template, TFor, TIf, TupleNode, Unary
from .syntax import HclSyntaxError, parse_template, shown_text
from .values import (
    UNKNOWN,
    EvalError,
    Lazy,
    Rejected,
    Unknown,
    has_unknown,
    norm_number,
    partial_equal,
    to_bool,
    to_number,
    to_string,
    type_name,
)

log = logging.getLogger("tfecs.hcl")
REFS_PREFIX = "\0refs:"  # bindings[REFS_PREFIX + name]: (references, sensitivity tree) using `name` brings in


class Collector:
    """What an expression used: resource addresses and sensitivity."""

    __slots__ = ("refs", "sensitive")

    def __init__(self) -> None:
        self.refs: dict[str, None] = {}
        self.sensitive = False

    def add(self, refs: Any, sensitive: bool = False) -> None:
        for r in refs:
            self.refs[r] = None
        self.sensitive = self.sensitive or sensitive


class Scope(Protocol):
    def resolve(self, name: str, steps: list[Node], ctx: "Ctx") -> tuple[Any, int]:
        """The value of a root name, and how many of the following steps it consumed."""


class Files:
    """File access for file()/templatefile(): paths resolve against the root module's
    directory (Terraform's working directory) and must obey the confinement rule
    (`confine.py`): a path that breaks it is not read, its value is unknown and the scan
    gets a `file-outside-root` warning."""

    def __init__(self, root: str, conf: Confinement | None = None, warn: Callable[[str, str, str], None] | None = None):
        self.root = os.path.realpath(root)
        self.conf = conf or Confinement.for_scan(self.root)
        self.warn = warn or (lambda kind, message, where: None)
        self.budget = Budget()
        self._templates: dict[str, Node] = {}

    def resolve(self, func: str, path: str, ctx: "Ctx", line: int) -> str | None:
        """The real path to read, or None (outside the root: warned)."""
        full = path if os.path.isabs(path) else os.path.join(self.root, path)
        try:
            return self.conf.check(full)
        except Outside as exc:
            self.warn(
                "file-outside-root",
                f"{func}({shown_text(path)}) is not read: {exc.reason}; its value is treated as unknown",
                f"{ctx.file}:{line}",
            )
            return None

    def read_bytes(self, func: str, path: str, ctx: "Ctx", line: int) -> bytes | None:
        real = self.resolve(func, path, ctx, line)
        if real is None:
            return None
        try:
            return read_regular(real)
        except FileNotFoundError:
            raise EvalError(f"{func}: no such file {path!r}") from None
        except NotRegular as exc:
            raise InputError(f"{func}({path!r}): the file {exc}; tfecs does not read it", where=f"{ctx.file}:{line}") from None
        except OSError as exc:
            raise EvalError(f"{func}: cannot read {path!r} ({exc.strerror})") from None

    def read(self, func: str, path: str, ctx: "Ctx", line: int) -> str | None:
        data = self.read_bytes(func, path, ctx, line)
        if data is None:
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise EvalError(f"{func}: {path!r} is not UTF-8 text (byte {exc.start})") from None

    def template(self, path: str, ctx: "Ctx", line: int) -> tuple[Node, str] | None:
        real = self.resolve("templatefile", path, ctx, line)
        if real is None:
            return None
        node = self._templates.get(real)
        rel = os.path.relpath(real, self.root).replace(os.sep, "/")
        if node is None:
            text = self.read("templatefile", path, ctx, line)
            if text is None:
                return None
            try:
                node = parse_template(text, rel, 1)
            except HclSyntaxError as exc:
                raise InputError(f"template syntax error: {exc.message}", where=f"{rel}:{exc.line}") from None
            self._templates[real] = node
        return node, rel


class Ctx:
    __slots__ = ("scope", "bindings", "out", "files", "file", "in_template")

    def __init__(self, scope: Scope | None, files: Files, file: str, bindings: dict | None = None, out: Collector | None = None):
        self.scope = scope
        self.files = files
        self.file = file
        self.bindings = bindings or {}
        self.out = out if out is not None else Collector()
        self.in_template = False

    def bind(self, **names: Any) -> "Ctx":
        ctx = Ctx(self.scope, self.files, self.file, {**self.bindings, **names}, self.out)
        ctx.in_template = self.in_template
        return ctx

    def with_collector(self, out: Collector) -> "Ctx":
        ctx = Ctx(self.scope, self.files, self.file, self.bindings, out)
        ctx.in_template = self.in_template
        return ctx


def note(where: str, message: str) -> None:
    log.debug("%s: %s", where, message)


# ---------------------------------------------------------------------------- evaluation


def evaluate(node: Node, ctx: Ctx) -> Any:
    budget = ctx.files.budget
    budget.steps += 1
    if not budget.steps & 4095:
        budget.check_time(f"{ctx.file}:{node.line}")
    handler = _DISPATCH.get(type(node))
    if handler is None:
        raise EvalError(f"unsupported expression {type(node).__name__}")
    return handler(node, ctx)


# ---------------------------------------------------------------------------- sensitivity by path
#
# Terraform marks values, not expressions: in `locals { m = { a = {...}, b = var.secret } }`
# only `local.m.b` is sensitive, and `local.m.a` is not. The evaluator keeps one sensitive
# flag per expression (the Collector); for the object and tuple constructors of a local
# value it also keeps a tree of flags, so that `local.m.a` and the instances of
# `for_each = local.m` are sensitive only where their own part is.


def evaluate_marked(node: Node, ctx: Ctx) -> tuple[Any, Any]:
    """(value, sensitivity tree): a bool, or a dict/list of trees following the object or
    tuple constructors of `node`. The references go to ctx.out; the sensitivity does not
    (the caller decides from the tree)."""
    if isinstance(node, ObjectNode):
        out: dict[str, Any] = {}
        tree: dict[str, Any] = {}
        unknown_key = False
        _elements(ctx, node, len(node.items))
        for key_node, value_node in node.items:
            key = evaluate(key_node, ctx)
            value, sub = evaluate_marked(value_node, ctx)
            if has_unknown(key):
                unknown_key = True
                continue
            k = to_string(key, "object key")
            out[k] = value
            tree[k] = sub
        if unknown_key:
            return UNKNOWN, tree_any(tree)
        return out, tree
    if isinstance(node, TupleNode):
        _elements(ctx, node, len(node.items))
        pairs = [evaluate_marked(item, ctx) for item in node.items]
        return [v for v, _ in pairs], [t for _, t in pairs]
    inner = Collector()
    value = evaluate(node, ctx.with_collector(inner))
    ctx.out.add(inner.refs)
    return value, inner.sensitive


def tree_any(tree: Any) -> bool:
    if isinstance(tree, dict):
        return any(tree_any(t) for t in tree.values())
    if isinstance(tree, list):
        return any(tree_any(t) for t in tree)
    return bool(tree)


def tree_path(tree: Any, steps: list[Node]) -> Any:
    """The sensitivity tree under the literal attribute/index steps of a traversal."""
    for step in steps:
        if isinstance(tree, bool):
            return tree
        if isinstance(step, GetAttr):
            key: Any = step.name
        elif isinstance(step, Index) and isinstance(step.key, Lit):
            key = step.key.value
        else:
            return tree_any(tree)
        if isinstance(tree, dict) and isinstance(key, str) and key in tree:
            tree = tree[key]
        elif isinstance(tree, list) and isinstance(key, int) and not isinstance(key, bool) and 0 <= key < len(tree):
            tree = tree[key]
        else:
            return tree_any(tree)
    return tree


def _lit(node: Lit, ctx: Ctx) -> Any:
    return node.value


def _elements(ctx: Ctx, node: Node, n: int) -> None:
    budget = ctx.files.budget
    budget.elements += n
    if budget.elements > budget.max_elements:
        budget.add_elements(0, f"{ctx.file}:{node.line}")


def _text(ctx: Ctx, node: Any, n: int) -> None:
    budget = ctx.files.budget
    if n > MAX_STRING or budget.string_bytes + n > budget.max_string_bytes:
        budget.add_string(n, f"{ctx.file}:{getattr(node, 'line', 0)}")  # raises
    budget.string_bytes += n


def _tuple(node: TupleNode, ctx: Ctx) -> Any:
    _elements(ctx, node, len(node.items))
    return [evaluate(item, ctx) for item in node.items]


def _object(node: ObjectNode, ctx: Ctx) -> Any:
    out: dict[str, Any] = {}
    unknown_key = False
    _elements(ctx, node, len(node.items))
    for key_node, value_node in node.items:
        key = evaluate(key_node, ctx)
        value = evaluate(value_node, ctx)
        if has_unknown(key):
            unknown_key = True
            continue
        out[to_string(key, "object key")] = value
    return UNKNOWN if unknown_key else out


def _cond(node: Cond, ctx: Ctx) -> Any:
    cond = evaluate(node.cond, ctx)
    if isinstance(cond, (Unknown, Lazy)):
        for branch in (node.a, node.b):  # for the references both branches make
            try:
                evaluate(branch, ctx)
            except EvalError:
                pass
        return UNKNOWN
    if cond is None:
        raise EvalError("the condition is null")
    return evaluate(node.a if to_bool(cond) else node.b, ctx)


def _binop(node: BinOp, ctx: Ctx) -> Any:
    op = node.op
    left = evaluate(node.left, ctx)
    right = evaluate(node.right, ctx)
    if op in ("&&", "||"):
        decisive = op == "||"
        for v in (left, right):
            if not has_unknown(v) and to_bool(v) is decisive:
                return decisive
        if has_unknown(left) or has_unknown(right):
            return UNKNOWN
        return to_bool(left) and to_bool(right) if op == "&&" else to_bool(left) or to_bool(right)
    if op in ("==", "!="):
        eq = partial_equal(left, right)
        if isinstance(eq, Unknown):
            return UNKNOWN
        return eq if op == "==" else not eq
    if has_unknown(left) or has_unknown(right):
        return UNKNOWN
    a, b = to_number(left), to_number(right)
    if op == "+":
        return norm_number(a + b)
    if op == "-":
        return norm_number(a - b)
    if op == "*":
        return norm_number(a * b)
    if op == "/":
        if b == 0:
            raise EvalError("division by zero")
        return norm_number(a / b)
    if op == "%":
        if b == 0:
            raise EvalError("modulo by zero")
        return norm_number(math.fmod(a, b))
    if op == "<":
        return a < b
    if op == ">":
        return a > b
    if op == "<=":
        return a <= b
    if op == ">=":
        return a >= b
    raise EvalError(f"unsupported operator {op}")


def _unary(node: Unary, ctx: Ctx) -> Any:
    v = evaluate(node.operand, ctx)
    if has_unknown(v):
        return UNKNOWN
    if node.op == "!":
        return not to_bool(v)
    return norm_number(-to_number(v))


def _template(node: Template, ctx: Ctx) -> Any:
    parts = node.parts
    if len(parts) == 1 and isinstance(parts[0], Node):
        return evaluate(parts[0], ctx)  # "${x}" is x itself, not converted to a string
    segments: list[Any] = []
    _render(parts, ctx, segments, node)
    if any(isinstance(s, Unknown) for s in segments):
        merged: list[Any] = []
        for s in segments:
            if isinstance(s, str) and merged and isinstance(merged[-1], str):
                merged[-1] += s
            else:
                merged.append(s)
        return Unknown(segments=merged)
    return "".join(segments)


def _render(parts: list, ctx: Ctx, out: list, node: Node) -> None:
    _elements(ctx, node, len(parts))
    for part in parts:
        if isinstance(part, str):
            _text(ctx, node, len(part))
            out.append(part)
        elif isinstance(part, TIf):
            cond = evaluate(part.cond, ctx)
            if isinstance(cond, (Unknown, Lazy)):
                out.append(UNKNOWN)
            else:
                _render(part.then if to_bool(cond) else part.otherwise, ctx, out, node)
        elif isinstance(part, TFor):
            coll = evaluate(part.coll, ctx)
            if isinstance(coll, (Unknown, Lazy)):
                out.append(UNKNOWN)
                continue
            for k, v in _iterate(coll):
                names = {part.val_var: v}
                if part.key_var:
                    names[part.key_var] = k
                _render(part.body, ctx.bind(**names), out, node)
        else:
            value = evaluate(part, ctx)
            if isinstance(value, Unknown):
                if value.segments is not None and not value.has_json:
                    out.extend(value.segments)
                else:
                    out.append(value)
            elif isinstance(value, Lazy) or has_unknown(value):
                out.append(UNKNOWN)
            else:
                text = to_string(value, "template value")
                _text(ctx, part, len(text))
                out.append(text)


def _iterate(coll: Any) -> list[tuple[Any, Any]]:
    if isinstance(coll, list):
        return list(enumerate(coll))
    if isinstance(coll, dict):
        return [(k, coll[k]) for k in sorted(coll)]
    if coll is None:
        raise EvalError("cannot iterate over null")
    raise EvalError(f"cannot iterate over a {type_name(coll)}")


def _for(node: ForExpr, ctx: Ctx) -> Any:
    coll = evaluate(node.coll, ctx)
    if isinstance(coll, Lazy):
        coll = coll.plain(ctx)
    if isinstance(coll, Unknown):
        return UNKNOWN
    items = []
    pairs = _iterate(coll)
    _elements(ctx, node, len(pairs))
    for k, v in pairs:
        names = {node.val_var: v}
        if node.key_var:
            names[node.key_var] = k
        inner = ctx.bind(**names)
        if node.cond is not None:
            keep = evaluate(node.cond, inner)
            if has_unknown(keep):
                return UNKNOWN
            if not to_bool(keep):
                continue
        if node.key is None:
            items.append(evaluate(node.value, inner))
        else:
            key = evaluate(node.key, inner)
            if has_unknown(key):
                return UNKNOWN
            items.append((to_string(key, "object key"), evaluate(node.value, inner)))
    if node.key is None:
        return items
    out: dict[str, Any] = {}
    for key, value in items:
        if node.group:
            out.setdefault(key, []).append(value)
        elif key in out:
            raise EvalError("duplicate key in a for expression (add ... to group)")
        else:
            out[key] = value
    return out


# ---------------------------------------------------------------------------- traversals


def _traversal(node: Node, ctx: Ctx) -> Any:
    steps: list[Node] = []
    root = node
    while isinstance(root, (GetAttr, Index)):
        steps.append(root)
        root = root.obj
    steps.reverse()
    if isinstance(root, Name):
        value, used = resolve_name(root, steps, ctx)
        steps = steps[used:]
    else:
        value = evaluate(root, ctx)
    return apply_steps(value, steps, ctx)


def resolve_name(root: Name, steps: list[Node], ctx: Ctx) -> tuple[Any, int]:
    if root.name in ctx.bindings:
        # each.value / count.index of an instance: the references its for_each made
        entry = ctx.bindings.get(REFS_PREFIX + root.name)
        if entry:
            refs, marks = entry
            if not isinstance(marks, bool):  # a sensitivity tree of each.value
                first = steps[0].name if steps and isinstance(steps[0], GetAttr) else None
                marks = False if first == "key" else tree_path(marks, steps[1:]) if first == "value" else marks
            ctx.out.add(refs, tree_any(marks))
        return ctx.bindings[root.name], 0
    if ctx.scope is None:
        raise EvalError(f"{root.name!r} is not available here")
    return ctx.scope.resolve(root.name, steps, ctx)


def apply_steps(value: Any, steps: list[Node], ctx: Ctx) -> Any:
    for step in steps:
        if isinstance(step, GetAttr):
            value = get_attr(value, step.name, ctx)
        else:
            value = get_index(value, evaluate(step.key, ctx), ctx)
    return value


def get_attr(value: Any, name: str, ctx: Ctx) -> Any:
    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, Lazy):
        return value.get_attr(name, ctx)
    if isinstance(value, dict):
        if name in value:
            return value[name]
        raise EvalError(f"object has no attribute {name!r}")
    if value is None:
        raise EvalError(f"attempt to get attribute {name!r} from a null value")
    raise EvalError(f"a {type_name(value)} has no attribute {name!r}")


def get_index(value: Any, key: Any, ctx: Ctx) -> Any:
    if isinstance(value, Unknown) or has_unknown(key):
        return UNKNOWN
    if isinstance(value, Lazy):
        value = value.plain(ctx)
        if isinstance(value, Unknown):
            return UNKNOWN
    if isinstance(value, list):
        n = to_number(key)
        if isinstance(n, float) or not 0 <= n < len(value):
            raise EvalError(f"index {key} out of range for a list of {len(value)}")
        return value[n]
    if isinstance(value, dict):
        k = to_string(key, "key")
        if k in value:
            return value[k]
        raise EvalError("no such key in the map")  # never the key: it may come from a sensitive value
    if value is None:
        raise EvalError("attempt to index a null value")
    raise EvalError(f"cannot index a {type_name(value)}")


def _splat(node: Splat, ctx: Ctx) -> Any:
    base = evaluate(node.obj, ctx)
    if isinstance(base, Unknown):
        return UNKNOWN
    if base is None:
        return []
    items = base if isinstance(base, list) else [base]
    out = []
    for item in items:
        for kind, arg in node.steps:
            item = get_attr(item, arg, ctx) if kind == "attr" else get_index(item, evaluate(arg, ctx), ctx)
        out.append(item)
    return out


# ---------------------------------------------------------------------------- calls

# Functions that move values around without looking inside them: resources and module
# instances pass through them as they are (`values(aws_iam_role.r)[0].name`).
_OPAQUE_OK = frozenset(
    {"values", "keys", "length", "element", "concat", "merge", "lookup", "tolist", "tomap", "one", "reverse", "slice", "coalescelist"}
)

# Functions whose work or result grows with the whole written-out size of their
# arguments (shared parts counted each time they appear).
_WALKING_FUNCTIONS = frozenset(
    {"jsonencode", "yamlencode", "flatten", "toset", "distinct", "setunion", "setintersection", "setsubtract",
     "sort", "format", "formatlist", "join", "tostring", "transpose", "contains", "index", "jsondecode", "sum"}
)

_FILE_HASHES = {"filemd5": "md5", "filesha1": "sha1", "filesha256": "sha256", "filesha512": "sha512"}


def _call(node: Call, ctx: Ctx) -> Any:
    name = node.name
    if name == "try":
        return _try(node, ctx)
    if name == "can":
        return _can(node, ctx)
    args = [evaluate(a, ctx) for a in node.args]
    if name in _WALKING_FUNCTIONS and any(isinstance(a, (list, dict)) and value_too_big(a) for a in args):
        raise BudgetExceeded(f"{name}() of a value too large to walk (element budget exceeded)", where=f"{ctx.file}:{node.line}")
    if name not in _OPAQUE_OK:
        memo: dict[int, Any] = {}
        args = [materialize(a, ctx, memo) for a in args]
    if node.expand and args:
        last = args.pop()
        if isinstance(last, Unknown):
            return UNKNOWN
        if not isinstance(last, list):
            raise EvalError("... expands a list only")
        args.extend(last)
    if name in ("file", "templatefile", "fileexists", "filebase64", *_FILE_HASHES):
        return _file_function(node, name, args, ctx)
    if name == "sensitive":
        ctx.out.sensitive = True
    if name in functions.FUNCTIONS:
        where = f"{ctx.file}:{node.line}"
        if name == "lookup" and len(args) == 2 and isinstance(args[0], dict) and not has_unknown(args[1]):
            key = to_string(args[1], "key")
            if key not in args[0]:
                raise Rejected("lookup(): the map has no key like that, and no default is given")
        try:
            result = functions.call(name, args)
        except functions.TooBig as exc:
            raise BudgetExceeded(f"{exc} (budget exceeded)", where=where) from None
        if isinstance(result, str):
            _text(ctx, node, len(result))
        elif isinstance(result, (list, dict)):
            _elements(ctx, node, len(result))
        return result
    note(f"{ctx.file}:{node.line}", f"function {name}() is not evaluated; its value is treated as unknown")
    return UNKNOWN


def _try(node: Call, ctx: Ctx) -> Any:
    for arg in node.args:
        try:
            value = evaluate(arg, ctx)
        except EvalError:
            continue
        return value
    raise EvalError("try: no argument could be evaluated")


def _can(node: Call, ctx: Ctx) -> Any:
    if len(node.args) != 1:
        raise EvalError("can takes one argument")
    try:
        value = evaluate(node.args[0], ctx)
    except EvalError:
        return False
    return UNKNOWN if isinstance(value, Unknown) else True


def _file_function(node: Call, name: str, args: list, ctx: Ctx) -> Any:
    if not args or has_unknown(args[0]):
        return UNKNOWN
    path = to_string(args[0], "path")
    if name == "fileexists":
        real = ctx.files.resolve(name, path, ctx, node.line)
        if real is None:
            return UNKNOWN
        if record.isdir(real):
            return False
        return record.exists(real)
    if name == "templatefile":
        if ctx.in_template:
            raise Rejected("templatefile() cannot be called from inside a template (Terraform rejects recursive templates)")
        if len(args) != 2:
            raise EvalError("templatefile takes a path and a map of variables")
        variables = args[1]
        if isinstance(variables, Unknown):
            return UNKNOWN
        if not isinstance(variables, dict):
            raise EvalError("templatefile: the variables must be a map")
        found = ctx.files.template(path, ctx, node.line)
        if found is None:
            return UNKNOWN
        template, rel = found
        inner = Ctx(None, ctx.files, rel, dict(variables), ctx.out)
        inner.in_template = True
        return evaluate(template, inner)
    if name in ("filebase64", *_FILE_HASHES):
        import base64
        import hashlib

        data = ctx.files.read_bytes(name, path, ctx, node.line)
        if data is None:
            return UNKNOWN
        if name == "filebase64":
            return base64.b64encode(data).decode()
        return hashlib.new(_FILE_HASHES[name], data).hexdigest()
    text = ctx.files.read(name, path, ctx, node.line)
    return UNKNOWN if text is None else text


def materialize(value: Any, ctx: Ctx, memo: dict[int, Any] | None = None) -> Any:
    """Lazy objects (resources, module instances) as plain values for a function. A part
    shared by several places (`[for i in range(1000) : local.big]`) is done once."""
    if isinstance(value, Lazy):
        return materialize(value.plain(ctx), ctx, memo)
    if not isinstance(value, (list, dict)):
        return value
    if memo is None:
        memo = {}
    key = id(value)
    if key in memo:
        return memo[key][1]
    if isinstance(value, list):
        out: Any = [materialize(v, ctx, memo) for v in value] if any(isinstance(v, (Lazy, list, dict)) for v in value) else value
    else:
        out = {k: materialize(v, ctx, memo) for k, v in value.items()} if any(isinstance(v, (Lazy, list, dict)) for v in value.values()) else value
    memo[key] = (value, out)  # the value is kept alive so its id is not reused
    return out


_DISPATCH = {
    Lit: _lit,
    Template: _template,
    Name: _traversal,
    GetAttr: _traversal,
    Index: _traversal,
    Splat: _splat,
    Call: _call,
    TupleNode: _tuple,
    ObjectNode: _object,
    Cond: _cond,
    BinOp: _binop,
    Unary: _unary,
    ForExpr: _for,
}
