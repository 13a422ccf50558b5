"""ECS: task definitions with decoded container definitions, services, clusters, task sets."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import ConfigDict, Field

from ..inputs.raw import RawResource
from .userspec import names_root
from .base import JsonDecodeError, Model, Resource, block, decode_json_attr, subtree, tree_at, tree_any

_cd = ConfigDict(frozen=True, extra="ignore", populate_by_name=True, coerce_numbers_to_str=True, defer_build=True)


class KeyValue(Model):
    model_config = _cd
    name: str | None = None
    value: str | None = None


class Secret(Model):
    model_config = _cd
    name: str | None = None
    value_from: str | None = Field(None, alias="valueFrom")


class Capabilities(Model):
    # In lists inside a container, None is an element known only after apply.
    model_config = _cd
    add: tuple[str | None, ...] = ()
    drop: tuple[str | None, ...] = ()

    @staticmethod
    def normalize(name: str) -> str:
        """`cap_sys_admin` -> `SYS_ADMIN`: ECS names capabilities bare, Docker also takes `CAP_`."""
        name = name.strip().upper()
        return name[4:] if name.startswith("CAP_") else name

    @property
    def drops_all(self) -> bool:
        return any(c is not None and self.normalize(c) == "ALL" for c in self.drop)


class LinuxParameters(Model):
    model_config = _cd
    capabilities: Capabilities | None = None
    devices: tuple[dict | None, ...] = ()
    init_process_enabled: bool | None = Field(None, alias="initProcessEnabled")


class LogConfiguration(Model):
    model_config = _cd
    log_driver: str | None = Field(None, alias="logDriver")
    options: dict[str, Any] | None = None


class MountPoint(Model):
    model_config = _cd
    source_volume: str | None = Field(None, alias="sourceVolume")
    container_path: str | None = Field(None, alias="containerPath")
    read_only: bool | None = Field(None, alias="readOnly")


DOCKER_HUB = "docker.io"
_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})


class ImageRef(Model):
    """A container image reference, split the way Docker reads it:
    `[registry[:port]/]repository[:tag][@digest]`.

    The first path component is a registry only when it looks like a host (has a `.` or
    a `:` port, or is `localhost`), so `registry:5000/app` has no tag and `app:5000` does.
    No registry means Docker Hub (`docker.io`); the registry is lowercased, the rest kept
    as written."""

    raw: str
    registry: str = DOCKER_HUB
    repository: str = ""
    tag: str | None = None
    digest: str | None = None

    @classmethod
    def parse(cls, image: str) -> "ImageRef":
        name, _, digest = image.strip().partition("@")
        first, slash, rest = name.partition("/")
        registry = DOCKER_HUB
        if slash and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
            registry, name = first.lower(), rest
            if registry in _HUB_ALIASES:
                registry = DOCKER_HUB
        # With the registry (and its port) split off, a colon can only start the tag.
        repository, _, tag = name.rpartition(":") if ":" in name else (name, "", "")
        return cls(raw=image, registry=registry, repository=repository, tag=tag or None, digest=digest or None)

    @property
    def host(self) -> str:
        """The registry without its port."""
        return self.registry.rsplit(":", 1)[0] if ":" in self.registry else self.registry

    @property
    def pinned(self) -> bool:
        """Names one immutable image (a digest), whatever tag is shown beside it."""
        return self.digest is not None

    @property
    def effective_tag(self) -> str | None:
        """The tag Docker pulls: the written one, `latest` when neither tag nor digest is given."""
        if self.tag is None and self.digest is None:
            return "latest"
        return self.tag


class ContainerDefinition(Model):
    """One entry of `container_definitions`, in the ECS API's camelCase."""

    model_config = _cd
    index: int
    name: str | None = None
    image: str | None = None
    essential: bool | None = None
    privileged: bool | None = None
    user: str | None = None
    readonly_root_filesystem: bool | None = Field(None, alias="readonlyRootFilesystem")
    environment: tuple[KeyValue, ...] = ()
    secrets: tuple[Secret, ...] = ()
    log_configuration: LogConfiguration | None = Field(None, alias="logConfiguration")
    linux_parameters: LinuxParameters | None = Field(None, alias="linuxParameters")
    docker_security_options: tuple[str | None, ...] = Field((), alias="dockerSecurityOptions")
    mount_points: tuple[MountPoint | None, ...] = Field((), alias="mountPoints")
    docker_labels: dict[str, str | None] | None = Field(None, alias="dockerLabels")
    # {"credentialsParameter": <Secrets Manager ARN>} for a private registry.
    repository_credentials: dict[str, Any] | None = Field(None, alias="repositoryCredentials")
    # What the plan does not know yet, and what it marks sensitive, inside this container.
    unknown: Any = Field(False, exclude=True)
    sensitive: Any = Field(False, exclude=True)

    @property
    def label(self) -> str:
        return self.name or f"#{self.index}"

    def is_unknown(self, *path: str | int) -> bool:
        return tree_at(self.unknown, path) is True

    def has_unknown(self, *path: str | int) -> bool:
        return tree_any(tree_at(self.unknown, path))

    def is_sensitive(self, *path: str | int) -> bool:
        return tree_at(self.sensitive, path) is True

    @property
    def image_ref(self) -> ImageRef | None:
        return ImageRef.parse(self.image) if self.image and self.image.strip() else None

    @property
    def user_set(self) -> bool:
        return bool((self.user or "").strip())

    @property
    def user_is_root(self) -> bool:
        """`user` names the Linux superuser: `root` or uid 0, alone or with a group
        (`0:0`, `root:wheel`). A root group with another user (`1000:0`) is not root;
        unset is not judged here (the image's USER decides)."""
        return names_root(self.user)

    @property
    def user_is_windows_admin(self) -> bool:
        """`user` is Windows' ContainerAdministrator (any case, `User Manager\\` prefix allowed)."""
        return (self.user or "").strip().rsplit("\\", 1)[-1].lower() == "containeradministrator"


class EfsVolumeConfiguration(Model):
    file_system_id: str | None = None
    transit_encryption: str | None = None


class Volume(Model):
    name: str | None = None
    host_path: str | None = None
    efs_volume_configuration: tuple[EfsVolumeConfiguration, ...] = ()


# A cluster query language term that admits only Windows container instances.
_WINDOWS_PLACEMENT = re.compile(r"attribute:ecs\.os-(?:type|family)\s*==\s*['\"]?windows", re.IGNORECASE)
_QUERY_OR = re.compile(r"\bor\b|\|\|", re.IGNORECASE)


def _windows_only(expression: str) -> bool:
    """The expression requires Windows (an `or` may also admit Linux instances)."""
    return bool(_WINDOWS_PLACEMENT.search(expression)) and not _QUERY_OR.search(expression)


class RuntimePlatform(Model):
    """A `runtime_platform` block: typed, so that a value of the wrong type in the plan
    is the resource's error (exit 2), not a rule crashing on it."""

    operating_system_family: str | None = None
    cpu_architecture: str | None = None


class TaskDefinition(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_ecs_task_definition",)
    family: str | None = None
    network_mode: str | None = None
    pid_mode: str | None = None
    ipc_mode: str | None = None
    requires_compatibilities: tuple[str, ...] = ()
    task_role_arn: str | None = None
    execution_role_arn: str | None = None
    volume: tuple[Volume, ...] = ()
    runtime_platform: tuple[RuntimePlatform, ...] = ()
    placement_constraints: tuple[dict, ...] = ()
    containers: tuple[ContainerDefinition, ...] = ()

    @classmethod
    def build(cls, raw: RawResource, values: dict | None = None) -> "TaskDefinition":
        values = dict(raw.after or {}) if values is None else dict(values)
        decoded = decode_json_attr(values.pop("container_definitions", None), "container_definitions")
        containers: list[ContainerDefinition] = []
        if decoded is not None:
            if not isinstance(decoded, list):
                raise JsonDecodeError("container_definitions is not a JSON array of container definitions")
            unknown = subtree(raw.after_unknown, "container_definitions")
            sensitive = subtree(raw.after_sensitive, "container_definitions")
            for i, cd in enumerate(decoded):
                if not isinstance(cd, dict):
                    raise JsonDecodeError(f"container_definitions[{i}] is not a JSON object")
                containers.append(
                    ContainerDefinition.model_validate(
                        {**cd, "index": i, "unknown": subtree(unknown, i), "sensitive": subtree(sensitive, i)}
                    )
                )
        values["containers"] = containers
        values["tf"] = raw
        return cls.model_validate(values)

    @property
    def containers_unknown(self) -> bool:
        """The whole container list is unknown until apply (no container can be judged)."""
        return not self.containers and self.is_unknown("container_definitions")

    @property
    def os_family(self) -> str | None:
        return self.runtime_platform[0].operating_system_family if self.runtime_platform else None

    @property
    def is_windows(self) -> bool:
        """Runs Windows containers: `runtime_platform.operating_system_family` WINDOWS_*, or
        (on EC2, and before providers had `runtime_platform`) a `memberOf` placement
        constraint that places the task on Windows instances only
        (`attribute:ecs.os-type == windows`, `attribute:ecs.os-family == WINDOWS_SERVER_2019_CORE`)."""
        if (self.os_family or "").upper().startswith("WINDOWS"):
            return True
        return any(
            str(pc.get("type") or "").lower() == "memberof" and _windows_only(str(pc.get("expression") or ""))
            for pc in self.placement_constraints
            if isinstance(pc, dict)
        )

    @property
    def ec2_compatible(self) -> bool:
        """Runs on EC2 capacity: compatibilities unset (EC2 by default) or including EC2."""
        if self.is_unknown("requires_compatibilities"):
            return False
        compat = {c.upper() for c in self.requires_compatibilities}
        return not compat or "EC2" in compat or "EXTERNAL" in compat

    @property
    def effective_network_mode(self) -> str:
        """The network mode ECS will use: unset means bridge (awsvpc on Fargate-only)."""
        if self.network_mode:
            return self.network_mode
        compat = {c.upper() for c in self.requires_compatibilities}
        return "awsvpc" if compat == {"FARGATE"} else "bridge"


class NetworkConfiguration(Model):
    assign_public_ip: bool | None = None
    subnets: tuple[str, ...] = ()
    security_groups: tuple[str, ...] = ()


class Service(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_ecs_service",)
    name: str | None = None
    cluster: str | None = None
    task_definition: str | None = None
    launch_type: str | None = None
    platform_version: str | None = None
    enable_execute_command: bool | None = None
    network_configuration: tuple[NetworkConfiguration, ...] = ()
    capacity_provider_strategy: tuple[dict, ...] = ()

    @property
    def network(self) -> NetworkConfiguration | None:
        return self.network_configuration[0] if self.network_configuration else None

    @property
    def on_fargate(self) -> bool:
        if (self.launch_type or "").upper() == "FARGATE":
            return True
        return any(
            str(s.get("capacity_provider", "")).upper().startswith("FARGATE") for s in self.capacity_provider_strategy
        )

    @property
    def capacity_from_cluster(self) -> bool:
        """Neither `launch_type` nor `capacity_provider_strategy` is set: the cluster's
        default capacity provider strategy decides where tasks run (EC2 when it has none)."""
        return not self.launch_type and not self.capacity_provider_strategy

    @property
    def platform_pinned(self) -> bool:
        """`platform_version` names a fixed Fargate platform version; unset means LATEST."""
        return bool(self.platform_version) and str(self.platform_version).upper() != "LATEST"


class TaskSet(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_ecs_task_set",)
    cluster: str | None = None
    service: str | None = None
    task_definition: str | None = None
    launch_type: str | None = None
    platform_version: str | None = None
    network_configuration: tuple[NetworkConfiguration, ...] = ()

    @property
    def network(self) -> NetworkConfiguration | None:
        return self.network_configuration[0] if self.network_configuration else None


class ClusterSetting(Model):
    name: str | None = None
    value: str | None = None


class ExecuteCommandConfiguration(Model):
    logging: str | None = None


class ClusterConfiguration(Model):
    """A cluster's `configuration` block, typed as the other blocks rules read: a value
    of the wrong type is the resource's error (exit 2), never a rule crashing on it."""

    execute_command_configuration: tuple[ExecuteCommandConfiguration, ...] = ()


class Cluster(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_ecs_cluster",)
    name: str | None = None
    arn: str | None = None
    setting: tuple[ClusterSetting, ...] = ()
    configuration: tuple[ClusterConfiguration, ...] = ()

    @property
    def container_insights(self) -> str | None:
        for s in self.setting:
            if (s.name or "") == "containerInsights":
                return s.value
        return None

    def setting_index(self, name: str) -> int | None:
        """The position of the `setting` block with this name (for finding paths)."""
        for i, s in enumerate(self.setting):
            if (s.name or "") == name:
                return i
        return None

    @property
    def exec_logging(self) -> str | None:
        """`configuration.execute_command_configuration.logging` (None when unset)."""
        ecc = self.configuration[0].execute_command_configuration if self.configuration else ()
        return ecc[0].logging if ecc else None
