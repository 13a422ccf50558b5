"""Terraform's JSON configuration syntax (`*.tf.json`) mapped onto the same syntax tree
as native HCL (`nodes.py`), so the evaluator reads both alike.

The mapping follows Terraform's documentation of the JSON syntax:
- the top-level object's properties are block types; each label level is an object
  keyed by the label (`"resource": {"aws_x": {"name": {...}}}`), and any level may be an
  array of such objects;
- in a block body, a string is a template (`"${aws_iam_role.r.arn}"` is a reference, as in
  native syntax), numbers, bools and null are literals, arrays are tuples;
- a variable's `type` is a type expression written as a string, its `default` a literal;
  a module's `source` and `version` are literal strings;
- `dynamic`, `lifecycle`, `provisioner`, `connection` and `content` are nested blocks.

Terraform decides whether any other object-valued property is a nested block or a map
argument from the provider's schema, which tfecs does not have: an object or an array
of objects is read as nested block(s), except for the arguments AWS resources declare as
maps (`tags` and the like, MAP_ARGUMENTS). Either way the evaluated value has the shape
the models read (a block is a list of objects).

A property given twice in one JSON object is an error, as in Terraform (a second copy
could otherwise hide the first from one reader and not the other).
"""

from __future__ import annotations

import json
from typing import Any

from .nodes import Attribute, Block, Body, Lit, Node, ObjectNode, TupleNode
from .syntax import HclSyntaxError, parse_expression, parse_template

LABELS = {
    "resource": 2,
    "data": 2,
    "ephemeral": 2,
    "variable": 1,
    "output": 1,
    "module": 1,
    "provider": 1,
    "check": 1,
    "locals": 0,
    "terraform": 0,
    "moved": 0,
    "import": 0,
    "removed": 0,
}
NESTED_BLOCKS = {"lifecycle": 0, "connection": 0, "provisioner": 1, "content": 0, "dynamic": 1}
# Arguments of AWS resources that are maps (objects here are not nested blocks).
MAP_ARGUMENTS = frozenset(
    {
        "tags",
        "tags_all",
        "default_tags",
        "variables",
        "labels",
        "parameters",
        "triggers",
        "triggers_replace",
        "options",
        "metadata",
        "environment_variables",
        "docker_labels",
        "providers",
        "context",
        "request_parameters",
        "request_templates",
        "response_parameters",
        "stage_variables",
        "attributes",
        "properties",
        "encryption_context",
        "policy_details",
    }
)


class _Dup(ValueError):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict:
    out: dict = {}
    for k, v in pairs:
        if k in out:
            raise _Dup(k)
        out[k] = v
    return out


def parse_json_body(text: str, where: str) -> Body:
    """A `.tf.json` file as a top-level Body. Raises HclSyntaxError (line-numbered)."""
    try:
        doc = json.loads(text, object_pairs_hook=_pairs)
    except _Dup as exc:
        at = text.rfind(json.dumps(exc.args[0]))
        raise HclSyntaxError("a JSON object gives the same property twice", text.count("\n", 0, max(at, 0)) + 1) from None
    except json.JSONDecodeError as exc:
        raise HclSyntaxError(f"invalid JSON ({exc.msg})", exc.lineno) from None
    except RecursionError:
        raise HclSyntaxError("JSON nested too deeply", 1) from None
    if not isinstance(doc, dict):
        raise HclSyntaxError("a .tf.json file must hold a JSON object", 1)
    try:
        return _Mapper(text, where).top(doc)
    except RecursionError:
        raise HclSyntaxError("JSON nested too deeply", 1) from None


def _line_of(text: str, needle: str, start: int) -> tuple[int, int]:
    """(line, offset) of the first `needle` at or after `start` (the line of `start` if absent)."""
    at = text.find(needle, start)
    if at < 0:
        at = start
    return text.count("\n", 0, at) + 1, at


class _Mapper:
    def __init__(self, text: str, where: str):
        self.text = text
        self.where = where
        self.pos = 0  # labels are found in file order, so search from the last one

    def locate(self, label: str) -> int:
        line, at = _line_of(self.text, json.dumps(label), self.pos)
        self.pos = at
        return line

    def top(self, doc: dict) -> Body:
        body = Body()
        for kind, value in doc.items():
            if kind == "//":
                continue
            line = self.locate(kind)
            if kind not in LABELS:
                # Left for config.py to reject as an unknown block type, with its line.
                body.blocks.append(Block(kind, [], Body(), line))
                continue
            for labels, content, at, offset in self.label_levels(value, LABELS[kind], [], line):
                self.pos = offset  # the body's properties come after its last label
                body.blocks.append(self.block(kind, labels, content, at))
        return body

    def label_levels(self, value: Any, n: int, labels: list[str], line: int) -> list[tuple[list[str], Any, int, int]]:
        if isinstance(value, list):
            return [x for item in value for x in self.label_levels(item, n, labels, line)]
        if n == 0:
            return [(labels, value, line, self.pos)]
        if not isinstance(value, dict):
            raise HclSyntaxError(f"expected a JSON object keyed by {'label' if n == 1 else 'labels'}", line)
        out = []
        for key, inner in value.items():
            if key == "//":
                continue
            out.extend(self.label_levels(inner, n - 1, labels + [key], self.locate(key)))
        return out

    def block(self, kind: str, labels: list[str], content: Any, line: int) -> Block:
        if not isinstance(content, dict):
            raise HclSyntaxError(f"the body of a {kind} block must be a JSON object", line)
        if kind == "locals":
            body = Body({k: Attribute(k, self.expr(v, line), line) for k, v in content.items() if k != "//"}, [])
        elif kind == "variable":
            body = Body()
            for k, v in content.items():
                if k == "type" and isinstance(v, str):
                    body.attributes[k] = Attribute(k, parse_expression(v, self.where, line), line)
                elif k == "default":
                    body.attributes[k] = Attribute(k, _literal(v, line), line)
                elif k != "//" and k != "validation":
                    body.attributes[k] = Attribute(k, self.expr(v, line), line)
        elif kind in ("module", "output"):
            body = Body()
            for k, v in content.items():
                if k in ("source", "version") and isinstance(v, str):
                    body.attributes[k] = Attribute(k, Lit(v, line), line)
                elif k != "//":
                    body.attributes[k] = Attribute(k, self.expr(v, line), line)
        elif kind in ("resource", "data", "ephemeral"):
            body = self.body(content, line)
        else:
            body = Body()  # terraform, provider, moved, import, removed, check: not evaluated
        return Block(kind, labels, body, line)

    def body(self, content: dict, line: int) -> Body:
        body = Body()
        for k, v in content.items():
            if k == "//":
                continue
            if k in NESTED_BLOCKS:
                self.locate(k)
                for labels, inner, at, offset in self.label_levels(v, NESTED_BLOCKS[k], [], line):
                    self.pos = offset
                    if not isinstance(inner, dict):
                        raise HclSyntaxError(f"the body of a {k} block must be a JSON object", at)
                    body.blocks.append(Block(k, labels, self.body(inner, at), at))
            elif k not in MAP_ARGUMENTS and _is_block(v):
                at = self.locate(k)
                for item in v if isinstance(v, list) else [v]:
                    body.blocks.append(Block(k, [], self.body(item, at), at))
            else:
                at = self.locate(k)
                body.attributes[k] = Attribute(k, self.expr(v, at), at)
        return body

    def expr(self, value: Any, line: int) -> Node:
        if isinstance(value, str):
            return parse_template(value, self.where, line)
        if isinstance(value, list):
            return TupleNode([self.expr(v, line) for v in value], line)
        if isinstance(value, dict):
            return ObjectNode([(Lit(k, line), self.expr(v, line)) for k, v in value.items()], line)
        return Lit(value, line)


def _is_block(value: Any) -> bool:
    if isinstance(value, dict):
        return True
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _literal(value: Any, line: int) -> Node:
    if isinstance(value, list):
        return TupleNode([_literal(v, line) for v in value], line)
    if isinstance(value, dict):
        return ObjectNode([(Lit(k, line), _literal(v, line)) for k, v in value.items()], line)
    return Lit(value, line)
