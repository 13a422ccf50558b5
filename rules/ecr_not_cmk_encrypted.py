from __future__ import annotations

from typing import Iterator

from tfecs.model.ecr import Repository
from tfecs.model.inventory import Inventory
from tfecs.rule import Finding, Rule, RuleMeta, Severity

AWS_MANAGED_ALIAS = "alias/aws/"


class EcrNotCmkEncrypted(Rule):
    """
    ## What it does
    Flags ECR repositories not encrypted with a customer-managed KMS key:
    `encryption_configuration` absent or `encryption_type = "AES256"`, or
    `encryption_type = "KMS"` without `kms_key` (ECR then uses the AWS-managed
    `aws/ecr` key) or with an `alias/aws/...` key. A `kms_key` known only after apply
    passes when the block refers to an `aws_kms_key` of the configuration; when it
    refers to a data source or variable, the finding is `unknown`.

    ## Why is this bad?
    With AES256 or the AWS-managed key, every principal with ECR pull permissions can
    read the images: you cannot restrict decryption through a key policy, audit key use
    per caller in CloudTrail, or revoke access by disabling the key.

    ## Example
    ```hcl
    resource "aws_ecr_repository" "app" {
      name = "app"
      encryption_configuration {
        encryption_type = "KMS" # AWS-managed aws/ecr key
      }
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_ecr_repository" "app" {
      name = "app"
      encryption_configuration {
        encryption_type = "KMS"
        kms_key         = aws_kms_key.ecr.arn
      }
    }
    ```

    ## References
    - https://docs.aws.amazon.com/securityhub/latest/userguide/ecr-controls.html#ecr-5
    - https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html
    """

    meta = RuleMeta(
        id="ecr-not-cmk-encrypted",
        title="ECR repository not encrypted with a customer-managed KMS key",
        severity=Severity.LOW,
        practice=4,
        controls=("ECR.5",),
        resource_types=("aws_ecr_repository",),
        remediation='Set `encryption_configuration { encryption_type = "KMS", kms_key = <customer-managed key ARN> }`.',
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for repo in inv.of(Repository):
            label = repo.name or repo.address
            type_path = ("encryption_configuration", 0, "encryption_type")
            key_path = ("encryption_configuration", 0, "kms_key")
            if repo.is_unknown(*type_path):
                yield self.unknown(repo, type_path)
                continue
            kind = (repo.encryption_type or "AES256").upper()
            if kind != "KMS":
                shown = repo.encryption_type or "unset (AES256)"
                yield self.fail(repo, type_path, f"repository {label!r} is encrypted with ECR's own AES256 key: encryption_type is {shown}")
                continue
            if repo.is_unknown(*key_path):
                source = repo.kms_key_source()
                if source == "customer":
                    continue
                if source is None:
                    yield self.unknown(
                        repo, key_path, f"kms_key of repository {label!r} is known only after apply and may be the AWS-managed aws/ecr key"
                    )
                    continue
            key = repo.kms_key if not repo.is_unknown(*key_path) else None
            if key is None:
                yield self.fail(repo, key_path, f"repository {label!r} uses the AWS-managed aws/ecr key: encryption_type is KMS with no kms_key")
            elif AWS_MANAGED_ALIAS in key:
                yield self.fail(repo, key_path, f"repository {label!r} uses an AWS-managed key: kms_key is {key}")
