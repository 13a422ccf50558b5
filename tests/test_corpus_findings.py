"""Findings on the ECS/ECR-related real plans of the shared corpus, as judged by hand.

The corpus (`../shared/corpus/plans`, see its MANIFEST.md) holds `terraform show -json`
output collected from public repositories: 0.12-era format 0.1 plans and 1.x plans,
provider 2.x to 6.x shapes, modules with count/for_each, no-op/update/delete plans.
Every finding every rule gives on these 14 plans was reviewed against the plan's values
(the audit of the 48 rules): EXPECTED is the (rule, address, status) set judged right,
so a lost true positive or a new false positive shows here.

Skipped when the corpus is not beside this checkout (a plain clone of the project).
"""

from __future__ import annotations

import pytest
from conftest import CORPUS

from tfecs.scan import scan
from tfecs_rules import ALL_RULES

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared plan corpus is not beside this checkout")

# Unknown findings stay where the value is really unknown until apply: a task
# definition's container_definitions built with jsonencode() from an ECR data source
# and a database address (ecr-fully-automation), policies jsonencode()d with ARNs of
# resources created in the same plan (cloud-native, dr-daily-report, marom-stream).
EXPECTED: dict[str, set[tuple[str, str, str]]] = {
    "checkov-ecs-task-definition": {
        ("ecs-capabilities-not-dropped", "aws_ecs_task_definition.service", "fail"),
        ("ecs-container-logging-missing", "aws_ecs_task_definition.service", "fail"),
        ("ecs-container-root-user", "aws_ecs_task_definition.service", "fail"),
        ("ecs-image-mutable-tag", "aws_ecs_task_definition.service", "fail"),
        ("ecs-image-untrusted-registry", "aws_ecs_task_definition.service", "fail"),
        ("ecs-network-mode-not-awsvpc", "aws_ecs_task_definition.service", "fail"),
        ("ecs-task-role-missing", "aws_ecs_task_definition.service", "fail"),
        ("ecs-writable-root-filesystem", "aws_ecs_task_definition.service", "fail"),
    },
    "checkov-runner-55-resources-ecr-iam-sg": {
        ("ecr-no-lifecycle-policy", "aws_ecr_repository.repository", "fail"),
        ("ecr-not-cmk-encrypted", "aws_ecr_repository.repository", "fail"),
        ("ecr-scan-on-push-disabled", "aws_ecr_repository.repository", "fail"),
        ("ecr-tag-mutable", "aws_ecr_repository.repository", "fail"),
        ("iam-service-wildcard-action", "aws_iam_role_policy.ec2policy", "fail"),
        ("iam-service-wildcard-action", "aws_iam_user_policy.userpolicy", "fail"),
        ("sg-open-to-world", "aws_security_group.web-node", "fail"),
        ("vpc-flow-logs-missing", "aws_vpc.eks_vpc", "fail"),
    },
    "cloud-native-platform-ecr-iam-kms": {
        ("ecr-not-cmk-encrypted", "module.ecr.aws_ecr_repository.this[0]", "fail"),
        ("iam-admin-policy", "module.eks.aws_iam_policy.cluster_encryption[0]", "unknown"),
        ("iam-ecs-exec-wildcard", "module.eks.aws_iam_policy.cluster_encryption[0]", "unknown"),
        ("iam-passrole-wildcard", "module.eks.aws_iam_policy.cluster_encryption[0]", "unknown"),
        ("iam-secrets-read-wildcard", "module.eks.aws_iam_policy.cluster_encryption[0]", "unknown"),
        ("iam-service-wildcard-action", "module.eks.aws_iam_policy.cluster_encryption[0]", "unknown"),
        ("secretsmanager-rotation-disabled", "module.secrets_manager.aws_secretsmanager_secret.this[0]", "fail"),
        ("vpc-flow-logs-missing", "module.vpc.aws_vpc.this[0]", "fail"),
    },
    "dr-daily-report-ecr-iam-large": {
        ("ecr-no-lifecycle-policy", "aws_ecr_repository.fund_data_sync", "fail"),
        ("ecr-not-cmk-encrypted", "aws_ecr_repository.fund_data_sync", "fail"),
        ("ecr-not-cmk-encrypted", "aws_ecr_repository.lambda", "fail"),
        ("ecr-tag-mutable", "aws_ecr_repository.fund_data_sync", "fail"),
        ("iam-admin-policy", "aws_iam_policy.lambda_aurora_access[0]", "unknown"),
        ("iam-admin-policy", "aws_iam_role_policy.codebuild_vpc_tests[0]", "unknown"),
        ("iam-admin-policy", "aws_iam_role_policy.fund_data_sync_sqs", "unknown"),
        ("iam-admin-policy", "aws_iam_role_policy.scheduler_secrets_access[0]", "unknown"),
        ("iam-ecs-exec-wildcard", "aws_iam_policy.lambda_aurora_access[0]", "unknown"),
        ("iam-ecs-exec-wildcard", "aws_iam_role_policy.codebuild_vpc_tests[0]", "unknown"),
        ("iam-ecs-exec-wildcard", "aws_iam_role_policy.fund_data_sync_sqs", "unknown"),
        ("iam-ecs-exec-wildcard", "aws_iam_role_policy.scheduler_secrets_access[0]", "unknown"),
        ("iam-passrole-wildcard", "aws_iam_policy.lambda_aurora_access[0]", "unknown"),
        ("iam-passrole-wildcard", "aws_iam_role_policy.codebuild_vpc_tests[0]", "unknown"),
        ("iam-passrole-wildcard", "aws_iam_role_policy.fund_data_sync_sqs", "unknown"),
        ("iam-passrole-wildcard", "aws_iam_role_policy.scheduler_secrets_access[0]", "unknown"),
        ("iam-secrets-read-wildcard", "aws_iam_policy.lambda_aurora_access[0]", "unknown"),
        ("iam-secrets-read-wildcard", "aws_iam_role_policy.codebuild_vpc_tests[0]", "unknown"),
        ("iam-secrets-read-wildcard", "aws_iam_role_policy.fund_data_sync_sqs", "unknown"),
        ("iam-secrets-read-wildcard", "aws_iam_role_policy.scheduler_secrets_access[0]", "unknown"),
        ("iam-service-wildcard-action", "aws_iam_policy.lambda_aurora_access[0]", "unknown"),
        ("iam-service-wildcard-action", "aws_iam_role_policy.codebuild_vpc_tests[0]", "unknown"),
        ("iam-service-wildcard-action", "aws_iam_role_policy.fund_data_sync_sqs", "unknown"),
        ("iam-service-wildcard-action", "aws_iam_role_policy.scheduler_secrets_access[0]", "unknown"),
        ("secretsmanager-rotation-disabled", "aws_secretsmanager_secret.aurora_credentials[0]", "fail"),
    },
    "ecr-fully-automation-ecs-fargate-alb": {
        ("ecs-capabilities-not-dropped", "module.ecs.aws_ecs_task_definition.strapi", "unknown"),
        ("ecs-container-insights-disabled", "module.ecs.aws_ecs_cluster.main", "fail"),
        ("ecs-container-logging-missing", "module.ecs.aws_ecs_task_definition.strapi", "unknown"),
        ("ecs-container-root-user", "module.ecs.aws_ecs_task_definition.strapi", "unknown"),
        ("ecs-dangerous-capabilities", "module.ecs.aws_ecs_task_definition.strapi", "unknown"),
        ("ecs-image-mutable-tag", "module.ecs.aws_ecs_task_definition.strapi", "unknown"),
        ("ecs-image-untrusted-registry", "module.ecs.aws_ecs_task_definition.strapi", "unknown"),
        ("ecs-privileged-container", "module.ecs.aws_ecs_task_definition.strapi", "unknown"),
        ("ecs-secret-in-environment", "module.ecs.aws_ecs_task_definition.strapi", "unknown"),
        ("ecs-sensitive-host-mount", "module.ecs.aws_ecs_task_definition.strapi", "unknown"),
        ("ecs-unconfined-security-options", "module.ecs.aws_ecs_task_definition.strapi", "unknown"),
        ("ecs-writable-root-filesystem", "module.ecs.aws_ecs_task_definition.strapi", "unknown"),
        ("lb-drop-invalid-headers-disabled", "module.alb.aws_lb.main", "fail"),
        ("lb-http-listener-no-redirect", "module.alb.aws_lb_listener.prod", "fail"),
        ("lb-http-listener-no-redirect", "module.alb.aws_lb_listener.test", "fail"),
    },
    "infracost-example-ecs-alb-elb": {
        ("ecs-capabilities-not-dropped", "aws_ecs_task_definition.ecs_task1", "fail"),
        ("ecs-container-insights-disabled", "aws_ecs_cluster.ecs1", "fail"),
        ("ecs-container-logging-missing", "aws_ecs_task_definition.ecs_task1", "fail"),
        ("ecs-container-root-user", "aws_ecs_task_definition.ecs_task1", "fail"),
        ("ecs-image-mutable-tag", "aws_ecs_task_definition.ecs_task1", "fail"),
        ("ecs-image-untrusted-registry", "aws_ecs_task_definition.ecs_task1", "fail"),
        ("ecs-writable-root-filesystem", "aws_ecs_task_definition.ecs_task1", "fail"),
        ("lb-drop-invalid-headers-disabled", "aws_alb.alb1", "fail"),
    },
    "magnolia-ecs-cluster-ecr-secrets": {
        ("ecr-no-lifecycle-policy", "aws_ecr_repository.auth_service", "fail"),
        ("ecr-no-lifecycle-policy", "aws_ecr_repository.scientific_data_backend", "fail"),
        ("ecr-no-lifecycle-policy", "aws_ecr_repository.scientific_data_frontend", "fail"),
        ("ecr-not-cmk-encrypted", "aws_ecr_repository.auth_service", "fail"),
        ("ecr-not-cmk-encrypted", "aws_ecr_repository.scientific_data_backend", "fail"),
        ("ecr-not-cmk-encrypted", "aws_ecr_repository.scientific_data_frontend", "fail"),
        ("ecr-tag-mutable", "aws_ecr_repository.auth_service", "fail"),
        ("ecr-tag-mutable", "aws_ecr_repository.scientific_data_backend", "fail"),
        ("ecr-tag-mutable", "aws_ecr_repository.scientific_data_frontend", "fail"),
        ("ecs-trust-policy-confused-deputy", "aws_iam_role.ecs_task", "fail"),
        ("ecs-trust-policy-confused-deputy", "aws_iam_role.ecs_task_execution", "fail"),
        ("iam-secrets-read-wildcard", "aws_iam_role_policy.ecs_task_secrets", "fail"),
        ("lb-drop-invalid-headers-disabled", "aws_lb.main", "fail"),
        ("lb-http-listener-no-redirect", "aws_lb_listener.auth_service", "fail"),
        ("lb-http-listener-no-redirect", "aws_lb_listener.scientific_data", "fail"),
        ("secretsmanager-rotation-disabled", "aws_secretsmanager_secret.db_credentials", "fail"),
        ("vpc-flow-logs-missing", "aws_vpc.main", "fail"),
    },
    "marom-stream-ecr-alb-kms": {
        ("ecr-no-lifecycle-policy", "module.ecr.aws_ecr_repository.backend", "fail"),
        ("ecr-no-lifecycle-policy", "module.ecr.aws_ecr_repository.frontend", "fail"),
        ("ecr-not-cmk-encrypted", "module.ecr.aws_ecr_repository.backend", "fail"),
        ("ecr-not-cmk-encrypted", "module.ecr.aws_ecr_repository.frontend", "fail"),
        ("ecr-tag-mutable", "module.ecr.aws_ecr_repository.backend", "fail"),
        ("ecr-tag-mutable", "module.ecr.aws_ecr_repository.frontend", "fail"),
        ("iam-admin-policy", "module.security.aws_iam_role_policy.s3_access", "unknown"),
        ("iam-ecs-exec-wildcard", "module.security.aws_iam_role_policy.s3_access", "unknown"),
        ("iam-passrole-wildcard", "module.security.aws_iam_role_policy.s3_access", "unknown"),
        ("iam-secrets-read-wildcard", "module.security.aws_iam_role_policy.s3_access", "unknown"),
        ("iam-service-wildcard-action", "module.security.aws_iam_role_policy.s3_access", "unknown"),
        ("lb-drop-invalid-headers-disabled", "module.compute.aws_lb.app_alb", "fail"),
    },
    "nodejs-postgres-no-op-ecr-iam-sg": {
        ("ecr-no-lifecycle-policy", "aws_ecr_repository.ecr_repo", "fail"),
        ("ecr-not-cmk-encrypted", "aws_ecr_repository.ecr_repo", "fail"),
        ("ecr-tag-mutable", "aws_ecr_repository.ecr_repo", "fail"),
    },
    "realestate-ecr-iam-delete-update": {
        ("ecr-not-cmk-encrypted", "module.ecr.aws_ecr_repository.data_processing", "fail"),
        ("ecr-not-cmk-encrypted", "module.ecr.aws_ecr_repository.evaluation", "fail"),
        ("ecr-not-cmk-encrypted", "module.ecr.aws_ecr_repository.feature_engineering", "fail"),
        ("ecr-not-cmk-encrypted", "module.ecr.aws_ecr_repository.model_registration", "fail"),
        ("ecr-not-cmk-encrypted", "module.ecr.aws_ecr_repository.training", "fail"),
        ("ecr-tag-mutable", "module.ecr.aws_ecr_repository.data_processing", "fail"),
        ("ecr-tag-mutable", "module.ecr.aws_ecr_repository.evaluation", "fail"),
        ("ecr-tag-mutable", "module.ecr.aws_ecr_repository.feature_engineering", "fail"),
        ("ecr-tag-mutable", "module.ecr.aws_ecr_repository.model_registration", "fail"),
        ("ecr-tag-mutable", "module.ecr.aws_ecr_repository.training", "fail"),
        ("iam-secrets-read-wildcard", "module.airflow_server.aws_iam_role_policy.airflow_policy", "fail"),
        ("iam-service-wildcard-action", "module.airflow_server.aws_iam_role_policy.airflow_policy", "fail"),
        ("sg-open-to-world", "module.airflow_server.aws_security_group.airflow_sg", "fail"),
        ("sg-open-to-world", "module.mlflow_server.aws_security_group.mlflow_sg", "fail"),
    },
    "team3-infra-ecr-alb-sg": {
        ("ecr-not-cmk-encrypted", "module.ecr.aws_ecr_repository.main", "fail"),
        ("ecr-tag-mutable", "module.ecr.aws_ecr_repository.main", "fail"),
        ("lb-drop-invalid-headers-disabled", "module.alb.aws_lb.alb", "fail"),
        ("lb-http-listener-no-redirect", "module.alb.aws_lb_listener.http", "fail"),
        ("sg-open-to-world", "module.security.aws_security_group.bastion", "fail"),
        ("vpc-flow-logs-missing", "module.network.aws_vpc.main", "fail"),
    },
    "terratest-aws-ecs-cluster-service": {
        ("ecs-capabilities-not-dropped", "aws_ecs_task_definition.example", "fail"),
        ("ecs-container-insights-disabled", "aws_ecs_cluster.example", "fail"),
        ("ecs-container-logging-missing", "aws_ecs_task_definition.example", "fail"),
        ("ecs-container-root-user", "aws_ecs_task_definition.example", "fail"),
        ("ecs-image-mutable-tag", "aws_ecs_task_definition.example", "fail"),
        ("ecs-image-untrusted-registry", "aws_ecs_task_definition.example", "fail"),
        ("ecs-trust-policy-confused-deputy", "aws_iam_role.execution", "fail"),
        ("ecs-writable-root-filesystem", "aws_ecs_task_definition.example", "fail"),
    },
    "tfcompliance-ecr-for-each-modules": {
        ("ecr-no-lifecycle-policy", 'module.ecr_repository["repository_1"].aws_ecr_repository.ecr_repository', "fail"),
        ("ecr-no-lifecycle-policy", 'module.ecr_repository["repository_2"].aws_ecr_repository.ecr_repository', "fail"),
        ("ecr-not-cmk-encrypted", 'module.ecr_repository["repository_1"].aws_ecr_repository.ecr_repository', "fail"),
        ("ecr-not-cmk-encrypted", 'module.ecr_repository["repository_2"].aws_ecr_repository.ecr_repository', "fail"),
        ("ecr-scan-on-push-disabled", 'module.ecr_repository["repository_1"].aws_ecr_repository.ecr_repository', "fail"),
    },
    "tfcompliance-ecr-iam-modules": {
        ("ecr-no-lifecycle-policy", "aws_ecr_repository.nonmodulerepository", "fail"),
        ("ecr-no-lifecycle-policy", "module.ecr_repository_with_count[0].aws_ecr_repository.ecr_repository", "fail"),
        ("ecr-no-lifecycle-policy", "module.ecr_repository_with_count[1].aws_ecr_repository.ecr_repository", "fail"),
        ("ecr-no-lifecycle-policy", "module.ecr_repository_with_count[2].aws_ecr_repository.ecr_repository", "fail"),
        ("ecr-no-lifecycle-policy", 'module.ecr_repository_with_for["repository_1"].aws_ecr_repository.ecr_repository', "fail"),
        ("ecr-no-lifecycle-policy", 'module.ecr_repository_with_for["repository_2"].aws_ecr_repository.ecr_repository', "fail"),
        ("ecr-no-lifecycle-policy", "module.other_ecr_repository.aws_ecr_repository.ecr_repository", "fail"),
        ("ecr-no-lifecycle-policy", "module.other_ecr_repository_with_count[0].aws_ecr_repository.ecr_repository", "fail"),
        ("ecr-no-lifecycle-policy", "module.other_ecr_repository_with_count[1].aws_ecr_repository.ecr_repository", "fail"),
        ("ecr-no-lifecycle-policy", "module.other_ecr_repository_with_count[2].aws_ecr_repository.ecr_repository", "fail"),
        ("ecr-no-lifecycle-policy", "module.other_ecr_repository_with_count[3].aws_ecr_repository.ecr_repository", "fail"),
        ("ecr-no-lifecycle-policy", "module.other_ecr_repository_with_count[4].aws_ecr_repository.ecr_repository", "fail"),
        ("ecr-no-lifecycle-policy", "module.other_ecr_repository_with_count[5].aws_ecr_repository.ecr_repository", "fail"),
        ("ecr-no-lifecycle-policy", "module.other_ecr_repository_with_count[6].aws_ecr_repository.ecr_repository", "fail"),
        ("ecr-not-cmk-encrypted", "aws_ecr_repository.nonmodulerepository", "fail"),
        ("ecr-not-cmk-encrypted", "module.ecr_repository_with_count[0].aws_ecr_repository.ecr_repository", "fail"),
        ("ecr-not-cmk-encrypted", "module.ecr_repository_with_count[1].aws_ecr_repository.ecr_repository", "fail"),
        ("ecr-not-cmk-encrypted", "module.ecr_repository_with_count[2].aws_ecr_repository.ecr_repository", "fail"),
        ("ecr-not-cmk-encrypted", 'module.ecr_repository_with_for["repository_1"].aws_ecr_repository.ecr_repository', "fail"),
        ("ecr-not-cmk-encrypted", 'module.ecr_repository_with_for["repository_2"].aws_ecr_repository.ecr_repository', "fail"),
        ("ecr-not-cmk-encrypted", "module.other_ecr_repository.aws_ecr_repository.ecr_repository", "fail"),
        ("ecr-not-cmk-encrypted", "module.other_ecr_repository_with_count[0].aws_ecr_repository.ecr_repository", "fail"),
        ("ecr-not-cmk-encrypted", "module.other_ecr_repository_with_count[1].aws_ecr_repository.ecr_repository", "fail"),
        ("ecr-not-cmk-encrypted", "module.other_ecr_repository_with_count[2].aws_ecr_repository.ecr_repository", "fail"),
        ("ecr-not-cmk-encrypted", "module.other_ecr_repository_with_count[3].aws_ecr_repository.ecr_repository", "fail"),
        ("ecr-not-cmk-encrypted", "module.other_ecr_repository_with_count[4].aws_ecr_repository.ecr_repository", "fail"),
        ("ecr-not-cmk-encrypted", "module.other_ecr_repository_with_count[5].aws_ecr_repository.ecr_repository", "fail"),
        ("ecr-not-cmk-encrypted", "module.other_ecr_repository_with_count[6].aws_ecr_repository.ecr_repository", "fail"),
        ("ecr-scan-on-push-disabled", 'module.ecr_repository_with_for["repository_1"].aws_ecr_repository.ecr_repository', "fail"),
        ("ecr-tag-mutable", "aws_ecr_repository.nonmodulerepository", "fail"),
    },
}

@pytest.mark.parametrize("plan", sorted(EXPECTED))
def test_corpus_plan_findings(plan):
    path = CORPUS / f"{plan}.json"
    if not path.exists():
        pytest.skip(f"{path.name} is not in this corpus")
    report = scan([str(path)], [rule() for rule in ALL_RULES if not rule.meta.profile])  # the default rule set
    assert not report.errors, [e.line() for e in report.errors]
    actual = {(f.rule, f.address, f.status.value) for f in report.findings}
    expected = EXPECTED[plan]
    missing = sorted(expected - actual)
    unexpected = sorted(actual - expected)
    assert not missing and not unexpected, f"lost: {missing}\nnew: {unexpected}"
