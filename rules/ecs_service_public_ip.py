from __future__ import annotations

from typing import Iterator

from tfecs.model.ecs import Service
from tfecs.model.inventory import Inventory
from tfecs.rule import Finding, Rule, RuleMeta, Severity


class EcsServicePublicIp(Rule):
    """
    ## What it does
    Flags ECS services with `network_configuration { assign_public_ip = true }`.

    ## Why is this bad?
    Every task of the service gets a public IP address: it is reachable from the internet
    as far as its security group allows, and one permissive rule exposes the containers
    directly instead of through the load balancer. Tasks in private subnets reach ECR,
    CloudWatch Logs and Secrets Manager through a NAT gateway or VPC endpoints.

    ## Example
    ```hcl
    resource "aws_ecs_service" "app" {
      network_configuration {
        subnets          = var.public_subnets
        assign_public_ip = true
      }
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_ecs_service" "app" {
      network_configuration {
        subnets          = var.private_subnets
        security_groups  = [aws_security_group.app.id]
        assign_public_ip = false
      }
    }
    ```

    ## References
    - https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-2
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking-awsvpc.html
    """

    meta = RuleMeta(
        id="ecs-service-public-ip",
        title="ECS service assigns public IPs to its tasks",
        severity=Severity.HIGH,
        practice=2,
        controls=("ECS.2",),
        resource_types=("aws_ecs_service",),
        remediation="Set `assign_public_ip = false` and run the tasks in private subnets.",
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for svc in inv.of(Service):
            net = svc.network
            if net is None:
                if svc.is_unknown("network_configuration"):
                    yield self.unknown(svc, ("network_configuration",))
                continue
            path = ("network_configuration", 0, "assign_public_ip")
            if net.assign_public_ip is True:
                yield self.fail(svc, path, f"service {svc.name or svc.address!r} assigns a public IP address to every task")
            elif svc.is_unknown(*path):
                yield self.unknown(svc, path)
