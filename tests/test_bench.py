"""The benchmark's inputs are real enough to mean something: the plan generator writes a
plan with the shapes of a large estate, and tfecs scans it (and the HCL directory)
without an error. Timing lives in bench/run.py, never in tests."""

from __future__ import annotations

import json
import sys
from collections import Counter

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))

import genhcl  # noqa: E402
import genplan  # noqa: E402


def test_generated_plan_has_the_shapes_of_a_large_estate():
    doc = genplan.generate(400, seed=3)
    changes = doc["resource_changes"]
    managed = [rc for rc in changes if rc["mode"] == "managed"]
    assert len(managed) == 400
    assert len({rc["address"] for rc in changes}) == len(changes)
    actions = Counter(tuple(rc["change"]["actions"]) for rc in changes)
    for kind in (("no-op",), ("update",), ("create",), ("delete",)):
        assert actions[kind], kind
    assert actions[("delete", "create")] + actions[("create", "delete")]
    types = Counter(rc["type"] for rc in managed)
    for t in ("aws_ecs_task_definition", "aws_ecs_service", "aws_iam_role", "aws_iam_role_policy_attachment",
              "aws_security_group_rule", "aws_ecr_repository", "aws_lambda_function"):
        assert types[t], t
    in_scope = sum(types[t] for t in types if t.startswith(("aws_ecs_", "aws_iam_", "aws_security_group", "aws_ecr_", "aws_vpc_security")))
    assert 0.2 < in_scope / len(managed) < 0.8  # plenty of resources tfecs does not model
    assert any('module.svc["' in a and a.endswith("]") for a in (rc["address"] for rc in changes))
    for rc in changes:
        ch = rc["change"]
        if ch["actions"] == ["no-op"]:
            assert ch["before"] == ch["after"]
        if "delete" in ch["actions"]:
            assert ch["before"] is not None
        if ch["actions"] == ["create"]:
            assert ch["before"] is None
    td = [rc for rc in managed if rc["type"] == "aws_ecs_task_definition" and rc["change"]["after"]]
    known = [json.loads(rc["change"]["after"]["container_definitions"]) for rc in td if "container_definitions" in rc["change"]["after"]]
    assert known and all(isinstance(c, list) and c for c in known)
    assert any(len(c) > 1 for c in known)
    assert any(rc["change"]["after_unknown"].get("container_definitions") is True for rc in td)
    assert any(rc["change"]["after_sensitive"].get("value") is True for rc in managed if rc["type"] == "aws_ssm_parameter")
    policies = [rc["change"]["after"]["policy"] for rc in managed if rc["type"] == "aws_iam_role_policy" and rc["change"]["after"] and "policy" in rc["change"]["after"]]
    assert policies and all("Statement" in json.loads(p) for p in policies)
    svc = doc["configuration"]["root_module"]["module_calls"]["svc"]
    assert "for_each_expression" in svc
    td_conf = next(r for r in svc["module"]["resources"] if r["type"] == "aws_ecs_task_definition")
    assert "aws_iam_role.task" in td_conf["expressions"]["task_role_arn"]["references"]
    assert doc["planned_values"]["root_module"]["child_modules"]
    assert any(r["mode"] == "data" for r in doc["prior_state"]["values"]["root_module"]["child_modules"][0]["resources"])
    assert genplan.generate(400, seed=3) == doc  # deterministic


def test_generated_plan_scans(tmp_path, run_cli):
    plan = genplan.write(300, str(tmp_path / "plan.json"), seed=1)
    code, out, err = run_cli("scan", plan, "--format", "json")
    assert code in (0, 1), err
    report = json.loads(out)
    assert report["errors"] == [] and report["summary"]["resources"] == 300
    assert {f["delta"] for f in report["findings"]} == {"introduced", "existing"}
    assert any(f["status"] == "unknown" for f in report["findings"])


def test_generated_hcl_directory_scans(tmp_path, run_cli):
    path = genhcl.write(3, str(tmp_path / "hcl"), seed=1)
    code, out, err = run_cli("scan", path, "--format", "json")
    assert code in (0, 1), err
    report = json.loads(out)
    assert report["errors"] == []
    addresses = {f["address"] for f in report["findings"]}
    assert any(a.startswith('module.svc["mod-a"].') for a in addresses)
    assert report["summary"]["resources"] > 3 * 10


def test_stress_plan_scans(tmp_path, run_cli):
    plan = genplan.write(40, str(tmp_path / "stress.json"), kind="stress")
    doc = json.loads(open(plan).read())
    group = doc["resource_changes"][0]["change"]["after"]
    assert len(group["ingress"]) == 40
    assert sum(rc["type"] == "aws_iam_role_policy_attachment" for rc in doc["resource_changes"]) == 40
    code, out, err = run_cli("scan", plan, "--format", "json")
    assert code in (0, 1), err
    assert json.loads(out)["errors"] == []


def test_dense_plan_is_all_in_scope_and_mostly_changed(tmp_path, run_cli):
    doc = genplan.generate(400, seed=3, dense=True)
    managed = [rc for rc in doc["resource_changes"] if rc["mode"] == "managed"]
    assert len(managed) == 400
    types = Counter(rc["type"] for rc in managed)
    assert not set(types) & genplan.OUT_OF_SCOPE
    for t in ("aws_ecs_task_definition", "aws_ecs_service", "aws_iam_role", "aws_iam_policy", "aws_security_group",
              "aws_ecr_repository", "aws_lb_listener", "aws_ecs_cluster"):
        assert types[t], t
    changed = sum(rc["change"]["actions"] != ["no-op"] for rc in managed)
    assert changed / len(managed) > 0.5
    plan = genplan.write(400, str(tmp_path / "dense.json"), seed=3, kind="dense")
    code, out, err = run_cli("scan", plan, "--format", "json")
    assert code == 1, err
    report = json.loads(out)
    assert report["errors"] == [] and report["summary"]["resources"] == 400
    # Thousands of findings at 10k: here, several per task definition on average.
    assert len(report["findings"]) > 2 * types["aws_ecs_task_definition"]
