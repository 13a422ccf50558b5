from __future__ import annotations

from typing import Iterator

from tfecs.model.ecs import TaskDefinition
from tfecs.model.inventory import Inventory
from tfecs.rule import Finding, Rule, RuleMeta, Severity


class EcsHostIpcMode(Rule):
    """
    ## What it does
    Flags task definitions with `ipc_mode = "host"`.

    ## Why is this bad?
    With the host's IPC namespace the containers share System V shared memory, semaphores
    and message queues with every process on the container instance: they can read or
    corrupt the shared memory of other tasks and of host services.

    ## Example
    ```hcl
    resource "aws_ecs_task_definition" "app" {
      ipc_mode = "host"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_ecs_task_definition" "app" {
      ipc_mode = "task" # or leave it unset: each container has a private IPC namespace
    }
    ```

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#task_definition_ipcmode
    - https://docs.docker.com/reference/cli/docker/container/run/#ipc
    """

    meta = RuleMeta(
        id="ecs-host-ipc-mode",
        title="task shares the host's IPC namespace",
        severity=Severity.MEDIUM,
        practice=4,
        controls=(),
        resource_types=("aws_ecs_task_definition",),
        remediation='Remove `ipc_mode` (or set it to "task" or "none").',
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for td in inv.of(TaskDefinition):
            if (td.ipc_mode or "").strip().lower() == "host":
                yield self.fail(td, ("ipc_mode",), f"task definition {td.family or td.address!r} shares the host's IPC namespace: ipc_mode is \"host\"")
            elif td.is_unknown("ipc_mode"):
                yield self.unknown(td, ("ipc_mode",))
