from __future__ import annotations

from typing import Iterator

from tfecs.model.ecs import TaskDefinition
from tfecs.model.inventory import Inventory
from tfecs.rule import Finding, Rule, RuleMeta, Severity


class EcsHostNetworkMode(Rule):
    """
    ## What it does
    Flags task definitions with `network_mode = "host"`.

    ## Why is this bad?
    In host mode the containers share the instance's network stack: they can bind any
    port of the host, see its traffic and reach the instance metadata service with the
    instance role's credentials, and no security group applies per task.

    ## Example
    ```hcl
    resource "aws_ecs_task_definition" "app" {
      network_mode = "host"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_ecs_task_definition" "app" {
      network_mode = "awsvpc"
    }
    ```

    ## References
    - https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-17
    - https://docs.aws.amazon.com/AmazonECS/latest/bestpracticesguide/networking-networkmode.html
    """

    meta = RuleMeta(
        id="ecs-host-network-mode",
        title="task uses host network mode",
        severity=Severity.HIGH,
        practice=2,
        controls=("ECS.17",),
        resource_types=("aws_ecs_task_definition",),
        remediation='Set `network_mode = "awsvpc"` and give the service its own security group.',
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for td in inv.of(TaskDefinition):
            if (td.network_mode or "").lower() == "host":
                yield self.fail(td, ("network_mode",), f"task definition {td.family or td.address!r} uses host network mode")
            elif td.is_unknown("network_mode"):
                yield self.unknown(td, ("network_mode",))
