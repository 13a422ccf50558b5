from __future__ import annotations

from typing import Iterator

from tfecs.model.ecs import Service
from tfecs.model.inventory import Inventory
from tfecs.rule import Finding, Rule, RuleMeta, Severity


class EcsExecEnabled(Rule):
    """
    ## What it does
    Flags ECS services with `enable_execute_command = true` (ECS Exec). Unset means
    disabled.

    ## Why is this bad?
    ECS Exec opens an interactive shell inside running containers for anyone allowed
    `ecs:ExecuteCommand` on the cluster: a standing back door into production that
    bypasses the image, the deployment pipeline and the container's own entrypoint.
    Turn it on for a debugging session, not in the service definition that ships.

    ## Example
    ```hcl
    resource "aws_ecs_service" "app" {
      name                   = "app"
      enable_execute_command = true
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_ecs_service" "app" {
      name                   = "app"
      enable_execute_command = false
    }
    ```
    When you do need ECS Exec, audit it: log sessions through the cluster's
    `execute_command_configuration` (see `ecs-exec-logging-disabled`) and grant
    `ecs:ExecuteCommand` only on that cluster.

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html
    - https://docs.aws.amazon.com/AmazonECS/latest/bestpracticesguide/security-tasks-containers.html
    """

    meta = RuleMeta(
        id="ecs-exec-enabled",
        title="ECS Exec enabled on service",
        severity=Severity.MEDIUM,
        practice=4,
        controls=(),
        resource_types=("aws_ecs_service",),
        remediation="Set `enable_execute_command = false` (enable it only for a debugging session).",
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for svc in inv.of(Service):
            path = ("enable_execute_command",)
            if svc.is_unknown(*path):
                yield self.unknown(svc, path)
            elif svc.enable_execute_command is True:
                yield self.fail(svc, path, f"service {svc.name or svc.address!r} enables ECS Exec: enable_execute_command is true")
