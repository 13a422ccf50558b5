from __future__ import annotations

from typing import Iterator

from tfecs.model.ecr import Repository, RepositoryPolicy
from tfecs.model.iam import Statement
from tfecs.model.inventory import Inventory
from tfecs.rule import Finding, Rule, RuleMeta, Severity


class EcrRepositoryPublicPolicy(Rule):
    """
    ## What it does
    Flags `aws_ecr_repository_policy` documents with an `Allow` statement for any
    principal (`Principal = "*"` or `{ AWS = "*" }`, also inside a list, or
    `NotPrincipal`, which allows everyone but the principals listed) and no
    `Condition`. Documents built with `data.aws_iam_policy_document` are read too and
    reported on the repository policy that uses them.

    ## Why is this bad?
    Any AWS account, or anyone at all, can then use the repository with the allowed
    actions: pull your images (and the code, configuration and secrets baked into them)
    or, with push actions, replace them with their own.

    ## Example
    ```hcl
    resource "aws_ecr_repository_policy" "app" {
      repository = aws_ecr_repository.app.name
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Principal = "*", Action = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"] }]
      })
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_ecr_repository_policy" "app" {
      repository = aws_ecr_repository.app.name
      policy = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Effect    = "Allow"
          Principal = { AWS = "arn:aws:iam::111122223333:root" }
          Action    = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
        }]
      })
    }
    ```
    To share with an organization, keep `Principal = "*"` but add a
    `Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-..." } }`.

    ## References
    - https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """

    meta = RuleMeta(
        id="ecr-repository-public-policy",
        title="ECR repository policy allows any principal",
        severity=Severity.HIGH,
        practice=4,
        controls=(),
        resource_types=("aws_ecr_repository_policy", "data.aws_iam_policy_document"),
        remediation="Name the accounts or roles that may use the repository, or add a Condition (e.g. aws:PrincipalOrgID).",
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for res in inv.of(RepositoryPolicy):
            ref = inv.document(res)
            for path in ref.unknowns(_public):
                yield self.unknown(ref.resource, path)
            if ref.document is None:
                continue
            repos = inv.linked(res, "repository", Repository)
            target = f"repository {repos[0].name or repos[0].address!r}" if len(repos) == 1 else f"repository {res.repository or res.address!r}"
            for st in ref.statements:
                if not _public(st):
                    continue
                who = "any principal" if st.any_principal else "every principal but those in NotPrincipal"
                yield self.fail(
                    ref.resource,
                    (*ref.path, "Statement", st.index),
                    f"statement {st.sid or st.index} of the policy on {target} allows {who} with no Condition",
                )


def _public(st: Statement) -> bool:
    """An Allow for any principal (or all but those in NotPrincipal) with no Condition."""
    anyone = st.any_principal or (st.principals is None and st.not_principals is not None)
    return st.is_allow and not st.conditions and anyone
