"""The change gate on plan fixtures: introduced findings block, existing ones are
reported, fixed ones are listed, deleted resources are left alone."""

from __future__ import annotations

import json

import pytest
from planfixture import write_plan

PRIV = [{"name": "app", "image": "app:1", "privileged": True}]
SAFE = [{"name": "app", "image": "app:1"}]


def repo(name, mutability, **kw):
    return {"address": f"aws_ecr_repository.{name}", "values": {"name": name, "image_tag_mutability": mutability}, **kw}


def scan_json(run_cli, tmp_path, resources, *args):
    """The gate judged on one rule (ecr-tag-mutable unless --rule says otherwise)."""
    plan = write_plan(resources, tmp_path / "plan.json")
    if not any(a.startswith("--rule") for a in args):
        args = (*args, "--rule", "ecr-tag-mutable")
    code, out, err = run_cli("scan", str(plan), "-f", "json", *args)
    return code, json.loads(out), err


def rows(report):
    return [(f["rule"], f["address"], f["delta"], f["blocking"], f["action"]) for f in report["findings"]]


def test_created_insecure_resource_is_introduced_and_blocks(run_cli, tmp_path):
    code, report, _ = scan_json(run_cli, tmp_path, [repo("new", "MUTABLE")])
    assert code == 1
    assert rows(report) == [("ecr-tag-mutable", "aws_ecr_repository.new", "introduced", True, "create")]


def test_unchanged_insecure_resource_is_existing_and_does_not_block(run_cli, tmp_path):
    old = {"name": "old", "image_tag_mutability": "MUTABLE"}
    code, report, _ = scan_json(run_cli, tmp_path, [repo("old", "MUTABLE", actions=["no-op"], before=old)])
    assert code == 0
    assert rows(report) == [("ecr-tag-mutable", "aws_ecr_repository.old", "existing", False, "no-op")]
    code, report, _ = scan_json(run_cli, tmp_path, [repo("old", "MUTABLE", actions=["no-op"], before=old)], "--gate", "all")
    assert code == 1 and report["findings"][0]["blocking"] is True


def test_update_that_makes_a_setting_worse_is_introduced(run_cli, tmp_path):
    before = {"name": "r", "image_tag_mutability": "IMMUTABLE"}
    code, report, _ = scan_json(run_cli, tmp_path, [repo("r", "MUTABLE", actions=["update"], before=before)])
    assert code == 1
    assert rows(report) == [("ecr-tag-mutable", "aws_ecr_repository.r", "introduced", True, "update")]


def test_update_that_fixes_a_setting_is_listed_as_fixed(run_cli, tmp_path):
    before = {"name": "r", "image_tag_mutability": "MUTABLE"}
    code, report, _ = scan_json(run_cli, tmp_path, [repo("r", "IMMUTABLE", actions=["update"], before=before)])
    assert code == 0 and report["findings"] == []
    assert report["fixed"] == [
        {"rule": "ecr-tag-mutable", "address": "aws_ecr_repository.r", "path": "image_tag_mutability", "severity": "medium", "title": "ECR image tags are mutable"}
    ]
    assert report["summary"]["fixed"] == 1
    assert json.loads(json.dumps(report))["summary"]["introduced"] == 0
    code, _, _ = scan_json(run_cli, tmp_path, [repo("r", "IMMUTABLE", actions=["update"], before=before)], "--gate", "all")
    assert code == 0


def test_deleted_resource_gets_no_finding_and_its_findings_are_fixed(run_cli, tmp_path):
    before = {"name": "gone", "image_tag_mutability": "MUTABLE"}
    code, report, _ = scan_json(run_cli, tmp_path, [repo("gone", "MUTABLE", actions=["delete"], before=before)], "--gate", "all")
    assert code == 0 and report["findings"] == []
    assert [(x["rule"], x["address"]) for x in report["fixed"]] == [("ecr-tag-mutable", "aws_ecr_repository.gone")]


@pytest.mark.parametrize("actions", [["delete", "create"], ["create", "delete"]])
def test_replacement_is_judged_against_the_old_resource(run_cli, tmp_path, actions):
    td = "aws_ecs_task_definition.app"
    drop = {"address": td, "actions": actions, "before": {"family": "a", "container_definitions": PRIV}, "values": {"family": "a", "container_definitions": SAFE}}
    code, report, _ = scan_json(run_cli, tmp_path, [drop], "--rule", "ecs-privileged-container")
    assert code == 0 and report["findings"] == []
    assert [(x["rule"], x["address"], x["path"]) for x in report["fixed"]] == [
        ("ecs-privileged-container", td, "container_definitions[0].privileged")
    ]
    add = {**drop, "before": drop["values"], "values": drop["before"]}
    code, report, _ = scan_json(run_cli, tmp_path, [add], "--rule", "ecs-privileged-container")
    assert code == 1
    assert rows(report) == [("ecs-privileged-container", td, "introduced", True, "replace")]


def test_containers_are_matched_by_name_when_a_replacement_reorders_them(run_cli, tmp_path):
    td = "aws_ecs_task_definition.app"
    before = [{"name": "side", "image": "s:1"}, {"name": "app", "image": "a:1", "privileged": True}]
    after = [{"name": "app", "image": "a:2", "privileged": True}, {"name": "side", "image": "s:1"}]
    spec = {"address": td, "actions": ["delete", "create"], "before": {"container_definitions": before}, "values": {"container_definitions": after}}
    code, report, _ = scan_json(run_cli, tmp_path, [spec], "--rule", "ecs-privileged-container")
    assert code == 0
    assert rows(report) == [("ecs-privileged-container", td, "existing", False, "replace")]
    assert report["findings"][0]["path"] == "container_definitions[0].privileged"


def test_fail_on_threshold_and_info(run_cli, tmp_path):
    code, report, _ = scan_json(run_cli, tmp_path, [repo("new", "MUTABLE")], "--fail-on", "high")
    assert code == 0 and rows(report) == [("ecr-tag-mutable", "aws_ecr_repository.new", "introduced", False, "create")]
    code, _, _ = scan_json(run_cli, tmp_path, [repo("new", "MUTABLE")], "--fail-on", "medium")
    assert code == 1
    code, _, _ = scan_json(run_cli, tmp_path, [repo("new", "MUTABLE")], "--fail-on", "none")
    assert code == 0


def test_unknown_policy(run_cli, tmp_path):
    spec = {"address": "aws_ecr_repository.later", "values": {"name": "later"}, "unknown": {"image_tag_mutability": True},
            "references": {"image_tag_mutability": ["var.mode"]}}
    code, report, _ = scan_json(run_cli, tmp_path, [spec])
    assert code == 0
    assert [(f["status"], f["blocking"]) for f in report["findings"]] == [("unknown", False)]
    assert report["summary"]["unknown"] == 1
    code, report, _ = scan_json(run_cli, tmp_path, [spec], "--unknown", "fail")
    assert code == 1 and report["findings"][0]["blocking"] is True
    code, report, _ = scan_json(run_cli, tmp_path, [spec], "--unknown", "ignore")
    assert code == 0 and report["findings"] == []


def test_data_sources_are_not_targets(run_cli, tmp_path):
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    spec = {"address": "data.aws_iam_policy_document.admin", "mode": "data", "actions": ["read"], "values": {"json": doc}}
    code, report, _ = scan_json(run_cli, tmp_path, [spec], "--rule", "iam-")
    assert code == 0 and report["findings"] == []


def test_table_shows_groups_fixes_and_summary(run_cli, tmp_path):
    resources = [
        repo("new", "MUTABLE"),
        repo("old", "MUTABLE", actions=["no-op"], before={"name": "old", "image_tag_mutability": "MUTABLE"}),
        repo("fixed", "IMMUTABLE", actions=["update"], before={"name": "fixed", "image_tag_mutability": "MUTABLE"}),
    ]
    plan = write_plan(resources, tmp_path / "plan.json")
    code, out, err = run_cli("scan", str(plan), "--rule", "ecr-tag-mutable")
    assert code == 1 and err == ""
    assert "\x1b[" not in out  # no colour when not a terminal
    lines = out.splitlines()
    medium = lines.index("MEDIUM  2 findings, 1 blocking")
    fixed = lines.index("Fixed by this change (1)")
    assert lines[medium + 1 : fixed - 1] == [
        "  aws_ecr_repository.new  create",
        "    BLOCKS    ecr-tag-mutable  repository 'new' has mutable tags: image_tag_mutability is MUTABLE  image_tag_mutability",
        '              fix: Set `image_tag_mutability = "IMMUTABLE"`.',
        "  aws_ecr_repository.old  no-op",
        "    existing  ecr-tag-mutable  repository 'old' has mutable tags: image_tag_mutability is MUTABLE  image_tag_mutability",
        '              fix: Set `image_tag_mutability = "IMMUTABLE"`.',
    ]
    assert lines[fixed + 1] == "  fixed  ecr-tag-mutable  aws_ecr_repository.fixed  image_tag_mutability"
    assert "  change    1 introduced (1 blocking), 1 existing, 1 fixed" in lines
    assert lines[-1] == "  verdict   BLOCKED: 1 finding blocks this change (exit 1)"


def test_a_value_unknown_after_the_change_is_neither_fixed_nor_introduced(run_cli, tmp_path):
    """A policy that failed before and is known only after apply now: not fixed (nothing
    proves it), and its unknown finding is not new either."""
    admin = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    spec = {"address": "aws_iam_policy.p", "actions": ["update"], "before": {"name": "p", "policy": admin},
            "values": {"name": "p"}, "unknown": {"policy": True}, "references": {"policy": ["aws_s3_bucket.b.arn"]}}
    code, report, _ = scan_json(run_cli, tmp_path, [spec], "--rule", "iam-admin-policy")
    assert code == 0
    assert [(f["status"], f["delta"], f["path"]) for f in report["findings"]] == [("unknown", "existing", "policy")]
    assert report["fixed"] == []
    code, report, _ = scan_json(run_cli, tmp_path, [spec], "--rule", "iam-admin-policy", "--unknown", "ignore")
    assert code == 0 and report["findings"] == [] and report["fixed"] == []
