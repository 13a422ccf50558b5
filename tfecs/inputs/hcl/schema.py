"""The AWS provider's schema for the resource types tfecs models, and Terraform's type
conversion of configured values to it (issue 12, item 1).

Terraform converts every configured argument to the type the provider declares before
anything else sees it: `value = 10` on `aws_ssm_parameter` is the string "10",
`protocol = -1` the string "-1", `"true"` for a bool is true. A value it cannot convert
(a string where `cidr_blocks` needs a list) is an error in Terraform's words with the
file and line. Types a schema does not cover pass through unchanged.

`aws_schema.json` is a compact extract of `terraform providers schema -json` for AWS
provider 5.100.0 (regenerate with `python -m tfecs.inputs.hcl.schema SCHEMA.json`):
per resource type, `a` maps argument names to cty types (`"string"`, `["list",
"string"]`, `["object", {...}]`), `b` maps nested block names to `[nesting, block]`.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
from typing import Any

from .values import EvalError, Lazy, Rejected, Unknown, number_text, to_number

_FILE = os.path.join(os.path.dirname(__file__), "aws_schema.json")


class SchemaError(Rejected):
    """A configured value Terraform would reject for the argument's type (exit 2).
    `path`: the argument's path in the resource ("ingress.cidr_blocks")."""

    def __init__(self, message: str, path: str = ""):
        super().__init__(message)
        self.path = path


@functools.lru_cache(maxsize=1)
def _schemas() -> dict:
    try:
        with open(_FILE, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return {}


def block_schema(rtype: str, mode: str) -> dict | None:
    return _schemas().get(("data." if mode == "data" else "") + rtype)


def conform_attr(rtype: str, mode: str, name: str, value: Any) -> Any:
    """`value` of the top-level argument or block type `name`, converted as Terraform
    converts it. Raises SchemaError in Terraform's words."""
    schema = block_schema(rtype, mode)
    if schema is None:
        return value
    return _conform_in(schema, name, value, name)


def _conform_in(schema: dict, name: str, value: Any, path: str) -> Any:
    attrs = schema.get("a", {})
    if name in attrs:
        return convert(value, attrs[name], path)
    blocks = schema.get("b", {})
    if name in blocks and isinstance(value, list):
        inner = blocks[name][1]
        return [_conform_block(inner, item, path) for item in value]
    return value


def _conform_block(schema: dict, value: Any, path: str) -> Any:
    if not isinstance(value, dict):
        return value
    return {k: _conform_in(schema, k, v, f"{path}.{k}") for k, v in value.items()}


def _describe(ty: Any) -> str:
    if isinstance(ty, str):
        return ty
    kind = ty[0]
    if kind in ("list", "set", "map"):
        return f"{kind} of {_describe(ty[1])}"
    return kind


def _fail(ty: Any, path: str) -> SchemaError:
    leaf = path.rsplit(".", 1)[-1]
    need = {"number": "a number is", "bool": "a bool is"}.get(ty, _describe(ty)) if isinstance(ty, str) else _describe(ty)
    return SchemaError(f'Inappropriate value for attribute "{leaf}": {need} required.', path)


_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


def convert(value: Any, ty: Any, path: str) -> Any:
    if value is None or isinstance(value, (Unknown, Lazy)) or ty == "dynamic":
        return value
    if ty == "string":
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return number_text(value)
        raise _fail(ty, path)
    if ty == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise _fail(ty, path)
        if isinstance(value, str) and not _NUMBER.fullmatch(value):
            raise _fail(ty, path)  # cty: no spaces, no hex (checked with Terraform 1.11.4)
        try:
            return to_number(value)
        except EvalError:
            raise _fail(ty, path) from None
    if ty == "bool":
        if isinstance(value, bool):
            return value
        if value in ("true", "false", "1", "0"):  # cty converts "1" and "0" too
            return value in ("true", "1")
        raise _fail(ty, path)
    if not isinstance(ty, list) or not ty:
        return value
    kind = ty[0]
    if kind in ("list", "set"):
        if not isinstance(value, list):
            raise _fail(ty, path)
        return [convert(v, ty[1], path) for v in value]
    if kind == "map":
        if not isinstance(value, dict):
            raise _fail(ty, path)
        return {k: convert(v, ty[1], path) for k, v in value.items()}
    if kind == "object":
        if not isinstance(value, dict):
            raise _fail(ty, path)
        fields = ty[1] if len(ty) > 1 and isinstance(ty[1], dict) else {}
        return {k: convert(v, fields[k], f"{path}.{k}") if k in fields else v for k, v in value.items()}
    if kind == "tuple":
        return value
    return value


# ---------------------------------------------------------------------------- regeneration


def _compact_block(block: dict) -> dict:
    out: dict = {}
    attrs = {}
    for name, attr in (block.get("attributes") or {}).items():
        if "type" in attr:
            attrs[name] = attr["type"]
    if attrs:
        out["a"] = attrs
    blocks = {}
    for name, nested in (block.get("block_types") or {}).items():
        blocks[name] = [nested.get("nesting_mode", "list"), _compact_block(nested.get("block") or {})]
    if blocks:
        out["b"] = blocks
    return out


def regenerate(schema_json: str, types: list[str]) -> dict:
    with open(schema_json, encoding="utf-8") as fh:
        doc = json.load(fh)
    provider = doc["provider_schemas"]["registry.terraform.io/hashicorp/aws"]
    out = {}
    for t in types:
        if t.startswith("data."):
            found = provider.get("data_source_schemas", {}).get(t[5:])
        else:
            found = provider.get("resource_schemas", {}).get(t)
        if found:
            out[t] = _compact_block(found["block"])
    return out


if __name__ == "__main__":  # pragma: no cover - a maintenance tool
    from ...model.inventory import DATA_MODELS, MANAGED_MODELS

    wanted = sorted(MANAGED_MODELS) + ["aws_vpc_security_group_egress_rule"] + [f"data.{t}" for t in sorted(DATA_MODELS)]
    result = regenerate(sys.argv[1], wanted)
    with open(_FILE, "w", encoding="utf-8") as fh:
        json.dump(result, fh, sort_keys=True, separators=(",", ":"))
        fh.write("\n")
    print(f"{len(result)} types written to {_FILE}")
