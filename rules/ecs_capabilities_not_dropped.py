from __future__ import annotations

from typing import Iterator

from tfecs.model.ecs import ContainerDefinition, TaskDefinition
from tfecs.rule import ContainerRule, Finding, RuleMeta, Severity


class EcsCapabilitiesNotDropped(ContainerRule):
    """
    ## What it does
    Flags container definitions that do not drop every Linux capability with
    `linuxParameters.capabilities.drop = ["ALL"]`. Windows task definitions are skipped:
    ECS does not support `linuxParameters` for Windows containers.

    ## Why is this bad?
    Docker's default set still grants capabilities few services use (`CHOWN`, `SETUID`,
    `NET_RAW` for spoofed packets, `MKNOD`, ...). Each is attack surface after a
    compromise. Dropping all and adding back the few the workload needs makes the grant
    explicit and reviewable.

    ## Example
    ```hcl
    container_definitions = jsonencode([{ name = "app", image = "app:1.2" }])
    ```

    ## Use instead
    ```hcl
    container_definitions = jsonencode([{
      name            = "app"
      image           = "app:1.2"
      linuxParameters = { capabilities = { drop = ["ALL"], add = ["NET_BIND_SERVICE"] } }
    }])
    ```

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_KernelCapabilities.html
    - https://docs.aws.amazon.com/AmazonECS/latest/bestpracticesguide/security-tasks-containers.html
    """

    meta = RuleMeta(
        id="ecs-capabilities-not-dropped",
        title="container keeps the default Linux capabilities",
        severity=Severity.INFO,
        practice=4,
        controls=(),
        resource_types=("aws_ecs_task_definition",),
        remediation='Set `linuxParameters.capabilities.drop = ["ALL"]` and add back only what the workload needs.',
    )

    LINUX_ONLY = True  # ECS does not support the setting on Windows

    def judge(self, td: TaskDefinition, c: ContainerDefinition) -> Iterator[Finding]:
        path = ("container_definitions", c.index, "linuxParameters", "capabilities", "drop")
        caps = c.linux_parameters.capabilities if c.linux_parameters else None
        if caps is not None and caps.drops_all:
            return
        if c.has_unknown("linuxParameters", "capabilities", "drop"):
            yield self.unknown(td, path, container=c.label)
        else:
            yield self.fail(td, path, f"container {c.label!r} does not drop ALL Linux capabilities", container=c.label)
