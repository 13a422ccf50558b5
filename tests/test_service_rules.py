"""ECR, service, cluster and monitoring rules: the semantics a fixture alone does not pin
down (severity and confidence per finding, registry-wide scanning, references that are
unknown until apply, filters, and a hardened stack that must stay silent)."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT
from planfixture import write_plan

from tfecs.model.ecr import RepositoryFilter
from tfecs.scan import scan
from tfecs_rules import (
    CloudtrailLogValidationDisabled,
    CloudtrailNotMultiRegion,
    EcrNoLifecyclePolicy,
    EcrNotCmkEncrypted,
    EcrRepositoryPublicPolicy,
    EcrScanOnPushDisabled,
    EcsContainerInsightsDisabled,
    EcsExecEnabled,
    EcsExecLoggingDisabled,
    EcsFargatePlatformNotLatest,
    GuarddutyEcsRuntimeMonitoringDisabled,
    VpcFlowLogsMissing,
)

SERVICE_RULES = (
    CloudtrailLogValidationDisabled,
    CloudtrailNotMultiRegion,
    EcrNoLifecyclePolicy,
    EcrNotCmkEncrypted,
    EcrRepositoryPublicPolicy,
    EcrScanOnPushDisabled,
    EcsContainerInsightsDisabled,
    EcsExecEnabled,
    EcsExecLoggingDisabled,
    EcsFargatePlatformNotLatest,
    GuarddutyEcsRuntimeMonitoringDisabled,
    VpcFlowLogsMissing,
)


def findings(tmp_path, resources, *rules):
    plan = write_plan(resources, tmp_path / "plan.json")
    report = scan([str(plan)], [r() for r in rules])
    assert not report.errors, [e.line() for e in report.errors]
    return report.findings


def rows(found):
    return [(f.meta.id, f.status.value, f.address, f.path_text) for f in found]


def ref(address, attr="id"):
    return [f"{address}.{attr}", address]


# ------------------------------------------------------------------ hardened stack

HARDENED = [
    {"address": "aws_kms_key.main", "values": {"enable_key_rotation": True}},
    {"address": "aws_ecr_repository.app", "values": {
        "name": "app", "image_tag_mutability": "IMMUTABLE",
        "image_scanning_configuration": [{"scan_on_push": True}],
        "encryption_configuration": [{"encryption_type": "KMS", "kms_key": None}]},
     "unknown": {"arn": True, "encryption_configuration": [{"kms_key": True}]},
     "references": {"encryption_configuration": ref("aws_kms_key.main", "arn")}},
    {"address": "aws_ecr_lifecycle_policy.app", "values": {"repository": "app", "policy": "{\"rules\":[]}"},
     "references": {"repository": ref("aws_ecr_repository.app", "name")}},
    {"address": "aws_ecr_repository_policy.app", "values": {"repository": "app", "policy": {
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                                                 "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]}},
     "references": {"repository": ref("aws_ecr_repository.app", "name")}},
    {"address": "aws_ecs_cluster.main", "values": {
        "name": "main", "setting": [{"name": "containerInsights", "value": "enabled"}],
        "configuration": [{"execute_command_configuration": [{"logging": "DEFAULT", "kms_key_id": "", "log_configuration": []}]}]},
     "unknown": {"id": True, "arn": True}},
    {"address": "aws_ecs_service.app", "values": {
        "name": "app", "launch_type": "FARGATE", "platform_version": "LATEST", "enable_execute_command": False},
     "unknown": {"cluster": True}, "references": {"cluster": ref("aws_ecs_cluster.main")}},
    {"address": "aws_cloudtrail.main", "values": {
        "name": "main", "s3_bucket_name": "trail", "is_multi_region_trail": True, "enable_log_file_validation": True}},
    {"address": "aws_vpc.main", "values": {"cidr_block": "10.0.0.0/16"}, "unknown": {"id": True}},
    {"address": "aws_flow_log.main", "values": {"traffic_type": "ALL"}, "unknown": {"vpc_id": True},
     "references": {"vpc_id": ref("aws_vpc.main")}},
    {"address": "aws_guardduty_detector.main", "values": {"enable": True}, "unknown": {"id": True}},
    {"address": "aws_guardduty_detector_feature.runtime", "values": {
        "name": "RUNTIME_MONITORING", "status": "ENABLED",
        "additional_configuration": [{"name": "ECS_FARGATE_AGENT_MANAGEMENT", "status": "ENABLED"}]},
     "unknown": {"detector_id": True}, "references": {"detector_id": ref("aws_guardduty_detector.main")}},
]


def test_hardened_stack_gives_no_finding(tmp_path):
    assert rows(findings(tmp_path, HARDENED, *SERVICE_RULES)) == []


def test_each_hardening_is_what_keeps_its_rule_quiet(tmp_path):
    """Dropping one companion resource brings back exactly its rule's finding."""
    without = [r for r in HARDENED if r["address"] not in ("aws_ecr_lifecycle_policy.app", "aws_flow_log.main",
                                                           "aws_guardduty_detector_feature.runtime")]
    assert rows(findings(tmp_path, without, *SERVICE_RULES)) == [
        ("ecr-no-lifecycle-policy", "fail", "aws_ecr_repository.app", ""),
        ("guardduty-ecs-runtime-monitoring-disabled", "fail", "aws_guardduty_detector.main", ""),
        ("vpc-flow-logs-missing", "fail", "aws_vpc.main", ""),
    ]


REAL_INSECURE = sorted([
    ("cloudtrail-log-validation-disabled", "fail", "aws_cloudtrail.bad", "enable_log_file_validation"),
    ("cloudtrail-not-multi-region", "fail", "aws_cloudtrail.bad", "is_multi_region_trail"),
    ("ecr-no-lifecycle-policy", "fail", "aws_ecr_repository.bad", ""),
    ("ecr-not-cmk-encrypted", "fail", "aws_ecr_repository.bad", "encryption_configuration[0].encryption_type"),
    ("ecr-repository-public-policy", "fail", "aws_ecr_repository_policy.bad_public", "policy.Statement[0]"),
    ("ecr-scan-on-push-disabled", "fail", "aws_ecr_repository.bad", "image_scanning_configuration[0].scan_on_push"),
    ("ecs-container-insights-disabled", "fail", "aws_ecs_cluster.bad", "setting"),
    ("ecs-exec-enabled", "fail", "aws_ecs_service.bad", "enable_execute_command"),
    ("ecs-fargate-platform-not-latest", "fail", "aws_ecs_service.bad", "platform_version"),
    ("guardduty-ecs-runtime-monitoring-disabled", "fail", "aws_guardduty_detector.bad", ""),
    ("vpc-flow-logs-missing", "fail", "aws_vpc.bad", ""),
])


@pytest.mark.parametrize("name, expected", [("ecs_hardened", []), ("ecs_insecure", REAL_INSECURE)])
def test_real_plans_from_provider_3_39(name, expected):
    """Plans made by real Terraform (provider 3.39: no detector features, no cluster
    `configuration` block; those shapes are covered by the hand-made fixtures)."""
    path = ROOT / "testdata" / "plans" / "real" / f"{name}.json"
    if not path.is_file():
        pytest.skip(f"{path} is not generated yet (python -m tests.tfharness regenerate {name})")
    report = scan([str(path)], [r() for r in SERVICE_RULES])
    assert not report.errors
    assert sorted(rows(report.findings)) == expected


# ------------------------------------------------------------------ per-finding severity and confidence


def _cluster(name, logging="NONE"):
    return {"address": f"aws_ecs_cluster.{name}", "values": {
        "name": name, "configuration": [{"execute_command_configuration": [{"logging": logging, "kms_key_id": "", "log_configuration": []}]}]},
        "unknown": {"id": True, "arn": True}}


def test_exec_logging_is_medium_only_where_a_service_in_the_cluster_enables_exec(tmp_path):
    resources = [
        _cluster("quiet"),
        _cluster("debug"),
        {"address": "aws_ecs_service.debug", "values": {"name": "debug", "enable_execute_command": True},
         "unknown": {"cluster": True}, "references": {"cluster": ref("aws_ecs_cluster.debug")}},
        # A service that runs in the other cluster, with exec off, does not raise it.
        {"address": "aws_ecs_service.calm", "values": {"name": "calm", "enable_execute_command": False},
         "unknown": {"cluster": True}, "references": {"cluster": ref("aws_ecs_cluster.quiet")}},
    ]
    found = findings(tmp_path, resources, EcsExecLoggingDisabled)
    assert [(f.address, f.effective_severity.value) for f in found] == [
        ("aws_ecs_cluster.debug", "medium"),
        ("aws_ecs_cluster.quiet", "low"),
    ]
    assert "service 'debug' enables ECS Exec" in found[0].message


def test_exec_logging_follows_a_cluster_named_by_value_and_an_unknown_exec_flag(tmp_path):
    existing = {"name": "legacy", "arn": "arn:aws:ecs:us-east-1:123456789012:cluster/legacy",
                "configuration": [{"execute_command_configuration": [{"logging": "NONE", "kms_key_id": "", "log_configuration": []}]}]}
    resources = [
        {"address": "aws_ecs_cluster.legacy", "actions": ["no-op"], "values": existing, "before": existing},
        {"address": "aws_ecs_service.maybe", "values": {"name": "maybe", "cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/legacy"},
         "unknown": {"enable_execute_command": True}, "references": {"enable_execute_command": ["aws_ssm_parameter.debug.value"]}},
    ]
    [f] = findings(tmp_path, resources, EcsExecLoggingDisabled)
    assert (f.address, f.effective_severity.value, f.status.value) == ("aws_ecs_cluster.legacy", "medium", "fail")
    assert "may enable ECS Exec" in f.message


def test_platform_version_confidence_depends_on_how_fargate_is_known(tmp_path):
    resources = [
        {"address": "aws_ecs_service.explicit", "values": {"name": "e", "launch_type": "FARGATE", "platform_version": "1.3.0"}},
        {"address": "aws_ecs_service.by_default", "values": {"name": "d", "platform_version": "1.2.0"}},
    ]
    found = findings(tmp_path, resources, EcsFargatePlatformNotLatest)
    assert [(f.address, f.status.value, f.confidence) for f in found] == [
        ("aws_ecs_service.by_default", "fail", "medium"),
        ("aws_ecs_service.explicit", "fail", "high"),
    ]


# ------------------------------------------------------------------ ECR scanning


@pytest.mark.parametrize(
    "flt, expected",
    # AWS's own table (ECR user guide, "Filter wildcards"): names prod, repo-prod, prod-repo, repo-prod-repo, prodrepo.
    [
        ("prod", [True, True, True, True, True]),
        ("*prod", [True, True, False, False, False]),
        ("prod*", [True, False, True, False, True]),
        ("*prod*", [True, True, True, True, True]),
        ("prod*repo", [False, False, True, False, True]),
    ],
)
def test_registry_filter_matches_like_ecr(flt, expected):
    names = ["prod", "repo-prod", "prod-repo", "repo-prod-repo", "prodrepo"]
    assert [RepositoryFilter(filter=flt, filter_type="WILDCARD").matches(n) for n in names] == expected


def _registry(scan_type, *rules, unknown=None, references=None):
    spec = {"address": "aws_ecr_registry_scanning_configuration.this", "values": {
        "scan_type": scan_type,
        "rule": [{"scan_frequency": freq, "repository_filter": [{"filter": f, "filter_type": "WILDCARD"} for f in filters]}
                 for freq, filters in rules]}}
    if unknown:
        spec["unknown"] = unknown
        spec["references"] = references or {}
    return spec


def _repo(name, scan_on_push=None):
    values = {"name": name}
    if scan_on_push is not None:
        values["image_scanning_configuration"] = [{"scan_on_push": scan_on_push}]
    return {"address": f"aws_ecr_repository.{name.replace('-', '_')}", "values": values}


def test_enhanced_registry_scanning_overrides_the_repository_setting(tmp_path):
    resources = [
        _registry("ENHANCED", ("CONTINUOUS_SCAN", ["prod-*"]), ("SCAN_ON_PUSH", ["tools"])),
        _repo("prod-api"),                      # continuous scan
        _repo("internal-tools-cli"),            # "tools" without a wildcard matches a substring
        _repo("dev-api", scan_on_push=True),    # own scan_on_push ignored: ENHANCED scans only what rules match
    ]
    found = findings(tmp_path, resources, EcrScanOnPushDisabled)
    assert rows(found) == [("ecr-scan-on-push-disabled", "fail", "aws_ecr_repository.dev_api", "image_scanning_configuration[0].scan_on_push")]
    assert "ENHANCED" in found[0].message and "aws_ecr_registry_scanning_configuration.this" in found[0].remediation


def test_basic_registry_keeps_repository_scan_on_push_and_manual_rules_do_not_cover(tmp_path):
    resources = [
        _registry("BASIC", ("MANUAL", ["*"])),
        _repo("scanned", scan_on_push=True),
        _repo("manual-only"),
    ]
    assert rows(findings(tmp_path, resources, EcrScanOnPushDisabled)) == [
        ("ecr-scan-on-push-disabled", "fail", "aws_ecr_repository.manual_only", "image_scanning_configuration[0].scan_on_push"),
    ]


def test_registry_without_rules_covers_nothing(tmp_path):
    assert rows(findings(tmp_path, [_registry("ENHANCED"), _repo("app")], EcrScanOnPushDisabled)) == [
        ("ecr-scan-on-push-disabled", "fail", "aws_ecr_repository.app", "image_scanning_configuration[0].scan_on_push"),
    ]


def test_unknown_scan_type_or_filter_is_unknown_not_pass(tmp_path):
    registry = _registry(None, ("SCAN_ON_PUSH", ["team-*"]), unknown={"scan_type": True},
                         references={"scan_type": ["aws_ssm_parameter.scan_type.value"]})
    found = findings(tmp_path, [registry, _repo("own-scan", scan_on_push=True), _repo("team-api"), _repo("other")], EcrScanOnPushDisabled)
    assert rows(found) == [
        ("ecr-scan-on-push-disabled", "unknown", "aws_ecr_repository.other", "image_scanning_configuration[0].scan_on_push"),
        ("ecr-scan-on-push-disabled", "unknown", "aws_ecr_repository.own_scan", "image_scanning_configuration[0].scan_on_push"),
    ]
    for scan_type in ("BASIC", "ENHANCED"):
        registry = _registry(scan_type, ("SCAN_ON_PUSH", [None]), unknown={"rule": [{"repository_filter": [{"filter": True}]}]},
                             references={"rule": ["aws_ssm_parameter.filter.value"]})
        assert rows(findings(tmp_path, [registry, _repo("app"), _repo("own", scan_on_push=True)], EcrScanOnPushDisabled)) == [
            ("ecr-scan-on-push-disabled", "unknown", "aws_ecr_repository.app", "image_scanning_configuration[0].scan_on_push"),
        ] + ([("ecr-scan-on-push-disabled", "unknown", "aws_ecr_repository.own", "image_scanning_configuration[0].scan_on_push")]
             if scan_type == "ENHANCED" else [])


# ------------------------------------------------------------------ references unknown until apply


def test_lifecycle_policy_for_an_unknown_repository_makes_the_others_unknown(tmp_path):
    resources = [
        {"address": "aws_ecr_repository.app", "values": {"name": "app"}},
        {"address": "aws_ecr_lifecycle_policy.somewhere", "values": {"policy": "{}"}, "unknown": {"repository": True},
         "references": {"repository": ["aws_ssm_parameter.repo.value"]}},
    ]
    assert rows(findings(tmp_path, resources, EcrNoLifecyclePolicy)) == [
        ("ecr-no-lifecycle-policy", "unknown", "aws_ecr_repository.app", ""),
    ]


def test_flow_log_for_an_unknown_vpc_makes_created_vpcs_unknown(tmp_path):
    resources = [
        {"address": "aws_vpc.main", "values": {"cidr_block": "10.0.0.0/16"}},
        {"address": "aws_flow_log.somewhere", "values": {"traffic_type": "ALL"}, "unknown": {"vpc_id": True},
         "references": {"vpc_id": ["data.aws_ssm_parameter.vpc.value"]}},
    ]
    assert rows(findings(tmp_path, resources, VpcFlowLogsMissing)) == [("vpc-flow-logs-missing", "unknown", "aws_vpc.main", "")]


def test_guardduty_feature_names_that_do_not_cover_ecs(tmp_path):
    resources = [
        {"address": "aws_guardduty_detector.main", "values": {"enable": True}, "unknown": {"id": True}},
        # Not an API feature name (the API knows RUNTIME_MONITORING and, for EKS only, EKS_RUNTIME_MONITORING).
        {"address": "aws_guardduty_detector_feature.typo", "values": {"name": "ECS_RUNTIME_MONITORING", "status": "ENABLED"},
         "unknown": {"detector_id": True}, "references": {"detector_id": ref("aws_guardduty_detector.main")}},
        {"address": "aws_guardduty_detector_feature.s3", "values": {"name": "S3_DATA_EVENTS", "status": "ENABLED"},
         "unknown": {"detector_id": True}, "references": {"detector_id": ref("aws_guardduty_detector.main")}},
    ]
    assert rows(findings(tmp_path, resources, GuarddutyEcsRuntimeMonitoringDisabled)) == [
        ("guardduty-ecs-runtime-monitoring-disabled", "fail", "aws_guardduty_detector.main", ""),
    ]


def test_guardduty_feature_for_an_unknown_detector_is_unknown(tmp_path):
    resources = [
        {"address": "aws_guardduty_detector.main", "values": {"enable": True}, "unknown": {"id": True}},
        {"address": "aws_guardduty_detector_feature.runtime", "values": {"name": "RUNTIME_MONITORING", "status": "ENABLED"},
         "unknown": {"detector_id": True}, "references": {"detector_id": ["data.aws_guardduty_detector.current.id"]}},
    ]
    assert rows(findings(tmp_path, resources, GuarddutyEcsRuntimeMonitoringDisabled)) == [
        ("guardduty-ecs-runtime-monitoring-disabled", "unknown", "aws_guardduty_detector.main", ""),
    ]


def test_cmk_reference_is_followed_through_a_module_variable(tmp_path):
    """`kms_key = var.kms_key_arn` inside a module, the key created at the root."""
    plan = {
        "format_version": "1.2",
        "resource_changes": [
            {"address": "aws_kms_key.ecr", "mode": "managed", "type": "aws_kms_key", "name": "ecr",
             "change": {"actions": ["create"], "before": None, "after": {}, "after_unknown": {"arn": True}}},
            {"address": "module.repo.aws_ecr_repository.this", "module_address": "module.repo", "mode": "managed",
             "type": "aws_ecr_repository", "name": "this",
             "change": {"actions": ["create"], "before": None,
                        "after": {"name": "app", "encryption_configuration": [{"encryption_type": "KMS", "kms_key": None}]},
                        "after_unknown": {"encryption_configuration": [{"kms_key": True}]}}},
        ],
        "configuration": {"root_module": {
            "resources": [{"address": "aws_kms_key.ecr", "mode": "managed", "type": "aws_kms_key", "name": "ecr", "expressions": {}}],
            "module_calls": {"repo": {
                "expressions": {"kms_key_arn": {"references": ["aws_kms_key.ecr.arn", "aws_kms_key.ecr"]}},
                "module": {"resources": [{"address": "aws_ecr_repository.this", "mode": "managed", "type": "aws_ecr_repository",
                                          "name": "this", "expressions": {
                                              "name": {"constant_value": "app"},
                                              "encryption_configuration": [{"encryption_type": {"constant_value": "KMS"},
                                                                            "kms_key": {"references": ["var.kms_key_arn"]}}]}}]}}}}},
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    report = scan([str(path)], [EcrNotCmkEncrypted()])
    assert not report.errors and report.findings == []


def test_exec_enabled_default_is_not_unknown(tmp_path):
    """An attribute the configuration does not set is the provider's default (disabled),
    even where the plan shows it as known after apply."""
    resources = [{"address": "aws_ecs_service.app", "values": {"name": "app"}, "unknown": {"enable_execute_command": True}}]
    assert findings(tmp_path, resources, EcsExecEnabled) == []


def test_public_policy_message_names_the_repository_and_statement(tmp_path):
    resources = [
        {"address": "aws_ecr_repository.app", "values": {"name": "app"}},
        {"address": "aws_ecr_repository_policy.app", "values": {"repository": "app", "policy": {
            "Version": "2012-10-17", "Statement": [{"Sid": "Pull", "Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"}]}}},
    ]
    [f] = findings(tmp_path, resources, EcrRepositoryPublicPolicy)
    assert (f.address, f.path_text) == ("aws_ecr_repository_policy.app", "policy.Statement[0]")
    assert f.message == "statement Pull of the policy on repository 'app' allows any principal with no Condition"
