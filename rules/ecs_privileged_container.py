from __future__ import annotations

from typing import Iterator

from tfecs.model.ecs import ContainerDefinition, TaskDefinition
from tfecs.rule import ContainerRule, Finding, RuleMeta, Severity


class EcsPrivilegedContainer(ContainerRule):
    """
    ## What it does
    Flags container definitions with `privileged = true`.

    ## Why is this bad?
    A privileged container gets every Linux capability and access to the host's devices:
    a compromise of the application is a compromise of the container instance and of
    every other task on it. Fargate refuses privileged containers; on EC2 they run.

    ## Example
    ```hcl
    container_definitions = jsonencode([{ name = "app", image = "app:1.2", privileged = true }])
    ```

    ## Use instead
    ```hcl
    container_definitions = jsonencode([{ name = "app", image = "app:1.2" }])
    ```
    Grant a single capability with `linuxParameters.capabilities.add` if the workload
    truly needs one.

    ## References
    - https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-4
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_security
    """

    meta = RuleMeta(
        id="ecs-privileged-container",
        title="privileged container",
        severity=Severity.HIGH,
        practice=4,
        controls=("ECS.4",),
        resource_types=("aws_ecs_task_definition",),
        remediation="Remove `privileged` from the container definition (or set it to false).",
    )

    def judge(self, td: TaskDefinition, c: ContainerDefinition) -> Iterator[Finding]:
        path = ("container_definitions", c.index, "privileged")
        if c.privileged is True:
            yield self.fail(td, path, f"container {c.label!r} runs privileged", container=c.label)
        elif c.is_unknown("privileged"):
            yield self.unknown(td, path, container=c.label)
