"""Build Terraform-shaped plan JSON from a compact resource list, for rule fixtures.

A fixture lists resources as they would be after the change:

    {"address": "module.m.aws_ecs_task_definition.bad_priv[0]",
     "values": {...},                        # `after`; container_definitions may be a list
     "unknown": {"task_role_arn": true},     # `after_unknown`
     "sensitive": {...},                     # `after_sensitive`
     "references": {"task_role_arn": ["aws_iam_role.task.arn"]},  # module-relative
     "actions": ["update"], "before": {...}, # default: ["create"], no before
     "mode": "data"}                         # data sources go to prior_state

and this writes what `terraform show -json` would: resource_changes with change objects,
planned_values, prior_state for data sources, and a configuration block whose
expressions carry the references (the only part a reader needs to link resources).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tfecs.inputs.raw import config_address, module_instance_of, split_address  # noqa: E402

JSON_ATTRS = ("container_definitions", "policy", "assume_role_policy", "json")


def _encode(values: dict | None) -> dict | None:
    if values is None:
        return None
    out = dict(values)
    for attr in JSON_ATTRS:
        if isinstance(out.get(attr), (list, dict)):
            out[attr] = json.dumps(out[attr], separators=(",", ":"))
    for block in out.get("inline_policy") or ():
        if isinstance(block, dict) and isinstance(block.get("policy"), (list, dict)):
            block["policy"] = json.dumps(block["policy"], separators=(",", ":"))
    return out


def _parts(address: str) -> tuple[str, str, str, Any]:
    steps = split_address(address)
    last = steps[-1]
    mode = "data" if last.startswith("data.") else "managed"
    body = last[5:] if mode == "data" else last
    rtype, _, rest = body.partition(".")
    name, _, key = rest.partition("[")
    index: Any = None
    if key:
        key = key.rstrip("]")
        index = json.loads(key) if key.startswith('"') else int(key)
    return mode, rtype, name, index


def build_plan(resources: list[dict], *, format_version: str = "1.2") -> dict:
    changes: list[dict] = []
    modules: dict[str, list[dict]] = {}
    data: dict[str, list[dict]] = {}
    config: dict[str, dict] = {}
    for spec in resources:
        address = spec["address"]
        mode, rtype, name, index = _parts(address)
        mode = spec.get("mode", mode)
        module = module_instance_of(address)
        after = _encode(spec.get("values", {}))
        before = _encode(spec.get("before"))
        actions = spec.get("actions", ["create"] if before is None else ["update"])
        if actions == ["delete"]:
            after = None
        entry = {"address": address, "mode": mode, "type": rtype, "name": name, "provider_name": "registry.terraform.io/hashicorp/aws"}
        if index is not None:
            entry["index"] = index
        if module:
            entry["module_address"] = module
        state_values = {**entry, "schema_version": 0, "values": after, "sensitive_values": spec.get("sensitive", {})}
        if mode == "data" and actions == ["read"] and not spec.get("deferred"):
            data.setdefault(module, []).append(state_values)
        else:
            changes.append(
                {
                    **entry,
                    "change": {
                        "actions": actions,
                        "before": before,
                        "after": after,
                        "after_unknown": spec.get("unknown", {}),
                        "before_sensitive": spec.get("before_sensitive", False if before is None else {}),
                        "after_sensitive": spec.get("sensitive", False if after is None else {}),
                    },
                }
            )
            if after is not None:
                modules.setdefault(module, []).append(state_values)
        conf_addr = config_address(address)
        exprs = {attr: {"references": list(refs)} for attr, refs in (spec.get("references") or {}).items()}
        for attr in (spec.get("values") or {}):
            exprs.setdefault(attr, {"constant_value": None})
        local = split_address(conf_addr)[-1]
        config.setdefault(module_instance_of(conf_addr), {})[local] = {
            "address": local,
            "mode": mode,
            "type": rtype,
            "name": name,
            "expressions": exprs,
        }
    return {
        "format_version": format_version,
        "terraform_version": "1.9.0",
        "planned_values": {"root_module": _module_tree(modules)},
        "resource_changes": changes,
        "prior_state": {"format_version": "1.0", "values": {"root_module": _module_tree(data)}},
        "configuration": {"root_module": _config_tree(config)},
    }


def _module_tree(by_module: dict[str, list[dict]]) -> dict:
    root: dict = {"resources": by_module.get("", [])}
    children: dict[str, dict] = {}
    for module, resources in sorted(by_module.items()):
        if not module:
            continue
        node = {"address": module, "resources": resources}
        children[module] = node
    # Nest each module under its parent instance.
    for module, node in sorted(children.items(), key=lambda kv: kv[0].count("module.")):
        steps = split_address(module)
        parent = ".".join(steps[:-1])
        holder = children.get(parent, root) if parent else root
        holder.setdefault("child_modules", []).append(node)
    return root


def _config_tree(by_module: dict[str, dict]) -> dict:
    root: dict = {"resources": list(by_module.get("", {}).values())}
    for module, resources in sorted(by_module.items(), key=lambda kv: kv[0].count("module.")):
        if not module:
            continue
        node = root
        names = [s[len("module.") :] for s in split_address(module)]
        for name in names:
            calls = node.setdefault("module_calls", {})
            call = calls.setdefault(name, {"source": f"./modules/{name}", "expressions": {}, "module": {"resources": []}})
            node = call["module"]
        node["resources"] = list(resources.values())
    return root


def write_plan(resources: list[dict], path: Path) -> Path:
    path.write_text(json.dumps(build_plan(resources), indent=1))
    return path
