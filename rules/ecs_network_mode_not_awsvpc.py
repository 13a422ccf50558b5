from __future__ import annotations

from typing import Iterator

from tfecs.model.ecs import TaskDefinition
from tfecs.model.inventory import Inventory
from tfecs.rule import Finding, Rule, RuleMeta, Severity


class EcsNetworkModeNotAwsvpc(Rule):
    """
    ## What it does
    Flags task definitions whose network mode is not `awsvpc`: `bridge`, `host`, `none`,
    or Windows `default`. An unset `network_mode` means `bridge` on EC2 (and on external
    instances). Host mode is also reported by `ecs-host-network-mode`: the catalogue
    defines this rule as "any mode other than awsvpc", so both fire on it.

    ## Why is this bad?
    Only `awsvpc` gives each task its own network interface and security group. In
    `bridge` mode every task on an instance shares the instance's security group, so a
    rule opened for one service opens it for all of them, and tasks can reach each other
    and the instance metadata service over the docker bridge.

    ## Example
    ```hcl
    resource "aws_ecs_task_definition" "app" {
      family                   = "app"
      requires_compatibilities = ["EC2"]
      # network_mode unset: bridge
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_ecs_task_definition" "app" {
      family                   = "app"
      requires_compatibilities = ["EC2"]
      network_mode             = "awsvpc"
    }
    ```
    and give the service `network_configuration { security_groups = [...] }`.

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/bestpracticesguide/networking-networkmode.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking-awsvpc.html
    """

    meta = RuleMeta(
        id="ecs-network-mode-not-awsvpc",
        title="task does not use awsvpc network mode",
        severity=Severity.LOW,
        practice=2,
        controls=(),
        resource_types=("aws_ecs_task_definition",),
        remediation='Set `network_mode = "awsvpc"` and give the service its own security group.',
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for td in inv.of(TaskDefinition):
            path = ("network_mode",)
            if td.is_unknown("network_mode"):
                yield self.unknown(td, path)
                continue
            mode = td.effective_network_mode
            if mode.lower() == "awsvpc":
                continue
            if not td.network_mode and td.is_unknown("requires_compatibilities"):
                # Unset means awsvpc only for a Fargate-only task, which is not known yet.
                yield self.unknown(td, path)
                continue
            shown = mode if td.network_mode else f"unset ({mode} on EC2)"
            yield self.fail(td, path, f"task definition {td.family or td.address!r} uses network mode {shown}, not awsvpc")
