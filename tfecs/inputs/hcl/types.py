"""Terraform type constraints (`variable "x" { type = ... }`): convert a value to the
declared type, as Terraform does before a module sees it (`"true"` becomes true for a
bool, `optional(bool, false)` attributes get their defaults, extra attributes go)."""

from __future__ import annotations

from typing import Any, Callable

from .nodes import Call, Lit, Name, Node, ObjectNode, TupleNode
from .values import EvalError, Lazy, Unknown, to_bool, to_number, to_string

Evaluate = Callable[[Node], Any]


def convert(value: Any, type_node: Node | None, evaluate: Evaluate) -> Any:
    """`evaluate` computes `optional()` defaults (constant expressions)."""
    if type_node is None or isinstance(value, (Unknown, Lazy)):
        return value
    kind, args = _kind(type_node)
    if kind == "any":
        return value
    if value is None:
        return None
    if kind == "string":
        return to_string(value)
    if kind == "number":
        return to_number(value)
    if kind == "bool":
        return to_bool(value)
    if kind in ("list", "set"):
        if not isinstance(value, list):
            raise EvalError(f"a {kind} is required")
        items = [convert(v, args[0] if args else None, evaluate) for v in value]
        if kind == "set":
            items = _set(items)
        return items
    if kind == "map":
        if not isinstance(value, dict):
            raise EvalError("a map is required")
        return {k: convert(v, args[0] if args else None, evaluate) for k, v in value.items()}
    if kind == "tuple":
        elems = args[0].items if args and isinstance(args[0], TupleNode) else []
        if not isinstance(value, list) or len(value) != len(elems):
            raise EvalError(f"a tuple of {len(elems)} elements is required")
        return [convert(v, t, evaluate) for v, t in zip(value, elems)]
    if kind == "object":
        if not isinstance(value, dict):
            raise EvalError("an object is required")
        spec = args[0] if args and isinstance(args[0], ObjectNode) else None
        if spec is None:
            return value
        out: dict[str, Any] = {}
        for key_node, attr_type in spec.items:
            name = key_node.value if isinstance(key_node, Lit) else None
            if not isinstance(name, str):
                continue
            optional, inner, default = _optional(attr_type)
            attr = value.get(name)
            if attr is None:
                if not optional and name not in value:
                    raise EvalError(f"attribute {name!r} is required")
                if default is not None:
                    attr = evaluate(default)
            out[name] = convert(attr, inner, evaluate)
        return out
    return value


def _kind(node: Node) -> tuple[str, list[Node]]:
    if isinstance(node, Name):
        return node.name, []
    if isinstance(node, Lit) and isinstance(node.value, str):  # Terraform 0.11 style: "string", "list"
        return node.value, []
    if isinstance(node, Call):
        return node.name, node.args
    return "any", []


def _optional(node: Node) -> tuple[bool, Node | None, Node | None]:
    if isinstance(node, Call) and node.name == "optional" and node.args:
        return True, node.args[0], node.args[1] if len(node.args) > 1 else None
    return False, node, None


def _set(items: list) -> list:
    from .functions import set_of

    return set_of(items)


def is_primitive_string(node: Node | None) -> bool:
    """Whether Terraform takes a `-var` value for this type literally: no type
    constraint or a primitive type (string, number, bool). Other types (`any`, lists,
    maps, objects) parse the value as an HCL expression (checked against Terraform
    1.11: `-var 'x=["a"]'` for `variable "x" {}` is the string `["a"]`)."""
    return node is None or _kind(node)[0] in ("string", "number", "bool")
