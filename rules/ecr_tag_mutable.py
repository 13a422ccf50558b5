from __future__ import annotations

from typing import Iterator

from tfecs.model.ecr import Repository
from tfecs.model.inventory import Inventory
from tfecs.rule import Finding, Rule, RuleMeta, Severity

IMMUTABLE = ("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION")


class EcrTagMutable(Rule):
    """
    ## What it does
    Flags ECR repositories whose `image_tag_mutability` is not `IMMUTABLE` (or
    `IMMUTABLE_WITH_EXCLUSION`). Unset means `MUTABLE`.

    ## Why is this bad?
    With mutable tags anyone who can push can replace the image behind `app:1.4.2`; the
    next task launch runs the new image, unscanned and unreviewed, under a tag the
    deployment already trusts.

    ## Example
    ```hcl
    resource "aws_ecr_repository" "app" {
      name = "app"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_ecr_repository" "app" {
      name                 = "app"
      image_tag_mutability = "IMMUTABLE"
    }
    ```

    ## References
    - https://docs.aws.amazon.com/securityhub/latest/userguide/ecr-controls.html#ecr-2
    - https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html
    """

    meta = RuleMeta(
        id="ecr-tag-mutable",
        title="ECR image tags are mutable",
        severity=Severity.MEDIUM,
        practice=4,
        controls=("ECR.2",),
        resource_types=("aws_ecr_repository",),
        remediation='Set `image_tag_mutability = "IMMUTABLE"`.',
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for repo in inv.of(Repository):
            value = repo.image_tag_mutability
            if repo.is_unknown("image_tag_mutability"):
                yield self.unknown(repo, ("image_tag_mutability",))
            elif (value or "MUTABLE").upper() not in IMMUTABLE:
                shown = value if value else "unset (MUTABLE)"
                yield self.fail(repo, ("image_tag_mutability",), f"repository {repo.name or repo.address!r} has mutable tags: image_tag_mutability is {shown}")
