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


class GuardDutyDetectorFeature(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_guardduty_detector_feature",)
    detector_id: str | None = None
    name: str | None = None
    status: str | None = None
    additional_configuration: tuple[FeatureConfiguration, ...] = ()


class FlowLog(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_flow_log",)
    vpc_id: str | None = None
    subnet_id: str | None = None
    traffic_type: str | None = None
