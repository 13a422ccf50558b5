"""Module instances: the evaluator's scope, and the expansion of a configuration into
resource instances with Terraform's addresses.

A `Loader` holds one scan: the root directory, root variable values, file access rules,
configurations by directory and (in hybrid mode) the plan's resources. A
`ModuleInstance` is the root module or one instance of a module call
(`module.svc["api"]`); it evaluates its variables, locals, outputs and resource
attributes on demand and remembers them. A reference to another resource evaluates to a
`ResourceRef`, whose attributes are its configured values (known before apply) or, in
hybrid mode, the plan's values; everything else about it is unknown.
"""

from __future__ import annotations

import json
import os
from typing import Any, Iterator

from ...errors import InputError
from ..raw import Location, RawResource, split_address
from . import record
from .budget import Budget, BudgetExceeded, value_too_big
from .confine import Confinement, NotRegular, Outside, read_regular
from .config import ModuleCall, ModuleConfig, load_config, parse_file
from .evaluate import REFS_PREFIX, Collector, Ctx, Files, evaluate, evaluate_marked, note, tree_any, tree_path
from .functions import set_of
from .policydoc import render as render_policy
from .schema import SchemaError, conform_attr
from .nodes import Block, Body, GetAttr, Index, Lit, Name, Node
from .syntax import HclSyntaxError, parse_expression, shown_text
from .types import convert, is_primitive_string
from .values import UNKNOWN, EvalError, Lazy, Rejected, Unknown, collect_patterns, has_unknown, join, split, to_number, unknown_patterns

# JSON-string attributes given decoded, with an unknown tree, when only partly known:
# the model reads unknown parts inside container definitions (ContainerDefinition.
# is_unknown) and policy documents (`policy`, `assume_role_policy`, also inside
# `inline_policy` blocks; PolicyDocument.parse): an unknown element of a Resource,
# Principal or Condition value is one value computed at apply, and any other unknown
# part (Effect, Action, a whole Resource list...) leaves its statement unknown.
POLICY_ATTRS = frozenset({"policy", "assume_role_policy"})
JSON_ATTRS = frozenset({"container_definitions", "event_pattern"}) | POLICY_ATTRS  # event_pattern: EventRule.build
META_ATTRS = frozenset({"count", "for_each", "depends_on", "provider"})
META_BLOCKS = frozenset({"lifecycle", "provisioner", "connection"})
MAX_MODULE_DEPTH = 32  # deeper nesting fails the scan (exit 2) naming the module call
MAX_INSTANCES = 10_000  # a larger count is treated as unknown (one [*] instance)
# What makes a value unknown instead of failing the scan: an expression Terraform would
# reject or this evaluator does not follow (EvalError), and, as a safety net for
# constructs nobody anticipated, Python's own errors while evaluating. Input errors
# (syntax, budgets) are not caught: they fail the scan with file:line, and neither does
# an expression Terraform itself rejects (`Rejected`, see `rejected()`).
EVAL_FAILURES = (EvalError, RecursionError, TypeError, ValueError, AttributeError, KeyError, IndexError)


def rejected(exc: BaseException, where: str) -> None:
    """Re-raise an expression Terraform rejects as the scan's input error (exit 2)."""
    if isinstance(exc, Rejected):
        raise InputError(str(exc), where=where) from None


class _Star:
    """The instance key of a resource or module whose count/for_each is unknown: one
    representative instance `[*]` stands for all of them."""

    def __repr__(self) -> str:
        return "[*]"


STAR = _Star()


def key_suffix(key: Any) -> str:
    if key is None:
        return ""
    if key is STAR:
        return "[*]"
    if isinstance(key, int):
        return f"[{key}]"
    return "[" + json.dumps(key, ensure_ascii=False) + "]"


def _is_json_attr(name: str) -> bool:
    return name in JSON_ATTRS


def json_hand_off(name: str, value: Any) -> Any:
    """An attribute's value as it is handed on (to split()): in a partly known policy
    document, a Resource, NotResource or Principal value that is a string template
    computed at apply (`"${aws_cloudwatch_log_group.x.arn}:*"`) becomes a one-element
    list, which IAM reads alike. The model then reads it as one computed element; a
    wholly unknown value it cannot tell from a list (which a function may have built
    around a literal `*`) leaves the statement unknown."""
    if name in POLICY_ATTRS:
        return _policy_hand_off(value)
    if name == "inline_policy" and isinstance(value, list):
        return [{**b, "policy": _policy_hand_off(b["policy"])} if isinstance(b, dict) and "policy" in b else b for b in value]
    return value


def _policy_hand_off(value: Any) -> Any:
    if not (isinstance(value, Unknown) and value.has_json and isinstance(value.decoded, dict)):
        return value
    statements = value.decoded.get("Statement")
    if isinstance(statements, dict):
        statements = _statement_hand_off(statements)
    elif isinstance(statements, list):
        statements = [_statement_hand_off(st) for st in statements]
    else:
        return value
    return Unknown(decoded={**value.decoded, "Statement": statements})


def _statement_hand_off(st: Any) -> Any:
    if not isinstance(st, dict):
        return st
    out = dict(st)
    for k in ("Resource", "NotResource"):
        if _one_string(out.get(k)):
            out[k] = [out[k]]
    for k in ("Principal", "NotPrincipal"):
        if isinstance(out.get(k), dict):
            out[k] = {t: [v] if _one_string(v) else v for t, v in out[k].items()}
    return out


def _one_string(value: Any) -> bool:
    """A string template with unknown parts (`"${x}"` alone is x itself, no template),
    whose literal text rules out the bare wildcard `*`."""
    if not isinstance(value, Unknown) or value.segments is None or value.has_json:
        return False
    return "".join(s for s in value.segments if isinstance(s, str)).strip("*") != ""


# ---------------------------------------------------------------------------- lazy values


class ResourceRef(Lazy):
    __slots__ = ("inst", "key", "inst_key")

    def __init__(self, inst: "ModuleInstance", key: str, inst_key: Any):
        self.inst = inst
        self.key = key
        self.inst_key = inst_key

    def get_attr(self, name: str, ctx: Ctx) -> Any:
        # Wherever the reference came from (each.value, a for variable, a module
        # output), using it refers to this instance.
        ctx.out.add((self.inst.resource_address(self.key, self.inst_key),))
        return self.inst.resource_attr(self.key, self.inst_key, name)

    def plain(self, ctx: Ctx) -> Any:
        return self.inst.loader.plan_object(self.inst.resource_address(self.key, self.inst_key))


class ModuleRef(Lazy):
    __slots__ = ("parent", "call", "inst_key")

    def __init__(self, parent: "ModuleInstance", call: str, inst_key: Any):
        self.parent = parent
        self.call = call
        self.inst_key = inst_key

    def get_attr(self, name: str, ctx: Ctx) -> Any:
        child = self.parent.child(self.call, self.inst_key)
        if child is None:
            return UNKNOWN
        if name not in child.config.outputs:
            raise Rejected(f"module {self.call!r} has no output {name!r}")
        value, refs, sensitive = child.output(name)
        ctx.out.add(refs, sensitive)
        return value

    def plain(self, ctx: Ctx) -> Any:
        child = self.parent.child(self.call, self.inst_key)
        if child is None:
            return UNKNOWN
        return {name: self.get_attr(name, ctx) for name in child.config.outputs}


# ---------------------------------------------------------------------------- the loader


class Loader:
    def __init__(
        self,
        root: str,
        variables: dict[str, str],
        var_files: tuple[str, ...],
        plan: list[RawResource] | None = None,
        plan_variables: dict[str, Any] | None = None,
        budget: Budget | None = None,
    ):
        self.root = os.path.realpath(root)
        self.conf = Confinement.for_scan(self.root)
        # (kind, message, where): where is a path relative to the scan root, file:line
        self.warnings: dict[tuple[str, str, str], None] = {}
        self.budget = budget or Budget()
        self.files = Files(self.root, self.conf, self.warn)
        self.files.budget = self.budget
        self._configs: dict[str, ModuleConfig] = {}
        self._active: set[tuple] = set()
        self.plan: dict[str, RawResource] = {r.address: r for r in plan or ()}
        self._plan_keys: dict[str, list[Any]] | None = None
        self._remote = _modules_manifest(self.root, self.conf)
        self.var_files = tuple(var_files)
        self.root_inputs = _root_inputs(self.root, variables, var_files, self.conf, self.warn)
        self.plan_variables = plan_variables or {}
        self.root_instance = ModuleInstance(self, self.config(self.root), "", None, None, None, 0)

    @property
    def hybrid(self) -> bool:
        return bool(self.plan)

    def warn(self, kind: str, message: str, where: str) -> None:
        self.warnings[(kind, message, where)] = None

    def config(self, directory: str) -> ModuleConfig:
        cfg = self._configs.get(directory)
        if cfg is None:
            cfg = load_config(directory, self.root, self.conf, self.warn)
            self._configs[directory] = cfg
            self.budget.check_time(self.rel(directory))
        return cfg

    def rel(self, path: str) -> str:
        return os.path.relpath(path, self.root).replace(os.sep, "/")

    def guard(self, key: tuple) -> "_Guard":
        return _Guard(self._active, key)

    def module_dir(self, parent: "ModuleInstance", call: ModuleCall, call_path: list[str]) -> str | None:
        source = call.source
        where = f"{call.block.file}:{call.block.line}"
        shown = shown_text(source)
        if source in (".", "..") or source.startswith(("./", "../")):
            lexical = os.path.join(parent.config.dir, source)
            try:
                directory = self.conf.check(lexical)
            except Outside as exc:
                self.warn(
                    "file-outside-root",
                    f"module {call.name!r}: source {shown} is not read: {exc.reason}; its resources are not scanned",
                    where,
                )
                return None
            if not record.isdir(directory):
                raise InputError(f"module {call.name!r}: source {shown} is not a directory", where=where)
            return directory
        entry = self._remote.get(".".join(call_path))
        if entry is not None:
            try:
                directory = self.conf.check(os.path.join(self.root, entry))
            except Outside as exc:
                self.warn(
                    "file-outside-root",
                    f"module {call.name!r}: its downloaded copy is not read: {exc.reason}; its resources are not scanned",
                    where,
                )
                return None
            if record.isdir(directory):
                return directory
        self.warn(
            "module-not-downloaded",
            f"module {call.name!r} comes from {shown}, which is not downloaded here: its resources are not "
            "scanned (run `terraform init` before scanning)",
            where,
        )
        return None

    # Hybrid mode: values from the plan ------------------------------------------------------
    def plan_attr(self, address: str, name: str) -> tuple[bool, Any]:
        raw = self.plan.get(address)
        if raw is None or raw.after is None:
            return False, None
        tree = raw.after_unknown
        unknown = tree.get(name, False) if isinstance(tree, dict) else (tree is True)
        if unknown is True:
            return False, None
        if name not in raw.after:
            return False, None
        return True, join(raw.after[name], unknown)

    def plan_object(self, address: str) -> Any:
        raw = self.plan.get(address)
        if raw is None or raw.after is None:
            return UNKNOWN
        return join(raw.after, raw.after_unknown)

    def plan_instance_keys(self, config_address: str) -> list[Any] | None:
        """Instance keys the plan has for a resource or module configuration address
        (with its module instance prefix)."""
        if self._plan_keys is None:
            self._plan_keys = {}
            for address in self.plan:
                steps = split_address(address)
                for i in range(len(steps)):
                    prefix = ".".join(steps[:i] + [steps[i].split("[", 1)[0]])
                    key = _parse_key(steps[i])
                    if key is not None:
                        keys = self._plan_keys.setdefault(prefix, [])
                        if key not in keys:
                            keys.append(key)
        return self._plan_keys.get(config_address)


class _Guard:
    def __init__(self, active: set, key: tuple):
        self.active = active
        self.key = key

    def __enter__(self) -> None:
        if self.key in self.active:
            raise Rejected("the value depends on itself (a reference cycle)")
        self.active.add(self.key)

    def __exit__(self, *exc: Any) -> None:
        self.active.discard(self.key)


def _parse_key(step: str) -> Any:
    if "[" not in step:
        return None
    raw = step[step.index("[") + 1 : -1]
    if raw.startswith('"'):
        return json.loads(raw)
    if raw == "*":
        return STAR
    return int(raw)


def _modules_manifest(root: str, conf: Confinement) -> dict[str, str]:
    """`terraform init`'s record of downloaded modules: call path ("a.b") -> directory."""
    path = os.path.join(root, ".terraform", "modules", "modules.json")
    try:
        doc = json.loads(conf.read_bytes(path))
    except (OSError, ValueError, Outside, NotRegular):
        return {}
    if not isinstance(doc, dict):
        return {}
    out: dict[str, str] = {}
    for m in doc.get("Modules") or ():
        if isinstance(m, dict) and isinstance(m.get("Key"), str) and isinstance(m.get("Dir"), str) and m["Key"]:
            out[m["Key"]] = m["Dir"]
    return out


# ---------------------------------------------------------------------------- root variables


def _root_inputs(root: str, variables: dict[str, str], var_files: tuple[str, ...], conf: Confinement, warn) -> dict[str, tuple[str, Any, str]]:
    """Root variable values in Terraform's precedence (later wins): terraform.tfvars,
    terraform.tfvars.json, *.auto.tfvars(.json), --var-file, --var. Each value is
    ("expr", node, file), ("value", value, file) or ("raw", text, "--var").

    The files found in the directory obey the confinement rule; a --var-file the user
    names is read wherever it is, unless its path is inside the repository (then a
    symlink in it must not lead out)."""
    out: dict[str, tuple[str, Any, str]] = {}
    names = sorted(record.listdir(root))
    files = [n for n in ("terraform.tfvars", "terraform.tfvars.json") if n in names]
    files += [n for n in names if n.endswith((".auto.tfvars", ".auto.tfvars.json"))]
    sources = [(os.path.join(root, n), n, True) for n in files]
    sources += [(p, p, os.path.abspath(p).startswith(conf.root.rstrip(os.sep) + os.sep)) for p in var_files]
    for path, shown, confined in sources:
        try:
            real = conf.check(path) if confined else record.realpath(path)
            data = read_regular(real)
        except Outside as exc:
            warn("file-outside-root", f"variables file {shown} is not read: {exc.reason}", shown)
            continue
        except FileNotFoundError:
            raise InputError("no such file", where=shown) from None
        except NotRegular as exc:
            raise InputError(f"the file {exc}; tfecs does not read it", where=shown) from None
        except OSError as exc:
            raise InputError(exc.strerror or str(exc), where=shown) from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text (byte {exc.start})", where=shown) from None
        if path.endswith(".json"):
            try:
                doc = json.loads(text)
            except ValueError as exc:
                raise InputError(f"not valid JSON (line {getattr(exc, 'lineno', '?')})", where=shown) from None
            if not isinstance(doc, dict):
                raise InputError("a .tfvars.json file must hold an object", where=shown)
            for k, v in doc.items():
                out[k] = ("value", v, shown)
        else:
            body = parse_file(real, shown, text=text)
            if body.blocks:
                raise InputError(f"a variables file holds attributes only, not a {body.blocks[0].type!r} block", where=f"{shown}:{body.blocks[0].line}")
            for attr in body.attributes.values():
                out[attr.name] = ("expr", attr.expr, shown)
    for k, v in variables.items():
        out[k] = ("raw", v, "--var")
    return out


# ---------------------------------------------------------------------------- module instances


class ModuleInstance:
    def __init__(
        self,
        loader: Loader,
        config: ModuleConfig,
        address: str,
        parent: "ModuleInstance | None",
        call: ModuleCall | None,
        key: Any,
        depth: int,
        call_path: list[str] | None = None,
    ):
        self.loader = loader
        self.config = config
        self.address = address
        self.parent = parent
        self.call = call
        self.key = key
        self.depth = depth
        self.call_path = call_path or []
        self.path_module = "." if parent is None else loader.rel(config.dir)
        self._vars: dict[str, tuple] = {}
        self._locals: dict[str, tuple] = {}
        self._outputs: dict[str, tuple] = {}
        self._children: dict[tuple, ModuleInstance | None] = {}
        self._keys: dict[str, Any] = {}
        self._each: dict[str, dict] = {}
        self._each_refs: dict[str, tuple] = {}
        self._each_marks: dict[str, Any] = {}  # for_each over a local: sensitivity per key
        self._local_marks: dict[str, Any] = {}
        self._attrs: dict[tuple, tuple] = {}

    # Scope ---------------------------------------------------------------------------------
    def resolve(self, name: str, steps: list[Node], ctx: Ctx) -> tuple[Any, int]:
        if name == "var":
            value, refs, sensitive = self.var(_step_name(steps, 0, "var"))
            ctx.out.add(refs, sensitive)
            return value, 1
        if name == "local":
            local_name = _step_name(steps, 0, "local")
            value, refs, sensitive = self.local(local_name)
            if sensitive:  # only the part the traversal reaches, as Terraform marks values
                sensitive = tree_any(tree_path(self._local_marks.get(local_name, True), steps[1:]))
            ctx.out.add(refs, sensitive)
            return value, 1
        if name == "module":
            return self.module_value(_step_name(steps, 0, "module")), 1
        if name == "data":
            key = f"data.{_step_name(steps, 0, 'data')}.{_step_name(steps, 1, 'data')}"
            value, used = self.resource_value(key, steps[2:], ctx)
            return value, 2 + used
        if name == "path":
            attr = _step_name(steps, 0, "path")
            paths = {"module": self.path_module, "root": ".", "cwd": self.loader.root}
            if attr not in paths:
                raise EvalError(f"path.{attr} does not exist")
            return paths[attr], 1
        if name == "terraform":
            attr = _step_name(steps, 0, "terraform")
            if attr != "workspace":
                raise EvalError(f"terraform.{attr} is not known before apply")
            return "default", 1
        if name in ("count", "each", "self"):
            raise EvalError(f"{name} is not available here")
        key = f"{name}.{_step_name(steps, 0, name)}"
        value, used = self.resource_value(key, steps[1:], ctx)
        return value, 1 + used

    def ctx(self, file: str, bindings: dict | None = None, out: Collector | None = None) -> Ctx:
        return Ctx(self, self.loader.files, file, bindings, out)

    # Variables, locals, outputs ---------------------------------------------------------------
    def var(self, name: str) -> tuple:
        cached = self._vars.get(name)
        if cached is None:
            decl = self.config.variables.get(name)
            if decl is None:
                raise Rejected(f"reference to an undeclared input variable {name!r}")
            try:
                with self.loader.guard(("var", self.address, name)):
                    cached = self._eval_var(decl)
            except EVAL_FAILURES as exc:
                rejected(exc, f"{decl.block.file}:{decl.block.line}")
                note(f"{decl.block.file}:{decl.block.line}", f"var.{name}: {exc}; treated as unknown")
                cached = (UNKNOWN, (), decl.flag("sensitive", False))
            self._vars[name] = cached
        return cached

    def _eval_var(self, decl) -> tuple:
        out = Collector()
        sensitive = decl.flag("sensitive", False)
        type_node = decl.type
        const = Ctx(None, self.loader.files, decl.block.file, None, out)
        value: Any = _UNSET
        if self.parent is None:
            given = self.loader.root_inputs.get(decl.name)
            explicit = given is not None and (given[0] == "raw" or given[2] in self.loader.var_files)
            if decl.name in self.loader.plan_variables and not explicit:
                value = self.loader.plan_variables[decl.name]  # what the plan was made with
            elif given is not None:
                kind, raw, where = given
                if kind == "value":
                    value = raw
                elif kind == "expr":
                    value = evaluate(raw, Ctx(None, self.loader.files, where, None, out))
                elif is_primitive_string(type_node):
                    value = raw
                else:
                    try:
                        value = evaluate(parse_expression(raw, "--var"), const)
                    except HclSyntaxError as exc:
                        raise InputError(f"--var {decl.name}: not a valid value for its type ({exc.message})") from None
        else:
            assert self.call is not None
            attr = self.call.block.body.attributes.get(decl.name)
            if attr is not None:
                ctx = self.parent.ctx(self.call.block.file, self.parent.call_bindings(self.call.name, self.key), out)
                value = evaluate(attr.expr, ctx)
                if value is None and not decl.flag("nullable", True):
                    value = _UNSET
        if value is _UNSET:
            default = decl.default
            if default is None:
                if self.parent is None:
                    self.loader.warn(
                        "variable-no-value",
                        f"variable {decl.name!r} has no value and no default: what depends on it is unknown "
                        "(give its value with --var-file or --var)",
                        f"{decl.block.file}:{decl.block.line}",
                    )
                    return UNKNOWN, (), sensitive
                raise Rejected(f"module {self.call.name if self.call else ''!r} needs a value for its variable {decl.name!r}, which has no default")
            value = evaluate(default.expr, const)
        if type_node is not None and isinstance(value, (list, dict)) and value_too_big(value):
            raise BudgetExceeded(
                f"the value of variable {decl.name!r} is too large to convert (element budget exceeded)",
                where=f"{decl.block.file}:{decl.block.line}",
            )
        try:
            value = convert(value, type_node, lambda node: evaluate(node, const))
        except Rejected:
            raise
        except EvalError:
            # Terraform rejects it (the message names no value: it may be sensitive).
            raise Rejected(f"the value of variable {decl.name!r} does not convert to its declared type") from None
        return value, tuple(out.refs), sensitive or out.sensitive

    def local(self, name: str) -> tuple:
        cached = self._locals.get(name)
        if cached is None:
            found = self.config.locals.get(name)
            if found is None:
                raise Rejected(f"reference to an undeclared local value {name!r}")
            attr, file = found
            out = Collector()
            tree: Any = False
            try:
                with self.loader.guard(("local", self.address, name)):
                    value, tree = evaluate_marked(attr.expr, self.ctx(file, None, out))
            except EVAL_FAILURES as exc:
                rejected(exc, f"{file}:{attr.line}")
                note(f"{file}:{attr.line}", f"local.{name}: {exc}; treated as unknown")
                value = UNKNOWN
                tree = out.sensitive
            cached = (value, tuple(out.refs), tree_any(tree) or out.sensitive)
            self._locals[name] = cached
            self._local_marks[name] = tree
        return cached

    def output(self, name: str) -> tuple:
        cached = self._outputs.get(name)
        if cached is None:
            block = self.config.outputs[name]
            attr = block.body.attributes.get("value")
            out = Collector()
            value: Any = None
            if attr is not None:
                try:
                    with self.loader.guard(("output", self.address, name)):
                        value = evaluate(attr.expr, self.ctx(block.file, None, out))
                except EVAL_FAILURES as exc:
                    rejected(exc, f"{block.file}:{attr.line}")
                    note(f"{block.file}:{attr.line}", f"output {name}: {exc}; treated as unknown")
                    value = UNKNOWN
            sens = block.body.attributes.get("sensitive")
            sensitive = out.sensitive or bool(sens is not None and getattr(sens.expr, "value", False) is True)
            cached = (value, tuple(out.refs), sensitive)
            self._outputs[name] = cached
        return cached

    # Instances (count / for_each) ---------------------------------------------------------------
    def _expansion(self, cache_key: str, body: Body, file: str, bindings: dict | None, plan_prefix: str) -> Any:
        """None (no count/for_each), a list of keys, or UNKNOWN."""
        if cache_key in self._keys:
            return self._keys[cache_key]
        keys: Any = None
        attrs = body.attributes
        ctx = self.ctx(file, bindings)
        try:
            if "count" in attrs:
                n = evaluate(attrs["count"].expr, ctx)
                if not has_unknown(n) and to_number(n) > MAX_INSTANCES:
                    raise EvalError(f"count = {n} is more than {MAX_INSTANCES} instances")
                keys = UNKNOWN if has_unknown(n) else list(range(int(to_number(n))))
            elif "for_each" in attrs:
                each = evaluate(attrs["for_each"].expr, ctx)
                self._each_marks[cache_key] = self._marks_of(attrs["for_each"].expr)
                if isinstance(each, Lazy):
                    each = each.plain(ctx)
                if isinstance(each, Unknown):
                    keys = UNKNOWN
                elif isinstance(each, dict):
                    keys = sorted(each)
                    self._each[cache_key] = each
                elif isinstance(each, list):
                    if any(isinstance(x, Unknown) for x in each):
                        keys = UNKNOWN
                    elif not all(isinstance(x, str) for x in each):
                        raise EvalError("for_each needs a map or a set of strings")
                    else:
                        keys = set_of(each)
                        self._each[cache_key] = {k: k for k in keys}
                elif each is None:
                    raise EvalError("for_each is null")
                else:
                    raise EvalError("for_each needs a map or a set of strings")
        except EVAL_FAILURES as exc:
            line = body.attributes.get("count", body.attributes.get("for_each")).line
            rejected(exc, f"{file}:{line}")
            note(f"{file}:{line}", f"{exc}; instances unknown")
            keys = UNKNOWN
        if "for_each" in attrs and ctx.out.refs:
            # An attribute using each.value refers to what for_each refers to (a policy
            # attachment's policy_arn through `for_each = { admin = aws_iam_policy.a.arn }`).
            self._each_refs[cache_key] = (tuple(ctx.out.refs), False)
        if keys is UNKNOWN and self.loader.hybrid:
            from_plan = self.loader.plan_instance_keys(plan_prefix)
            if from_plan:
                keys = [k for k in from_plan if k is not STAR]
        if isinstance(keys, list):
            self.loader.budget.add_elements(len(keys), f"{file}:{body.attributes.get('count', body.attributes.get('for_each')).line}")
        self._keys[cache_key] = keys
        return keys

    def _marks_of(self, node: Node) -> Any:
        """The sensitivity tree of a for_each expression that is a local value (or a
        path into one); False for anything else (Terraform rejects sensitive for_each)."""
        steps: list[Node] = []
        root = node
        while isinstance(root, (GetAttr, Index)):
            steps.append(root)
            root = root.obj
        steps.reverse()
        if isinstance(root, Name) and root.name == "local" and steps and isinstance(steps[0], GetAttr):
            name = steps[0].name
            if name in self._local_marks:
                return tree_path(self._local_marks[name], steps[1:])
        return False

    def instance_keys(self, key: str) -> Any:
        block = self.config.resources[key]
        return self._expansion(key, block.body, block.file, None, self._prefix() + key)

    def module_keys(self, call_name: str) -> Any:
        call = self.config.modules[call_name]
        return self._expansion("module." + call_name, call.block.body, call.block.file, None, self._prefix() + "module." + call_name)

    def _bindings(self, cache_key: str, body: Body, inst_key: Any) -> dict:
        if inst_key is None:
            return {}
        if inst_key is STAR:
            if "count" in body.attributes:
                return {"count": {"index": UNKNOWN}}
            out: dict = {"each": {"key": UNKNOWN, "value": UNKNOWN}}
        elif isinstance(inst_key, int) and "count" in body.attributes:
            return {"count": {"index": inst_key}}
        else:
            each = self._each.get(cache_key, {})
            out = {"each": {"key": inst_key, "value": each.get(inst_key, UNKNOWN)}}
        marks = self._each_marks.get(cache_key, False)
        if inst_key is not STAR and isinstance(marks, dict):
            marks = marks.get(inst_key, False)
        refs = self._each_refs.get(cache_key)
        value = out["each"]["value"]
        # A resource object brings its own reference; an unknown value (an ARN computed
        # at apply) refers to what the for_each expression referred to.
        found = refs[0] if refs and not isinstance(value, Lazy) and has_unknown(value) else ()
        if found or tree_any(marks):
            # each.value is sensitive where its part of the local value is
            out[REFS_PREFIX + "each"] = (found, marks if isinstance(marks, (dict, list)) else bool(marks))
        return out

    def resource_bindings(self, key: str, inst_key: Any) -> dict:
        if inst_key is not None and inst_key is not STAR:
            self.instance_keys(key)  # fills each.value
        return self._bindings(key, self.config.resources[key].body, inst_key)

    def call_bindings(self, call_name: str, inst_key: Any) -> dict:
        if inst_key is not None and inst_key is not STAR:
            self.module_keys(call_name)
        return self._bindings("module." + call_name, self.config.modules[call_name].block.body, inst_key)

    def _prefix(self) -> str:
        return self.address + "." if self.address else ""

    def resource_address(self, key: str, inst_key: Any) -> str:
        return self._prefix() + key + key_suffix(inst_key)

    # Module calls ---------------------------------------------------------------------------
    def module_value(self, call_name: str) -> Any:
        if call_name not in self.config.modules:
            raise Rejected(f"reference to an undeclared module call {call_name!r}")
        keys = self.module_keys(call_name)
        if keys is None:
            return ModuleRef(self, call_name, None)
        if keys is UNKNOWN:
            return UNKNOWN
        if "count" in self.config.modules[call_name].block.body.attributes:
            return [ModuleRef(self, call_name, k) for k in keys]
        return {k: ModuleRef(self, call_name, k) for k in keys}

    def child(self, call_name: str, inst_key: Any) -> "ModuleInstance | None":
        ck = (call_name, inst_key if inst_key is not STAR else "\0*")
        if ck in self._children:
            return self._children[ck]
        call = self.config.modules.get(call_name)
        child: ModuleInstance | None = None
        if call is not None:
            where = f"{call.block.file}:{call.block.line}"
            if self.depth >= MAX_MODULE_DEPTH:
                raise InputError(f"module {call_name!r}: modules are nested more than {MAX_MODULE_DEPTH} deep", where=where)
            path = self.call_path + [call_name]
            directory = self.loader.module_dir(self, call, path)
            if directory is not None:
                ancestor: ModuleInstance | None = self
                while ancestor is not None:
                    if ancestor.config.dir == directory:
                        raise InputError(f"module {call_name!r} calls itself: its source leads back to a module that calls it", where=where)
                    ancestor = ancestor.parent
                address = f"{self._prefix()}module.{call_name}{key_suffix(inst_key)}"
                child = ModuleInstance(self.loader, self.loader.config(directory), address, self, call, inst_key, self.depth + 1, path)
        self._children[ck] = child
        return child

    # Resources ----------------------------------------------------------------------------------
    def resource_value(self, key: str, rest: list[Node], ctx: Ctx) -> tuple[Any, int]:
        if key not in self.config.resources:
            raise Rejected(f"reference to an undeclared {'data source' if key.startswith('data.') else 'resource'} {key}")
        keys = self.instance_keys(key)
        conf_address = self._prefix() + key
        if keys is None:
            ctx.out.add((conf_address,))
            return ResourceRef(self, key, None), 0
        if rest and isinstance(rest[0], Index):
            k = evaluate(rest[0].key, ctx)
            if not has_unknown(k):
                k = _normal_key(k, "count" in self.config.resources[key].body.attributes)
                ctx.out.add((conf_address + key_suffix(k),))
                if keys is UNKNOWN:
                    return UNKNOWN, 1
                if k not in keys:
                    raise EvalError(f"{conf_address}{key_suffix(k)} is not an instance")
                return ResourceRef(self, key, k), 1
        ctx.out.add((conf_address,))
        if keys is UNKNOWN:
            return UNKNOWN, 0
        if "count" in self.config.resources[key].body.attributes:
            return [ResourceRef(self, key, k) for k in keys], 0
        return {k: ResourceRef(self, key, k) for k in keys}, 0

    def resource_attr(self, key: str, inst_key: Any, name: str) -> Any:
        """Another resource's attribute, as a reference sees it before apply."""
        if self.loader.hybrid:
            found, value = self.loader.plan_attr(self.resource_address(key, inst_key), name)
            if found:
                return value
        block = self.config.resources[key]
        if key.startswith("data.aws_iam_policy_document.") and name in ("json", "minified_json"):
            rendered = self.policy_json(key, inst_key)
            if name == "minified_json" and isinstance(rendered, str):
                return json.dumps(json.loads(rendered), separators=(",", ":"))
            return rendered
        configured = name in block.body.attributes and name not in META_ATTRS
        if configured or any(b.type == name or (b.type == "dynamic" and b.labels[:1] == [name]) for b in block.body.blocks):
            value = self.attr_value(key, inst_key, name)[0]
            # Configured as null: the provider may compute it (name from name_prefix, the
            # data source's region), so it is not known to stay null.
            return UNKNOWN if value is None else value
        # Computed by the provider: where it comes from may say what it can hold.
        return Unknown(origin=f"{self.resource_address(key, inst_key)}.{name}")

    def policy_json(self, key: str, inst_key: Any) -> Any:
        """The `json` the AWS provider renders for a policy document data source."""
        block = self.config.resources[key]
        values = {name: self.attr_value(key, inst_key, name)[0] for name in configured_names(block)}
        try:
            return render_policy(values)
        except Rejected as exc:
            raise InputError(str(exc), where=f"{block.file}:{block.line}") from None
        except EVAL_FAILURES as exc:
            note(f"{block.file}:{block.line}", f"{self.resource_address(key, inst_key)}.json: {exc}; treated as unknown")
            return UNKNOWN

    def attr_value(self, key: str, inst_key: Any, name: str) -> tuple:
        """(value, references, sensitive) of one top-level attribute or block type."""
        ck = (key, inst_key if inst_key is not STAR else "\0*", name)
        cached = self._attrs.get(ck)
        if cached is not None:
            return cached
        block = self.config.resources[key]
        out = Collector()
        ctx = self.ctx(block.file, self.resource_bindings(key, inst_key), out)
        attr = block.body.attributes.get(name)
        line = attr.line if attr is not None else block.line
        try:
            with self.loader.guard(("attr",) + (self.address,) + ck):
                if attr is not None:
                    value = evaluate(attr.expr, ctx)
                else:
                    value = _eval_blocks(block.body, name, ctx)
                if isinstance(value, (list, dict)) and value_too_big(value):
                    raise BudgetExceeded(f"{name} holds a value too large to judge (element budget exceeded)", where=f"{block.file}:{line}")
                if name not in META_ATTRS:
                    value = conform_attr(block.labels[0], "data" if key.startswith("data.") else "managed", name, value)
        except SchemaError as exc:
            at, origin = _argument_at(block, exc.path)
            raise InputError(f"{exc}{f' The value comes from {origin}.' if origin else ''}", where=f"{block.file}:{at}") from None
        except EVAL_FAILURES as exc:
            rejected(exc, f"{block.file}:{line}")
            note(f"{block.file}:{line}", f"{self.resource_address(key, inst_key)}.{name}: {exc}; treated as unknown")
            value = UNKNOWN
        cached = (value, tuple(out.refs), out.sensitive)
        self._attrs[ck] = cached
        return cached

    # Building RawResources ------------------------------------------------------------------------
    def raw_resource(self, key: str, inst_key: Any) -> RawResource:
        block = self.config.resources[key]
        mode = "data" if key.startswith("data.") else "managed"
        rtype, rname = block.labels
        names = configured_names(block)
        values: dict[str, Any] = {}
        refs: dict[str, tuple[str, ...]] = {}
        sensitive: dict[str, bool] = {}
        for name in names:
            value, r, s = self.attr_value(key, inst_key, name)
            values[name] = json_hand_off(name, value)
            if r:
                refs[name] = r
            if s:
                sensitive[name] = True
        after, unknown = split(values, _is_json_attr, elementwise=mode == "data")
        patterns = unknown_patterns(collect_patterns(values, _is_json_attr), unknown)
        if mode == "data" and rtype == "aws_iam_policy_document":
            rendered = self.policy_json(key, inst_key)  # as the provider renders it during plan
            if isinstance(rendered, str):
                after = {**(after or {}), "json": rendered}
            else:
                unknown = {**(unknown or {}), "json": True}
        return RawResource(
            address=self.resource_address(key, inst_key),
            mode=mode,
            type=rtype,
            name=rname,
            module_address=self.address,
            actions=(),
            after=after,
            after_unknown=unknown,
            after_sensitive=sensitive or False,
            references=refs,
            configured=frozenset(names),
            location=location_of(block),
            origin="hcl",
            patterns=patterns,
        )

    def expand(self) -> Iterator[RawResource]:
        for key in self.config.resources:
            keys = self.instance_keys(key)
            for k in ([None] if keys is None else [STAR] if keys is UNKNOWN else keys):
                yield self.raw_resource(key, k)
        for call_name in self.config.modules:
            keys = self.module_keys(call_name)
            for k in ([None] if keys is None else [STAR] if keys is UNKNOWN else keys):
                child = self.child(call_name, k)
                if child is not None:
                    yield from child.expand()


_UNSET = object()


def _argument_at(block: Block, path: str) -> tuple[int, str | None]:
    """The line of an argument given by its path in a resource ("ingress.cidr_blocks"),
    and the variable its expression is, if it is one ("var.allowed")."""
    body, line = block.body, block.line
    for part in [p for p in path.split(".") if p]:
        attr = body.attributes.get(part)
        if attr is not None:
            expr = attr.expr
            if isinstance(expr, GetAttr) and isinstance(expr.obj, Name) and expr.obj.name in ("var", "local"):
                return attr.line, f"{expr.obj.name}.{expr.name}"
            return attr.line, None
        nested = next((b for b in body.blocks if b.type == part or (b.type == "dynamic" and b.labels[:1] == [part])), None)
        if nested is None:
            break
        line = nested.line
        body = nested.body
        if nested.type == "dynamic":
            content = next((b for b in body.blocks if b.type == "content"), None)
            if content is None:
                break
            body = content.body
    return line, None


def _normal_key(k: Any, is_count: bool) -> Any:
    if is_count:
        n = to_number(k)
        if isinstance(n, float):
            raise EvalError(f"count index {k} is not a whole number")
        return n
    if isinstance(k, bool) or not isinstance(k, (str, int, float)):
        raise EvalError("a for_each key must be a string")
    return k if isinstance(k, str) else str(k)


def _step_name(steps: list[Node], i: int, root: str) -> str:
    if i < len(steps) and isinstance(steps[i], GetAttr):
        return steps[i].name
    raise EvalError(f"{root} must be followed by .NAME")


def configured_names(block: Block) -> list[str]:
    names = [a for a in block.body.attributes if a not in META_ATTRS]
    for b in block.body.blocks:
        name = b.labels[0] if b.type == "dynamic" and b.labels else b.type
        if b.type in META_BLOCKS or name in names:
            continue
        names.append(name)
    return names


def location_of(block: Block) -> Location:
    lines: dict[str, int] = {}
    for name, attr in block.body.attributes.items():
        if name not in META_ATTRS:
            lines[name] = attr.line
    for b in block.body.blocks:
        name = b.labels[0] if b.type == "dynamic" and b.labels else b.type
        lines.setdefault(name, b.line)
    return Location(block.file, block.line, lines)


# ---------------------------------------------------------------------------- nested blocks


def _eval_blocks(body: Body, name: str, ctx: Ctx) -> Any:
    """All nested blocks of one type (static and dynamic) as a list of objects."""
    items: list[Any] = []
    for b in body.blocks:
        if b.type == name:
            items.append(_eval_block_body(b.body, ctx))
        elif b.type == "dynamic" and b.labels[:1] == [name]:
            expanded = _eval_dynamic(b, ctx)
            if isinstance(expanded, Unknown):
                return UNKNOWN
            items.extend(expanded)
    return items


def _eval_block_body(body: Body, ctx: Ctx) -> dict:
    out: dict[str, Any] = {name: evaluate(attr.expr, ctx) for name, attr in body.attributes.items()}
    seen: set[str] = set()
    for b in body.blocks:
        name = b.labels[0] if b.type == "dynamic" and b.labels else b.type
        if name not in seen:
            seen.add(name)
            out[name] = _eval_blocks(body, name, ctx)
    return out


def _eval_dynamic(block: Block, ctx: Ctx) -> Any:
    attrs = block.body.attributes
    if "for_each" not in attrs:
        raise EvalError("a dynamic block needs for_each")
    each = evaluate(attrs["for_each"].expr, ctx)
    if isinstance(each, Lazy):
        each = each.plain(ctx)
    if isinstance(each, Unknown):
        return UNKNOWN
    iterator = block.labels[0] if block.labels else "each"
    if "iterator" in attrs:
        node = attrs["iterator"].expr
        if isinstance(node, Name):
            iterator = node.name
        elif isinstance(node, Lit) and isinstance(node.value, str):  # JSON syntax: "iterator": "rule"
            iterator = node.value
        else:
            raise EvalError("iterator must be a name")
    content = next((b for b in block.body.blocks if b.type == "content"), None)
    if content is None:
        raise EvalError("a dynamic block needs a content block")
    if each is None:
        raise EvalError("for_each is null")
    pairs = list(enumerate(each)) if isinstance(each, list) else [(k, each[k]) for k in sorted(each)] if isinstance(each, dict) else None
    if pairs is None:
        raise EvalError("dynamic for_each needs a collection")
    return [_eval_block_body(content.body, ctx.bind(**{iterator: {"key": k, "value": v}})) for k, v in pairs]

