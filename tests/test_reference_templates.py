"""ConfigReferences resolves a reference once per module and puts each instance's path
in front (the same for every instance of a module called with for_each). The reading it
replaced, which resolved every instance's references from scratch, is kept here as the
oracle: the two agree on every resource of the corpus, the test plans and generated
estates (modules in modules, for_each keys, variables and outputs both ways)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from conftest import CORPUS

from tfecs.inputs.plan import ConfigReferences, _collect_refs, _object, _parent_instance, parse_json
from tfecs.inputs.raw import config_address, module_instance_of, split_segments

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import genplan  # noqa: E402


class ByInstance(ConfigReferences):
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
        out: dict[str, tuple[str, ...]] = {}
        for attr, refs in attrs.items():
            targets: list[str] = []
            for ref in refs:
                self._resolve_by_instance(ref, conf_module, instance_module, targets, depth=0)
            if targets:
                out[attr] = tuple(dict.fromkeys(targets))
        self._cache[key] = out
        return out

    def _resolve_by_instance(self, ref: str, module: str, instance: str, out: list[str], depth: int) -> None:
        """Resolve `ref`, made inside module `module` (configuration path), to resource
        addresses. `instance` is that module's instance path (`module.a["x"]`)."""
        parts = self._parts.get(ref)
        if parts is None:
            parts = self._parts[ref] = split_segments(ref)
        if depth > 32 or len(parts) < 2:
            return
        head = parts[0]
        prefix = f"{instance}." if instance else ""
        if head == "var":
            if module not in self._calls:
                return
            found = self._found.get(("var", module, parts[1]))
            if found is None:
                found = self._found[("var", module, parts[1])] = []
                _collect_refs(_object(self._calls[module]).get(parts[1]), found)
            parent = module.rsplit(".module.", 1)[0] if ".module." in module else ""
            parent_instance = self._parents.get(instance)
            if parent_instance is None:
                parent_instance = self._parents[instance] = _parent_instance(instance)
            for r in found:
                self._resolve_by_instance(r, parent, parent_instance, out, depth + 1)
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
                self._resolve_by_instance(r, child, f"{prefix}module.{parts[1]}", out, depth + 1)
        elif head == "data":
            if len(parts) >= 3:
                out.append(f"{prefix}data.{parts[1]}.{parts[2]}")
        elif head not in ("local", "each", "count", "path", "terraform", "self"):
            out.append(f"{prefix}{head}.{parts[1]}")




def _agree(doc: dict) -> int:
    addresses = [rc["address"] for rc in doc.get("resource_changes") or () if isinstance(rc, dict) and isinstance(rc.get("address"), str)]
    new, old = ConfigReferences(doc.get("configuration"), "p"), ByInstance(doc.get("configuration"), "p")
    for address in addresses:
        assert new.for_resource(address) == old.for_resource(address), address
    return sum(1 for a in addresses if new.for_resource(a))


@pytest.mark.parametrize("dense", [False, True])
def test_generated_estates(dense):
    assert _agree(genplan.generate(600, seed=3, dense=dense)) > 100


def test_test_plans():
    linked = 0
    for path in sorted((ROOT / "testdata").rglob("*.json")):
        try:
            doc = parse_json(path.read_bytes(), str(path))
        except Exception:  # noqa: BLE001 - not a plan (a config, a report)
            continue
        if isinstance(doc, dict) and "configuration" in doc:
            linked += _agree(doc)
    assert linked > 50


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared plan corpus is not beside this checkout")
def test_corpus_plans():
    linked = 0
    for path in sorted(CORPUS.glob("*.json")):
        try:
            doc = parse_json(path.read_bytes(), str(path))
        except Exception:  # noqa: BLE001 - the corpus holds deliberately broken plans too
            continue
        if isinstance(doc, dict):
            linked += _agree(doc)
    assert linked > 20


def _expr(*refs):
    return {"references": list(refs)}


# root: aws_iam_role.r; module "a" (for_each) called with role = aws_iam_role.r.arn and
# holding module "b" called with role = var.role; b's output `role` is var.role (back up
# through both calls), a's output `inner` is module.b.role; root's task reads module.a.inner,
# and a resource inside b reads var.role and a sibling in b.
CONFIGURATION = {
    "root_module": {
        "resources": [
            {"address": "aws_iam_role.r", "expressions": {}},
            {"address": "aws_ecs_task_definition.t", "expressions": {"task_role_arn": _expr('module.a["x"].inner', "module.a")}},
        ],
        "module_calls": {
            "a": {
                "expressions": {"role": _expr("aws_iam_role.r.arn", "aws_iam_role.r")},
                "module": {
                    "outputs": {"inner": {"expression": _expr("module.b.role", "module.b")}},
                    "resources": [{"address": "aws_ecs_service.s", "expressions": {"role": _expr("var.role"), "x": _expr("module.b.role")}}],
                    "module_calls": {
                        "b": {
                            "expressions": {"role": _expr("var.role")},
                            "module": {
                                "outputs": {"role": {"expression": _expr("var.role")}},
                                "resources": [
                                    {"address": "aws_ecs_service.deep", "expressions": {"role": _expr("var.role"), "peer": _expr("aws_ecs_cluster.c.id")}},
                                    {"address": "aws_ecs_cluster.c", "expressions": {}},
                                ],
                            },
                        }
                    },
                },
            }
        },
    }
}


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("aws_ecs_task_definition.t", {"task_role_arn": ("aws_iam_role.r",)}),
        ('module.a["x"].aws_ecs_service.s', {"role": ("aws_iam_role.r",), "x": ("aws_iam_role.r",)}),
        ('module.a["y"].module.b.aws_ecs_service.deep', {"role": ("aws_iam_role.r",), "peer": ('module.a["y"].module.b.aws_ecs_cluster.c',)}),
    ],
)
def test_variables_and_outputs_both_ways(address, expected):
    assert ConfigReferences(CONFIGURATION, "p").for_resource(address) == expected
    assert ByInstance(CONFIGURATION, "p").for_resource(address) == expected
