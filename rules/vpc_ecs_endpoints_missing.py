from __future__ import annotations

import re
from typing import Iterator

from tfecs.model.ecs import Service, TaskDefinition, TaskSet
from tfecs.model.inventory import Inventory
from tfecs.model.network import SecurityGroup, Subnet, Vpc, VpcEndpoint
from tfecs.rule import Finding, Rule, RuleMeta, Severity

# Interface endpoints every ECS task needs to start without the internet: pull the image
# (ECR API and registry) and ship its logs.
REQUIRED_ENDPOINTS = ("ecr.api", "ecr.dkr", "logs")
_SECRETS_MANAGER_ARN = re.compile(r"^arn:aws[a-z-]*:secretsmanager:", re.IGNORECASE)


class VpcEcsEndpointsMissing(Rule):
    """
    ## What it does
    For each VPC in the configuration that hosts ECS services or task sets (found through
    the services' subnets, or their security groups), reports the interface endpoints it
    lacks among `ecr.api`, `ecr.dkr` and `logs`, and `secretsmanager` when a task
    definition those services run reads a Secrets Manager secret (`secrets[].valueFrom`
    or `repositoryCredentials`). The finding is on the VPC; an endpoint whose service
    name is known only after apply makes it unknown.

    ## Why is this bad?
    Without the endpoints, tasks reach ECR, CloudWatch Logs and Secrets Manager through a
    NAT gateway or a public IP: image pulls and secrets leave the VPC, egress must stay
    open to the internet, and the services' traffic cannot be limited with endpoint
    policies. (Image layers also come from S3: add an S3 gateway endpoint too.)

    ## Example
    ```hcl
    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }
    # ECS services in private subnets of aws_vpc.main, no aws_vpc_endpoint
    ```

    ## Use instead
    ```hcl
    resource "aws_vpc_endpoint" "ecs" {
      for_each            = toset(["ecr.api", "ecr.dkr", "logs", "secretsmanager"])
      vpc_id              = aws_vpc.main.id
      service_name        = "com.amazonaws.${var.region}.${each.key}"
      vpc_endpoint_type   = "Interface"
      private_dns_enabled = true
      subnet_ids          = var.private_subnets
      security_group_ids  = [aws_security_group.endpoints.id]
    }
    ```

    ## References
    - https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/vpc-endpoints.html
    - https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-55
    """

    meta = RuleMeta(
        id="vpc-ecs-endpoints-missing",
        title="VPC hosting ECS services lacks interface endpoints",
        severity=Severity.INFO,
        practice=2,
        controls=(),
        resource_types=Vpc.TYPES,
        remediation="Add `aws_vpc_endpoint` (Interface) resources for ecr.api, ecr.dkr and logs (and secretsmanager) in this VPC.",
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        hosted: dict[str, list[Service | TaskSet]] = {}
        for cls in (Service, TaskSet):
            for svc in inv.of(cls):
                for vpc in _vpcs_of(inv, svc):
                    hosted.setdefault(vpc.address, []).append(svc)
        for vpc in inv.of(Vpc):
            services = hosted.get(vpc.address)
            if not services:
                continue
            endpoints = inv.referrers(vpc, VpcEndpoint, "vpc_id")
            present = {e.service for e in endpoints if e.service_name}
            pending = any(e.is_unknown("service_name") for e in endpoints)
            needed = list(REQUIRED_ENDPOINTS)
            secrets = _uses_secrets_manager(inv, services)
            if secrets is not False:
                needed.append("secretsmanager")
            missing = [s for s in needed if s not in present]
            if not missing:
                continue
            if pending:
                yield self.unknown(vpc, (), f"VPC {vpc.cidr_block or vpc.address} lacks endpoints for {', '.join(missing)} unless an endpoint whose service name is known only after apply provides them")
                continue
            if missing == ["secretsmanager"] and secrets is None:
                yield self.unknown(vpc, (), f"VPC {vpc.cidr_block or vpc.address} has no secretsmanager endpoint, and whether its tasks read Secrets Manager is known only after apply")
                continue
            names = ", ".join(sorted({s.address for s in services}))
            yield self.fail(
                vpc, (),
                f"VPC {vpc.cidr_block or vpc.address} hosts {names} but has no interface endpoint for {', '.join(missing)}",
            )


def _vpcs_of(inv: Inventory, svc: Service | TaskSet) -> list[Vpc]:
    net = svc.network
    if net is None:
        return []
    found: dict[str, Vpc] = {}
    for subnet in inv.linked(svc, "network_configuration", Subnet, value=net.subnets):
        for vpc in inv.linked(subnet, "vpc_id", Vpc):
            found[vpc.address] = vpc
    for sg in inv.linked(svc, "network_configuration", SecurityGroup, value=net.security_groups):
        for vpc in inv.linked(sg, "vpc_id", Vpc):
            found[vpc.address] = vpc
    return list(found.values())


def _uses_secrets_manager(inv: Inventory, services: list[Service | TaskSet]) -> bool | None:
    """Whether a task those services run reads Secrets Manager (None: not known yet)."""
    unknown = False
    for svc in services:
        for td in inv.linked(svc, "task_definition", TaskDefinition):
            if td.containers_unknown:
                unknown = True
            for c in td.containers:
                if c.has_unknown("secrets") or c.has_unknown("repositoryCredentials"):
                    unknown = True
                refs = [s.value_from for s in c.secrets]
                refs.append((c.repository_credentials or {}).get("credentialsParameter"))
                if any(isinstance(r, str) and _SECRETS_MANAGER_ARN.match(r) for r in refs):
                    return True
    return None if unknown else False
