"""Logging and detection: CloudTrail, GuardDuty, VPC flow logs."""

from __future__ import annotations

from typing import ClassVar

from .base import Model, Resource


class Trail(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_cloudtrail",)
    name: str | None = None
    is_multi_region_trail: bool | None = None
    enable_log_file_validation: bool | None = None
    enable_logging: bool | None = None


class GuardDutyDetector(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_guardduty_detector",)
    enable: bool | None = None
    datasources: tuple[dict, ...] = ()


class FeatureConfiguration(Model):
    name: str | None = None
    status: str | None = None

    @property
    def enabled(self) -> bool:
        return (self.status or "").upper() == "ENABLED"


# The GuardDuty feature that watches ECS (Fargate and EC2) tasks at run time. The API
# knows no ECS_RUNTIME_MONITORING; EKS_RUNTIME_MONITORING covers EKS clusters only.
RUNTIME_MONITORING = "RUNTIME_MONITORING"
# Its additional configuration that lets GuardDuty run the agent in Fargate tasks.
ECS_FARGATE_AGENT_MANAGEMENT = "ECS_FARGATE_AGENT_MANAGEMENT"


class GuardDutyDetectorFeature(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_guardduty_detector_feature",)
    detector_id: str | None = None
    name: str | None = None
    status: str | None = None
    additional_configuration: tuple[FeatureConfiguration, ...] = ()

    @property
    def is_runtime_monitoring(self) -> bool:
        return (self.name or "").upper() == RUNTIME_MONITORING

    @property
    def enabled(self) -> bool:
        return (self.status or "").upper() == "ENABLED"

    def additional(self, name: str) -> FeatureConfiguration | None:
        for conf in self.additional_configuration:
            if (conf.name or "").upper() == name:
                return conf
        return None


class FlowLog(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_flow_log",)
    vpc_id: str | None = None
    subnet_id: str | None = None
    traffic_type: str | None = None

    @property
    def accept_only(self) -> bool:
        """Records accepted traffic only: not the rejected traffic EC2.6 asks a VPC's flow log for."""
        return (self.traffic_type or "").upper() == "ACCEPT"
