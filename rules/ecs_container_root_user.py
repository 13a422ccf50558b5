from __future__ import annotations

from typing import Iterator

from tfecs.model.ecs import ContainerDefinition, TaskDefinition
from tfecs.rule import ContainerRule, Finding, RuleMeta, Severity


class EcsContainerRootUser(ContainerRule):
    """
    ## What it does
    Flags container definitions that run as the superuser: on Linux a `user` of `root`
    or uid `0`, with or without a group (`root:root`, `0:0`); on Windows task definitions
    (`runtime_platform.operating_system_family = "WINDOWS_*"`) a `user` of
    `ContainerAdministrator`. A container without `user` is reported with medium
    confidence: it runs as the image's `USER`, which is root (Linux) or
    ContainerAdministrator (Windows Server Core) unless the image sets another.

    ## Why is this bad?
    A process running as root inside the container owns every file of the image, can use
    every capability the container was granted, and turns any kernel or runtime escape
    into root on the host. Most services need no superuser at all.

    ## Example
    ```hcl
    container_definitions = jsonencode([{ name = "app", image = "app:1.2", user = "0:0" }])
    ```

    ## Use instead
    ```hcl
    container_definitions = jsonencode([{ name = "app", image = "app:1.2", user = "10001:10001" }])
    ```
    On Windows, use `user = "ContainerUser"`.

    ## References
    - https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-20
    - https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-21
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_security
    """

    meta = RuleMeta(
        id="ecs-container-root-user",
        title="container runs as root",
        severity=Severity.MEDIUM,
        practice=4,
        controls=("ECS.20", "ECS.21"),
        resource_types=("aws_ecs_task_definition",),
        remediation='Set `user` to a non-root uid:gid (Windows: `"ContainerUser"`).',
    )

    def judge_task(self, td: TaskDefinition) -> Iterator[Finding]:
        # Unknown platform: judge the user against both systems' superusers.
        os_unknown = td.is_unknown("runtime_platform") or td.is_unknown("runtime_platform", 0, "operating_system_family")
        linux = os_unknown or not td.is_windows
        windows = os_unknown or td.is_windows
        for c in td.containers:
            path = ("container_definitions", c.index, "user")
            if c.is_unknown("user"):
                yield self.unknown(td, path, container=c.label)
            elif not c.user_set:
                yield self.fail(td, path, _unset_message(c, windows and not linux), container=c.label, confidence="medium")
            elif (linux and c.user_is_root) or (windows and c.user_is_windows_admin):
                shown = "(sensitive)" if c.is_sensitive("user") else repr(c.user)
                who = "the superuser" if c.user_is_root else "ContainerAdministrator"
                yield self.fail(td, path, f"container {c.label!r} runs as {who}: user is {shown}", container=c.label)


def _unset_message(c: ContainerDefinition, windows: bool) -> str:
    default = "ContainerAdministrator on Windows Server Core images" if windows else "root unless the image sets another"
    return f"container {c.label!r} sets no user, so it runs as the image's USER ({default})"
