"""The secret detector (tfecs.model.secretscan) and the secrets rules: secrets told from
look-alikes, names told from settings, and a secret that never reaches any report format."""

from __future__ import annotations

import pytest
from conftest import ROOT
from planfixture import write_plan

from tfecs.model.secretscan import classify, is_secret_description, is_secret_name, shannon_entropy
from tfecs.reporters import FORMATS, render
from tfecs.scan import scan
from tfecs_rules import (
    EcsSecretInEnvironment,
    SecretsmanagerRotationDisabled,
    SsmSecretNotSecurestring,
)

SECRET_RULES = (EcsSecretInEnvironment, SecretsmanagerRotationDisabled, SsmSecretNotSecurestring)
REAL = ROOT / "testdata" / "plans" / "real"

# (name, value, the kind classify() must report)
SECRETS = [
    ("DB_PASSWORD", "hunter2", "secret-like name with a literal value"),
    ("dbPassword", "hunter2", "secret-like name with a literal value"),
    ("SMTP_PASS", "x", "secret-like name with a literal value"),
    ("API_KEY_PROD", "k-123", "secret-like name with a literal value"),
    ("DB_PASSWORD_2", "hunter2", "secret-like name with a literal value"),
    ("CLIENT_SECRET", "abc", "secret-like name with a literal value"),
    ("AWS_SECRET_ACCESS_KEY", "not-really", "credential"),
    ("ECS_ENGINE_AUTH_DATA", '{"https://index.docker.io/v1/":{"auth":"x"}}', "credential"),
    ("ACCESS_KEY_ID", "some-id", "secret-like name with a literal value"),
    ("ANY", "AKIAIOSFODNN7EXAMPLE", "AWS access key id"),
    ("ANY", "ASIAIOSFODNN7EXAMPLE", "AWS access key id"),
    ("ANY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS secret access key"),
    ("ANY", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS secret access key"),
    ("ANY", "sk_live_51Hx0FakeFakeFake0000000000", "Stripe secret key"),
    ("ANY", "rk_test_51Hx0FakeFakeFake0000000000", "Stripe secret key"),
    ("ANY", "ghp_0000000000FakeFakeFakeFake0000000000", "GitHub token"),
    ("ANY", "github_pat_11AAAAAAA0FakeFakeFakeFake_00000000", "GitHub token"),
    ("ANY", "xoxb-000000000000-000000000000-FakeFakeFake", "Slack token"),
    ("ANY", "xoxp-000000000000-000000000000-FakeFakeFake", "Slack token"),
    ("ANY", "https://hooks.slack.com/services/T00000000/B00000000/FakeFakeFakeFake", "Slack webhook URL"),
    ("ANY", "-----BEGIN PRIVATE KEY-----\nMIIfake\n-----END PRIVATE KEY-----", "private key block"),
    ("ANY", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----", "private key block"),
    ("ANY", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl", "JWT"),
    ("ANY", "postgres://app:s3cr3t@db:5432/app", "URL with an embedded password"),
    ("ANY", "https://api.example.com/?access_token=abc", "URL with a credential in its query"),
    ("ANY", "Server=db;User Id=sa;Password=S3cret;", "connection string with a password"),
    ("BLOB", "q8Zr4Ty7Lm2Nx9Wv3Kp6Hs1Df5Gj0Bc8Ye2Ua7", "high-entropy string"),
    ("SEED", "3f7a9c2e8b1d4f6a0c5e7b9d2f4a6c8e1b3d5f7a", "high-entropy string"),
]

LOOKALIKES = [
    ("PASSWORD_MIN_LENGTH", "12"),
    ("TOKEN_TTL_SECONDS", "3600"),
    ("SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf"),
    ("DB_PASSWORD", "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:db"),
    ("DB_PASSWORD_SECRET_NAME", "app/db"),
    ("DB_PASSWORD", "app/db"),  # a secret's *name*
    ("DB_PASSWORD_PARAM", "/app/prod/db_password"),
    ("API_KEY_FILE", "/run/secrets/api_key"),
    ("CONFIG_PATH", "./config/app.yaml"),
    ("DEBUG", "true"),
    ("TLS_ENABLED", "False"),
    ("USE_SECRETS", "yes"),
    ("PORT", "8080"),
    ("TIMEOUT", "1.5"),
    ("CACHE_TTL", "30s"),
    ("API_URL", "https://api.example.com/v1/items?page=2"),
    ("TOKEN_URL", "https://auth.example.com/oauth/token"),
    ("DB_PASSWORD", "${DB_PASSWORD}"),
    ("DB_PASSWORD", "{{resolve:secretsmanager:app/db}}"),
    ("MASKED_PASSWORD", "********"),
    ("EMPTY_TOKEN", ""),
    ("GIT_COMMIT", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b"),
    ("IMAGE_DIGEST", "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
    ("IMAGE", "123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
    ("REQUEST_ID", "123e4567-e89b-12d3-a456-426614174000"),
    ("APP_NAME", "MyApplicationServiceName2024Production"),
    ("DEPLOYMENT", "Kubernetes1234Deployment5678Configuration"),
    ("PWD", "/app"),
    ("CACHE_KEY", "users"),
    ("PARTITION_KEY", "tenant-id"),
    ("TOKEN_HEADER", "Authorization"),
    ("SECRET_BACKEND_REGION", "us-east-1"),
    ("PASSWORD_POLICY", "strict"),
    ("NODE_ENV", "production"),
    ("JAVA_OPTS", "-Xmx512m -Dfile.encoding=UTF-8"),
]


@pytest.mark.parametrize("name, value, kind", SECRETS, ids=[f"{n}:{k}" for n, _, k in SECRETS])
def test_secrets_are_flagged(name, value, kind):
    assert classify(name, value) == kind


@pytest.mark.parametrize("name, value", LOOKALIKES, ids=[n + "=" + v[:20] for n, v in LOOKALIKES])
def test_lookalikes_are_not(name, value):
    assert classify(name, value) is None


def test_a_value_marked_sensitive_is_a_secret_whatever_it_looks_like():
    assert classify("MODE", "prod", sensitive=True) == "value marked sensitive"


@pytest.mark.parametrize(
    "name, secret",
    [
        ("DB_PASSWORD", True), ("db-password", True), ("/app/db_password", True), ("com.example.api-token", True),
        ("apiKey", True), ("APIKey", True), ("PRIVATE_KEY", True), ("SSH_PRIVATE_KEY_B64", True),
        ("GITHUB_TOKEN_V2", True), ("BASIC_AUTH", True), ("AWS_ACCESS_KEY_ID", True), ("JWT_SECRET", True),
        ("PASSWORD_MIN_LENGTH", False), ("TOKEN_TTL_SECONDS", False), ("DB_PASSWORD_SECRET_NAME", False),
        ("SECRET_ARN", False), ("API_KEY_ID", False), ("CACHE_KEY", False), ("S3_KEY", False), ("PWD", False),
        ("BYPASS", False), ("KEYCLOAK_URL", False), ("", False), (None, False),
    ],
)
def test_secret_names(name, secret):
    assert is_secret_name(name) is secret


def test_secret_descriptions():
    assert is_secret_description("Database password for the reporting job")
    assert is_secret_description("GitHub API key used by CI")
    assert not is_secret_description("ARN of the database password secret")
    assert not is_secret_description("Name of the secret that holds the token")
    assert not is_secret_description("Log level")
    assert not is_secret_description(None)


def test_entropy():
    assert shannon_entropy("") == 0.0
    assert shannon_entropy("aaaa") == 0.0
    assert shannon_entropy("abcd") == 2.0


# ecs-secret-in-environment: where the finding points, and what it says -------------------------


def td(name, containers, **extra):
    return {"address": f"aws_ecs_task_definition.{name}",
            "values": {"family": name, "network_mode": "awsvpc", "container_definitions": containers}, **extra}


def test_finding_names_container_variable_and_path_never_the_value(tmp_path):
    plan = write_plan([td("app", [
        {"name": "sidecar", "image": "envoy:1"},
        {"name": "web", "image": "web:1", "environment": [
            {"name": "MODE", "value": "prod"}, {"name": "PORT", "value": "8080"}, {"name": "DB_PASSWORD", "value": "hunter2"}],
         "secrets": [{"name": "API_TOKEN", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/app/api_token"}]},
    ])], tmp_path / "plan.json")
    [f] = scan([str(plan)], [EcsSecretInEnvironment()]).findings
    assert (f.address, f.container, f.path_text, f.status.value) == (
        "aws_ecs_task_definition.app", "web", "container_definitions[1].environment[2].value", "fail")
    assert "DB_PASSWORD" in f.message and "web" in f.message and "hunter2" not in f.message


def test_secret_like_name_with_unknown_value_is_unknown_other_names_are_not(tmp_path):
    plan = write_plan([td("app", [{"name": "web", "image": "web:1", "environment": [
        {"name": "DB_HOST", "value": None}, {"name": "DB_PASSWORD", "value": None}]}],
        unknown={"container_definitions": [{"environment": [{"value": True}, {"value": True}]}]})], tmp_path / "plan.json")
    findings = [(f.status.value, f.path_text) for f in scan([str(plan)], [EcsSecretInEnvironment()]).findings]
    assert findings == [("unknown", "container_definitions[0].environment[1].value")]


# The secret must not reach any output ------------------------------------------------------------

PLAIN_SECRETS = {
    "DB_PASSWORD": "hunter2-Zq9",
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "BACKUP": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "NOTIFY": "xoxb-000000000000-000000000000-FakeFakeFake",
}
SENSITIVE_SECRET = "marked-sensitive-Qw7"


def test_no_report_format_prints_a_secret(tmp_path):
    env = [{"name": k, "value": v} for k, v in PLAIN_SECRETS.items()]
    plan = write_plan([
        td("plain", [{"name": "web", "image": "web:1", "environment": env,
                      "dockerLabels": {"com.example.db-password": "label-hunter2"}}]),
        td("marked", [{"name": "web", "image": "web:1", "environment": [{"name": "APP_BLOB", "value": SENSITIVE_SECRET}]}],
           sensitive={"container_definitions": True}),
        td("marked_value", [{"name": "web", "image": "web:1", "environment": [{"name": "OPAQUE", "value": "opaque-Vb4"}]}],
           sensitive={"container_definitions": [{"environment": [{"value": True}]}]}),
        {"address": "aws_ssm_parameter.db", "values": {"name": "/app/db_password", "type": "String", "value": "ssm-hunter2"},
         "sensitive": {"value": True}},
    ], tmp_path / "plan.json")
    report = scan([str(plan)], [r() for r in SECRET_RULES])
    assert {(f.rule, f.address, f.path_text) for f in report.findings} >= {
        ("ecs-secret-in-environment", "aws_ecs_task_definition.plain", "container_definitions[0].environment[0].value"),
        ("ecs-secret-in-environment", "aws_ecs_task_definition.plain", "container_definitions[0].dockerLabels.com.example.db-password"),
        ("ecs-secret-in-environment", "aws_ecs_task_definition.marked_value", "container_definitions[0].environment[0].value"),
        ("ssm-secret-not-securestring", "aws_ssm_parameter.db", "type"),
    }
    secrets = [*PLAIN_SECRETS.values(), "label-hunter2", SENSITIVE_SECRET, "opaque-Vb4", "ssm-hunter2"]
    assert FORMATS  # every registered format, whatever they are
    for fmt in FORMATS:
        for color in (False, True):
            out = render(report, fmt, color=color)
            assert "DB_PASSWORD" in out  # the finding is there, by name
            for secret in secrets:
                assert secret not in out, f"{fmt} output shows a secret"
                assert secret.replace("/", "\\/") not in out


# Rotation -------------------------------------------------------------------------------------


def test_rotation_whose_secret_is_unknown_makes_unrotated_secrets_unknown(tmp_path):
    plan = write_plan([
        {"address": "aws_secretsmanager_secret.db", "values": {"name": "app/db"}},
        {"address": "aws_secretsmanager_secret_rotation.elsewhere", "values": {"secret_id": None},
         "unknown": {"secret_id": True}, "references": {"secret_id": ["var.secret_id"]}},
    ], tmp_path / "plan.json")
    findings = [(f.status.value, f.address) for f in scan([str(plan)], [SecretsmanagerRotationDisabled()]).findings]
    assert findings == [("unknown", "aws_secretsmanager_secret.db")]


def test_rotation_is_found_inside_its_module_instance(tmp_path):
    plan = write_plan([
        {"address": 'module.secret["db"].aws_secretsmanager_secret.this', "values": {"name": "app/db"}, "unknown": {"id": True}},
        {"address": 'module.secret["db"].aws_secretsmanager_secret_rotation.this',
         "values": {"rotation_lambda_arn": "arn:aws:lambda:us-east-1:123456789012:function:rotate"},
         "unknown": {"secret_id": True}, "references": {"secret_id": ["aws_secretsmanager_secret.this.id"]}},
        {"address": "module.other.aws_secretsmanager_secret.this", "values": {"name": "app/other"}, "unknown": {"id": True}},
    ], tmp_path / "plan.json")
    findings = [(f.status.value, f.address) for f in scan([str(plan)], [SecretsmanagerRotationDisabled()]).findings]
    assert findings == [("fail", "module.other.aws_secretsmanager_secret.this")]


# Plans made by real Terraform -------------------------------------------------------------------

REAL_EXPECTED = {
    "ecs_insecure": [
        ("ecs-secret-in-environment", "aws_ecs_task_definition.bad_fargate", "fail", "container_definitions[0].environment[0].value"),
        ("ecs-secret-in-environment", "aws_ecs_task_definition.bad_host", "fail", "container_definitions[0].environment[0].value"),
        ("secretsmanager-rotation-disabled", "aws_secretsmanager_secret.bad_db", "fail", ""),
        ("ssm-secret-not-securestring", "aws_ssm_parameter.bad_db_password", "fail", "type"),
    ],
    # good_app's secret ARN is created in the same plan, so its whole container_definitions
    # is unknown: that is an unknown finding (never a pass), and the only one.
    "ecs_hardened": [
        ("ecs-secret-in-environment", "aws_ecs_task_definition.good_app", "unknown", "container_definitions"),
    ],
}


@pytest.mark.parametrize("name", sorted(REAL_EXPECTED))
def test_real_plans(name):
    path = REAL / f"{name}.json"
    if not path.exists():
        pytest.skip(f"{path} has not been generated")
    report = scan([str(path)], [r() for r in SECRET_RULES])
    assert not report.errors, [e.line() for e in report.errors]
    actual = sorted((f.rule, f.address, f.status.value, f.path_text) for f in report.findings)
    assert actual == sorted(REAL_EXPECTED[name])


def test_real_insecure_plan_never_shows_the_password():
    path = REAL / "ecs_insecure.json"
    if not path.exists():
        pytest.skip(f"{path} has not been generated")
    report = scan([str(path)], [r() for r in SECRET_RULES])
    for fmt in FORMATS:
        out = render(report, fmt)
        if fmt == "sarif":
            # SARIF carries each rule's documentation, whose example happens to use the
            # same password as this plan: static text, checked apart from the results.
            import json

            log = json.loads(out)
            driver = log["runs"][0]["tool"]["driver"]
            assert "hunter2" in {r["id"]: r for r in driver["rules"]}["ecs-secret-in-environment"]["help"]["markdown"]
            assert "hunter2" in next(r for r in SECRET_RULES if r.meta.id == "ecs-secret-in-environment").docs()
            driver["rules"] = []
            out = json.dumps(log)
        assert "DB_PASSWORD" in out and "API_TOKEN" in out
        assert "hunter2" not in out and "not-a-real-token" not in out


@pytest.mark.parametrize(
    "name, value, kind",
    [
        ("SECRET_KEY_BASE", "abc123weak", "secret-like name with a literal value"),
        ("AUTH_HEADER", "Basic dXNlcjpwYXNzd29yZA==", "HTTP credentials"),
        ("UPSTREAM_AUTH", "Bearer 9f8e7d6c5b4a39281706f5e4", "HTTP credentials"),
        ("ORACLE_URL", "jdbc:oracle:thin:scott/tiger@db.example.com:1521:ORCL", "connection string with a password"),
        ("DOCKER_AUTH_CONFIG", '{"auths":{"registry.example.com":{"auth":"dXNlcjpwYXNz"}}}', "registry credentials"),
    ],
)
def test_more_secret_shapes(name, value, kind):
    assert classify(name, value) == kind


@pytest.mark.parametrize(
    "name, value",
    [
        ("AUTH_SCHEME", "Basic"),
        ("AUTH_HEADER_NAME", "Authorization"),
        ("NOTE", "Basic setup, see docs"),
        ("ORACLE_URL", "jdbc:oracle:thin:@db.example.com:1521:ORCL"),
        ("SECRET_KEY_BASE_PATH", "/run/secrets/key_base"),
        ("DOCKER_CONFIG", "/root/.docker"),
    ],
)
def test_look_alikes_of_those_shapes_are_not_secrets(name, value):
    assert classify(name, value) is None
