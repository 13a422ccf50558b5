from __future__ import annotations

from tfecs.model.iam import Statement
from tfecs.rule import PERMISSION_POLICY_TYPES, RuleMeta, Severity, StatementRule


class IamServiceWildcardAction(StatementRule):
    """
    ## What it does
    Flags IAM policy statements that `Allow` a whole service with a wildcard action such
    as `s3:*`, `ecr:*` or `iam:*`, on any resource. Every place a policy can live is
    checked: `aws_iam_policy`, role, user and group inline policies,
    `aws_iam_role.inline_policy`, and `data.aws_iam_policy_document` (reported on the
    resource that uses it). Action `*` itself is iam-admin-policy's finding; `Deny`
    statements never count.

    ## Why is this bad?
    A service wildcard grants every action the service has today and every action AWS
    adds to it later: `s3:*` includes deleting buckets and rewriting their policies,
    `iam:*` is a path to administrator. Least privilege means naming the actions the
    workload calls.

    ## Example
    ```hcl
    data "aws_iam_policy_document" "task" {
      statement {
        actions   = ["s3:*"]
        resources = [aws_s3_bucket.assets.arn, "${aws_s3_bucket.assets.arn}/*"]
      }
    }
    ```

    ## Use instead
    ```hcl
    data "aws_iam_policy_document" "task" {
      statement {
        actions   = ["s3:GetObject", "s3:PutObject"]
        resources = ["${aws_s3_bucket.assets.arn}/*"]
      }
    }
    ```

    ## References
    - https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-21
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
    """

    meta = RuleMeta(
        id="iam-service-wildcard-action",
        title="IAM policy allows every action of a service",
        severity=Severity.LOW,
        practice=1,
        controls=("IAM.21",),
        resource_types=PERMISSION_POLICY_TYPES,
        remediation="List the actions the principal calls instead of a service wildcard such as `s3:*`.",
    )

    def judge(self, st: Statement) -> str | None:
        wildcards = st.service_wildcards
        return f"allows every action of a service: {', '.join(wildcards)}" if wildcards else None
