"""ECR: repositories, their policies and lifecycle policies, registry-wide scanning."""

from __future__ import annotations

from typing import ClassVar

from .base import Model, Resource, block


class Repository(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_ecr_repository",)
    name: str | None = None
    arn: str | None = None
    image_tag_mutability: str | None = None
    image_scanning_configuration: tuple[dict, ...] = ()
    encryption_configuration: tuple[dict, ...] = ()

    @property
    def scan_on_push(self) -> bool | None:
        return block(self.image_scanning_configuration).get("scan_on_push")

    @property
    def encryption_type(self) -> str | None:
        return block(self.encryption_configuration).get("encryption_type")

    @property
    def kms_key(self) -> str | None:
        return block(self.encryption_configuration).get("kms_key")


class RepositoryPolicy(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_ecr_repository_policy",)
    repository: str | None = None


class LifecyclePolicy(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_ecr_lifecycle_policy",)
    repository: str | None = None


class RepositoryFilter(Model):
    filter: str | None = None
    filter_type: str | None = None


class ScanningRule(Model):
    scan_frequency: str | None = None
    repository_filter: tuple[RepositoryFilter, ...] = ()


class RegistryScanningConfiguration(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_ecr_registry_scanning_configuration",)
    scan_type: str | None = None
    rule: tuple[ScanningRule, ...] = ()
