from __future__ import annotations

import posixpath
from typing import Iterator

from tfecs.model.ecs import ContainerDefinition, TaskDefinition
from tfecs.rule import ContainerRule, Finding, RuleMeta, Severity

# A bind mount of one of these, or of anything beneath it, hands the container the
# container runtime, the kernel's interfaces, the host's configuration or its secrets.
SENSITIVE_HOST_PATHS = (
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/containerd",
    "/run/containerd",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/lib/ecs",
    "/proc",
    "/sys",
    "/dev",
    "/boot",
    "/etc",
    "/root",
    r"\\.\pipe\docker_engine",  # the Docker socket of Windows hosts
)
# Sensitive as a whole (they hold the paths above), not everything beneath them.
SENSITIVE_PARENT_PATHS = ("/", "/var", "/var/run", "/run", "/var/lib", "/usr", "/lib", "/bin", "/sbin")


def sensitive_host_path(host_path: str) -> bool:
    path = host_path.strip()
    if path.startswith("\\\\"):
        return path.lower().rstrip("\\") in SENSITIVE_HOST_PATHS
    if not path.startswith("/"):
        return False
    path = posixpath.normpath("/" + path.lstrip("/"))
    if path in SENSITIVE_PARENT_PATHS:
        return True
    return any(path == p or path.startswith(p + "/") for p in SENSITIVE_HOST_PATHS)


class EcsSensitiveHostMount(ContainerRule):
    """
    ## What it does
    Flags task definitions where a container mounts a `volume` whose `host_path` is a
    sensitive host location (`/var/run/docker.sock`, `/`, `/proc`, `/sys`, `/dev`, `/etc`,
    `/root`, `/var/lib/docker`, the containerd socket, the ECS agent's data, ...), and
    containers given host devices through `linuxParameters.devices`. The finding is on the
    container's `mountPoints` entry (or `devices`); a sensitive volume no container mounts
    is not reported.

    ## Why is this bad?
    The Docker socket is root on the host: whoever can talk to it starts a privileged
    container. `/proc`, `/sys` and `/dev` expose the kernel and hardware, `/etc` and
    `/root` the host's configuration and credentials, `/var/lib/docker` every other
    container's filesystem. A read-only mount still leaks them, and the Docker socket
    stays writable.

    ## Example
    ```hcl
    volume {
      name      = "docker"
      host_path = "/var/run/docker.sock"
    }
    container_definitions = jsonencode([{
      name        = "agent"
      image       = "agent:3"
      mountPoints = [{ sourceVolume = "docker", containerPath = "/var/run/docker.sock" }]
    }])
    ```

    ## Use instead
    ```hcl
    volume {
      name = "scratch" # a task-scoped volume, no host_path
    }
    ```
    Use the ECS task metadata endpoint or the AWS APIs instead of the Docker socket.

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bind-mounts.html
    - https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Device.html
    - https://docs.docker.com/engine/security/#docker-daemon-attack-surface
    """

    meta = RuleMeta(
        id="ecs-sensitive-host-mount",
        title="container mounts a sensitive host path",
        severity=Severity.HIGH,
        practice=4,
        controls=(),
        resource_types=("aws_ecs_task_definition",),
        remediation="Remove the host-path volume (or the device) from the task definition; use a task-scoped volume.",
    )

    def judge_task(self, td: TaskDefinition) -> Iterator[Finding]:
        volumes, unresolved = _host_volumes(td)
        for c in td.containers:
            yield from self._mounts(td, c, volumes, unresolved)
            yield from self._devices(td, c)

    def _mounts(self, td: TaskDefinition, c: ContainerDefinition, volumes: dict, unresolved: bool) -> Iterator[Finding]:
        risky = unresolved or any(v is None or sensitive_host_path(v) for v in volumes.values())
        if c.is_unknown("mountPoints"):
            if risky:
                yield self.unknown(td, ("container_definitions", c.index, "mountPoints"), container=c.label)
            return
        for j, mount in enumerate(c.mount_points):
            path = ("container_definitions", c.index, "mountPoints", j, "sourceVolume")
            if mount is None or c.is_unknown("mountPoints", j, "sourceVolume"):
                if risky:
                    yield self.unknown(td, path, container=c.label)
                continue
            if mount.source_volume not in volumes:
                if unresolved:
                    yield self.unknown(td, path, container=c.label)
                continue
            host_path = volumes[mount.source_volume]
            if host_path is None:
                yield self.unknown(td, path, f"the host_path of volume {mount.source_volume!r} is known only after apply, so a sensitive host mount cannot be ruled out", container=c.label)
            elif sensitive_host_path(host_path):
                shown = "(sensitive)" if td.is_sensitive("volume") else repr(host_path)
                at = f" at {mount.container_path!r}" if mount.container_path and not c.is_sensitive("mountPoints") else ""
                ro = " read-only" if mount.read_only else ""
                yield self.fail(td, path, f"container {c.label!r} mounts host path {shown} (volume {mount.source_volume!r}){ro}{at}", container=c.label)

    def _devices(self, td: TaskDefinition, c: ContainerDefinition) -> Iterator[Finding]:
        path = ("container_definitions", c.index, "linuxParameters", "devices")
        devices = c.linux_parameters.devices if c.linux_parameters else ()
        known = [d for d in devices if d is not None]
        if known:
            if c.is_sensitive("linuxParameters"):
                shown = f"{len(known)} device(s)"
            else:
                shown = ", ".join(repr(d.get("hostPath") or "?") for d in known)
            yield self.fail(td, path, f"container {c.label!r} is given host devices: {shown}", container=c.label)
        elif c.has_unknown("linuxParameters", "devices"):
            yield self.unknown(td, path, container=c.label)


def _host_volumes(td: TaskDefinition) -> tuple[dict[str, str | None], bool]:
    """Volume name -> host_path (None: known only after apply) for bind-mount volumes, and
    whether some volume that may be a sensitive bind mount cannot be matched by name."""
    volumes: dict[str, str | None] = {}
    unresolved = td.is_unknown("volume")
    for i, vol in enumerate(td.volume):
        host_unknown = td.is_unknown("volume", i, "host_path")
        if not (vol.host_path or host_unknown):
            continue
        if vol.name is None:
            unresolved = unresolved or host_unknown or sensitive_host_path(vol.host_path or "")
            continue
        volumes[vol.name] = None if host_unknown else vol.host_path
    return volumes, unresolved
