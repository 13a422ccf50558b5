from __future__ import annotations

from typing import Iterator

from tfecs.model.ecs import Capabilities, ContainerDefinition, TaskDefinition
from tfecs.rule import ContainerRule, Finding, RuleMeta, Severity

# Each of these alone is enough to escape the container or to take over the host's
# network, kernel or memory; ALL includes them.
DANGEROUS_CAPABILITIES = frozenset(
    {"ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "SYS_RAWIO", "DAC_READ_SEARCH", "BPF", "PERFMON"}
)


class EcsDangerousCapabilities(ContainerRule):
    """
    ## What it does
    Flags container definitions whose `linuxParameters.capabilities.add` grants `ALL`,
    `SYS_ADMIN`, `NET_ADMIN`, `SYS_PTRACE`, `SYS_MODULE`, `SYS_RAWIO`, `DAC_READ_SEARCH`,
    `BPF` or `PERFMON` (with or without the `CAP_` prefix, in any case).

    ## Why is this bad?
    These capabilities are container escapes or close to it: `SYS_ADMIN` mounts
    filesystems and leaves most namespaces, `SYS_MODULE` loads kernel modules,
    `SYS_PTRACE` reads and rewrites other processes, `DAC_READ_SEARCH` opens any host
    file by handle, `SYS_RAWIO` reaches raw devices and I/O ports, `NET_ADMIN` rewrites the
    network (routes, firewall, sniffing), `BPF`/`PERFMON` load kernel programs and read
    kernel memory. `ALL` is all of them, a privileged container by another name.

    ## Example
    ```hcl
    container_definitions = jsonencode([{
      name            = "app"
      image           = "app:1.2"
      linuxParameters = { capabilities = { add = ["SYS_ADMIN"] } }
    }])
    ```

    ## Use instead
    ```hcl
    container_definitions = jsonencode([{
      name            = "app"
      image           = "app:1.2"
      linuxParameters = { capabilities = { add = ["NET_BIND_SERVICE"], drop = ["ALL"] } }
    }])
    ```

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_KernelCapabilities.html
    - https://man7.org/linux/man-pages/man7/capabilities.7.html
    """

    meta = RuleMeta(
        id="ecs-dangerous-capabilities",
        title="container adds a dangerous Linux capability",
        severity=Severity.HIGH,
        practice=4,
        controls=(),
        resource_types=("aws_ecs_task_definition",),
        remediation="Remove the capability from `linuxParameters.capabilities.add`; grant only narrow ones the workload needs.",
    )

    def judge(self, td: TaskDefinition, c: ContainerDefinition) -> Iterator[Finding]:
        path = ("container_definitions", c.index, "linuxParameters", "capabilities", "add")
        caps = c.linux_parameters.capabilities if c.linux_parameters else None
        added = caps.add if caps else ()
        dangerous = [a for a in added if a is not None and Capabilities.normalize(a) in DANGEROUS_CAPABILITIES]
        if dangerous:
            shown = ", ".join(Capabilities.normalize(a) for a in dangerous)
            yield self.fail(td, path, f"container {c.label!r} adds {shown} to its Linux capabilities", container=c.label)
        elif c.has_unknown("linuxParameters", "capabilities", "add"):
            yield self.unknown(td, path, container=c.label)
