"""End to end on plans made by real Terraform (testdata/plans/real, see
testdata/terraform/README.md): the reader on modules, for_each/count, unknowns and
updates, and the change gate against real prior state."""

from __future__ import annotations

import json

import pytest
from conftest import TESTDATA

from tfecs.inputs.plan import read_plan
from tfecs.reporters import FORMATS

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


def test_change_gate_table_says_which_change_did_it(run_cli):
    code, out, _ = run_cli("scan", str(REAL / "change_gate.json"))
    assert code == 1
    blocking = [line for line in out.splitlines() if line.startswith("    BLOCKS")]
    assert len(blocking) == 6
    assert "  aws_ecs_service.app  update" in out and "enable_execute_command" in out
    assert "  aws_security_group.web  update" in out and "ingress[1]" in out
    assert "  aws_ecr_repository.bad_new  create" in out
    assert "6 introduced (6 blocking)" in out


# A change that only fixes things (testdata/terraform/change_fix_only): `before/` is an
# estate with insecure resources, `after/` updates some in place, replaces a task
# definition, deletes an admin policy and leaves the rest alone. Nothing it introduces
# blocks, so it passes by default; --gate all still blocks on the debt it leaves.
FIX_ONLY_ACTIONS = {
    "aws_ecr_repository.app": ["update"],
    "aws_ecr_repository.bad_legacy": ["no-op"],
    "aws_ecs_cluster.main": ["update"],
    "aws_ecs_service.app": ["update"],
    "aws_ecs_task_definition.app": ["no-op"],
    "aws_ecs_task_definition.worker": ["delete", "create"],
    "aws_iam_policy.bad_legacy_admin": ["delete"],
    "aws_iam_role.app_execution": ["no-op"],
    "aws_iam_role.app_task": ["no-op"],
    "aws_security_group.bad_legacy_rdp": ["no-op"],
    "aws_security_group.web": ["update"],
}

FIX_ONLY_EXISTING = [
    ("ecr-no-lifecycle-policy", "aws_ecr_repository.app", "update"),
    ("ecr-no-lifecycle-policy", "aws_ecr_repository.bad_legacy", "no-op"),
    ("ecr-not-cmk-encrypted", "aws_ecr_repository.bad_legacy", "no-op"),
    ("ecr-scan-on-push-disabled", "aws_ecr_repository.bad_legacy", "no-op"),
    ("ecr-tag-mutable", "aws_ecr_repository.bad_legacy", "no-op"),
    ("sg-open-to-world", "aws_security_group.bad_legacy_rdp", "no-op"),
]

FIX_ONLY_FIXED = [
    ("ecr-scan-on-push-disabled", "aws_ecr_repository.app", "image_scanning_configuration[0].scan_on_push"),
    ("ecr-tag-mutable", "aws_ecr_repository.app", "image_tag_mutability"),
    ("ecs-container-insights-disabled", "aws_ecs_cluster.main", "setting[0].value"),
    ("ecs-exec-enabled", "aws_ecs_service.app", "enable_execute_command"),
    ("ecs-container-root-user", "aws_ecs_task_definition.worker", "container_definitions[0].user"),
    ("ecs-privileged-container", "aws_ecs_task_definition.worker", "container_definitions[0].privileged"),
    ("iam-admin-policy", "aws_iam_policy.bad_legacy_admin", "policy.Statement[0]"),
    ("iam-ecs-exec-wildcard", "aws_iam_policy.bad_legacy_admin", "policy.Statement[0]"),
    ("iam-passrole-wildcard", "aws_iam_policy.bad_legacy_admin", "policy.Statement[0]"),
    ("iam-secrets-read-wildcard", "aws_iam_policy.bad_legacy_admin", "policy.Statement[0]"),
    ("sg-open-to-world", "aws_security_group.web", "ingress[1]"),
]


def test_fix_only_plan_is_real_updates_a_replacement_a_delete_and_no_ops():
    plan = json.loads((REAL / "change_fix_only.json").read_text())
    changes = {rc["address"]: rc["change"] for rc in plan["resource_changes"]}
    assert {a: c["actions"] for a, c in changes.items()} == FIX_ONLY_ACTIONS
    # `before` holds the prior state's values, `after` the fixed ones.
    repo = changes["aws_ecr_repository.app"]
    assert (repo["before"]["image_tag_mutability"], repo["after"]["image_tag_mutability"]) == ("MUTABLE", "IMMUTABLE")
    assert repo["before"]["image_scanning_configuration"] == [{"scan_on_push": False}]
    assert repo["after"]["image_scanning_configuration"] == [{"scan_on_push": True}]
    cluster = changes["aws_ecs_cluster.main"]
    assert cluster["before"]["setting"] == [{"name": "containerInsights", "value": "disabled"}]
    assert cluster["after"]["setting"] == [{"name": "containerInsights", "value": "enabled"}]
    service = changes["aws_ecs_service.app"]
    assert (service["before"]["enable_execute_command"], service["after"]["enable_execute_command"]) == (True, False)
    sg = changes["aws_security_group.web"]
    assert [r["from_port"] for r in sg["before"]["ingress"]] == [443, 22]
    assert [r["from_port"] for r in sg["after"]["ingress"]] == [443]
    worker = changes["aws_ecs_task_definition.worker"]
    old = json.loads(worker["before"]["container_definitions"])[0]
    new = json.loads(worker["after"]["container_definitions"])[0]
    assert (old["privileged"], old["user"]) == (True, "root")
    assert "privileged" not in new and new["user"] == "1000:1000"
    assert worker["before"]["arn"] == "arn:aws:ecs:us-east-1:123456789012:task-definition/fix-only-worker:1"
    admin = changes["aws_iam_policy.bad_legacy_admin"]
    assert admin["after"] is None and json.loads(admin["before"]["policy"])["Statement"][0]["Action"] == "*"


def test_fix_only_change_passes_and_lists_what_it_fixes(run_cli):
    code, report = scan(run_cli, "change_fix_only")
    assert code == 0
    assert sorted((f["rule"], f["address"], f["action"]) for f in report["findings"]) == FIX_ONLY_EXISTING
    assert {(f["status"], f["delta"], f["blocking"]) for f in report["findings"]} == {("fail", "existing", False)}
    assert [(x["rule"], x["address"], x["path"]) for x in report["fixed"]] == FIX_ONLY_FIXED
    # A deleted resource and a replaced one keep no finding of their own.
    assert not [f for f in report["findings"] if f["address"] in ("aws_iam_policy.bad_legacy_admin", "aws_ecs_task_definition.worker")]
    summary = report["summary"]
    assert (summary["introduced"], summary["existing"], summary["fixed"], summary["blocking"]) == (0, 6, 11, 0)


def test_fix_only_change_fails_with_gate_all(run_cli):
    code, report = scan(run_cli, "change_fix_only", "--gate", "all")
    assert code == 1
    assert sorted((f["rule"], f["address"], f["action"]) for f in report["findings"] if f["blocking"]) == FIX_ONLY_EXISTING
    assert {f["delta"] for f in report["findings"]} == {"existing"}
    assert [(x["rule"], x["address"], x["path"]) for x in report["fixed"]] == FIX_ONLY_FIXED


def test_fix_only_change_table_lists_the_fixes(run_cli):
    code, out, _ = run_cli("scan", str(REAL / "change_fix_only.json"))
    assert code == 0
    assert "BLOCKS" not in out and "    new  " not in out
    assert out.count("    existing  ") == 6
    assert "  aws_ecr_repository.app  update" in out
    assert "  aws_security_group.bad_legacy_rdp  no-op" in out
    fixed = out[out.index("Fixed by this change (11)") :].splitlines()
    assert fixed[1:12] == [f"  fixed  {rule}  {address}  {path}" for rule, address, path in FIX_ONLY_FIXED]
    assert fixed[-1] == "  verdict   PASS: nothing blocks this change (exit 0)"
    code, out, _ = run_cli("scan", str(REAL / "change_fix_only.json"), "--gate", "all")
    assert code == 1
    assert out.count("    BLOCKS  ") == 6
    assert "  change    0 introduced (6 blocking), 6 existing, 11 fixed" in out.splitlines()
    assert out.rstrip().splitlines()[-1] == "  verdict   BLOCKED: 6 findings block this change (exit 1)"


# A second secure stack (testdata/terraform/ecs_hardened_variants), hardened in other ways
# than ecs_hardened: capacity provider strategy, EC2 on awsvpc, a Windows task on EC2
# (placement constraint, no runtime_platform in provider 3.39), FireLens and init
# containers, harmless secret-sounding environment names, security group rule resources,
# NLB TLS, conditioned IAM documents. Nothing in it may be flagged, in any mode.
VARIANTS = "ecs_hardened_variants"
VARIANTS_SOURCE = TESTDATA / "terraform" / VARIANTS


def _variant_findings(run_cli, *target):
    code, out, err = run_cli("scan", *target, "-f", "json")
    report = json.loads(out)
    assert report["errors"] == [], err
    found = [(f["rule"], f["address"], f["status"], f["path"]) for f in report["findings"]]
    return code, report, found


# good_batch's container_definitions hold the image "${repository_url}:1.4.2@sha256:..."
# and secret ARNs by reference: the whole string is known only after apply (genuine in a
# plan alone), so every container rule is unknown there.
BATCH = "aws_ecs_task_definition.good_batch"
BATCH_CONTAINER_RULES = [
    "ecs-capabilities-not-dropped", "ecs-container-logging-missing", "ecs-container-root-user",
    "ecs-dangerous-capabilities", "ecs-image-mutable-tag", "ecs-image-untrusted-registry",
    "ecs-privileged-container", "ecs-secret-in-environment", "ecs-sensitive-host-mount",
    "ecs-unconfined-security-options", "ecs-writable-root-filesystem",
]
# With the source everything is settled, the image too: it is a partly known string
# (tfecs.model.patterns) whose known tail pins it by digest and whose registry is this
# configuration's own ECR repository URL (an ECR private registry: trusted).


def test_hardened_variants_plan_alone_gives_no_fail(run_cli):
    code, report, found = _variant_findings(run_cli, str(REAL / f"{VARIANTS}.json"))
    assert found == [(rule, BATCH, "unknown", "container_definitions") for rule in BATCH_CONTAINER_RULES]
    assert code == 0
    assert report["summary"]["resources"] == 68


def test_hardened_variants_plan_with_source_gives_nothing(run_cli):
    code, report, found = _variant_findings(run_cli, str(REAL / f"{VARIANTS}.json"), "--source", str(VARIANTS_SOURCE))
    assert found == []
    assert code == 0


def test_hardened_variants_hcl_alone_gives_nothing(run_cli):
    code, report, found = _variant_findings(run_cli, str(VARIANTS_SOURCE))
    assert found == []
    assert code == 0
    assert report["summary"]["resources"] == 68


def test_hardened_variants_are_judged_not_skipped():
    """No finding because the values are secure, not because the rules could not see them."""
    from tfecs.model.ecr import Repository
    from tfecs.model.ecs import TaskDefinition
    from tfecs.model.inventory import Inventory

    plan = read_plan((REAL / f"{VARIANTS}.json").read_bytes(), f"{VARIANTS}.json")
    inv = Inventory.build(plan.resources)
    tds = {td.address: td for td in inv.of(TaskDefinition)}
    web, ec2, win = (tds[f"aws_ecs_task_definition.good_{n}"] for n in ("web", "ec2", "windows"))
    assert [c.name for c in web.containers] == ["log_router", "migrate", "app"]
    assert [c.log_configuration.log_driver for c in web.containers] == ["awslogs", "awsfirelens", "awsfirelens"]
    assert [(c.name, c.user) for c in ec2.containers] == [("worker", "10001:10001")]
    assert (win.is_windows, ec2.is_windows, web.is_windows) == (True, False, False)
    assert [(c.user, c.readonly_root_filesystem) for c in win.containers] == [("ContainerUser", None)]
    repo = next(r for r in inv.of(Repository) if r.address == "aws_ecr_repository.good_win_app")
    assert repo.is_unknown("encryption_configuration", 0, "kms_key") and repo.kms_key_source() == "customer"


# Insecure settings written the other ways real configurations write them
# (testdata/terraform/ecs_insecure_variants): every one is found, with the rule, resource
# and path that say what to change. The plan alone and the HCL differ only where the plan
# has a genuine unknown: bad_heredoc's roles go through a local, and a plan does not
# record locals, so only the source can tell its task role is aws_iam_role.bad_shared.
INSECURE_VARIANTS = "ecs_insecure_variants"
INSECURE_VARIANTS_SOURCE = TESTDATA / "terraform" / INSECURE_VARIANTS

INSECURE_VARIANTS_FINDINGS = [
    ('cloudtrail-not-multi-region', 'aws_cloudtrail.bad_single_region', 'fail', 'is_multi_region_trail'),
    ('ecr-no-lifecycle-policy', 'aws_ecr_repository.bad_app', 'fail', None),
    ('ecr-not-cmk-encrypted', 'aws_ecr_repository.bad_app', 'fail', 'encryption_configuration[0].kms_key'),
    ('ecr-repository-public-policy', 'aws_ecr_repository_policy.bad_any_aws', 'fail', 'policy.Statement[0]'),
    ('ecr-scan-on-push-disabled', 'aws_ecr_repository.bad_app', 'fail', 'image_scanning_configuration[0].scan_on_push'),
    ('ecr-tag-mutable', 'aws_ecr_repository.bad_app', 'fail', 'image_tag_mutability'),
    ('ecs-capabilities-not-dropped', 'aws_ecs_task_definition.bad_file', 'fail', 'container_definitions[0].linuxParameters.capabilities.drop'),
    ('ecs-capabilities-not-dropped', 'aws_ecs_task_definition.bad_heredoc', 'fail', 'container_definitions[0].linuxParameters.capabilities.drop'),
    ('ecs-capabilities-not-dropped', 'aws_ecs_task_definition.bad_template', 'fail', 'container_definitions[0].linuxParameters.capabilities.drop'),
    ('ecs-container-insights-disabled', 'aws_ecs_cluster.bad', 'fail', 'setting[0].value'),
    ('ecs-container-logging-missing', 'aws_ecs_task_definition.bad_file', 'fail', 'container_definitions[0].logConfiguration.logDriver'),
    ('ecs-container-logging-missing', 'aws_ecs_task_definition.bad_heredoc', 'fail', 'container_definitions[0].logConfiguration.logDriver'),
    ('ecs-container-root-user', 'aws_ecs_task_definition.bad_file', 'fail', 'container_definitions[0].user'),
    ('ecs-container-root-user', 'aws_ecs_task_definition.bad_heredoc', 'fail', 'container_definitions[0].user'),
    ('ecs-container-root-user', 'aws_ecs_task_definition.bad_template', 'fail', 'container_definitions[0].user'),
    ('ecs-dangerous-capabilities', 'aws_ecs_task_definition.bad_file', 'fail', 'container_definitions[0].linuxParameters.capabilities.add'),
    ('ecs-dangerous-capabilities', 'aws_ecs_task_definition.bad_heredoc', 'fail', 'container_definitions[0].linuxParameters.capabilities.add'),
    ('ecs-dangerous-capabilities', 'aws_ecs_task_definition.bad_template', 'fail', 'container_definitions[0].linuxParameters.capabilities.add'),
    ('ecs-efs-transit-encryption-disabled', 'module.bad_service.aws_ecs_task_definition.bad_sensitive_env', 'fail', 'volume[0].efs_volume_configuration[0].transit_encryption'),
    ('ecs-exec-enabled', 'module.bad_service.aws_ecs_service.bad', 'fail', 'enable_execute_command'),
    ('ecs-image-mutable-tag', 'aws_ecs_task_definition.bad_file', 'fail', 'container_definitions[0].image'),
    ('ecs-image-mutable-tag', 'aws_ecs_task_definition.bad_heredoc', 'fail', 'container_definitions[0].image'),
    ('ecs-image-mutable-tag', 'aws_ecs_task_definition.bad_template', 'fail', 'container_definitions[0].image'),
    ('ecs-image-untrusted-registry', 'aws_ecs_task_definition.bad_file', 'fail', 'container_definitions[0].image'),
    ('ecs-image-untrusted-registry', 'aws_ecs_task_definition.bad_heredoc', 'fail', 'container_definitions[0].image'),
    ('ecs-image-untrusted-registry', 'aws_ecs_task_definition.bad_template', 'fail', 'container_definitions[0].image'),
    ('ecs-network-mode-not-awsvpc', 'aws_ecs_task_definition.bad_file', 'fail', 'network_mode'),
    ('ecs-network-mode-not-awsvpc', 'aws_ecs_task_definition.bad_heredoc', 'fail', 'network_mode'),
    ('ecs-network-mode-not-awsvpc', 'module.bad_service.aws_ecs_task_definition.bad_sensitive_env', 'fail', 'network_mode'),
    ('ecs-privileged-container', 'aws_ecs_task_definition.bad_heredoc', 'fail', 'container_definitions[0].privileged'),
    ('ecs-secret-in-environment', 'aws_ecs_task_definition.bad_file', 'fail', 'container_definitions[0].environment[0].value'),
    ('ecs-secret-in-environment', 'aws_ecs_task_definition.bad_heredoc', 'fail', 'container_definitions[0].environment[0].value'),
    ('ecs-secret-in-environment', 'aws_ecs_task_definition.bad_heredoc', 'fail', 'container_definitions[0].environment[1].value'),
    ('ecs-secret-in-environment', 'aws_ecs_task_definition.bad_template', 'fail', 'container_definitions[0].dockerLabels.com.example.tls-key'),
    ('ecs-secret-in-environment', 'aws_ecs_task_definition.bad_template', 'fail', 'container_definitions[0].environment[0].value'),
    ('ecs-secret-in-environment', 'aws_ecs_task_definition.bad_template', 'fail', 'container_definitions[0].environment[1].value'),
    ('ecs-secret-in-environment', 'module.bad_service.aws_ecs_task_definition.bad_sensitive_env', 'unknown', 'container_definitions'),
    ('ecs-sensitive-host-mount', 'aws_ecs_task_definition.bad_file', 'fail', 'container_definitions[0].linuxParameters.devices'),
    ('ecs-sensitive-host-mount', 'aws_ecs_task_definition.bad_file', 'fail', 'container_definitions[0].mountPoints[0].sourceVolume'),
    ('ecs-sensitive-host-mount', 'aws_ecs_task_definition.bad_file', 'fail', 'container_definitions[0].mountPoints[1].sourceVolume'),
    ('ecs-sensitive-host-mount', 'aws_ecs_task_definition.bad_heredoc', 'fail', 'container_definitions[0].mountPoints[0].sourceVolume'),
    ('ecs-service-public-ip', 'module.bad_service.aws_ecs_service.bad', 'fail', 'network_configuration[0].assign_public_ip'),
    ('ecs-task-role-admin', 'aws_ecs_task_definition.bad_file', 'fail', 'task_role_arn'),
    ('ecs-task-role-admin', 'aws_ecs_task_definition.bad_heredoc', 'unknown', 'task_role_arn'),
    ('ecs-task-role-admin', 'aws_ecs_task_definition.bad_template', 'fail', 'task_role_arn'),
    ('ecs-task-role-missing', 'module.bad_service.aws_ecs_task_definition.bad_sensitive_env', 'fail', 'task_role_arn'),
    ('ecs-task-role-same-as-execution-role', 'aws_ecs_task_definition.bad_heredoc', 'unknown', 'task_role_arn'),
    ('ecs-task-role-same-as-execution-role', 'aws_ecs_task_definition.bad_template', 'fail', 'task_role_arn'),
    ('ecs-trust-policy-confused-deputy', 'aws_iam_role.bad_app_task', 'fail', 'assume_role_policy.Statement[0]'),
    ('ecs-trust-policy-confused-deputy', 'aws_iam_role.bad_shared', 'fail', 'assume_role_policy.Statement[0]'),
    ('ecs-unconfined-security-options', 'aws_ecs_task_definition.bad_file', 'fail', 'container_definitions[0].dockerSecurityOptions'),
    ('ecs-unconfined-security-options', 'aws_ecs_task_definition.bad_heredoc', 'fail', 'container_definitions[0].dockerSecurityOptions'),
    ('ecs-writable-root-filesystem', 'aws_ecs_task_definition.bad_file', 'fail', 'container_definitions[0].readonlyRootFilesystem'),
    ('ecs-writable-root-filesystem', 'aws_ecs_task_definition.bad_heredoc', 'fail', 'container_definitions[0].readonlyRootFilesystem'),
    ('ecs-writable-root-filesystem', 'aws_ecs_task_definition.bad_template', 'fail', 'container_definitions[0].readonlyRootFilesystem'),
    ('iam-admin-policy', 'aws_iam_policy.bad_not_action', 'fail', 'policy.Statement[0]'),
    ('iam-ecs-exec-wildcard', 'aws_iam_policy.bad_not_action', 'fail', 'policy.Statement[0]'),
    ('iam-passrole-wildcard', 'aws_iam_policy.bad_iam', 'fail', 'policy.Statement[0]'),
    ('iam-passrole-wildcard', 'aws_iam_policy.bad_iam', 'fail', 'policy.Statement[1]'),
    ('iam-role-trust-any-principal', 'aws_iam_role.bad_any_principal', 'fail', 'assume_role_policy.Statement[0]'),
    ('iam-secrets-read-wildcard', 'aws_iam_policy.bad_not_action', 'fail', 'policy.Statement[0]'),
    ('iam-secrets-read-wildcard', 'aws_iam_role_policy.bad_secrets_read', 'fail', 'policy.Statement[0]'),
    ('iam-secrets-read-wildcard', 'aws_iam_role_policy.bad_secrets_read', 'fail', 'policy.Statement[1]'),
    ('iam-service-wildcard-action', 'aws_iam_policy.bad_iam', 'fail', 'policy.Statement[0]'),
    ('lb-drop-invalid-headers-disabled', 'aws_alb.bad', 'fail', 'drop_invalid_header_fields'),
    ('lb-http-listener-no-redirect', 'aws_alb_listener.bad_http_fixed', 'fail', 'default_action'),
    ('lb-weak-tls-policy', 'aws_lb_listener.bad_tls11', 'fail', 'ssl_policy'),
    ('secretsmanager-rotation-disabled', 'module.bad_service.aws_secretsmanager_secret.bad', 'fail', None),
    ('sg-open-to-world', 'aws_security_group.bad_dual_stack', 'fail', 'ingress[0]'),
    ('sg-open-to-world', 'aws_security_group_rule.bad_all_protocols', 'fail', 'cidr_blocks'),
    ('sg-open-to-world', 'aws_security_group_rule.bad_all_tcp', 'fail', 'cidr_blocks'),
    ('sg-open-to-world', 'aws_security_group_rule.bad_rdp_ipv6', 'fail', 'ipv6_cidr_blocks'),
    ('ssm-secret-not-securestring', 'aws_ssm_parameter.bad_api_keys', 'fail', 'type'),
    ('vpc-ecs-endpoints-missing', 'module.bad_service.aws_vpc.bad', 'fail', None),
    ('vpc-flow-logs-missing', 'module.bad_service.aws_vpc.bad', 'fail', None),
]
_PLAN_ONLY_UNKNOWN = {
    ("ecs-task-role-admin", "aws_ecs_task_definition.bad_heredoc", "unknown", "task_role_arn"),
    ("ecs-task-role-same-as-execution-role", "aws_ecs_task_definition.bad_heredoc", "unknown", "task_role_arn"),
}
INSECURE_VARIANTS_FROM_SOURCE = sorted(
    [f for f in INSECURE_VARIANTS_FINDINGS if f not in _PLAN_ONLY_UNKNOWN]
    + [(rule, address, "fail", path) for rule, address, _, path in _PLAN_ONLY_UNKNOWN],
    key=lambda f: tuple(str(v) for v in f),
)
# The secret values written in the scenario; no output may print them.
INSECURE_VARIANTS_SECRETS = [
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
    "aBcDeFgHiJkLmNoPqRsTuVwX",  # the Slack webhook's secret part
    "Tr0ub4dor-and-3",
    "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu",
    "opaque-value-1",
]


def _insecure_variant_findings(run_cli, *target):
    code, out, err = run_cli("scan", *target, "-f", "json")
    report = json.loads(out)
    assert report["errors"] == [], err
    assert code == 1
    findings = sorted(
        ((f["rule"], f["address"], f["status"], f["path"]) for f in report["findings"]),
        key=lambda f: tuple(str(v) for v in f),
    )
    return findings, out


def test_insecure_variants_plan_alone_finds_every_setting(run_cli):
    findings, _ = _insecure_variant_findings(run_cli, str(REAL / f"{INSECURE_VARIANTS}.json"))
    assert findings == INSECURE_VARIANTS_FINDINGS


def test_insecure_variants_plan_with_source_resolves_the_local_roles(run_cli):
    findings, _ = _insecure_variant_findings(
        run_cli, str(REAL / f"{INSECURE_VARIANTS}.json"), "--source", str(INSECURE_VARIANTS_SOURCE)
    )
    assert findings == INSECURE_VARIANTS_FROM_SOURCE


def test_insecure_variants_hcl_alone_finds_every_setting(run_cli):
    findings, _ = _insecure_variant_findings(run_cli, str(INSECURE_VARIANTS_SOURCE))
    assert findings == INSECURE_VARIANTS_FROM_SOURCE


@pytest.mark.parametrize("with_source", [False, True])
def test_insecure_variants_never_print_a_secret(run_cli, with_source):
    target = [str(REAL / f"{INSECURE_VARIANTS}.json")] + (["--source", str(INSECURE_VARIANTS_SOURCE)] if with_source else [])
    _, out = _insecure_variant_findings(run_cli, *target)
    _, table, _ = run_cli("scan", *target, "--no-color")
    _, hcl_out = _insecure_variant_findings(run_cli, str(INSECURE_VARIANTS_SOURCE))
    texts = [out, table, hcl_out]
    for fmt in FORMATS:  # every report format, from the plan and from the HCL alone
        for args in (target, [str(INSECURE_VARIANTS_SOURCE)]):
            code, text, err = run_cli("scan", *args, "--format", fmt)
            assert code in (0, 1) and err == "", (fmt, err)
            texts.append(text)
    for text in texts:
        assert "bad_template" in text  # the output is a real report
        assert [s for s in INSECURE_VARIANTS_SECRETS if s in text] == []
