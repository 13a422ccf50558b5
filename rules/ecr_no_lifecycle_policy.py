from __future__ import annotations

from typing import Iterator

from tfecs.model.ecr import LifecyclePolicy, Repository
from tfecs.model.inventory import Inventory
from tfecs.rule import Finding, Rule, RuleMeta, Severity


class EcrNoLifecyclePolicy(Rule):
    """
    ## What it does
    Flags ECR repositories that no `aws_ecr_lifecycle_policy` in the configuration
    applies to. A lifecycle policy belongs to the repository its `repository` argument
    refers to (`aws_ecr_repository.app.name`, through variables and module outputs too)
    or names. When a lifecycle policy's repository is known only after apply and
    refers to no repository of the configuration, the repositories without a policy
    get an `unknown` finding instead.

    ## Why is this bad?
    Without a lifecycle policy every image ever pushed stays in the registry: old images
    with known vulnerabilities remain one tag away from being deployed again, and
    storage grows without bound.

    ## Example
    ```hcl
    resource "aws_ecr_repository" "app" {
      name = "app"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_ecr_lifecycle_policy" "app" {
      repository = aws_ecr_repository.app.name
      policy = jsonencode({
        rules = [{
          rulePriority = 1
          description  = "expire untagged images after 14 days"
          selection    = { tagStatus = "untagged", countType = "sinceImagePushed", countUnit = "days", countNumber = 14 }
          action       = { type = "expire" }
        }]
      })
    }
    ```

    ## References
    - https://docs.aws.amazon.com/securityhub/latest/userguide/ecr-controls.html#ecr-3
    - https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html
    """

    meta = RuleMeta(
        id="ecr-no-lifecycle-policy",
        title="ECR repository without a lifecycle policy",
        severity=Severity.MEDIUM,
        practice=4,
        controls=("ECR.3",),
        resource_types=("aws_ecr_repository",),
        remediation="Add an `aws_ecr_lifecycle_policy` whose `repository` is this repository.",
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        # Policies whose repository cannot be told before apply could be anyone's.
        dangling = [
            lp for lp in inv.of(LifecyclePolicy) if lp.is_unknown("repository") and not inv.linked(lp, "repository", Repository)
        ]
        for repo in inv.of(Repository):
            if inv.referrers(repo, LifecyclePolicy, "repository"):
                continue
            label = repo.name or repo.address
            if dangling:
                yield self.unknown(
                    repo,
                    (),
                    f"{dangling[0].address}.repository is known only after apply, so whether repository {label!r} has a "
                    "lifecycle policy cannot be told",
                )
            else:
                yield self.fail(repo, (), f"repository {label!r} has no aws_ecr_lifecycle_policy: its images are never expired")
