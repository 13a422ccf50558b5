"""Generate realistic large `terraform show -json` plans for benchmarking tfecs.

The estate is what large ECS shops run: one `module.svc["<name>"]` instance per
service (task definition with several containers, service, task and execution roles,
inline and managed policies, count-indexed attachments and security-group rules,
log group, target group, alarms, SSM parameter and secret), `module.ecr["<repo>"]`
repositories, a `module.platform["<team>"]` of resources tfecs does not look at
(Lambda, DynamoDB, S3, SNS, SQS, ...), and a root module with the VPC, cluster, load
balancer, CloudTrail, GuardDuty, and a CI role with thousands of policy attachments
and a shared security group with thousands of rules, which its `ingress` in the state
lists again (the cross-reference stress case).

Every resource change carries what real plans carry: `before` for updates, deletes,
replacements and no-ops (which most resources of a big estate are), `after_unknown`
trees for values known only after apply (whole `container_definitions` of new
services included), `after_sensitive` / `before_sensitive` trees (SSM values, secret
strings, some task definitions built from sensitive variables), `planned_values`,
`prior_state` (with data sources read during plan) and a `configuration` block whose
expressions reference `var.*`, module outputs and count-indexed resources.

    python bench/genplan.py 10000 -o /tmp/plan-10k.json

Deterministic for a given size and seed.
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass, field
from typing import Any

# Bump when the shape changes, so cached plans are regenerated.
GENERATOR_VERSION = 4

ACCOUNT = "123456789012"
REGION = "eu-west-1"
PROVIDER = "registry.terraform.io/hashicorp/aws"
ECR_HOST = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
WORDS = (
    "billing checkout catalog search orders payments ledger invoices users auth profile "
    "inventory shipping pricing quotes reports audit notify email sms gateway api web "
    "admin export import media images thumbs feed ranking recs cart wishlist reviews "
    "ratings loyalty coupons tax fraud risk kyc onboarding support tickets chat"
).split()
# Actions of a whole service unit, as a large estate's plan shows them: most of it
# unchanged, some updates, a few new, removed and replaced services.
UNIT_STATES = (("no-op", 70), ("update", 14), ("create", 9), ("delete", 4), ("replace", 3))
# The dense shape: every resource in scope, most of them new or changed, so nearly every
# rule judges both sides of the gate and thousands of findings are rendered.
DENSE_STATES = (("create", 45), ("update", 25), ("replace", 10), ("no-op", 15), ("delete", 5))
# What a service unit holds that no rule looks at; the dense shape leaves it out.
OUT_OF_SCOPE = frozenset({
    "aws_cloudwatch_metric_alarm", "aws_appautoscaling_policy", "aws_appautoscaling_target",
    "aws_route53_record", "aws_lb_target_group", "aws_cloudwatch_log_group", "aws_s3_bucket",
})


def cjson(value: Any) -> str:
    """JSON as Terraform's jsonencode writes it: compact, keys sorted."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


@dataclass
class Res:
    """One resource instance: its values on both sides and how the plan marks them."""

    module: str  # module instance address, "" for root
    type: str
    name: str
    index: Any = None  # count index (int) or for_each key (str)
    mode: str = "managed"
    before: dict | None = None
    after: dict | None = None
    actions: tuple[str, ...] = ("no-op",)
    unknown: dict = field(default_factory=dict)
    sensitive: Any = field(default_factory=dict)
    before_sensitive: Any = field(default_factory=dict)

    @property
    def local_address(self) -> str:
        base = f"data.{self.type}.{self.name}" if self.mode == "data" else f"{self.type}.{self.name}"
        if self.index is None:
            return base
        return f"{base}[{self.index}]" if isinstance(self.index, int) else f'{base}["{self.index}"]'

    @property
    def address(self) -> str:
        return f"{self.module}.{self.local_address}" if self.module else self.local_address


def _arn(service: str, resource: str, region: str = REGION) -> str:
    return f"arn:aws:{service}:{region}:{ACCOUNT}:{resource}"


def _tags(rng: random.Random, name: str, team: str) -> dict:
    return {"Name": name, "Team": team, "Environment": "prod", "ManagedBy": "terraform", "CostCenter": f"cc-{rng.randint(100, 999)}"}


class Estate:
    """Builds the resources of the estate, then the plan document around them."""

    def __init__(self, size: int, seed: int = 0, dense: bool = False):
        self.size = size
        self.dense = dense
        self.states = DENSE_STATES if dense else UNIT_STATES
        self.rng = random.Random(seed)
        self.resources: list[Res] = []
        self.config_root: dict = {"resources": [], "module_calls": {}}
        self.module_configs: dict[str, dict] = {}  # call name -> module config

    # Applying a unit's state to one resource ----------------------------------------
    def add(self, res: Res, values: dict, state: str, *, computed: tuple[str, ...] = ("id", "arn"),
            changed: dict | None = None, unknown_extra: dict | None = None, sensitive: dict | None = None) -> Res:
        """`values` are the resource's values as they exist (or will exist). `computed`
        attributes are unknown when the resource is (re)created; `changed` are the
        attributes an update or a replacement sets to new values."""
        if self.dense and res.type in OUT_OF_SCOPE:
            return res
        sens = {"tags": {}, "tags_all": {}, **(sensitive or {})}
        if state == "no-op":
            res.actions, res.before, res.after = ("no-op",), values, values
            res.sensitive = res.before_sensitive = sens
        elif state == "update":
            if changed is None and "tags" in values:
                tags = {**(values.get("tags") or {}), "Revision": "2"}
                changed = {"tags": tags, "tags_all": tags}
            after = {**values, **(changed or {})}
            res.actions, res.before, res.after = ("update",), values, after
            res.sensitive = res.before_sensitive = sens
        elif state == "delete":
            res.actions, res.before, res.after = ("delete",), values, None
            res.before_sensitive, res.sensitive = sens, False
        elif state in ("create", "replace"):
            after = {k: v for k, v in {**values, **(changed or {})}.items() if k not in computed}
            unknown = {k: True for k in computed}
            for k, v in (unknown_extra or {}).items():
                unknown[k] = v
                if v is True:
                    after.pop(k, None)
            res.after, res.unknown, res.sensitive = after, unknown, sens
            if state == "create":
                res.actions = ("create",)
            else:
                res.actions = ("delete", "create") if self.rng.random() < 0.8 else ("create", "delete")
                res.before, res.before_sensitive = values, sens
        else:  # pragma: no cover
            raise ValueError(state)
        self.resources.append(res)
        return res

    def pick_state(self) -> str:
        roll = self.rng.uniform(0, 100)
        for state, weight in self.states:
            if roll < weight:
                return state
            roll -= weight
        return "no-op"

    # Container definitions and policies ---------------------------------------------
    def image(self, repo: str) -> str:
        r = self.rng.random()
        if r < 0.55:
            return f"{ECR_HOST}/{repo}:v{self.rng.randint(1, 9)}.{self.rng.randint(0, 40)}.{self.rng.randint(0, 9)}"
        if r < 0.65:
            return f"{ECR_HOST}/{repo}:latest"
        if r < 0.75:
            return f"{ECR_HOST}/{repo}@sha256:{self.rng.getrandbits(256):064x}"
        if r < 0.85:
            return self.rng.choice(("nginx:1.25", "redis:7-alpine", "registry.internal:5000/base/app", "ghcr.io/acme/app:2.1"))
        return f"public.ecr.aws/docker/library/{repo}:{self.rng.randint(1, 20)}"

    def containers(self, key: str, repo: str, secret_arn: str, param_arn: str) -> list[dict]:
        rng = self.rng
        app: dict[str, Any] = {
            "name": "app",
            "image": self.image(repo),
            "essential": True,
            "cpu": 0,
            "memoryReservation": rng.choice((256, 512, 1024)),
            "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
            "environment": [{"name": f"APP_{w.upper()}", "value": f"{w}-{rng.randint(1, 999)}"} for w in rng.sample(WORDS, 8)]
            + [{"name": "LOG_LEVEL", "value": rng.choice(("info", "debug", "warn"))}],
            "secrets": [
                {"name": "DB_PASSWORD", "valueFrom": f"{secret_arn}:password::"},
                {"name": "APP_CONFIG", "valueFrom": param_arn},
            ],
            "logConfiguration": {
                "logDriver": "awsfirelens" if rng.random() < 0.3 else "awslogs",
                "options": {"awslogs-group": f"/ecs/{key}", "awslogs-region": REGION, "awslogs-stream-prefix": "app"},
            },
            "healthCheck": {"command": ["CMD-SHELL", "curl -fsS http://localhost:8080/health || exit 1"], "interval": 30, "retries": 3, "timeout": 5},
            "mountPoints": [],
            "volumesFrom": [],
            "systemControls": [],
        }
        r = rng.random()
        if r < 0.5:
            app["readonlyRootFilesystem"] = True
        elif r < 0.6:
            app["readonlyRootFilesystem"] = False
        r = rng.random()
        if r < 0.5:
            app["user"] = rng.choice(("1000", "1000:1000", "app"))
        elif r < 0.55:
            app["user"] = rng.choice(("root", "0:0"))
        r = rng.random()
        if r < 0.4:
            app["linuxParameters"] = {"capabilities": {"add": [], "drop": ["ALL"]}, "initProcessEnabled": True}
        elif r < 0.45:
            app["linuxParameters"] = {"capabilities": {"add": [rng.choice(("SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE"))], "drop": []}}
        if rng.random() < 0.02:
            app["privileged"] = True
        if rng.random() < 0.03:
            app["dockerSecurityOptions"] = ["seccomp:unconfined"]
        if rng.random() < 0.05:
            app["environment"].append({"name": "API_TOKEN", "value": f"tok_{rng.getrandbits(96):024x}"})
        if rng.random() < 0.1:
            app["mountPoints"] = [{"sourceVolume": "data", "containerPath": "/data", "readOnly": False}]
        out = [app]
        if rng.random() < 0.6:
            out.append(
                {
                    "name": "log-router",
                    "image": "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable",
                    "essential": True,
                    "firelensConfiguration": {"type": "fluentbit", "options": {"enable-ecs-log-metadata": "true"}},
                    "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": f"/ecs/{key}/firelens", "awslogs-region": REGION, "awslogs-stream-prefix": "firelens"}},
                    "memoryReservation": 50,
                    "user": "0",
                    "mountPoints": [],
                    "portMappings": [],
                    "environment": [],
                    "volumesFrom": [],
                }
            )
        if rng.random() < 0.5:
            out.append(
                {
                    "name": "datadog-agent",
                    "image": "datadog/agent:7",
                    "essential": False,
                    "environment": [
                        {"name": "ECS_FARGATE", "value": "true"},
                        {"name": "DD_SITE", "value": "datadoghq.eu"},
                        {"name": "DD_APM_ENABLED", "value": "true"},
                    ],
                    "secrets": [{"name": "DD_API_KEY", "valueFrom": f"{secret_arn}:dd_api_key::"}],
                    "portMappings": [{"containerPort": 8126, "hostPort": 8126, "protocol": "tcp"}],
                    "mountPoints": [],
                    "volumesFrom": [],
                }
            )
        if rng.random() < 0.2:
            out.append(
                {
                    "name": "xray",
                    "image": "public.ecr.aws/xray/aws-xray-daemon:3.3.7",
                    "essential": False,
                    "cpu": 32,
                    "memoryReservation": 256,
                    "portMappings": [{"containerPort": 2000, "hostPort": 2000, "protocol": "udp"}],
                    "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": f"/ecs/{key}/xray", "awslogs-region": REGION, "awslogs-stream-prefix": "xray"}},
                    "readonlyRootFilesystem": True,
                    "user": "1337",
                }
            )
        return out

    def policy(self, key: str, bucket: str, table: str) -> dict:
        rng = self.rng
        statements = [
            {"Sid": "ReadAssets", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]},
            {"Sid": "Table", "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"], "Resource": _arn("dynamodb", f"table/{table}")},
            {"Sid": "Queue", "Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"], "Resource": _arn("sqs", f"{key}-jobs")},
            {"Effect": "Allow", "Action": "xray:PutTraceSegments", "Resource": "*"},
        ]
        r = rng.random()
        if r < 0.05:
            statements.append({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
        elif r < 0.07:
            statements.append({"Effect": "Allow", "Action": "*", "Resource": "*"})
        elif r < 0.1:
            statements.append({"Effect": "Allow", "Action": ["iam:PassRole"], "Resource": "*"})
        elif r < 0.13:
            statements.append({"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "kms:Decrypt"], "Resource": "*"})
        return {"Version": "2012-10-17", "Statement": statements}

    @staticmethod
    def trust(service: str, condition: bool) -> dict:
        st: dict[str, Any] = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
        if condition:
            st["Condition"] = {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
        return {"Version": "2012-10-17", "Statement": [st]}

    # One service --------------------------------------------------------------------
    def service_unit(self, key: str, repo: str, state: str | None = None) -> None:
        rng = self.rng
        state = state or self.pick_state()
        mod = f'module.svc["{key}"]'
        name = f"{key}-prod"
        tags = _tags(rng, name, key)
        tag_state = {"tags": tags, "tags_all": tags}
        # Within an updated service only some resources change; the rest are no-op.
        sub = (lambda p: "update" if rng.random() < p else "no-op") if state == "update" else (lambda p: state)

        secret_arn = _arn("secretsmanager", f"secret:{name}/db-AbCdEf")
        param_arn = _arn("ssm", f"parameter/{name}/config")
        log_group = f"/ecs/{key}"
        bucket = f"acme-{name}-assets"
        table = f"{name}-state"
        task_role = f"{name}-task"
        exec_role = f"{name}-exec"

        # IAM ----------------------------------------------------------------------
        def role(rname: str, trust_cond: bool) -> dict:
            return {
                "arn": _arn("iam", f"role/{rname}", region=""),
                "assume_role_policy": cjson(self.trust("ecs-tasks.amazonaws.com", trust_cond)),
                "create_date": "2024-03-11T09:21:44Z",
                "description": f"ECS role for {key}",
                "force_detach_policies": False,
                "id": rname,
                "inline_policy": [],
                "managed_policy_arns": [],
                "max_session_duration": 3600,
                "name": rname,
                "name_prefix": "",
                "path": "/",
                "permissions_boundary": None,
                "unique_id": f"AROA{rng.getrandbits(64):016X}",
                **tag_state,
            }

        computed_role = ("arn", "id", "unique_id", "create_date", "inline_policy", "managed_policy_arns", "tags_all")
        self.add(Res(mod, "aws_iam_role", "task", 0), role(task_role, rng.random() < 0.5), sub(0.05), computed=computed_role)
        self.add(Res(mod, "aws_iam_role", "execution", 0), role(exec_role, False), sub(0.05), computed=computed_role)
        doc = self.policy(key, bucket, table)
        doc_json = cjson(doc)
        policy_state = sub(0.3)
        self.add(
            Res(mod, "aws_iam_role_policy", "task", 0),
            {"id": f"{task_role}:{key}", "name": key, "name_prefix": "", "policy": doc_json, "role": task_role},
            policy_state,
            computed=("id",),
            changed={"policy": cjson(self.policy(key, bucket, table))},
            # A new service's policy comes from a data source not read until apply.
            unknown_extra={"policy": True} if state == "create" else None,
        )
        pdoc = {
            "id": str(rng.getrandbits(32)),
            "json": json.dumps(doc, indent=2),
            "minified_json": doc_json,
            "statement": [
                {"actions": st["Action"] if isinstance(st["Action"], list) else [st["Action"]], "condition": [], "effect": st["Effect"],
                 "not_actions": [], "not_principals": [], "not_resources": [], "principals": [],
                 "resources": st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]], "sid": st.get("Sid", "")}
                for st in doc["Statement"]
            ],
            "version": "2012-10-17",
        }
        data = Res(mod, "aws_iam_policy_document", "task", mode="data")
        if state == "create":
            data.actions, data.after, data.unknown = ("read",), {k: v for k, v in pdoc.items() if k not in ("id", "json", "minified_json")}, {"id": True, "json": True, "minified_json": True}
        else:
            data.actions, data.after = ("read",), pdoc
        data.sensitive = {}
        self.resources.append(data)

        extra_policy_arn = _arn("iam", f"policy/{name}-extra", region="")
        self.add(
            Res(mod, "aws_iam_policy", "extra"),
            {
                "arn": extra_policy_arn,
                "attachment_count": 1,
                "description": "",
                "id": extra_policy_arn,
                "name": f"{name}-extra",
                "name_prefix": "",
                "path": "/",
                "policy": cjson({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["ssm:GetParameter", "ssm:GetParameters"], "Resource": param_arn}, {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": secret_arn}]}),
                "policy_id": f"ANPA{rng.getrandbits(64):016X}",
                **tag_state,
            },
            sub(0.05),
            computed=("arn", "id", "policy_id", "attachment_count", "tags_all"),
        )
        for i, parn in enumerate(("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy", extra_policy_arn)):
            self.add(
                Res(mod, "aws_iam_role_policy_attachment", "execution", i),
                {"id": f"{exec_role}-{rng.getrandbits(40):010x}", "policy_arn": parn, "role": exec_role},
                sub(0.0),
                computed=("id",),
                unknown_extra={"policy_arn": True} if state == "create" and i == 1 else None,
            )
        if rng.random() < 0.01:
            self.add(
                Res(mod, "aws_iam_role_policy_attachment", "task_admin", 0),
                {"id": f"{task_role}-admin", "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess", "role": task_role},
                sub(0.0),
                computed=("id",),
            )

        # Network ------------------------------------------------------------------
        sg_id = f"sg-{rng.getrandbits(64):017x}"
        egress = [{"cidr_blocks": ["0.0.0.0/0"], "description": "", "from_port": 0, "ipv6_cidr_blocks": [], "prefix_list_ids": [], "protocol": "-1", "security_groups": [], "self": False, "to_port": 0}]
        ingress = []
        if rng.random() < 0.1:
            ingress.append({"cidr_blocks": ["0.0.0.0/0"], "description": "debug", "from_port": 22, "ipv6_cidr_blocks": [], "prefix_list_ids": [], "protocol": "tcp", "security_groups": [], "self": False, "to_port": 22})
        rules = ((8080, "10.0.0.0/16"), (8126, "10.0.0.0/16"), (443, "0.0.0.0/0" if rng.random() < 0.05 else "10.20.0.0/16"))
        if state != "create":
            # An existing group's state lists the permissions its rule resources created too.
            ingress += [_ingress_entry(port, cidr, f"port {port}") for port, cidr in rules]
        self.add(
            Res(mod, "aws_security_group", "this", 0),
            {"arn": _arn("ec2", f"security-group/{sg_id}"), "description": f"{key} tasks", "egress": egress, "id": sg_id, "ingress": ingress,
             "name": f"{name}-tasks", "name_prefix": "", "owner_id": ACCOUNT, "revoke_rules_on_delete": False, "timeouts": None, "vpc_id": "vpc-0a1b2c3d4e5f60718", **tag_state},
            sub(0.05),
            computed=("arn", "id", "owner_id", "tags_all"),
        )
        for i, (port, cidr) in enumerate(rules):
            self.add(
                Res(mod, "aws_security_group_rule", "ingress", i),
                {"cidr_blocks": [cidr], "description": f"port {port}", "from_port": port, "id": f"sgrule-{rng.getrandbits(32)}", "ipv6_cidr_blocks": [],
                 "prefix_list_ids": [], "protocol": "tcp", "security_group_id": sg_id, "security_group_rule_id": f"sgr-{rng.getrandbits(64):017x}",
                 "self": False, "source_security_group_id": None, "timeouts": None, "to_port": port, "type": "ingress"},
                sub(0.05),
                computed=("id", "security_group_rule_id"),
                unknown_extra={"security_group_id": True} if state == "create" else None,
            )
        self.add(
            Res(mod, "aws_vpc_security_group_ingress_rule", "lb"),
            {"arn": _arn("ec2", f"security-group-rule/sgr-{rng.getrandbits(64):017x}"), "cidr_ipv4": None, "cidr_ipv6": None, "description": "from the load balancer",
             "from_port": 8080, "id": f"sgr-{rng.getrandbits(64):017x}", "ip_protocol": "tcp", "prefix_list_id": None,
             "referenced_security_group_id": "sg-0lb0000000000000a", "security_group_id": sg_id, "security_group_rule_id": f"sgr-{rng.getrandbits(64):017x}", "tags": None, "tags_all": {}, "to_port": 8080},
            sub(0.0),
            computed=("arn", "id", "security_group_rule_id"),
            unknown_extra={"security_group_id": True} if state == "create" else None,
        )

        # Secrets ------------------------------------------------------------------
        self.add(
            Res(mod, "aws_secretsmanager_secret", "db"),
            {"arn": secret_arn, "description": f"{key} database", "force_overwrite_replica_secret": False, "id": secret_arn, "kms_key_id": "",
             "name": f"{name}/db", "name_prefix": "", "policy": "", "recovery_window_in_days": 30, "replica": [], **tag_state},
            sub(0.0),
            computed=("arn", "id", "tags_all"),
        )
        secret_value = cjson({"password": f"pw-{rng.getrandbits(80):020x}", "dd_api_key": f"{rng.getrandbits(128):032x}"})
        self.add(
            Res(mod, "aws_secretsmanager_secret_version", "db"),
            {"arn": secret_arn, "id": f"{secret_arn}|{rng.getrandbits(64):016x}", "secret_binary": "", "secret_id": secret_arn,
             "secret_string": secret_value, "version_id": f"{rng.getrandbits(64):016x}", "version_stages": ["AWSCURRENT"]},
            sub(0.1),
            computed=("arn", "id", "version_id", "version_stages"),
            changed={"secret_string": cjson({"password": f"pw-{rng.getrandbits(80):020x}", "dd_api_key": f"{rng.getrandbits(128):032x}"})},
            sensitive={"secret_binary": True, "secret_string": True},
        )
        self.add(
            Res(mod, "aws_ssm_parameter", "config"),
            {"allowed_pattern": "", "arn": param_arn, "data_type": "text", "description": f"{key} runtime configuration", "id": f"/{name}/config",
             "insecure_value": None, "key_id": "alias/aws/ssm", "name": f"/{name}/config", "overwrite": None, "tier": "Standard",
             "type": "SecureString" if rng.random() < 0.8 else "String", "value": cjson({"feature_flags": rng.sample(WORDS, 3), "pool": rng.randint(5, 50)}),
             "version": rng.randint(1, 30), **tag_state},
            sub(0.1),
            computed=("arn", "id", "version", "tags_all"),
            sensitive={"value": True},
        )

        # ECS ----------------------------------------------------------------------
        containers = self.containers(key, repo, secret_arn, param_arn)
        family = name
        revision = rng.randint(1, 400)
        td_values = {
            "arn": _arn("ecs", f"task-definition/{family}:{revision}"),
            "arn_without_revision": _arn("ecs", f"task-definition/{family}"),
            "container_definitions": cjson(containers),
            "cpu": str(rng.choice((256, 512, 1024, 2048))),
            "enable_fault_injection": False,
            "ephemeral_storage": [],
            "execution_role_arn": _arn("iam", f"role/{exec_role}", region=""),
            "family": family,
            "id": family,
            "inference_accelerator": [],
            "ipc_mode": None,
            "memory": str(rng.choice((512, 1024, 2048, 4096))),
            "network_mode": "awsvpc" if rng.random() < 0.9 else rng.choice(("bridge", "host")),
            "pid_mode": "host" if rng.random() < 0.02 else None,
            "placement_constraints": [],
            "proxy_configuration": [],
            "requires_compatibilities": ["FARGATE"] if rng.random() < 0.8 else ["EC2"],
            "revision": revision,
            "runtime_platform": [{"cpu_architecture": rng.choice(("X86_64", "ARM64")), "operating_system_family": "LINUX"}],
            "skip_destroy": False,
            "task_role_arn": _arn("iam", f"role/{task_role}", region=""),
            "track_latest": False,
            "volume": [{"configure_at_launch": False, "docker_volume_configuration": [], "efs_volume_configuration": [], "fsx_windows_file_server_authorization_config": [], "host_path": "", "name": "data"}]
            if any(c.get("mountPoints") for c in containers) else [],
            **tag_state,
        }
        td_sensitive = {"container_definitions": True} if rng.random() < 0.05 else {}
        td_state = "replace" if state == "update" and rng.random() < 0.7 else sub(0.0)
        new_containers = [dict(c) for c in containers]
        new_containers[0]["image"] = self.image(repo)
        td_unknown = {"arn": True, "arn_without_revision": True, "id": True, "revision": True, "tags_all": True}
        if state == "create" or (td_state == "replace" and rng.random() < 0.3):
            # Built from resources created in the same plan: the JSON is not known yet.
            td_unknown.update(container_definitions=True, task_role_arn=True, execution_role_arn=True)
        self.add(
            Res(mod, "aws_ecs_task_definition", "this"),
            td_values,
            td_state,
            computed=(),
            changed={"container_definitions": cjson(new_containers), "revision": revision + 1},
            unknown_extra=td_unknown,
            sensitive=td_sensitive,
        )
        self.add(
            Res(mod, "aws_ecs_service", "this"),
            {
                "alarms": [], "availability_zone_rebalancing": "DISABLED", "capacity_provider_strategy": [],
                "cluster": _arn("ecs", "cluster/prod"), "deployment_circuit_breaker": [{"enable": True, "rollback": True}],
                "deployment_controller": [{"type": "ECS"}], "deployment_maximum_percent": 200, "deployment_minimum_healthy_percent": 100,
                "desired_count": rng.randint(1, 12), "enable_ecs_managed_tags": True, "enable_execute_command": rng.random() < 0.15,
                "force_delete": None, "force_new_deployment": None, "health_check_grace_period_seconds": 60,
                "iam_role": "/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS", "id": _arn("ecs", f"service/prod/{name}"),
                "launch_type": "FARGATE", "load_balancer": [{"container_name": "app", "container_port": 8080, "elb_name": "", "target_group_arn": _arn("elasticloadbalancing", f"targetgroup/{name[:24]}/{rng.getrandbits(64):016x}")}],
                "name": name,
                "network_configuration": [{"assign_public_ip": rng.random() < 0.05, "security_groups": [sg_id], "subnets": ["subnet-0a1", "subnet-0b2", "subnet-0c3"]}],
                "ordered_placement_strategy": [], "placement_constraints": [], "platform_version": rng.choice(("LATEST", "LATEST", "1.4.0", "1.3.0")),
                "propagate_tags": "SERVICE", "scheduling_strategy": "REPLICA", "service_connect_configuration": [], "service_registries": [],
                "task_definition": f"{family}:{revision}", "timeouts": None, "triggers": {}, "volume_configuration": [], "vpc_lattice_configurations": [],
                "wait_for_steady_state": False, **tag_state,
            },
            "update" if td_state == "replace" else sub(0.0),
            computed=("id", "tags_all", "triggers"),
            changed={"task_definition": f"{family}:{revision + 1}", "desired_count": rng.randint(1, 12)},
            unknown_extra={"task_definition": True} if state == "create" or td_state == "replace" else None,
        )

        # Around the service (out of scope) ---------------------------------------
        self.add(Res(mod, "aws_cloudwatch_log_group", "this"),
                 {"arn": _arn("logs", f"log-group:{log_group}"), "id": log_group, "kms_key_id": "", "log_group_class": "STANDARD", "name": log_group,
                  "name_prefix": "", "retention_in_days": 30, "skip_destroy": False, **tag_state}, sub(0.05), computed=("arn", "id", "tags_all"))
        tg_arn = _arn("elasticloadbalancing", f"targetgroup/{name[:24]}/{rng.getrandbits(64):016x}")
        self.add(Res(mod, "aws_lb_target_group", "this"),
                 {"arn": tg_arn, "arn_suffix": tg_arn.split(":")[-1], "connection_termination": None, "deregistration_delay": "30",
                  "health_check": [{"enabled": True, "healthy_threshold": 3, "interval": 15, "matcher": "200", "path": "/health", "port": "traffic-port", "protocol": "HTTP", "timeout": 5, "unhealthy_threshold": 3}],
                  "id": tg_arn, "ip_address_type": "ipv4", "lambda_multi_value_headers_enabled": False, "load_balancing_algorithm_type": "round_robin", "name": name[:32],
                  "port": 8080, "protocol": "HTTP", "protocol_version": "HTTP1", "slow_start": 0, "stickiness": [{"cookie_duration": 86400, "cookie_name": "", "enabled": False, "type": "lb_cookie"}],
                  "target_type": "ip", "vpc_id": "vpc-0a1b2c3d4e5f60718", **tag_state}, sub(0.05), computed=("arn", "arn_suffix", "id", "tags_all"))
        self.add(Res(mod, "aws_lb_listener_rule", "this"),
                 {"action": [{"forward": [], "order": 1, "target_group_arn": tg_arn, "type": "forward"}], "arn": f"{tg_arn}/rule", "condition": [{"host_header": [{"values": [f"{key}.acme.example"]}], "path_pattern": []}],
                  "id": f"{tg_arn}/rule", "listener_arn": _arn("elasticloadbalancing", "listener/app/prod/abc/def"), "priority": rng.randint(1, 50000), **tag_state}, sub(0.05), computed=("arn", "id", "tags_all"))
        self.add(Res(mod, "aws_appautoscaling_target", "this"),
                 {"arn": None, "id": f"service/prod/{name}", "max_capacity": 20, "min_capacity": 2, "resource_id": f"service/prod/{name}", "role_arn": "", "scalable_dimension": "ecs:service:DesiredCount", "service_namespace": "ecs", **tag_state}, sub(0.0), computed=("id",))
        for metric in ("cpu", "memory"):
            self.add(Res(mod, "aws_appautoscaling_policy", metric),
                     {"alarm_arns": [], "arn": f"arn:aws:autoscaling:{REGION}:{ACCOUNT}:scalingPolicy:{rng.getrandbits(64):x}", "id": f"{name}-{metric}", "name": f"{name}-{metric}", "policy_type": "TargetTrackingScaling",
                      "resource_id": f"service/prod/{name}", "scalable_dimension": "ecs:service:DesiredCount", "service_namespace": "ecs", "step_scaling_policy_configuration": [],
                      "target_tracking_scaling_policy_configuration": [{"customized_metric_specification": [], "disable_scale_in": False, "predefined_metric_specification": [{"predefined_metric_type": f"ECSService{'CPU' if metric == 'cpu' else 'Memory'}Utilization", "resource_label": ""}], "scale_in_cooldown": 300, "scale_out_cooldown": 60, "target_value": 70}]},
                     sub(0.0), computed=("arn", "id", "alarm_arns"))
        for alarm in ("cpu-high", "memory-high", "5xx"):
            self.add(Res(mod, "aws_cloudwatch_metric_alarm", alarm.replace("-", "_")),
                     {"actions_enabled": True, "alarm_actions": [_arn("sns", "alerts")], "alarm_description": f"{key} {alarm}", "alarm_name": f"{name}-{alarm}", "arn": _arn("cloudwatch", f"alarm:{name}-{alarm}"),
                      "comparison_operator": "GreaterThanThreshold", "datapoints_to_alarm": 0, "dimensions": {"ClusterName": "prod", "ServiceName": name}, "evaluate_low_sample_count_percentiles": "",
                      "evaluation_periods": 3, "extended_statistic": "", "id": f"{name}-{alarm}", "insufficient_data_actions": [], "metric_name": "CPUUtilization", "metric_query": [], "namespace": "AWS/ECS",
                      "ok_actions": [], "period": 60, "statistic": "Average", "threshold": 85, "threshold_metric_id": "", "treat_missing_data": "missing", "unit": "", **tag_state},
                     sub(0.05), computed=("arn", "id", "tags_all"))
        self.add(Res(mod, "aws_route53_record", "this"),
                 {"alias": [{"evaluate_target_health": True, "name": "prod-123.eu-west-1.elb.amazonaws.com", "zone_id": "Z32O12XQLNTSW2"}], "allow_overwrite": None, "cidr_routing_policy": [], "failover_routing_policy": [],
                  "fqdn": f"{key}.acme.example", "geolocation_routing_policy": [], "health_check_id": "", "id": f"Z0ACME_{key}.acme.example_A", "latency_routing_policy": [], "multivalue_answer_routing_policy": False,
                  "name": f"{key}.acme.example", "records": [], "set_identifier": "", "ttl": 0, "type": "A", "weighted_routing_policy": [], "zone_id": "Z0ACME"}, sub(0.0), computed=("id", "fqdn"))

    # ECR ----------------------------------------------------------------------------
    def ecr_unit(self, repo: str) -> None:
        rng = self.rng
        state = self.pick_state()
        mod = f'module.ecr["{repo}"]'
        arn = _arn("ecr", f"repository/{repo}")
        tags = _tags(rng, repo, "platform")
        self.add(Res(mod, "aws_ecr_repository", "this"),
                 {"arn": arn, "encryption_configuration": [{"encryption_type": "KMS" if rng.random() < 0.3 else "AES256", "kms_key": ""}], "force_delete": None, "id": repo,
                  "image_scanning_configuration": [{"scan_on_push": rng.random() < 0.7}], "image_tag_mutability": "IMMUTABLE" if rng.random() < 0.6 else "MUTABLE",
                  "name": repo, "registry_id": ACCOUNT, "repository_url": f"{ECR_HOST}/{repo}", "tags": tags, "tags_all": tags, "timeouts": None},
                 state, computed=("arn", "id", "registry_id", "repository_url", "tags_all"),
                 changed={"image_tag_mutability": "IMMUTABLE"})
        if rng.random() < 0.8:
            self.add(Res(mod, "aws_ecr_lifecycle_policy", "this"),
                     {"id": repo, "policy": cjson({"rules": [{"rulePriority": 1, "description": "keep 30", "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 30}, "action": {"type": "expire"}}]}),
                      "registry_id": ACCOUNT, "repository": repo}, state if state != "update" else "no-op", computed=("id", "registry_id"))
        self.add(Res(mod, "aws_ecr_repository_policy", "this"),
                 {"id": repo, "policy": cjson({"Version": "2012-10-17", "Statement": [{"Sid": "pull", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"} if rng.random() < 0.95 else "*",
                                                                                      "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]}),
                  "registry_id": ACCOUNT, "repository": repo}, state if state != "update" else "no-op", computed=("id", "registry_id"))

    # Out of scope ---------------------------------------------------------------------
    def platform_unit(self, team: str, budget: int) -> int:
        """Resources tfecs does not model; returns how many were added."""
        rng = self.rng
        state = self.pick_state()
        mod = f'module.platform["{team}"]'
        tags = _tags(rng, team, team)
        tag_state = {"tags": tags, "tags_all": tags}
        sub = (lambda: "update" if rng.random() < 0.2 else "no-op") if state == "update" else (lambda: state)
        makers = [
            lambda i: (Res(mod, "aws_s3_bucket", "data", i), {"acceleration_status": "", "acl": None, "arn": f"arn:aws:s3:::acme-{team}-{i}", "bucket": f"acme-{team}-{i}", "bucket_domain_name": f"acme-{team}-{i}.s3.amazonaws.com",
                                                              "bucket_prefix": "", "bucket_regional_domain_name": f"acme-{team}-{i}.s3.{REGION}.amazonaws.com", "cors_rule": [], "force_destroy": False, "grant": [], "hosted_zone_id": "Z1BKCTXD74EZPE",
                                                              "id": f"acme-{team}-{i}", "lifecycle_rule": [], "logging": [], "object_lock_configuration": [], "object_lock_enabled": False, "policy": "", "region": REGION, "replication_configuration": [],
                                                              "request_payer": "BucketOwner", "server_side_encryption_configuration": [{"rule": [{"apply_server_side_encryption_by_default": [{"kms_master_key_id": "", "sse_algorithm": "AES256"}], "bucket_key_enabled": False}]}],
                                                              "timeouts": None, "versioning": [{"enabled": True, "mfa_delete": False}], "website": [], "website_domain": None, "website_endpoint": None, **tag_state}),
            lambda i: (Res(mod, "aws_s3_bucket_public_access_block", "data", i), {"block_public_acls": True, "block_public_policy": True, "bucket": f"acme-{team}-{i}", "id": f"acme-{team}-{i}", "ignore_public_acls": True, "restrict_public_buckets": True}),
            lambda i: (Res(mod, "aws_lambda_function", "worker", i), {"architectures": ["arm64"], "arn": _arn("lambda", f"function:{team}-worker-{i}"), "code_signing_config_arn": "", "dead_letter_config": [], "description": "",
                                                                   "environment": [{"variables": {"TABLE": f"{team}-{i}", "STAGE": "prod", "LOG_LEVEL": "info"}}], "ephemeral_storage": [{"size": 512}], "file_system_config": [],
                                                                   "filename": None, "function_name": f"{team}-worker-{i}", "handler": "index.handler", "id": f"{team}-worker-{i}", "image_config": [], "image_uri": "",
                                                                   "invoke_arn": f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{team}-worker-{i}/invocations", "kms_key_arn": "", "last_modified": "2024-05-02T10:00:00.000+0000",
                                                                   "layers": [], "memory_size": 256, "package_type": "Zip", "publish": False, "qualified_arn": _arn("lambda", f"function:{team}-worker-{i}:$LATEST"),
                                                                   "reserved_concurrent_executions": -1, "role": _arn("iam", f"role/{team}-lambda", region=""), "runtime": "nodejs20.x", "s3_bucket": "acme-artifacts", "s3_key": f"{team}/worker.zip",
                                                                   "source_code_hash": f"{rng.getrandbits(256):064x}", "source_code_size": rng.randint(1000, 900000), "timeout": 30, "tracing_config": [{"mode": "Active"}], "version": "$LATEST", "vpc_config": [], **tag_state}),
            lambda i: (Res(mod, "aws_dynamodb_table", "state", i), {"arn": _arn("dynamodb", f"table/{team}-{i}"), "attribute": [{"name": "pk", "type": "S"}, {"name": "sk", "type": "S"}], "billing_mode": "PAY_PER_REQUEST", "deletion_protection_enabled": True,
                                                                 "global_secondary_index": [], "hash_key": "pk", "id": f"{team}-{i}", "import_table": [], "local_secondary_index": [], "name": f"{team}-{i}", "point_in_time_recovery": [{"enabled": True}],
                                                                 "range_key": "sk", "read_capacity": 0, "replica": [], "restore_date_time": None, "server_side_encryption": [], "stream_arn": "", "stream_enabled": False, "stream_view_type": "",
                                                                 "table_class": "STANDARD", "timeouts": None, "ttl": [{"attribute_name": "", "enabled": False}], "write_capacity": 0, **tag_state}),
            lambda i: (Res(mod, "aws_sns_topic", "events", i), {"arn": _arn("sns", f"{team}-events-{i}"), "application_failure_feedback_role_arn": "", "content_based_deduplication": False, "delivery_policy": "", "display_name": "", "fifo_topic": False,
                                                               "id": _arn("sns", f"{team}-events-{i}"), "kms_master_key_id": "alias/aws/sns", "name": f"{team}-events-{i}", "name_prefix": "", "owner": ACCOUNT, "policy": "", "signature_version": 0, "tracing_config": "", **tag_state}),
            lambda i: (Res(mod, "aws_sqs_queue", "jobs", i), {"arn": _arn("sqs", f"{team}-jobs-{i}"), "content_based_deduplication": False, "deduplication_scope": "", "delay_seconds": 0, "fifo_queue": False, "fifo_throughput_limit": "", "id": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{team}-jobs-{i}",
                                                            "kms_data_key_reuse_period_seconds": 300, "kms_master_key_id": "", "max_message_size": 262144, "message_retention_seconds": 345600, "name": f"{team}-jobs-{i}", "name_prefix": "", "policy": "",
                                                            "receive_wait_time_seconds": 0, "redrive_allow_policy": "", "redrive_policy": "", "sqs_managed_sse_enabled": True, "url": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{team}-jobs-{i}", "visibility_timeout_seconds": 30, **tag_state}),
            lambda i: (Res(mod, "random_id", "suffix", i), {"b64_std": "q83vEg==", "b64_url": "q83vEg", "byte_length": 4, "dec": str(rng.getrandbits(32)), "hex": f"{rng.getrandbits(32):08x}", "id": "q83vEg", "keepers": None, "prefix": None}),
            lambda i: (Res(mod, "null_resource", "hook", i), {"id": str(rng.getrandbits(60)), "triggers": {"version": str(rng.randint(1, 99))}}),
        ]
        added = 0
        i = 0
        while added < budget:
            for make in makers:
                if added >= budget:
                    break
                res, values = make(i)
                self.add(res, values, sub(), computed=("arn", "id", "tags_all"))
                added += 1
            i += 1
        return added

    # Root module ----------------------------------------------------------------------
    def root(self, attachments: int, sg_rules: int) -> None:
        rng = self.rng
        tags = _tags(rng, "prod", "platform")
        tag_state = {"tags": tags, "tags_all": tags}
        self.add(Res("", "aws_vpc", "main"), {"arn": _arn("ec2", "vpc/vpc-0a1b2c3d4e5f60718"), "assign_generated_ipv6_cidr_block": False, "cidr_block": "10.0.0.0/16", "default_network_acl_id": "acl-0a", "default_route_table_id": "rtb-0a",
                                              "default_security_group_id": "sg-0default", "dhcp_options_id": "dopt-0a", "enable_dns_hostnames": True, "enable_dns_support": True, "enable_network_address_usage_metrics": False,
                                              "id": "vpc-0a1b2c3d4e5f60718", "instance_tenancy": "default", "ipv6_association_id": "", "ipv6_cidr_block": "", "main_route_table_id": "rtb-0a", "owner_id": ACCOUNT, **tag_state}, "no-op")
        for i, az in enumerate("abc"):
            self.add(Res("", "aws_subnet", "private", i), {"arn": _arn("ec2", f"subnet/subnet-0{az}"), "assign_ipv6_address_on_creation": False, "availability_zone": f"{REGION}{az}", "cidr_block": f"10.0.{i * 16}.0/20",
                                                         "id": f"subnet-0{az}", "map_public_ip_on_launch": False, "vpc_id": "vpc-0a1b2c3d4e5f60718", **tag_state}, "no-op")
        self.add(Res("", "aws_flow_log", "main"), {"arn": _arn("ec2", "vpc-flow-log/fl-0a"), "id": "fl-0a", "log_destination": _arn("logs", "log-group:/vpc/flow"), "log_destination_type": "cloud-watch-logs",
                                                   "traffic_type": "ALL", "vpc_id": "vpc-0a1b2c3d4e5f60718", "subnet_id": None, **tag_state}, "no-op")
        for svc in ("ecr.api", "ecr.dkr", "logs", "secretsmanager"):
            self.add(Res("", "aws_vpc_endpoint", svc.replace(".", "_")), {"arn": _arn("ec2", f"vpc-endpoint/vpce-{svc}"), "id": f"vpce-{svc}", "service_name": f"com.amazonaws.{REGION}.{svc}",
                                                                           "vpc_endpoint_type": "Interface", "vpc_id": "vpc-0a1b2c3d4e5f60718", "private_dns_enabled": True, **tag_state}, "no-op")
        self.add(Res("", "aws_ecs_cluster", "main"), {"arn": _arn("ecs", "cluster/prod"), "configuration": [{"execute_command_configuration": [{"kms_key_id": "", "log_configuration": [], "logging": "DEFAULT"}], "managed_storage_configuration": []}],
                                                      "id": _arn("ecs", "cluster/prod"), "name": "prod", "service_connect_defaults": [], "setting": [{"name": "containerInsights", "value": "enabled"}], **tag_state}, "update",
                 changed={"setting": [{"name": "containerInsights", "value": "disabled"}]})
        lb_arn = _arn("elasticloadbalancing", "loadbalancer/app/prod/abc")
        self.add(Res("", "aws_lb", "main"), {"arn": lb_arn, "drop_invalid_header_fields": False, "id": lb_arn, "internal": False, "load_balancer_type": "application", "name": "prod", **tag_state}, "no-op")
        for port, proto in ((80, "HTTP"), (443, "HTTPS")):
            self.add(Res("", "aws_lb_listener", proto.lower()), {"arn": f"{lb_arn}/{port}", "id": f"{lb_arn}/{port}", "load_balancer_arn": lb_arn, "port": port, "protocol": proto,
                                                                  "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06" if proto == "HTTPS" else "",
                                                                  "default_action": [{"type": "redirect" if proto == "HTTP" else "fixed-response", "redirect": [{"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}] if proto == "HTTP" else []}], **tag_state}, "no-op")
        self.add(Res("", "aws_cloudtrail", "main"), {"arn": _arn("cloudtrail", "trail/main"), "enable_log_file_validation": True, "enable_logging": True, "id": "main", "is_multi_region_trail": True, "name": "main", "s3_bucket_name": "acme-trail", **tag_state}, "no-op")
        self.add(Res("", "aws_guardduty_detector", "main"), {"arn": _arn("guardduty", "detector/abc"), "datasources": [], "enable": True, "finding_publishing_frequency": "SIX_HOURS", "id": "abc", **tag_state}, "no-op")
        # The stress case for cross-references: one role with thousands of attachments,
        # one security group with thousands of rules, all count-indexed.
        self.add(Res("", "aws_iam_role", "ci"), {"arn": _arn("iam", "role/ci", region=""), "assume_role_policy": cjson(self.trust("codebuild.amazonaws.com", False)), "id": "ci", "inline_policy": [],
                                                 "managed_policy_arns": [], "name": "ci", "path": "/", **tag_state}, "no-op")
        managed = ("ReadOnlyAccess", "AmazonS3ReadOnlyAccess", "AmazonEC2ContainerRegistryPowerUser", "CloudWatchLogsFullAccess", "AmazonECS_FullAccess")
        for i in range(attachments):
            state = "create" if rng.random() < 0.1 else "no-op"
            own = i % 3 == 0
            if own:
                parn = _arn("iam", f"policy/ci-{i}", region="")
                self.add(Res("", "aws_iam_policy", "ci", i), {"arn": parn, "id": parn, "name": f"ci-{i}", "path": "/", "policy": cjson({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"arn:aws:s3:::acme-ci-{i}/*"}]}), **tag_state},
                         state, computed=("arn", "id", "tags_all"))
            else:
                parn = f"arn:aws:iam::aws:policy/{managed[i % len(managed)]}"
            self.add(Res("", "aws_iam_role_policy_attachment", "ci", i), {"id": f"ci-{i}", "policy_arn": parn, "role": "ci"}, state, computed=("id",),
                     unknown_extra={"policy_arn": True} if own and state == "create" else None)
        sg_id = "sg-0shared000000000a"
        states = ["create" if rng.random() < 0.05 else "no-op" for _ in range(sg_rules)]
        cidrs = [f"10.{(i // 250) % 250}.{i % 250}.0/24" for i in range(sg_rules)]
        # The group's state copy of the permissions of its thousands of existing rules.
        mirrored = [_ingress_entry(1024 + i, cidrs[i], f"partner {i}") for i in range(sg_rules) if states[i] == "no-op"]
        self.add(Res("", "aws_security_group", "shared"), {"arn": _arn("ec2", f"security-group/{sg_id}"), "description": "shared", "egress": [], "id": sg_id, "ingress": mirrored, "name": "shared", "vpc_id": "vpc-0a1b2c3d4e5f60718", **tag_state}, "no-op")
        for i in range(sg_rules):
            port = 1024 + i
            self.add(Res("", "aws_security_group_rule", "shared", i), {"cidr_blocks": [cidrs[i]], "description": f"partner {i}", "from_port": port, "id": f"sgrule-s{i}", "ipv6_cidr_blocks": [],
                                                                      "prefix_list_ids": [], "protocol": "tcp", "security_group_id": sg_id, "self": False, "source_security_group_id": None, "to_port": port, "type": "ingress"},
                     states[i], computed=("id",))

    def dense_filler(self, count: int) -> None:
        """The last few changes of a dense plan: world-open rules on the shared group."""
        for i in range(count):
            port = 20000 + i
            self.add(Res("", "aws_security_group_rule", "extra", i), {"cidr_blocks": ["0.0.0.0/0"], "description": f"extra {i}", "from_port": port, "id": f"sgrule-x{i}", "ipv6_cidr_blocks": [],
                                                                     "prefix_list_ids": [], "protocol": "tcp", "security_group_id": "sg-0shared000000000a", "self": False, "source_security_group_id": None,
                                                                     "to_port": port, "type": "ingress"}, "create", computed=("id",))

    def filler(self, count: int) -> None:
        for i in range(count):
            name = f"filler-{i}"
            self.add(Res("", "aws_cloudwatch_log_group", "filler", i), {"arn": _arn("logs", f"log-group:/filler/{i}"), "id": f"/filler/{i}", "name": f"/filler/{i}", "retention_in_days": 7, "tags": {"Name": name}, "tags_all": {"Name": name}}, "no-op")

    # The plan -------------------------------------------------------------------------
    def build(self) -> dict:
        n = self.size
        per_service = 29  # managed resource changes of one service, about
        attachments = max(2, n // (400 if self.dense else 40))
        sg_rules = max(2, n // (400 if self.dense else 40))
        fixed = 21 + attachments + attachments // 3 + 1 + sg_rules
        budget = max(0, n - fixed)
        # Dense: services take the whole budget (with their repositories, about 1/12 more).
        services = max(1, int(budget * (0.92 if self.dense else 0.62)) // per_service)
        repos = max(1, services // 3)
        names = self._names(services)
        repo_names = [f"{names[i]}" for i in range(repos)]
        self.root(attachments, sg_rules)
        for i, key in enumerate(names):
            # The first services show every kind of change, however small the plan.
            forced = self.states[i][0] if i < len(self.states) else None
            self.service_unit(key, repo_names[i % repos], forced)
        for repo in repo_names:
            self.ecr_unit(repo)
        while self.dense and n - self._changes() >= per_service:
            key = f"extra-{self._changes()}"
            names.append(key)
            self.service_unit(key, repo_names[len(names) % repos])
        teams = self._names(max(1, services // 4), prefix="team-")
        remaining = n - self._changes()
        per_team = max(1, remaining // len(teams)) if remaining > 0 else 0
        for t in teams:
            left = n - self._changes()
            if left <= 0:
                break
            self.platform_unit(t, min(per_team, left))
        left = n - self._changes()
        if left > 0:
            (self.dense_filler if self.dense else self.filler)(left)
        self._configuration(names, repo_names, teams, attachments, sg_rules)
        return self.document()

    def _changes(self) -> int:
        return sum(1 for r in self.resources if r.mode == "managed")

    def _names(self, count: int, prefix: str = "") -> list[str]:
        out = []
        for i in range(count):
            w = WORDS[i % len(WORDS)]
            out.append(f"{prefix}{w}" if i < len(WORDS) else f"{prefix}{w}-{i // len(WORDS)}")
        return out

    def _configuration(self, names, repos, teams, attachments, sg_rules) -> None:
        def ref(*targets: str) -> dict:
            return {"references": list(targets)}

        def res(rtype: str, name: str, exprs: dict, *, mode: str = "managed", count: bool = False, for_each: bool = False) -> dict:
            out = {"address": f"data.{rtype}.{name}" if mode == "data" else f"{rtype}.{name}", "mode": mode, "type": rtype, "name": name,
                   "provider_config_key": "aws", "expressions": exprs, "schema_version": 0}
            if count:
                out["count_expression"] = ref("var.create")
            if for_each:
                out["for_each_expression"] = ref("local.items")
            return out

        tags = {"tags": ref("var.tags", "local.common_tags")}
        svc_resources = [
            res("aws_iam_role", "task", {"name": ref("var.name"), "assume_role_policy": {"constant_value": "{}"}, **tags}, count=True),
            res("aws_iam_role", "execution", {"name": ref("var.name"), "assume_role_policy": {"constant_value": "{}"}, **tags}, count=True),
            res("aws_iam_role_policy", "task", {"name": ref("var.name"), "role": ref("aws_iam_role.task[0].id", "aws_iam_role.task[0]", "aws_iam_role.task"),
                                                 "policy": ref("data.aws_iam_policy_document.task.json", "data.aws_iam_policy_document.task")}, count=True),
            res("aws_iam_policy_document", "task", {"statement": [{"actions": {"constant_value": ["s3:GetObject"]}, "resources": ref("var.bucket_arn")}]}, mode="data"),
            res("aws_iam_policy", "extra", {"name": ref("var.name"), "policy": ref("var.secret_arn", "var.parameter_arn"), **tags}),
            res("aws_iam_role_policy_attachment", "execution", {"role": ref("aws_iam_role.execution[0].name", "aws_iam_role.execution[0]", "aws_iam_role.execution"),
                                                                "policy_arn": ref("local.execution_policies", "aws_iam_policy.extra.arn", "aws_iam_policy.extra")}, count=True),
            res("aws_iam_role_policy_attachment", "task_admin", {"role": ref("aws_iam_role.task[0].name", "aws_iam_role.task[0]", "aws_iam_role.task"), "policy_arn": {"constant_value": "arn:aws:iam::aws:policy/AdministratorAccess"}}, count=True),
            res("aws_security_group", "this", {"name": ref("var.name"), "vpc_id": ref("var.vpc_id"), "egress": {"constant_value": []}, "ingress": {"constant_value": []}, **tags}, count=True),
            res("aws_security_group_rule", "ingress", {"security_group_id": ref("aws_security_group.this[0].id", "aws_security_group.this[0]", "aws_security_group.this"),
                                                       "cidr_blocks": ref("var.allowed_cidrs"), "from_port": ref("local.ports"), "to_port": ref("local.ports"), "protocol": {"constant_value": "tcp"}, "type": {"constant_value": "ingress"}}, count=True),
            res("aws_vpc_security_group_ingress_rule", "lb", {"security_group_id": ref("aws_security_group.this[0].id", "aws_security_group.this[0]", "aws_security_group.this"),
                                                              "referenced_security_group_id": ref("var.lb_security_group_id"), "from_port": {"constant_value": 8080}, "to_port": {"constant_value": 8080}, "ip_protocol": {"constant_value": "tcp"}}),
            res("aws_secretsmanager_secret", "db", {"name": ref("var.name"), **tags}),
            res("aws_secretsmanager_secret_version", "db", {"secret_id": ref("aws_secretsmanager_secret.db.id", "aws_secretsmanager_secret.db"), "secret_string": ref("var.db_password")}),
            res("aws_ssm_parameter", "config", {"name": ref("var.name"), "type": {"constant_value": "SecureString"}, "value": ref("var.config")}),
            res("aws_ecs_task_definition", "this", {
                "family": ref("var.name"),
                "container_definitions": ref("var.image", "var.environment", "aws_cloudwatch_log_group.this.name", "aws_cloudwatch_log_group.this",
                                             "aws_secretsmanager_secret.db.arn", "aws_secretsmanager_secret.db", "aws_ssm_parameter.config.arn", "aws_ssm_parameter.config"),
                "task_role_arn": ref("aws_iam_role.task[0].arn", "aws_iam_role.task[0]", "aws_iam_role.task"),
                "execution_role_arn": ref("aws_iam_role.execution[0].arn", "aws_iam_role.execution[0]", "aws_iam_role.execution"),
                "cpu": ref("var.cpu"), "memory": ref("var.memory"), "network_mode": {"constant_value": "awsvpc"},
                "requires_compatibilities": {"constant_value": ["FARGATE"]}, "runtime_platform": [{"cpu_architecture": ref("var.arch")}],
                "volume": [{"name": {"constant_value": "data"}}], **tags}),
            res("aws_ecs_service", "this", {
                "name": ref("var.name"), "cluster": ref("var.cluster_arn"),
                "task_definition": ref("aws_ecs_task_definition.this.arn", "aws_ecs_task_definition.this"),
                "desired_count": ref("var.desired_count"), "launch_type": {"constant_value": "FARGATE"}, "enable_execute_command": ref("var.enable_exec"),
                "platform_version": ref("var.platform_version"),
                "network_configuration": [{"subnets": ref("var.subnet_ids"), "security_groups": ref("aws_security_group.this[0].id", "aws_security_group.this[0]", "aws_security_group.this"),
                                           "assign_public_ip": ref("var.public_ip")}],
                "load_balancer": [{"target_group_arn": ref("aws_lb_target_group.this.arn", "aws_lb_target_group.this"), "container_name": {"constant_value": "app"}, "container_port": {"constant_value": 8080}}], **tags}),
            res("aws_cloudwatch_log_group", "this", {"name": ref("var.name"), "retention_in_days": {"constant_value": 30}, **tags}),
            res("aws_lb_target_group", "this", {"name": ref("var.name"), "vpc_id": ref("var.vpc_id"), "port": {"constant_value": 8080}, **tags}),
            res("aws_lb_listener_rule", "this", {"listener_arn": ref("var.listener_arn"), "action": [{"target_group_arn": ref("aws_lb_target_group.this.arn", "aws_lb_target_group.this")}], **tags}),
            res("aws_appautoscaling_target", "this", {"resource_id": ref("aws_ecs_service.this.name", "aws_ecs_service.this", "var.cluster_name")}),
            res("aws_appautoscaling_policy", "cpu", {"resource_id": ref("aws_appautoscaling_target.this.resource_id", "aws_appautoscaling_target.this")}),
            res("aws_appautoscaling_policy", "memory", {"resource_id": ref("aws_appautoscaling_target.this.resource_id", "aws_appautoscaling_target.this")}),
            *[res("aws_cloudwatch_metric_alarm", a, {"alarm_name": ref("var.name"), "alarm_actions": ref("var.alarm_topic_arn"), "dimensions": ref("aws_ecs_service.this.name", "aws_ecs_service.this")}) for a in ("cpu_high", "memory_high", "5xx")],
            res("aws_route53_record", "this", {"name": ref("var.name"), "zone_id": ref("var.zone_id")}),
        ]
        svc_module = {
            "outputs": {
                "service_name": {"expression": ref("aws_ecs_service.this.name", "aws_ecs_service.this")},
                "task_role_arn": {"expression": ref("aws_iam_role.task[0].arn", "aws_iam_role.task[0]", "aws_iam_role.task")},
                "security_group_id": {"expression": ref("aws_security_group.this[0].id", "aws_security_group.this[0]", "aws_security_group.this")},
            },
            "resources": svc_resources,
            "variables": {v: {"description": v} for v in ("name", "image", "cpu", "memory", "vpc_id", "subnet_ids", "cluster_arn", "listener_arn", "tags", "db_password", "config", "create")},
        }
        svc_module["variables"]["db_password"]["sensitive"] = True
        ecr_module = {
            "outputs": {"repository_url": {"expression": ref("aws_ecr_repository.this.repository_url", "aws_ecr_repository.this")}},
            "resources": [
                res("aws_ecr_repository", "this", {"name": ref("var.name"), "image_tag_mutability": ref("var.mutability"), "image_scanning_configuration": [{"scan_on_push": ref("var.scan")}], "encryption_configuration": [{"encryption_type": ref("var.encryption")}]}),
                res("aws_ecr_lifecycle_policy", "this", {"repository": ref("aws_ecr_repository.this.name", "aws_ecr_repository.this"), "policy": {"constant_value": "{}"}}, count=True),
                res("aws_ecr_repository_policy", "this", {"repository": ref("aws_ecr_repository.this.name", "aws_ecr_repository.this"), "policy": ref("var.policy")}),
            ],
            "variables": {v: {} for v in ("name", "mutability", "scan", "encryption", "policy")},
        }
        platform_module = {
            "resources": [res(t, n, {"name": ref("var.team"), **tags}, count=True) for t, n in (
                ("aws_s3_bucket", "data"), ("aws_s3_bucket_public_access_block", "data"), ("aws_lambda_function", "worker"), ("aws_dynamodb_table", "state"),
                ("aws_sns_topic", "events"), ("aws_sqs_queue", "jobs"), ("random_id", "suffix"), ("null_resource", "hook"))],
            "variables": {"team": {}, "tags": {}},
        }
        self.config_root = {
            "outputs": {"ecr_urls": {"expression": ref("module.ecr")}},
            "resources": [
                res("aws_vpc", "main", {"cidr_block": {"constant_value": "10.0.0.0/16"}, **tags}),
                res("aws_subnet", "private", {"vpc_id": ref("aws_vpc.main.id", "aws_vpc.main"), "cidr_block": ref("count.index")}, count=True),
                res("aws_flow_log", "main", {"vpc_id": ref("aws_vpc.main.id", "aws_vpc.main"), "traffic_type": {"constant_value": "ALL"}}),
                *[res("aws_vpc_endpoint", s, {"vpc_id": ref("aws_vpc.main.id", "aws_vpc.main"), "service_name": {"constant_value": s}}) for s in ("ecr_api", "ecr_dkr", "logs", "secretsmanager")],
                res("aws_ecs_cluster", "main", {"name": {"constant_value": "prod"}, "setting": [{"name": {"constant_value": "containerInsights"}, "value": ref("var.insights")}]}),
                res("aws_lb", "main", {"name": {"constant_value": "prod"}, "internal": {"constant_value": False}}),
                res("aws_lb_listener", "http", {"load_balancer_arn": ref("aws_lb.main.arn", "aws_lb.main"), "port": {"constant_value": 80}}),
                res("aws_lb_listener", "https", {"load_balancer_arn": ref("aws_lb.main.arn", "aws_lb.main"), "port": {"constant_value": 443}, "ssl_policy": {"constant_value": "ELBSecurityPolicy-TLS13-1-2-2021-06"}}),
                res("aws_cloudtrail", "main", {"name": {"constant_value": "main"}, "is_multi_region_trail": {"constant_value": True}, "enable_log_file_validation": {"constant_value": True}}),
                res("aws_guardduty_detector", "main", {"enable": {"constant_value": True}}),
                res("aws_iam_role", "ci", {"name": {"constant_value": "ci"}, "assume_role_policy": {"constant_value": "{}"}}),
                res("aws_iam_policy", "ci", {"name": ref("count.index"), "policy": ref("count.index")}, count=True),
                res("aws_iam_role_policy_attachment", "ci", {"role": ref("aws_iam_role.ci.name", "aws_iam_role.ci"), "policy_arn": ref("aws_iam_policy.ci", "local.managed_policies")}, count=True),
                res("aws_security_group", "shared", {"name": {"constant_value": "shared"}, "vpc_id": ref("aws_vpc.main.id", "aws_vpc.main")}),
                res("aws_security_group_rule", "shared", {"security_group_id": ref("aws_security_group.shared.id", "aws_security_group.shared"), "cidr_blocks": ref("local.partners"), "type": {"constant_value": "ingress"}}, count=True),
                res("aws_cloudwatch_log_group", "filler", {"name": ref("count.index")}, count=True),
            ],
            "module_calls": {
                "svc": {
                    "source": "./modules/ecs-service",
                    "for_each_expression": ref("local.services"),
                    "expressions": {
                        "name": ref("each.key"), "image": ref("each.value.image", "each.value", "module.ecr"), "vpc_id": ref("aws_vpc.main.id", "aws_vpc.main"),
                        "subnet_ids": ref("aws_subnet.private"), "cluster_arn": ref("aws_ecs_cluster.main.arn", "aws_ecs_cluster.main"),
                        "listener_arn": ref("aws_lb_listener.https.arn", "aws_lb_listener.https"), "tags": ref("local.common_tags"), "db_password": ref("var.db_passwords", "each.key"),
                    },
                    "module": svc_module,
                },
                "ecr": {"source": "./modules/ecr", "for_each_expression": ref("local.repositories"), "expressions": {"name": ref("each.key")}, "module": ecr_module},
                "platform": {"source": "./modules/platform", "for_each_expression": ref("local.teams"), "expressions": {"team": ref("each.key"), "tags": ref("local.common_tags")}, "module": platform_module},
            },
            "variables": {"db_passwords": {"sensitive": True}, "insights": {"default": "enabled"}},
        }

    def document(self) -> dict:
        changes = []
        planned: dict[str, list[dict]] = {}
        prior: dict[str, list[dict]] = {}
        for r in self.resources:
            local = {"address": r.address, "mode": r.mode, "type": r.type, "name": r.name}
            if r.index is not None:
                local["index"] = r.index
            local["provider_name"] = PROVIDER
            if r.mode == "data" and r.actions == ("read",) and not r.unknown:
                # Read during plan: only in prior_state.
                prior.setdefault(r.module, []).append({**local, "schema_version": 0, "values": r.after, "sensitive_values": {}})
                continue
            change = {
                "actions": list(r.actions),
                "before": r.before,
                "after": r.after,
                "after_unknown": r.unknown if r.after is not None else {},
                "before_sensitive": r.before_sensitive if r.before is not None else False,
                "after_sensitive": r.sensitive if r.after is not None else False,
            }
            rc = {**local}
            if r.module:
                rc = {"address": r.address, "module_address": r.module, **{k: v for k, v in local.items() if k != "address"}}
            rc["change"] = change
            if r.actions in (("delete", "create"), ("create", "delete")):
                rc["action_reason"] = "replace_because_cannot_update"
            changes.append(rc)
            if r.after is not None:
                planned.setdefault(r.module, []).append({**local, "schema_version": 0, "values": r.after, "sensitive_values": r.sensitive})
            if r.before is not None and r.mode == "managed":
                prior.setdefault(r.module, []).append({**local, "schema_version": 0, "values": r.before, "sensitive_values": r.before_sensitive})
        return {
            "format_version": "1.2",
            "terraform_version": "1.9.8",
            "variables": {"db_passwords": {"value": "REDACTED"}, "insights": {"value": "enabled"}},
            "planned_values": {"root_module": _module_tree(planned)},
            "resource_changes": changes,
            "output_changes": {"ecr_urls": {"actions": ["no-op"], "before": None, "after": None, "after_unknown": True, "before_sensitive": False, "after_sensitive": False}},
            "prior_state": {"format_version": "1.0", "terraform_version": "1.9.8", "values": {"root_module": _module_tree(prior)}},
            "configuration": {"provider_config": {"aws": {"name": "aws", "full_name": PROVIDER, "expressions": {"region": {"constant_value": REGION}}}}, "root_module": self.config_root},
            "relevant_attributes": [{"resource": "aws_iam_role.ci", "attribute": ["name"]}, {"resource": "aws_vpc.main", "attribute": ["id"]}],
            "timestamp": "2025-01-15T10:00:00Z",
            "applyable": True,
            "complete": True,
            "errored": False,
        }


def _ingress_entry(port: int, cidr: str, description: str) -> dict:
    return {"cidr_blocks": [cidr], "description": description, "from_port": port, "ipv6_cidr_blocks": [], "prefix_list_ids": [],
            "protocol": "tcp", "security_groups": [], "self": False, "to_port": port}


def _module_tree(by_module: dict[str, list[dict]]) -> dict:
    root: dict = {"resources": by_module.get("", [])}
    children = [{"resources": res, "address": mod} for mod, res in by_module.items() if mod]
    if children:
        root["child_modules"] = children
    return root


def stress(count: int) -> dict:
    """The cross-reference worst case: one security group with `count` rule resources,
    which its ingress in the state lists again, and one role with `count` attachments
    of `count` policies, all unchanged."""
    sg_id = "sg-0stress"
    ingress = [_ingress_entry(1024 + i, f"10.{i // 250}.{i % 250}.0/24", "") for i in range(count)]
    changes = [_unchanged("aws_security_group.shared", {"id": sg_id, "name": "shared", "ingress": ingress}),
               _unchanged("aws_iam_role.ci", {"name": "ci", "arn": f"arn:aws:iam::{ACCOUNT}:role/ci"})]
    for i in range(count):
        changes.append(_unchanged(f"aws_security_group_rule.r[{i}]", {**ingress[i], "security_group_id": sg_id, "type": "ingress"}))
        arn = f"arn:aws:iam::{ACCOUNT}:policy/p{i}"
        changes.append(_unchanged(f"aws_iam_policy.p[{i}]", {"name": f"p{i}", "arn": arn, "policy": cjson(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})}))
        changes.append(_unchanged(f"aws_iam_role_policy_attachment.a[{i}]", {"role": "ci", "policy_arn": arn}))
    refs = {"references": ["aws_security_group.shared.id", "aws_security_group.shared"]}
    config = {"root_module": {"resources": [
        {"address": "aws_security_group_rule.r", "mode": "managed", "type": "aws_security_group_rule", "name": "r", "expressions": {"security_group_id": refs}},
        {"address": "aws_iam_role_policy_attachment.a", "mode": "managed", "type": "aws_iam_role_policy_attachment", "name": "a",
         "expressions": {"role": {"references": ["aws_iam_role.ci.name", "aws_iam_role.ci"]}, "policy_arn": {"references": ["aws_iam_policy.p[count.index].arn", "aws_iam_policy.p"]}}},
    ]}}
    return {"format_version": "1.2", "terraform_version": "1.9.8", "resource_changes": changes, "configuration": config}


def _unchanged(address: str, values: dict) -> dict:
    rtype, name = address.split(".")[0], address.split(".")[1].split("[")[0]
    index = int(address.split("[")[1].rstrip("]")) if "[" in address else None
    rc = {"address": address, "mode": "managed", "type": rtype, "name": name, "provider_name": PROVIDER,
          "change": {"actions": ["no-op"], "before": values, "after": values, "after_unknown": {}, "before_sensitive": {}, "after_sensitive": {}}}
    if index is not None:
        rc["index"] = index
    return rc


def generate(size: int, seed: int = 0, dense: bool = False) -> dict:
    """A plan document with `size` managed resource changes."""
    return Estate(size, seed, dense).build()


def write(size: int, path: str, seed: int = 0, kind: str = "estate") -> str:
    doc = stress(size) if kind == "stress" else generate(size, seed, dense=kind == "dense")
    try:
        import orjson

        data = orjson.dumps(doc)
    except ImportError:  # pragma: no cover
        data = json.dumps(doc, separators=(",", ":")).encode()
    with open(path, "wb") as fh:
        fh.write(data)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("size", type=int, help="managed resource changes")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--stress", action="store_true", help="the cross-reference worst case instead (size: rules and attachments)")
    ap.add_argument("--dense", action="store_true", help="every resource in scope, most of them new or changed")
    args = ap.parse_args()
    write(args.size, args.output, args.seed, "stress" if args.stress else "dense" if args.dense else "estate")


if __name__ == "__main__":
    main()
