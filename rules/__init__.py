"""The built-in rules (installed as `tfecs_rules`). One module per rule, named after its
id; ALL_RULES is the registry, sorted by id. A meta-test fails when a module is missing here."""

from .cloudtrail_log_validation_disabled import CloudtrailLogValidationDisabled
from .cloudtrail_not_multi_region import CloudtrailNotMultiRegion
from .dockerfile_user_missing import DockerfileUserMissing
from .ecr_no_lifecycle_policy import EcrNoLifecyclePolicy
from .ecr_not_cmk_encrypted import EcrNotCmkEncrypted
from .ecr_repository_public_policy import EcrRepositoryPublicPolicy
from .ecr_scan_on_push_disabled import EcrScanOnPushDisabled
from .ecr_tag_mutable import EcrTagMutable
from .ecs_capabilities_not_dropped import EcsCapabilitiesNotDropped
from .ecs_container_insights_disabled import EcsContainerInsightsDisabled
from .ecs_container_logging_missing import EcsContainerLoggingMissing
from .ecs_container_root_user import EcsContainerRootUser
from .ecs_dangerous_capabilities import EcsDangerousCapabilities
from .ecs_efs_transit_encryption_disabled import EcsEfsTransitEncryptionDisabled
from .ecs_exec_enabled import EcsExecEnabled
from .ecs_exec_logging_disabled import EcsExecLoggingDisabled
from .ecs_fargate_platform_not_latest import EcsFargatePlatformNotLatest
from .ecs_host_ipc_mode import EcsHostIpcMode
from .ecs_host_network_mode import EcsHostNetworkMode
from .ecs_host_pid_mode import EcsHostPidMode
from .ecs_image_mutable_tag import EcsImageMutableTag
from .ecs_image_untrusted_registry import EcsImageUntrustedRegistry
from .ecs_network_mode_not_awsvpc import EcsNetworkModeNotAwsvpc
from .ecs_privileged_container import EcsPrivilegedContainer
from .ecs_secret_in_environment import EcsSecretInEnvironment
from .ecs_sensitive_host_mount import EcsSensitiveHostMount
from .ecs_service_public_ip import EcsServicePublicIp
from .ecs_task_role_admin import EcsTaskRoleAdmin
from .ecs_task_role_missing import EcsTaskRoleMissing
from .ecs_task_role_same_as_execution_role import EcsTaskRoleSameAsExecutionRole
from .ecs_task_set_public_ip import EcsTaskSetPublicIp
from .ecs_trust_policy_confused_deputy import EcsTrustPolicyConfusedDeputy
from .ecs_unconfined_security_options import EcsUnconfinedSecurityOptions
from .ecs_writable_root_filesystem import EcsWritableRootFilesystem
from .guardduty_ecs_runtime_monitoring_disabled import GuarddutyEcsRuntimeMonitoringDisabled
from .iam_admin_policy import IamAdminPolicy
from .iam_ecs_exec_wildcard import IamEcsExecWildcard
from .iam_passrole_wildcard import IamPassroleWildcard
from .iam_role_trust_any_principal import IamRoleTrustAnyPrincipal
from .iam_secrets_read_wildcard import IamSecretsReadWildcard
from .iam_service_wildcard_action import IamServiceWildcardAction
from .inspector_ecr_scanning_disabled import InspectorEcrScanningDisabled
from .inspector_findings_alert_missing import InspectorFindingsAlertMissing
from .lb_drop_invalid_headers_disabled import LbDropInvalidHeadersDisabled
from .lb_http_listener_no_redirect import LbHttpListenerNoRedirect
from .lb_weak_tls_policy import LbWeakTlsPolicy
from .monitoring_ecs_changes_alert_missing import MonitoringEcsChangesAlertMissing
from .monitoring_ecs_scheduled_tasks_alert_missing import MonitoringEcsScheduledTasksAlertMissing
from .monitoring_root_activity_alert_missing import MonitoringRootActivityAlertMissing
from .secretsmanager_rotation_disabled import SecretsmanagerRotationDisabled
from .sg_open_to_world import SgOpenToWorld
from .ssm_secret_not_securestring import SsmSecretNotSecurestring
from .vpc_ecs_endpoints_missing import VpcEcsEndpointsMissing
from .vpc_flow_logs_missing import VpcFlowLogsMissing

ALL_RULES = (
    CloudtrailLogValidationDisabled,
    CloudtrailNotMultiRegion,
    DockerfileUserMissing,
    EcrNoLifecyclePolicy,
    EcrNotCmkEncrypted,
    EcrRepositoryPublicPolicy,
    EcrScanOnPushDisabled,
    EcrTagMutable,
    EcsCapabilitiesNotDropped,
    EcsContainerInsightsDisabled,
    EcsContainerLoggingMissing,
    EcsContainerRootUser,
    EcsDangerousCapabilities,
    EcsEfsTransitEncryptionDisabled,
    EcsExecEnabled,
    EcsExecLoggingDisabled,
    EcsFargatePlatformNotLatest,
    EcsHostIpcMode,
    EcsHostNetworkMode,
    EcsHostPidMode,
    EcsImageMutableTag,
    EcsImageUntrustedRegistry,
    EcsNetworkModeNotAwsvpc,
    EcsPrivilegedContainer,
    EcsSecretInEnvironment,
    EcsSensitiveHostMount,
    EcsServicePublicIp,
    EcsTaskRoleAdmin,
    EcsTaskRoleMissing,
    EcsTaskRoleSameAsExecutionRole,
    EcsTaskSetPublicIp,
    EcsTrustPolicyConfusedDeputy,
    EcsUnconfinedSecurityOptions,
    EcsWritableRootFilesystem,
    GuarddutyEcsRuntimeMonitoringDisabled,
    IamAdminPolicy,
    IamEcsExecWildcard,
    IamPassroleWildcard,
    IamRoleTrustAnyPrincipal,
    IamSecretsReadWildcard,
    IamServiceWildcardAction,
    InspectorEcrScanningDisabled,
    InspectorFindingsAlertMissing,
    LbDropInvalidHeadersDisabled,
    LbHttpListenerNoRedirect,
    LbWeakTlsPolicy,
    MonitoringEcsChangesAlertMissing,
    MonitoringEcsScheduledTasksAlertMissing,
    MonitoringRootActivityAlertMissing,
    SecretsmanagerRotationDisabled,
    SgOpenToWorld,
    SsmSecretNotSecurestring,
    VpcEcsEndpointsMissing,
    VpcFlowLogsMissing,
)
