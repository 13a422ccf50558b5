"""ECR: repositories, their policies and lifecycle policies, registry-wide scanning."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import model_validator

from ..inputs.raw import parse_address, split_address
from .base import Model, Resource, block
from .glob import glob_match
from .iam import Document, decoded_documents

# Scan frequencies of a registry scanning rule that scan without a manual request.
AUTOMATIC_SCAN_FREQUENCIES = frozenset({"SCAN_ON_PUSH", "CONTINUOUS_SCAN"})

# Managed resources that only ever stand for customer-managed KMS keys.
CUSTOMER_KEY_TYPES = frozenset({"aws_kms_key", "aws_kms_alias", "aws_kms_external_key", "aws_kms_replica_key"})


class EncryptionConfiguration(Model):
    """An `encryption_configuration` block: typed, so that a value of the wrong type in
    the plan is this resource's error (exit 2), not a rule that crashes on it."""

    encryption_type: str | None = None
    kms_key: str | None = None


class Repository(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_ecr_repository",)
    name: str | None = None
    arn: str | None = None
    image_tag_mutability: str | None = None
    image_scanning_configuration: tuple[dict, ...] = ()
    encryption_configuration: tuple[EncryptionConfiguration, ...] = ()

    @property
    def scan_on_push(self) -> bool | None:
        return _lax_bool(block(self.image_scanning_configuration).get("scan_on_push"))

    @property
    def encryption_type(self) -> str | None:
        return self.encryption_configuration[0].encryption_type if self.encryption_configuration else None

    @property
    def kms_key(self) -> str | None:
        return (self.encryption_configuration[0].kms_key if self.encryption_configuration else None) or None

    def kms_key_source(self) -> str | None:
        """Where the unknown-until-apply `kms_key` comes from: "customer" when the block
        refers to a key (or an alias: AWS reserves `alias/aws/*`, so an alias the
        configuration creates names a customer key) of the configuration, "provider" when
        it refers to nothing (the provider fills in the AWS-managed `aws/ecr` key), None
        otherwise (a data source or variable: it could be either)."""
        refs = self.refs("encryption_configuration")
        if not refs:
            # Without the configuration (references unknown) the key could be anything.
            return "provider" if self.tf.configured is not None else None
        types = {_resource_type(r) for r in refs}
        return "customer" if types & CUSTOMER_KEY_TYPES else None


def _lax_bool(value: object) -> bool | None:
    """A boolean inside an untyped block, read as the typed fields read theirs (`"true"`)."""
    if isinstance(value, bool) or value is None:
        return value
    text = str(value).strip().lower()
    return True if text in ("true", "1") else False if text in ("false", "0") else None


def _resource_type(address: str) -> str:
    """`module.k.aws_kms_key.this` -> `aws_kms_key`; `data.aws_kms_alias.x` -> `data.aws_kms_alias`."""
    parsed = parse_address(address)
    if parsed is None:  # not an address by the grammar: read its last step as it stands
        last = split_address(address)[-1]
        parts = last.split(".")
        return ".".join(parts[:2]) if parts[0] == "data" else parts[0]
    return f"data.{parsed.type}" if parsed.mode == "data" else parsed.type


class RepositoryPolicy(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_ecr_repository_policy",)
    repository: str | None = None
    policy: Document = None

    @model_validator(mode="before")
    @classmethod
    def _decoded_documents(cls, data: Any) -> Any:
        # HCL mode may hand on a partly known policy decoded, with its unknown tree.
        return decoded_documents(data, ("policy",))


class LifecyclePolicy(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_ecr_lifecycle_policy",)
    repository: str | None = None


class RepositoryFilter(Model):
    filter: str | None = None
    filter_type: str | None = None

    def matches(self, repository: str) -> bool:
        """ECR's WILDCARD filters: without `*` a filter matches every name that contains
        it; with `*` the whole name must match, `*` standing for any run of characters."""
        f = self.filter or ""
        if not f:
            return False
        if "*" not in f:
            return f in repository
        return glob_match(f, repository, question=False)


class ScanningRule(Model):
    scan_frequency: str | None = None
    repository_filter: tuple[RepositoryFilter, ...] = ()

    @property
    def scans_automatically(self) -> bool:
        return (self.scan_frequency or "").upper() in AUTOMATIC_SCAN_FREQUENCIES


class RegistryScanningConfiguration(Resource):
    """The registry-wide scanning configuration (one per account and region)."""

    TYPES: ClassVar[tuple[str, ...]] = ("aws_ecr_registry_scanning_configuration",)
    scan_type: str | None = None
    rule: tuple[ScanningRule, ...] = ()

    @property
    def enhanced(self) -> bool | None:
        """ENHANCED scanning replaces the repositories' own scan_on_push: a repository no
        rule matches is not scanned at all. None when the scan type is unknown."""
        if self.is_unknown("scan_type"):
            return None
        return (self.scan_type or "BASIC").upper() == "ENHANCED"

    def covers(self, repository: str | None) -> bool | None:
        """A SCAN_ON_PUSH or CONTINUOUS_SCAN rule has a filter matching the repository
        name (None for a name unknown until apply). No rule covers nothing. None when an
        unknown frequency, filter or name leaves the answer open."""
        if self.is_unknown("rule"):
            return None
        open_question = False
        for i, rule in enumerate(self.rule):
            frequency_unknown = self.is_unknown("rule", i, "scan_frequency")
            if not frequency_unknown and not rule.scans_automatically:
                continue
            if self.is_unknown("rule", i, "repository_filter"):
                open_question = True
                continue
            for j, flt in enumerate(rule.repository_filter):
                if self.is_unknown("rule", i, "repository_filter", j, "filter"):
                    open_question = True
                elif flt.filter == "*" or (repository is not None and flt.matches(repository)):
                    if not frequency_unknown:
                        return True
                    open_question = True
                elif repository is None:
                    open_question = True
        return None if open_question else False
