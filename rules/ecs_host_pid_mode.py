from __future__ import annotations

from typing import Iterator

from tfecs.model.ecs import TaskDefinition
from tfecs.model.inventory import Inventory
from tfecs.rule import Finding, Rule, RuleMeta, Severity


class EcsHostPidMode(Rule):
    """
    ## What it does
    Flags task definitions with `pid_mode = "host"` (a task-level argument, not a key of
    the container definitions).

    ## Why is this bad?
    With the host's process namespace the containers see every process on the container
    instance, including other tasks and the ECS agent; with enough privilege they can
    signal them, read their environment and memory through `/proc`, or enter their
    namespaces.

    ## Example
    ```hcl
    resource "aws_ecs_task_definition" "app" {
      pid_mode = "host"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_ecs_task_definition" "app" {
      # pid_mode unset: each container has its own process namespace.
      # pid_mode = "task" shares one namespace among the task's containers only.
    }
    ```

    ## References
    - https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-3
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#task_definition_pidmode
    """

    meta = RuleMeta(
        id="ecs-host-pid-mode",
        title="task shares the host's process namespace",
        severity=Severity.HIGH,
        practice=4,
        controls=("ECS.3",),
        resource_types=("aws_ecs_task_definition",),
        remediation='Remove `pid_mode` (or set it to "task").',
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for td in inv.of(TaskDefinition):
            if (td.pid_mode or "").strip().lower() == "host":
                yield self.fail(td, ("pid_mode",), f"task definition {td.family or td.address!r} shares the host's process namespace: pid_mode is \"host\"")
            elif td.is_unknown("pid_mode"):
                yield self.unknown(td, ("pid_mode",))
