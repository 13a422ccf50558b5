"""The built-in rules (installed as `tfecs_rules`). One module per rule, named after its
id; ALL_RULES is the registry, sorted by id. A meta-test fails when a module is missing here."""

from .ecr_tag_mutable import EcrTagMutable
from .ecs_host_network_mode import EcsHostNetworkMode
from .ecs_privileged_container import EcsPrivilegedContainer
from .iam_admin_policy import IamAdminPolicy

ALL_RULES = (
    EcrTagMutable,
    EcsHostNetworkMode,
    EcsPrivilegedContainer,
    IamAdminPolicy,
)
