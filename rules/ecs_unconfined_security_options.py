from __future__ import annotations

import re
from typing import Iterator

from tfecs.model.ecs import ContainerDefinition, TaskDefinition
from tfecs.rule import ContainerRule, Finding, RuleMeta, Severity

# Docker reads `key:value` and `key=value` alike; `systempaths=unconfined` unmasks
# /proc and /sys paths the runtime hides, the same kind of opt-out.
_UNCONFINED = re.compile(r"^\s*(seccomp\s*[:=]\s*unconfined|apparmor\s*[:=]\s*unconfined|label\s*[:=]\s*disable|systempaths\s*[:=]\s*unconfined)\s*$", re.I)


class EcsUnconfinedSecurityOptions(ContainerRule):
    """
    ## What it does
    Flags container definitions whose `dockerSecurityOptions` turn off a kernel
    confinement: `seccomp:unconfined`, `apparmor:unconfined`, `label:disable` (SELinux),
    or `systempaths=unconfined` (either separator, any case).

    ## Why is this bad?
    The seccomp profile blocks the system calls most kernel exploits and container
    escapes need (`keyctl`, `unshare`, `mount`, ...); AppArmor and SELinux confine what
    the process may touch on the host even as root. Turning them off removes the layers
    that hold when the application or a capability is abused.

    ## Example
    ```hcl
    container_definitions = jsonencode([{
      name                  = "app"
      image                 = "app:1.2"
      dockerSecurityOptions = ["seccomp:unconfined"]
    }])
    ```

    ## Use instead
    ```hcl
    container_definitions = jsonencode([{
      name                  = "app"
      image                 = "app:1.2"
      dockerSecurityOptions = ["no-new-privileges"]
    }])
    ```

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_security
    - https://docs.docker.com/engine/security/seccomp/
    - https://docs.docker.com/reference/cli/docker/container/run/#security-opt
    """

    meta = RuleMeta(
        id="ecs-unconfined-security-options",
        title="container runs without seccomp, AppArmor or SELinux confinement",
        severity=Severity.HIGH,
        practice=4,
        controls=(),
        resource_types=("aws_ecs_task_definition",),
        remediation="Remove the unconfined option from `dockerSecurityOptions`; use a custom profile if the default blocks a needed call.",
    )

    def judge(self, td: TaskDefinition, c: ContainerDefinition) -> Iterator[Finding]:
        path = ("container_definitions", c.index, "dockerSecurityOptions")
        bad = [o.strip() for o in c.docker_security_options if o is not None and _UNCONFINED.match(o)]
        if bad:
            shown = ", ".join(repr(o) for o in bad)
            yield self.fail(td, path, f"container {c.label!r} turns off kernel confinement: dockerSecurityOptions has {shown}", container=c.label)
        elif c.has_unknown("dockerSecurityOptions"):
            yield self.unknown(td, path, container=c.label)
