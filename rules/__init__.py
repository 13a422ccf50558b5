"""The built-in rules (installed as `tfecs_rules`). One module per rule, named after its
id; ALL_RULES is the registry, sorted by id. A meta-test fails when a module is missing here."""

from .ecr_tag_mutable import EcrTagMutable
from .ecs_capabilities_not_dropped import EcsCapabilitiesNotDropped
from .ecs_container_logging_missing import EcsContainerLoggingMissing
from .ecs_container_root_user import EcsContainerRootUser
from .ecs_dangerous_capabilities import EcsDangerousCapabilities
from .ecs_host_ipc_mode import EcsHostIpcMode
from .ecs_host_network_mode import EcsHostNetworkMode
from .ecs_host_pid_mode import EcsHostPidMode
from .ecs_image_mutable_tag import EcsImageMutableTag
from .ecs_image_untrusted_registry import EcsImageUntrustedRegistry
from .ecs_privileged_container import EcsPrivilegedContainer
from .ecs_sensitive_host_mount import EcsSensitiveHostMount
from .ecs_unconfined_security_options import EcsUnconfinedSecurityOptions
from .ecs_writable_root_filesystem import EcsWritableRootFilesystem
from .iam_admin_policy import IamAdminPolicy

ALL_RULES = (
    EcrTagMutable,
    EcsCapabilitiesNotDropped,
    EcsContainerLoggingMissing,
    EcsContainerRootUser,
    EcsDangerousCapabilities,
    EcsHostIpcMode,
    EcsHostNetworkMode,
    EcsHostPidMode,
    EcsImageMutableTag,
    EcsImageUntrustedRegistry,
    EcsPrivilegedContainer,
    EcsSensitiveHostMount,
    EcsUnconfinedSecurityOptions,
    EcsWritableRootFilesystem,
    IamAdminPolicy,
)
