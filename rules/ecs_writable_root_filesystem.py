from __future__ import annotations

from typing import Iterator

from tfecs.model.ecs import ContainerDefinition, TaskDefinition
from tfecs.rule import ContainerRule, Finding, RuleMeta, Severity


class EcsWritableRootFilesystem(ContainerRule):
    """
    ## What it does
    Flags container definitions whose `readonlyRootFilesystem` is not `true` (unset means
    writable). Windows task definitions are skipped: ECS does not support the parameter
    for Windows containers.

    ## Why is this bad?
    A writable root filesystem lets an attacker who gets code execution in the container
    drop tools, replace binaries and libraries the application loads later, or plant
    persistence that survives until the task stops. Immutable containers write only to
    the volumes they declare.

    ## Example
    ```hcl
    container_definitions = jsonencode([{ name = "app", image = "app:1.2" }])
    ```

    ## Use instead
    ```hcl
    container_definitions = jsonencode([{
      name                   = "app"
      image                  = "app:1.2"
      readonlyRootFilesystem = true
      mountPoints            = [{ sourceVolume = "tmp", containerPath = "/tmp" }]
    }])
    ```
    Give the paths the application must write (`/tmp`, caches) a volume of their own.

    ## References
    - https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-5
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_storage
    """

    meta = RuleMeta(
        id="ecs-writable-root-filesystem",
        title="container root filesystem is writable",
        severity=Severity.HIGH,
        practice=4,
        controls=("ECS.5",),
        resource_types=("aws_ecs_task_definition",),
        remediation="Set `readonlyRootFilesystem = true` and mount a volume for the paths the container writes.",
    )

    LINUX_ONLY = True  # ECS does not support the setting on Windows

    def judge(self, td: TaskDefinition, c: ContainerDefinition) -> Iterator[Finding]:
        path = ("container_definitions", c.index, "readonlyRootFilesystem")
        if c.is_unknown("readonlyRootFilesystem"):
            yield self.unknown(td, path, container=c.label)
        elif c.readonly_root_filesystem is not True:
            shown = "false" if c.readonly_root_filesystem is False else "unset (writable)"
            yield self.fail(td, path, f"container {c.label!r} has a writable root filesystem: readonlyRootFilesystem is {shown}", container=c.label)
