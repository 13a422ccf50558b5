"""Hybrid mode: a plan, and the source directory it was made from.

Each plan resource address (`module.svc["api"].aws_ecs_task_definition.this[0]`) is
mapped to its block in the source, which gives it a location. Where the plan says a
configured attribute is unknown, the attribute is evaluated from the source with the
plan's known values substituted for references, and the known parts replace the
unknown: `jsonencode([{ image = aws_ecr_repository.app.repository_url, privileged =
true }])` is wholly unknown in the plan, and becomes a container list whose `image` alone
is unknown. Values the plan knows are never changed.
"""

from __future__ import annotations

from typing import Any

from ..raw import RawResource, split_address
from .modules import Loader, ModuleInstance, _is_json_attr, _parse_key, configured_names, json_hand_off, location_of
from .values import Unknown, collect_patterns, split, unknown_patterns


def enrich(loader: Loader, resources: list[RawResource]) -> None:
    for raw in resources:
        found = locate(loader, raw.address)
        if found is None:
            continue
        inst, key, inst_key = found
        block = inst.config.resources[key]
        raw.location = location_of(block)
        names = configured_names(block)
        # The source also knows `dynamic` blocks, which plan JSON leaves out.
        raw.configured = frozenset(names) | (raw.configured or frozenset())
        refs = dict(raw.references)
        for name in names:
            value, found_refs, _ = inst.attr_value(key, inst_key, name)
            if found_refs:
                refs[name] = tuple(dict.fromkeys(refs.get(name, ()) + found_refs))
            if raw.after is not None:
                handed = json_hand_off(name, value)
                _fill(raw, name, handed)
                found = unknown_patterns(collect_patterns({name: handed}, _is_json_attr), raw.after_unknown)
                if found:
                    raw.patterns = {**raw.patterns, **found}
        raw.references = refs


def locate(loader: Loader, address: str) -> tuple[ModuleInstance, str, Any] | None:
    """The module instance, resource key and instance key of a plan address."""
    steps = split_address(address)
    inst: ModuleInstance | None = loader.root_instance
    for step in steps[:-1]:
        if not step.startswith("module.") or inst is None:
            return None
        name = step[len("module.") :].split("[", 1)[0]
        if name not in inst.config.modules:
            return None
        inst = inst.child(name, _parse_key(step))
    if inst is None:
        return None
    last = steps[-1]
    key = last.split("[", 1)[0]
    if key not in inst.config.resources:
        return None
    return inst, key, _parse_key(last)


def _fill(raw: RawResource, name: str, value: Any) -> None:
    tree = raw.after_unknown
    if not isinstance(tree, dict) or tree.get(name, False) is False:
        return
    assert raw.after is not None
    after, unknown = _merge(raw.after.get(name), tree[name], value, name, raw.mode == "data")
    if unknown is True:
        return
    raw.after[name] = after
    if unknown is False:
        del tree[name]
    else:
        tree[name] = unknown


def _merge(after: Any, tree: Any, value: Any, name: str, elementwise: bool) -> tuple[Any, Any]:
    """Replace what the plan does not know (tree True) with the source's value."""
    if tree is True:
        if isinstance(value, Unknown) and not (value.has_json or value.segments is not None):
            return after, True
        merged, unknown = split({name: value}, _is_json_attr, elementwise=elementwise)
        sub = unknown.get(name, False) if isinstance(unknown, dict) else False
        return (after, True) if sub is True else (merged[name], sub)
    if isinstance(tree, dict) and isinstance(after, dict) and isinstance(value, dict):
        new_after = dict(after)
        new_tree: dict = {}
        for k, sub in tree.items():
            if sub is False:
                continue
            if k in value:
                a, sub = _merge(after.get(k), sub, value[k], k, elementwise)
                if sub is not True:
                    new_after[k] = a
            if sub is not False:
                new_tree[k] = sub
        return new_after, (new_tree or False)
    # Nested blocks: only a single block is surely the same block on both sides (sets of
    # blocks are ordered differently in the plan).
    if isinstance(tree, list) and isinstance(after, list) and isinstance(value, list) and len(after) == len(value) == 1:
        a, u = _merge(after[0], tree[0] if tree else False, value[0], name, elementwise)
        if u is True:
            return after, tree
        return [a], ([u] if u is not False else False)
    return after, tree
