"""Read `terraform show -json` output (format_version 0.1 to 1.x) into RawResources.

Handles UTF-8 and UTF-16 (Windows PowerShell writes UTF-16 with a BOM), plans with only
`resource_changes` or only `planned_values`, state JSON (`terraform show -json` without a
plan), data sources read during plan (`prior_state`) and the `configuration` block's
expression references, which are how a task definition's unknown role ARN is tied to
the role resource.
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from typing import Any, Iterator

import orjson

from ..errors import InputError
from . import planjson
from .raw import RawResource, ResourceAddress, config_address, module_instance_of, parse_address, split_address, split_segments

SUPPORTED_MAJOR = {0, 1}


def decode_bytes(data: bytes, where: str) -> str:
    if not data.strip():
        raise InputError("empty input: expected the output of `terraform show -json`", where=where)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(f"invalid UTF-16 text at byte {exc.start}", where=where) from None
    elif len(data) >= 4 and data[1] == 0 and data[3] == 0 and data[0] != 0:
        # UTF-16LE without a BOM: ASCII text with a NUL after every byte.
        try:
            return data.decode("utf-16-le")
        except UnicodeDecodeError:
            pass
    if data.startswith(b"PK\x03\x04"):
        raise InputError(
            "this is a binary plan file; convert it with `terraform show -json PLANFILE > plan.json`",
            where=where,
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not text (invalid UTF-8 at byte {exc.start}): expected the output of `terraform show -json`",
            where=where,
        ) from None


def parse_json(data: bytes, where: str) -> Any:
    if data[:16].lstrip()[:1] == b"{" and not (len(data) >= 4 and data[1] == 0 and data[3] == 0):
        # Plain UTF-8 (what Terraform writes): orjson validates it while parsing, so the
        # text is not decoded into a second copy first. Any error takes the path below,
        # which says what is wrong, with line and column.
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    text = decode_bytes(data, where)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        msg = str(exc)
        if "recursion" in msg.lower() or "depth" in msg.lower():
            raise InputError("JSON nested too deeply to be a Terraform plan", where=where) from None
        line = text.count("\n", 0, exc.pos) + 1
        col = exc.pos - (text.rfind("\n", 0, exc.pos) + 1) + 1
        reason = msg.split(":", 1)[0]
        raise InputError(f"invalid JSON at line {line} column {col}: {reason}", where=where) from None


def _expect(value: Any, kind: type | tuple[type, ...], where: str, what: str) -> Any:
    if not isinstance(value, kind):
        names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
        want = " or ".join(names.get(k, k.__name__) for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise InputError(f"{what}: expected {want}, found {_kind(value)}", where=where)
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )


class Plan:
    """A parsed plan document with its resources, ready for the model layer."""

    def __init__(self, doc: dict, where: str):
        self.where = where
        self.doc = doc
        self.format_version = str(doc.get("format_version", ""))
        self.terraform_version = doc.get("terraform_version")
        self.kind = "plan"
        self.resources: list[RawResource] = []


def read_plan(data: bytes | list[bytes], where: str) -> Plan:
    """The plan in `data`; given as a one-item list, the bytes are taken out of it and
    freed once parsed, before the resources are built (they are a plan's size)."""
    if isinstance(data, list):
        data = data.pop()
    doc = planjson.plan_members(data)
    if doc is None:
        doc = parse_json(data, where)
    del data
    if not isinstance(doc, dict):
        raise InputError(f"not a Terraform plan: the top level is {_kind(doc)}, not an object", where=where)
    if "format_version" not in doc:
        raise InputError("not a Terraform plan: no `format_version` (expected `terraform show -json` output)", where=where)
    if not any(k in doc for k in ("resource_changes", "planned_values", "prior_state", "values", "configuration")):
        raise InputError(
            "not a Terraform plan: no `resource_changes`, `planned_values` or `values`", where=where
        )
    version = str(doc["format_version"])
    try:
        major = int(version.split(".")[0])
    except ValueError:
        raise InputError(f"unreadable format_version {version!r}", where=where) from None
    if major not in SUPPORTED_MAJOR:
        raise InputError(f"unsupported plan format_version {version} (this tfecs reads 0.x and 1.x)", where=where)
    if doc.get("errored") not in (None, False):
        # Terraform stopped planning at an error: what the plan holds is not what would apply.
        raise InputError("the plan is errored: Terraform could not finish planning (fix the errors and plan again)", where=where)
    plan = Plan(doc, where)
    refs = ConfigReferences(doc.get("configuration"), where)
    resources: list[RawResource] = []
    changes = doc.get("resource_changes")
    if changes is not None:
        _expect(changes, list, where, "resource_changes")
        resources.extend(_from_changes(changes, where))
    elif "planned_values" in doc:
        resources.extend(_from_values(doc["planned_values"], where, "planned_values", actions=()))
    elif "values" in doc:
        plan.kind = "state"
        resources.extend(_from_values(doc["values"], where, "values", actions=("no-op",), origin="state"))
    deferred = doc.get("deferred_changes")
    if deferred is not None:
        # Changes Terraform will make in a later plan of the same configuration
        # (`complete: false`): what they will create is judged now, as planned so far.
        _expect(deferred, list, where, "deferred_changes")
        inner = []
        for i, item in enumerate(deferred):
            _expect(item, dict, where, f"deferred_changes[{i}]")
            inner.append(_expect(item.get("resource_change"), dict, where, f"deferred_changes[{i}].resource_change"))
        resources.extend(_from_changes(inner, where, "deferred_changes[{}].resource_change"))
    _no_duplicates(resources, where)
    # Data sources read during plan are in prior_state only; deferred reads are in
    # resource_changes with action "read" and take precedence.
    seen = {r.address for r in resources}
    prior = doc.get("prior_state")
    if isinstance(prior, dict) and isinstance(prior.get("values"), dict):
        for r in _from_values(prior["values"], where, "prior_state.values", actions=("read",), only_data=True):
            if r.address not in seen:
                resources.append(r)
    for r in resources:
        r.references = LazyReferences(refs, r.address)
        r.configured = refs.configured(r.address)
        r.input = where
    plan.resources = resources
    return plan


def _no_duplicates(resources: list[RawResource], where: str) -> None:
    """Terraform writes one change per resource instance (deposed objects aside): a
    second change for an address (a no-op twin beside a create) is an input error,
    never a choice of which one to believe."""
    seen: set[str] = set()
    for r in resources:
        if r.address in seen:
            raise InputError(f"{r.address}: more than one change for this address", where=where)
        seen.add(r.address)


# Terraform's plan actions (`terraform show -json`, all format versions); `forget` is
# Terraform 1.7's `removed` block.
KNOWN_ACTIONS = frozenset({"no-op", "create", "read", "update", "delete", "forget"})


# The action lists Terraform writes; any other list (or a malformed one) takes the
# checking path below, which says what is wrong with it.
_ACTION_LISTS = frozenset(
    {("no-op",), ("create",), ("read",), ("update",), ("delete",), ("forget",), ("delete", "create"), ("create", "delete")}
)


def _well_formed_change(rc: Any) -> RawResource | None:
    """A resource change as Terraform writes it, at a few type checks (the common case of
    10,000); None for anything else, which _checked_change then checks step by step (and
    accepts exactly what this accepts, or says why not)."""
    if type(rc) is not dict or rc.get("deposed") is not None:
        return None
    change, address, rtype = rc.get("change"), rc.get("address"), rc.get("type")
    if type(change) is not dict or type(address) is not str or type(rtype) is not str:
        return None
    actions = change.get("actions")
    if type(actions) is not list or len(actions) not in (1, 2) or not all(type(a) is str for a in actions):
        return None
    acts = tuple(actions)
    after, before = change.get("after"), change.get("before")
    if acts not in _ACTION_LISTS or not (after is None or type(after) is dict) or not (before is None or type(before) is dict):
        return None
    if after is None and ("create" in acts or "update" in acts):
        return None
    parsed = parse_address(address)
    if (
        parsed is None
        or parsed.type != rtype
        or rc.get("mode", parsed.mode) != parsed.mode
        or rc.get("name", parsed.name) != parsed.name
        or rc.get("module_address", parsed.module) != parsed.module
    ):
        return None
    return _raw_change(address, parsed, acts, change)


def _raw_change(address: str, parsed: ResourceAddress, actions: tuple[str, ...], change: dict) -> RawResource:
    return RawResource(
        address=address,
        mode=parsed.mode,
        type=parsed.type,
        name=parsed.name,
        module_address=parsed.module,
        actions=actions,
        after=change.get("after"),
        after_unknown=change.get("after_unknown") or False,
        after_sensitive=change.get("after_sensitive") or False,
        before=change.get("before"),
        before_sensitive=change.get("before_sensitive") or False,
    )


def _from_changes(changes: list, where: str, what_format: str = "resource_changes[{}]") -> Iterator[RawResource]:
    for i, rc in enumerate(changes):
        raw = _well_formed_change(rc) or _checked_change(rc, where, what_format.format(i))
        if raw is not None:
            yield raw


def _checked_change(rc: Any, where: str, what: str) -> RawResource | None:
    """One resource change checked step by step, saying what is wrong with it; None for
    a deposed object being destroyed."""
    if isinstance(rc, dict) and rc.get("deposed") is not None and isinstance(rc.get("change"), dict) and rc["change"].get("after") is None:
        # A deposed object (create_before_destroy) being destroyed: the current
        # object of the same address has its own change. (One with an `after` is
        # read, and then is a duplicate of that address.)
        return None
    _expect(rc, dict, where, what)
    address = _expect(rc.get("address"), str, where, f"{what}.address")
    rtype = _expect(rc.get("type"), str, where, f"{address}: type")
    change = _expect(rc.get("change"), dict, where, f"{address}: change")
    actions = _expect(change.get("actions"), list, where, f"{address}: change.actions")
    if not all(isinstance(a, str) for a in actions):
        raise InputError(f"{address}: change.actions: expected an array of strings", where=where)
    if not actions or not set(actions) <= KNOWN_ACTIONS:
        # An action tfecs does not know cannot be judged as a create, update or delete.
        shown = [a if a in KNOWN_ACTIONS else "?" for a in actions]
        raise InputError(f"{address}: change.actions {shown} holds an action tfecs does not know", where=where)
    after = change.get("after")
    before = change.get("before")
    if after is not None:
        _expect(after, dict, where, f"{address}: change.after")
    if before is not None:
        _expect(before, dict, where, f"{address}: change.before")
    parsed = _address(address, rc, rtype, where)
    if after is None and any(a in ("create", "update") for a in actions):
        # Terraform writes `after` for every create and update: without it the new
        # object cannot be judged, and reading it as deleted would pass it.
        raise InputError(f"{address}: change.actions {actions} without change.after", where=where)
    return _raw_change(address, parsed, tuple(actions), change)


def _address(address: str, item: dict, rtype: str, where: str) -> ResourceAddress:
    """The address taken apart by Terraform's grammar, which alone says whether it is a
    data source and in which module: the `mode`, `type`, `name` and `module_address`
    written beside it must agree (a task definition labelled `mode: "data"` is not
    skipped as a data source, it is an input error)."""
    parsed = parse_address(address)
    if parsed is None:
        raise InputError(f"{address!r}: not a Terraform resource address", where=where)
    mode = item.get("mode")
    if mode is not None and mode != parsed.mode:
        raise InputError(f"{address}: mode {mode!r} does not match the address ({parsed.mode})", where=where)
    if rtype != parsed.type:
        raise InputError(f"{address}: type {rtype!r} does not match the address", where=where)
    name = item.get("name")
    if name is not None and name != parsed.name:
        raise InputError(f"{address}: name {name!r} does not match the address", where=where)
    module = item.get("module_address")
    if module is not None and module != parsed.module:
        raise InputError(f"{address}: module_address {module!r} does not match the address", where=where)
    return parsed


def _from_values(
    values: Any,
    where: str,
    what: str,
    *,
    actions: tuple[str, ...],
    origin: str = "plan",
    only_data: bool = False,
) -> Iterator[RawResource]:
    _expect(values, dict, where, what)
    stack = [(values.get("root_module") or {}, f"{what}.root_module")]
    while stack:
        module, mwhat = stack.pop()
        _expect(module, dict, where, mwhat)
        for j, res in enumerate(_expect(module.get("resources") or [], list, where, f"{mwhat}.resources")):
            rwhat = f"{mwhat}.resources[{j}]"
            _expect(res, dict, where, rwhat)
            mode = res.get("mode", "managed")
            if only_data and mode != "data":
                continue
            address = _expect(res.get("address"), str, where, f"{rwhat}.address")
            vals = res.get("values")
            if vals is not None:
                _expect(vals, dict, where, f"{address}: values")
            rtype = _expect(res.get("type"), str, where, f"{address}: type")
            parsed = _address(address, res, rtype, where)
            if only_data and parsed.mode != "data":
                continue
            yield RawResource(
                address=address,
                mode=parsed.mode,
                type=rtype,
                name=parsed.name,
                module_address=parsed.module,
                actions=actions,
                after=vals if vals is not None else {},
                after_sensitive=res.get("sensitive_values") or False,
                before=vals if origin == "state" else None,
                origin=origin,
            )
        children = module.get("child_modules") or []
        _expect(children, list, where, f"{mwhat}.child_modules")
        for k, child in enumerate(reversed(children)):
            stack.append((child, f"{mwhat}.child_modules[{len(children) - 1 - k}]"))


class LazyReferences(Mapping):
    """A resource's references, resolved when a rule first asks (ConfigReferences.
    for_resource): most resources of a large plan are never followed (out of scope, or
    no rule looks at what they point to), and resolving every one was a tenth of reading."""

    __slots__ = ("_source", "_address", "_resolved")

    def __init__(self, source: "ConfigReferences", address: str):
        self._source: ConfigReferences | None = source
        self._address = address
        self._resolved: dict[str, tuple[str, ...]] | None = None

    def _refs(self) -> dict[str, tuple[str, ...]]:
        if self._resolved is None:
            self._resolved = self._source.for_resource(self._address)  # type: ignore[union-attr]
            self._source = None
        return self._resolved

    def __getitem__(self, attr: str) -> tuple[str, ...]:
        return self._refs()[attr]

    def get(self, attr: str, default: Any = None) -> Any:
        return self._refs().get(attr, default)

    def __iter__(self):
        return iter(self._refs())

    def __len__(self) -> int:
        return len(self._refs())

    def __repr__(self) -> str:
        return repr(self._refs())


class ConfigReferences:
    """Expression references from the plan's `configuration` block, resolved to resources.

    `configuration` speaks in module-relative addresses (`aws_iam_role.task.arn`,
    `var.role_arn`, `module.iam.role_arn`); this follows variables up to the module call
    and module outputs down into the child module, so that every reference ends at a
    resource's configuration address.
    """

    def __init__(self, configuration: Any, where: str):
        self.where = where
        # config address -> attribute -> raw reference strings (module-relative)
        self._resources: dict[str, dict[str, list[str]]] = {}
        self._configured: dict[str, frozenset[str]] = {}
        # module path ("" root, "module.a.module.b") -> its `outputs` (module.x.y lookups)
        self._modules: dict[str, Any] = {}
        # module path -> the `expressions` of the module call that created it (var.* lookups).
        # Only these parts are kept: references are resolved lazily (LazyReferences), and
        # holding the whole configuration until then cost megabytes at the run's peak.
        self._calls: dict[str, Any] = {}
        self._cache: dict[str, dict[str, tuple[str, ...]]] = {}
        # Pure functions of strings that every instance of a module asks again.
        self._parts: dict[str, list[str]] = {}
        self._found: dict[tuple[str, str, str], list[str]] = {}
        self._parents: dict[str, str] = {}
        self._conf_modules: dict[str, str] = {}
        self._relatives: dict[tuple[str, str], list[tuple[int, tuple[str, ...], str]]] = {}
        self._templates: dict[str, dict[str, list[tuple[int, tuple[str, ...], str]]]] = {}
        if isinstance(configuration, dict) and isinstance(configuration.get("root_module"), dict):
            self._index(configuration["root_module"], "")

    def _index(self, module: dict, path: str) -> None:
        self._modules[path] = module.get("outputs")
        resources = module.get("resources")
        for res in resources if isinstance(resources, list) else ():
            if not isinstance(res, dict) or not isinstance(res.get("address"), str):
                continue
            exprs = res.get("expressions")
            attrs: dict[str, list[str]] = {}
            if isinstance(exprs, dict):
                for name, expr in exprs.items():
                    found: list[str] = []
                    _collect_refs(expr, found)
                    if found:
                        attrs[name] = found
            full = f"{path}.{res['address']}" if path else res["address"]
            self._resources[full] = attrs
            self._configured[full] = frozenset(exprs) if isinstance(exprs, dict) else frozenset()
        calls = module.get("module_calls")
        if isinstance(calls, dict):
            for name, call in calls.items():
                if isinstance(call, dict) and isinstance(call.get("module"), dict):
                    child = f"{path}.module.{name}" if path else f"module.{name}"
                    self._calls[child] = call.get("expressions")
                    self._index(call["module"], child)

    def configured(self, address: str) -> frozenset[str] | None:
        return self._configured.get(config_address(address))

    def for_resource(self, address: str) -> dict[str, tuple[str, ...]]:
        conf = config_address(address)
        attrs = self._resources.get(conf)
        if not attrs:
            return {}
        instance_module = module_instance_of(address)
        conf_module = self._conf_modules.get(conf)  # keys removed: the configuration path
        if conf_module is None:
            conf_module = self._conf_modules[conf] = module_instance_of(conf)
        key = f"{instance_module}|{conf}"
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        relative = self._templates.get(conf)
        if relative is None:
            relative = self._templates[conf] = {
                attr: [step for ref in refs for step in self._relative(ref, conf_module)] for attr, refs in attrs.items()
            }
        prefix = f"{instance_module}." if instance_module else ""
        out: dict[str, tuple[str, ...]] = {}
        for attr, steps in relative.items():
            targets: list[str] = []
            for up, down, tail in steps:
                if not up and not down:
                    targets.append(prefix + tail)
                    continue
                base = instance_module
                for _ in range(up):
                    base = self._parent(base)
                targets.append(".".join(x for x in (base, *down, tail) if x))
            if targets:
                out[attr] = tuple(dict.fromkeys(targets))
        self._cache[key] = out
        return out

    def _parent(self, instance: str) -> str:
        parent = self._parents.get(instance)
        if parent is None:
            parent = self._parents[instance] = _parent_instance(instance)
        return parent

    def _relative(self, ref: str, module: str) -> list[tuple[int, tuple[str, ...], str]]:
        """Where `ref`, made inside module `module` (configuration path), leads, relative
        to the module instance it is made in: (module steps up, module steps down, the
        resource). The same for every instance of the module (a module called with
        for_each over hundreds of keys): worked out once, then only the instance's path
        is put in front."""
        found = self._relatives.get((ref, module))
        if found is None:
            found = self._relatives[(ref, module)] = []
            self._resolve(ref, module, 0, (), found, depth=0)
        return found

    def _resolve(self, ref: str, module: str, up: int, down: tuple[str, ...], out: list, depth: int) -> None:
        """Resolve `ref`, made inside module `module` (configuration path), to resources:
        `up` and `down` say where that module's instance is from the one the resolution
        started in (a variable leads to the calling module, an output into the child)."""
        parts = self._parts.get(ref)
        if parts is None:
            parts = self._parts[ref] = split_segments(ref)
        if depth > 32 or len(parts) < 2:
            return
        head = parts[0]
        if head == "var":
            if module not in self._calls:
                return
            found = self._found.get(("var", module, parts[1]))
            if found is None:
                found = self._found[("var", module, parts[1])] = []
                _collect_refs(_object(self._calls[module]).get(parts[1]), found)
            parent = module.rsplit(".module.", 1)[0] if ".module." in module else ""
            to = (up, down[:-1]) if down else (up + 1, down)
            for r in found:
                self._resolve(r, parent, *to, out, depth + 1)
        elif head == "module":
            if len(parts) < 3:
                return
            child = (f"{module}." if module else "") + "module." + parts[1].split("[")[0]
            found = self._found.get(("output", child, parts[2]))
            if found is None:
                output = _object(self._modules.get(child)).get(parts[2])
                if not isinstance(output, dict):
                    return
                found = self._found[("output", child, parts[2])] = []
                _collect_refs(output.get("expression"), found)
            for r in found:
                self._resolve(r, child, up, (*down, f"module.{parts[1]}"), out, depth + 1)
        elif head == "data":
            if len(parts) >= 3:
                out.append((up, down, f"data.{parts[1]}.{parts[2]}"))
        elif head not in ("local", "each", "count", "path", "terraform", "self"):
            out.append((up, down, f"{head}.{parts[1]}"))


def _object(value: Any) -> dict:
    """The value when it is an object, else {}: the configuration block only links
    resources, so a malformed part of it links nothing rather than failing the scan."""
    return value if isinstance(value, dict) else {}


def _parent_instance(instance: str) -> str:
    if not instance:
        return ""


    steps = split_address(instance)
    return ".".join(steps[:-1])


def _collect_refs(expr: Any, out: list[str]) -> None:
    """Every `references` string inside an expression (nested blocks included)."""
    if isinstance(expr, dict):
        refs = expr.get("references")
        if isinstance(refs, list):
            out.extend(r for r in refs if isinstance(r, str))
        for key, value in expr.items():
            if key != "references" and isinstance(value, (dict, list)):
                _collect_refs(value, out)
    elif isinstance(expr, list):
        for item in expr:
            _collect_refs(item, out)
