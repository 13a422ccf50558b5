"""End to end on plans made by real Terraform (testdata/plans/real, see
testdata/terraform/README.md): the reader on modules, for_each/count, unknowns and
updates, and the change gate against real prior state."""

from __future__ import annotations

import json

import pytest
from conftest import TESTDATA

from tfecs.inputs.plan import read_plan

REAL = TESTDATA / "plans" / "real"


def scan(run_cli, name, *args):
    code, out, err = run_cli("scan", str(REAL / f"{name}.json"), "-f", "json", *args)
    report = json.loads(out)
    assert report["errors"] == [], err
    return code, report


def test_reader_on_modules_for_each_and_count():
    plan = read_plan((REAL / "modules_foreach.json").read_bytes(), "modules_foreach.json")
    tds = sorted(r.address for r in plan.resources if r.type == "aws_ecs_task_definition")
    assert tds == [
        "module.batch[0].aws_ecs_task_definition.this",
        "module.batch[1].aws_ecs_task_definition.this",
        'module.svc["api"].aws_ecs_task_definition.this',
        'module.svc["worker"].aws_ecs_task_definition.this',
    ]
    worker = next(r for r in plan.resources if r.address == 'module.svc["worker"].aws_ecs_task_definition.this')
    assert worker.module_address == 'module.svc["worker"]'
    # The role ARN is unknown until apply; the configuration still names the role, in the
    # same module instance.
    assert worker.after_unknown.get("task_role_arn") is True
    assert worker.references["task_role_arn"] == ('module.svc["worker"].aws_iam_role.this',)
    batch = next(r for r in plan.resources if r.address == "module.batch[1].aws_ecs_task_definition.this")
    assert batch.references["task_role_arn"] == ("module.batch[1].aws_iam_role.this",)


def test_modules_for_each_findings_are_per_instance(run_cli):
    code, report = scan(run_cli, "modules_foreach", "--rule", "ecs-privileged-container", "--rule", "sg-open-to-world")
    assert code == 1
    assert sorted((f["rule"], f["address"], f["status"]) for f in report["findings"]) == [
        ("ecs-privileged-container", 'module.svc["worker"].aws_ecs_task_definition.this', "fail"),
        ("sg-open-to-world", 'module.svc["worker"].aws_security_group.this', "fail"),
    ]


def test_unknown_container_definitions_are_unknown_not_pass(run_cli):
    code, report = scan(run_cli, "unknown_container_defs", "--rule", "ecs-privileged-container")
    assert code == 0  # unknown warns by default
    assert [(f["address"], f["status"], f["path"], f["blocking"]) for f in report["findings"]] == [
        ("aws_ecs_task_definition.bad_unknown_image", "unknown", "container_definitions", False)
    ]
    code, report = scan(run_cli, "unknown_container_defs", "--rule", "ecs-privileged-container", "--unknown", "fail")
    assert code == 1


def test_hardened_stack_has_no_fail_finding(run_cli):
    code, report = scan(run_cli, "ecs_hardened")
    fails = [(f["rule"], f["address"]) for f in report["findings"] if f["status"] == "fail"]
    assert fails == []
    assert code == 0


# The change gate against a real prior state: `before/` planned, turned into a state,
# then `after/` planned against it with -refresh=false.
INTRODUCED = [
    ("ecr-no-lifecycle-policy", "aws_ecr_repository.bad_new", "create"),
    ("ecr-not-cmk-encrypted", "aws_ecr_repository.bad_new", "create"),
    ("ecr-scan-on-push-disabled", "aws_ecr_repository.bad_new", "create"),
    ("ecr-tag-mutable", "aws_ecr_repository.bad_new", "create"),
    ("ecs-exec-enabled", "aws_ecs_service.app", "update"),
    ("sg-open-to-world", "aws_security_group.web", "update"),
]


def test_change_gate_blocks_exactly_what_the_change_introduces(run_cli):
    code, report = scan(run_cli, "change_gate")
    assert code == 1
    introduced = sorted((f["rule"], f["address"], f["action"]) for f in report["findings"] if f["delta"] == "introduced")
    assert introduced == INTRODUCED
    assert all(f["blocking"] for f in report["findings"] if f["delta"] == "introduced")
    assert not any(f["blocking"] for f in report["findings"] if f["delta"] == "existing")
    sg = next(f for f in report["findings"] if f["rule"] == "sg-open-to-world")
    assert (sg["path"], sg["message"]) == ("ingress[1]", "security group 'change-gate-web' admits 0.0.0.0/0 on tcp port 22")
    # Deleted and replaced resources: their old findings are fixed, and a deleted
    # resource has no finding of its own.
    fixed = {(x["rule"], x["address"], x["path"]) for x in report["fixed"]}
    assert ("ecs-privileged-container", "aws_ecs_task_definition.worker", "container_definitions[0].privileged") in fixed
    assert ("iam-admin-policy", "aws_iam_policy.bad_legacy_admin", "policy.Statement[0]") in fixed
    assert not [f for f in report["findings"] if f["address"] == "aws_iam_policy.bad_legacy_admin"]
    # Unchanged insecure resources are reported as existing.
    assert ("ecr-tag-mutable", "aws_ecr_repository.bad_legacy", "existing", "no-op") in {
        (f["rule"], f["address"], f["delta"], f["action"]) for f in report["findings"]
    }


def test_change_gate_without_the_introducing_rules_passes_and_fails_with_gate_all(run_cli):
    """What remains when the introduced findings' rules are off is only existing
    findings and fixes: exit 0 by default, 1 with --gate all."""
    skip = [a for rule in sorted({r for r, _, _ in INTRODUCED}) for a in ("--skip-rule", rule)]
    code, report = scan(run_cli, "change_gate", *skip)
    assert code == 0 and report["summary"]["introduced"] == 0 and report["summary"]["existing"] > 0
    code, _ = scan(run_cli, "change_gate", *skip, "--gate", "all")
    assert code == 1


def test_change_gate_table_says_which_change_did_it(run_cli):
    code, out, _ = run_cli("scan", str(REAL / "change_gate.json"))
    assert code == 1
    blocking = out[out.index("Blocking (6)") : out.index("Existing before this change")]
    assert "aws_ecs_service.app (update)" in blocking and "enable_execute_command" in blocking
    assert "aws_security_group.web (update)" in blocking and "ingress[1]" in blocking
    assert "aws_ecr_repository.bad_new (create)" in blocking
    assert "6 introduced (6 blocking)" in out
