from __future__ import annotations

from typing import Iterator

from tfecs.model.ecs import TaskSet
from tfecs.model.inventory import Inventory
from tfecs.rule import Finding, Rule, RuleMeta, Severity


class EcsTaskSetPublicIp(Rule):
    """
    ## What it does
    Flags ECS task sets (`aws_ecs_task_set`, used with the `EXTERNAL` deployment
    controller) with `network_configuration { assign_public_ip = true }`.

    ## Why is this bad?
    Every task of the task set gets a public IP address: it is reachable from the
    internet as far as its security group allows, bypassing the load balancer in front of
    the service.

    ## Example
    ```hcl
    resource "aws_ecs_task_set" "blue" {
      network_configuration {
        subnets          = var.public_subnets
        assign_public_ip = true
      }
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_ecs_task_set" "blue" {
      network_configuration {
        subnets          = var.private_subnets
        security_groups  = [aws_security_group.app.id]
        assign_public_ip = false
      }
    }
    ```

    ## References
    - https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-16
    - https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ecs_task_set
    """

    meta = RuleMeta(
        id="ecs-task-set-public-ip",
        title="ECS task set assigns public IPs to its tasks",
        severity=Severity.HIGH,
        practice=2,
        controls=("ECS.16",),
        resource_types=("aws_ecs_task_set",),
        remediation="Set `assign_public_ip = false` and run the tasks in private subnets.",
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for ts in inv.of(TaskSet):
            net = ts.network
            if net is None:
                if ts.is_unknown("network_configuration"):
                    yield self.unknown(ts, ("network_configuration",))
                continue
            path = ("network_configuration", 0, "assign_public_ip")
            if net.assign_public_ip is True:
                yield self.fail(ts, path, f"task set {ts.address!r} assigns a public IP address to every task")
            elif ts.is_unknown(*path):
                yield self.unknown(ts, path)
