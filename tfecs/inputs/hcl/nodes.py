"""The syntax tree the evaluator walks: a small, stable mirror of HCL's expression
grammar, built from python-hcl2's parse tree (and from template text) by `syntax.py`.

Every node knows the line it starts on, so errors (and `file()` paths that escape the
scanned root) can point at `file.tf:LINE`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union


class Node:
    __slots__ = ("line",)


class Lit(Node):
    """A constant: string, number, bool or null."""

    __slots__ = ("value",)

    def __init__(self, value: Any, line: int = 0):
        self.value = value
        self.line = line


class Name(Node):
    """A bare identifier: the root of a traversal (`var`, `aws_iam_role`, `each`, a for variable)."""

    __slots__ = ("name",)

    def __init__(self, name: str, line: int = 0):
        self.name = name
        self.line = line


class GetAttr(Node):
    __slots__ = ("obj", "name")

    def __init__(self, obj: Node, name: str, line: int = 0):
        self.obj = obj
        self.name = name
        self.line = line


class Index(Node):
    __slots__ = ("obj", "key")

    def __init__(self, obj: Node, key: Node, line: int = 0):
        self.obj = obj
        self.key = key
        self.line = line


class Splat(Node):
    """`obj[*].a.b` / `obj.*.a`: `steps` ("attr", name) or ("index", node) apply to each element."""

    __slots__ = ("obj", "steps")

    def __init__(self, obj: Node, steps: list[tuple[str, Any]], line: int = 0):
        self.obj = obj
        self.steps = steps
        self.line = line


class Call(Node):
    __slots__ = ("name", "args", "expand")

    def __init__(self, name: str, args: list[Node], expand: bool, line: int = 0):
        self.name = name
        self.args = args
        self.expand = expand  # the last argument ends with `...`
        self.line = line


class TupleNode(Node):
    __slots__ = ("items",)

    def __init__(self, items: list[Node], line: int = 0):
        self.items = items
        self.line = line


class ObjectNode(Node):
    """`{ key = value }`; a bare identifier key is a literal string key (`Lit`)."""

    __slots__ = ("items",)

    def __init__(self, items: list[tuple[Node, Node]], line: int = 0):
        self.items = items
        self.line = line


class Cond(Node):
    __slots__ = ("cond", "a", "b")

    def __init__(self, cond: Node, a: Node, b: Node, line: int = 0):
        self.cond = cond
        self.a = a
        self.b = b
        self.line = line


class BinOp(Node):
    __slots__ = ("op", "left", "right")

    def __init__(self, op: str, left: Node, right: Node, line: int = 0):
        self.op = op
        self.left = left
        self.right = right
        self.line = line


class Unary(Node):
    __slots__ = ("op", "operand")

    def __init__(self, op: str, operand: Node, line: int = 0):
        self.op = op
        self.operand = operand
        self.line = line


class ForExpr(Node):
    """`[for k, v in coll : val if cond]` (key is None) or `{for k, v in coll : key => val...}`."""

    __slots__ = ("key_var", "val_var", "coll", "key", "value", "cond", "group")

    def __init__(self, key_var, val_var, coll, key, value, cond, group, line: int = 0):
        self.key_var = key_var  # None when only one iteration variable is named
        self.val_var = val_var
        self.coll = coll
        self.key = key
        self.value = value
        self.cond = cond
        self.group = group
        self.line = line


class Template(Node):
    """A string template: literal text, interpolations and directives. A template that is
    a single interpolation yields that value unconverted, as in Terraform."""

    __slots__ = ("parts",)

    def __init__(self, parts: list["Part"], line: int = 0):
        self.parts = parts
        self.line = line


class TIf:
    __slots__ = ("cond", "then", "otherwise")

    def __init__(self, cond: Node, then: list["Part"], otherwise: list["Part"]):
        self.cond = cond
        self.then = then
        self.otherwise = otherwise


class TFor:
    __slots__ = ("key_var", "val_var", "coll", "body")

    def __init__(self, key_var: str | None, val_var: str, coll: Node, body: list["Part"]):
        self.key_var = key_var
        self.val_var = val_var
        self.coll = coll
        self.body = body


Part = Union[str, Node, TIf, TFor]


@dataclass(slots=True)
class Attribute:
    name: str
    expr: Node
    line: int


@dataclass(slots=True)
class Block:
    type: str
    labels: list[str]
    body: "Body"
    line: int
    file: str = ""  # relative to the scan root (set for top-level blocks)


@dataclass(slots=True)
class Body:
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
