"""End to end on plans made by Terraform 1.11.4 with the AWS provider 5.100.0
(testdata/terraform/ecs_v5_*, see testdata/terraform/README.md): what provider 3.39
could not express — aws_vpc_security_group_ingress_rule (ip_protocol -1), task sets,
the cluster `configuration` block, GuardDuty detector features, runtime_platform
(Windows, ARM64), registry scanning configuration — judged from the plan, from the
plan with its source, and from the HCL alone, with exactly the same findings."""

from __future__ import annotations

import json

import pytest
from conftest import TESTDATA

REAL = TESTDATA / "plans" / "real"
SOURCES = TESTDATA / "terraform"

INSECURE = [
    ("ecr-no-lifecycle-policy", "aws_ecr_repository.bad_app", "fail", None),
    ("ecr-not-cmk-encrypted", "aws_ecr_repository.bad_app", "fail", "encryption_configuration[0].encryption_type"),
    ("ecr-scan-on-push-disabled", "aws_ecr_repository.bad_app", "fail", "image_scanning_configuration[0].scan_on_push"),
    ("ecr-tag-mutable", "aws_ecr_repository.bad_app", "fail", "image_tag_mutability"),
    ("ecs-capabilities-not-dropped", "aws_ecs_task_definition.bad_arm", "fail", "container_definitions[0].linuxParameters.capabilities.drop"),
    ("ecs-container-insights-disabled", "aws_ecs_cluster.bad", "fail", "setting[0].value"),
    ("ecs-container-logging-missing", "aws_ecs_task_definition.bad_arm", "fail", "container_definitions[0].logConfiguration.logDriver"),
    ("ecs-container-root-user", "aws_ecs_task_definition.bad_arm", "fail", "container_definitions[0].user"),
    ("ecs-container-root-user", "aws_ecs_task_definition.bad_windows", "fail", "container_definitions[0].user"),
    ("ecs-exec-logging-disabled", "aws_ecs_cluster.bad", "fail", "configuration[0].execute_command_configuration[0].logging"),
    ("ecs-image-mutable-tag", "aws_ecs_task_definition.bad_arm", "fail", "container_definitions[0].image"),
    ("ecs-image-untrusted-registry", "aws_ecs_task_definition.bad_arm", "fail", "container_definitions[0].image"),
    ("ecs-image-untrusted-registry", "aws_ecs_task_definition.bad_windows", "fail", "container_definitions[0].image"),
    ("ecs-task-set-public-ip", "aws_ecs_task_set.bad_public", "fail", "network_configuration[0].assign_public_ip"),
    ("ecs-writable-root-filesystem", "aws_ecs_task_definition.bad_arm", "fail", "container_definitions[0].readonlyRootFilesystem"),
    ("guardduty-ecs-runtime-monitoring-disabled", "aws_guardduty_detector_feature.bad_runtime_off", "fail", "status"),
    ("sg-open-to-world", "aws_vpc_security_group_ingress_rule.bad_all_traffic", "fail", "cidr_ipv4"),
    ("sg-open-to-world", "aws_vpc_security_group_ingress_rule.bad_ssh_ipv6", "fail", "cidr_ipv6"),
    ("vpc-ecs-endpoints-missing", "aws_vpc.main", "fail", None),
    ("vpc-flow-logs-missing", "aws_vpc.main", "fail", None),
]

MODES = {
    "plan": lambda name: [str(REAL / f"{name}.json")],
    "plan+source": lambda name: [str(REAL / f"{name}.json"), "--source", str(SOURCES / name)],
    "hcl": lambda name: [str(SOURCES / name)],
}


def _findings(run_cli, *target):
    code, out, err = run_cli("scan", *target, "-f", "json")
    report = json.loads(out)
    assert report["errors"] == [], err
    found = sorted(
        ((f["rule"], f["address"], f["status"], f["path"]) for f in report["findings"]),
        key=lambda f: tuple(str(v) for v in f),
    )
    return code, report, found


def test_plans_are_terraform_1_11_with_provider_5():
    for name in ("ecs_v5_insecure", "ecs_v5_hardened"):
        plan = json.loads((REAL / f"{name}.json").read_text())
        assert plan["terraform_version"] == "1.11.4"
        assert plan["configuration"]["provider_config"]["aws"]["version_constraint"] == "5.100.0"


@pytest.mark.parametrize("mode", sorted(MODES))
def test_v5_insecure_findings(run_cli, mode):
    code, report, found = _findings(run_cli, *MODES[mode]("ecs_v5_insecure"))
    assert found == INSECURE
    assert code == 1
    assert report["summary"]["resources"] == 13


@pytest.mark.parametrize("mode", sorted(MODES))
def test_v5_hardened_has_no_finding(run_cli, mode):
    code, report, found = _findings(run_cli, *MODES[mode]("ecs_v5_hardened"))
    assert found == []
    assert code == 0
    assert report["summary"]["resources"] == 25


def test_v5_messages_name_what_to_change(run_cli):
    _, report, _ = _findings(run_cli, str(REAL / "ecs_v5_insecure.json"))
    by_key = {(f["rule"], f["address"]): f["message"] for f in report["findings"]}
    assert "0.0.0.0/0" in by_key[("sg-open-to-world", "aws_vpc_security_group_ingress_rule.bad_all_traffic")]
    assert "ContainerAdministrator" in by_key[("ecs-container-root-user", "aws_ecs_task_definition.bad_windows")]


def test_v5_hardened_is_judged_not_skipped():
    """No finding because the values are secure: the models see runtime_platform, the
    exec logging, the task set's network and GuardDuty's runtime feature."""
    from tfecs.inputs.plan import read_plan
    from tfecs.model.ecs import Cluster, TaskDefinition, TaskSet
    from tfecs.model.inventory import Inventory

    plan = read_plan((REAL / "ecs_v5_hardened.json").read_bytes(), "ecs_v5_hardened.json")
    inv = Inventory.build(plan.resources)
    tds = {td.address: td for td in inv.of(TaskDefinition)}
    assert tds["aws_ecs_task_definition.good_windows"].is_windows is True
    assert tds["aws_ecs_task_definition.good_arm"].is_windows is False
    (cluster,) = inv.of(Cluster)
    assert cluster.exec_logging == "OVERRIDE"
    (task_set,) = inv.of(TaskSet)
    assert task_set.address == "aws_ecs_task_set.good_private"
